#include "config/configuration.hpp"

#include "config/role_selection.hpp"
#include "config/setting_table.hpp"
#include "protocol/version.hpp"

#include <algorithm>
#include <optional>

namespace wlg::config {

std::string settings::worker_list_path() const {
  std::string dir = citus_confdir;
  while (dir.size() > 1 && dir.back() == '/')
    dir.pop_back();
  return dir + "/pg_worker_list.conf";
}

std::string settings::events_path() const {
  std::string path = "/api/audit/v1/";
  if (!cloud_namespace.empty())
    path += cloud_namespace + "/";
  return path + "events/";
}

namespace {

std::string label_of(const setting_spec& spec) {
  return setting_label(spec.env, spec.flag);
}

const setting_spec* find_spec(std::string_view flag) {
  for (const auto& spec : setting_specs())
    if (spec.flag == flag)
      return &spec;
  return nullptr;
}

// The values for one setting: the --flags (the last one, unless repeatable),
// else a non-empty environment variable, else the default.
std::vector<std::string> raw_values(const setting_spec& spec, const environment& env,
                                    const std::map<std::string_view, std::vector<std::string>>& flags) {
  if (auto it = flags.find(spec.flag); it != flags.end())
    return spec.form == shape::repeated ? it->second : std::vector<std::string>{it->second.back()};
  if (auto it = env.find(spec.env); it != env.end() && !it->second.empty()) {
    if (spec.form != shape::repeated)
      return {it->second};
    std::vector<std::string> values;
    std::string_view rest = it->second;
    while (!rest.empty()) {
      const auto start = rest.find_first_not_of(" \t;");
      if (start == std::string_view::npos)
        break;
      rest.remove_prefix(start);
      const auto end = rest.find_first_of(" \t;");
      values.emplace_back(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    }
    return values;
  }
  if (!spec.fallback.empty())
    return {std::string{spec.fallback}};
  return {};
}

result<std::map<std::string_view, std::vector<std::string>>, config_error>
read_flags(const std::vector<std::string>& args, std::vector<std::string>* operands) {
  std::map<std::string_view, std::vector<std::string>> flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (operands && !arg.empty() && arg.front() != '-') {
      operands->emplace_back(arg);
      continue;
    }
    if (arg.substr(0, 2) != "--" || arg.size() == 2)
      return fail(config_error{"", "unexpected argument '" + std::string{arg} + "' (see --help)"});
    arg.remove_prefix(2);
    const auto eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    const setting_spec* spec = find_spec(name);
    if (!spec)
      return fail(config_error{"", "unknown option '--" + std::string{name} + "' (see --help)"});
    if (eq != std::string_view::npos)
      flags[spec->flag].emplace_back(arg.substr(eq + 1));
    else if (spec->form == shape::boolean)
      flags[spec->flag].emplace_back("true");
    else if (i + 1 < args.size())
      flags[spec->flag].push_back(args[++i]);
    else
      return fail(config_error{label_of(*spec), "--" + std::string{name} + " needs a value"});
  }
  return flags;
}

std::optional<config_error> check_requirements(const settings& s) {
  if (s.backoff_max < s.backoff_initial)
    return config_error{setting_label("WORKERLISTGEN_BACKOFF_MAX", "backoff-max"),
                        "must not be shorter than the initial backoff ("
                          + format_duration(s.backoff_initial) + ")"};
  for (const auto& fault : s.faults)
    if (!runs_in(fault.role, s))
      return config_error{setting_label("WORKERLISTGEN_INJECT_FAULT", "inject-fault"),
                          std::string{name_of(fault.role)} + " does not run with these settings; these do: "
                            + roles_running(s)};
  if (s.source != event_source::cloud)
    return std::nullopt;
  if (s.container_api_uri.empty() || s.service_api_uri.empty())
    return config_error{
      "", std::string{product_name} + " " + std::string{protocol::version}
            + " is not running in Docker Cloud: DOCKERCLOUD_CONTAINER_API_URI and"
              " DOCKERCLOUD_SERVICE_API_URI must both be set (or use --source=engine)"};
  if (s.auth.empty())
    return config_error{
      "", std::string{product_name} + " " + std::string{protocol::version}
            + " doesn't have access to the cloud API - you might want to give an API role"
              " to this service (DOCKERCLOUD_AUTH is not set)"};
  return std::nullopt;
}

} // namespace

std::string setting_label(std::string_view env, std::string_view flag) {
  return std::string{env} + " (--" + std::string{flag} + ")";
}

std::string describe(const config_error& e) {
  std::string line{command_name};
  line += ": ";
  if (!e.setting.empty())
    line += "invalid " + e.setting + ": ";
  line += e.message;
  return line;
}

const std::vector<subcommand_doc>& subcommand_docs() {
  static const std::vector<subcommand_doc> docs{
    {subcommand::status, "status", "", 0, 0,
     "Print the coordinator's worker nodes (--coordinator) with their state: active, should have shards, shard "
     "placements, and whether the coordinator reaches each; as JSON with --log-format=json. Changes nothing."},
    {subcommand::drain, "drain", "NODE...", 1, 64,
     "Move every shard off the worker nodes named (NAME or NAME:PORT, as pg_dist_node has them): set "
     "shouldhaveshards off, run one drain job (--rebalance-transfer-mode) and follow it to the end. "
     "--dry-run prints the planned moves and changes nothing."},
    {subcommand::undrain, "undrain", "NODE...", 1, 64,
     "Let the rebalancer put shards on the nodes named again, and stop a running rebalance job."},
    {subcommand::scale, "scale", "SERVICE REPLICAS", 2, 2,
     "Scale the worker service SERVICE to REPLICAS without losing a row: drain the replicas that go first. "
     "--source=swarm: then set the service's replicas. Compose (--source=engine, the project in "
     "DOCKERCLOUD_STACK_NAME): then print the docker compose command to run. --dry-run prints the plan."},
  };
  return docs;
}

result<command_line, config_error> parse_configuration(const environment& env,
                                                       const std::vector<std::string>& all_args) {
  command_line out;
  std::vector<std::string> args = all_args;
  if (!args.empty() && !args.front().empty() && args.front().front() != '-') {
    const auto& docs = subcommand_docs();
    const auto named = std::ranges::find(docs, args.front(), &subcommand_doc::name);
    if (named == docs.end())
      return fail(config_error{"", "unknown command '" + args.front() + "' (see --help)"});
    out.command = named->command;
    args.erase(args.begin());
  }
  for (const auto& arg : args) {
    if (arg == "--help" || arg == "-h") {
      out.what = command_line::action::help;
      return out;
    }
    if (arg == "--version") {
      out.what = command_line::action::version;
      return out;
    }
  }
  std::vector<std::string> operands;
  auto flags = read_flags(args, out.command == subcommand::sidecar ? nullptr : &operands);
  if (!flags)
    return fail(flags.error());
  for (const auto& [flag, values] : *flags)
    out.flags_given.insert(flag);
  for (const auto& spec : setting_specs())
    for (const auto& value : raw_values(spec, env, *flags))
      if (auto problem = spec.apply(out.config, value))
        return fail(config_error{label_of(spec), std::move(*problem)});
  // A command needs only the coordinator, which has a default, and its
  // operands; the sidecar's own requirements (Docker Cloud's variables,
  // faults) are not its.
  if (out.command == subcommand::sidecar) {
    if (auto problem = check_requirements(out.config))
      return fail(std::move(*problem));
    return out;
  }
  const auto& doc = *std::ranges::find(subcommand_docs(), out.command, &subcommand_doc::command);
  if (operands.size() < doc.min_operands || operands.size() > doc.max_operands)
    return fail(config_error{"", std::string{doc.name}
                                   + (doc.usage.empty() ? std::string{" takes no argument"}
                                                        : " needs " + std::string{doc.usage})
                                   + " (see --help)"});
  out.operands = std::move(operands);
  return out;
}

std::vector<setting_doc> setting_docs() {
  std::vector<setting_doc> docs;
  for (const auto& spec : setting_specs()) {
    std::string flag{"--"};
    flag += spec.flag;
    if (!spec.metavar.empty()) {
      flag += '=';
      flag += spec.metavar;
    }
    docs.push_back({flag, std::string{spec.env}, std::string{spec.fallback}, std::string{spec.help}});
  }
  return docs;
}

std::string help_text() {
  std::string text = "Usage: " + std::string{command_name} + " [OPTION]...\n"
    "       " + std::string{command_name} + " COMMAND [OPTION]...\n"
    "Keeps $CITUS_CONFDIR/pg_worker_list.conf in sync with the worker containers linked to\n"
    "this one, and signals the Citus master through the Docker socket when it changes;\n"
    "with --target=citus, keeps the Citus coordinator's worker nodes in sync instead.\n\n"
    "Commands, run beside the sidecar with the same options and environment:\n";
  for (const auto& doc : subcommand_docs())
    text += "  " + std::string{doc.name} + (doc.usage.empty() ? "" : " " + std::string{doc.usage}) + "\n      "
            + std::string{doc.help} + "\n";
  text += "\nEvery option can also be set through the environment variable shown beside it;\n"
          "an option on the command line wins.\n\n";
  for (const auto& doc : setting_docs()) {
    text += "  " + doc.flag + "\n      " + doc.env;
    text += doc.fallback.empty() ? std::string{", no default"} : ", default " + doc.fallback;
    text += "\n      " + doc.help + "\n";
  }
  text += "  --help\n      Print this text and exit.\n"
          "  --version\n      Print the version and exit.\n\n"
          "Signals: SIGUSR1 and SIGHUP force a full resync, rewrite and signal; SIGTERM and SIGINT stop;\n"
          "SIGPIPE is ignored.\n"
          "Exit status: 0 stopped on request, 1 gave up, 2 configuration error.\n"
          "A command's exit status: 0 done; 1 the coordinator cannot be used, or a job failed; 2 configuration\n"
          "error; 3 refused before anything changed (an unknown node, or none left that may hold shards).\n";
  return text;
}

} // namespace wlg::config
