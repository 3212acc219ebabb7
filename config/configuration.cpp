#include "config/configuration.hpp"

#include "config/conninfo.hpp"
#include "config/fault_spec.hpp"
#include "protocol/text.hpp"
#include "protocol/version.hpp"

#include <array>
#include <charconv>
#include <optional>

namespace wlg::config {

using protocol::format_duration;
using protocol::parse_docker_host;
using protocol::parse_duration;
using protocol::parse_listen_address;
using protocol::parse_resource_uri;
using protocol::parse_signal_name;
using protocol::parse_web_endpoint;
using protocol::to_lower;
using protocol::web_scheme;
using protocol::worker_name_source;

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

using apply_fn = std::optional<std::string> (*)(settings&, std::string_view);

enum class shape { value, boolean, repeated };

struct setting_spec {
  std::string_view flag;
  std::string_view metavar;
  std::string_view env;
  std::string_view fallback;
  std::string_view help;
  shape form;
  apply_fn apply;
};

template <class T, class E>
std::optional<std::string> store(result<T, E> parsed, T& field) {
  if (!parsed)
    return parsed.error();
  field = std::move(*parsed);
  return std::nullopt;
}

template <settings::duration settings::*Field, bool AllowZero>
std::optional<std::string> apply_duration(settings& s, std::string_view text) {
  auto parsed = parse_duration(text);
  if (!parsed)
    return parsed.error();
  if (!AllowZero && parsed->count() == 0)
    return std::string{"must be longer than zero"};
  s.*Field = *parsed;
  return std::nullopt;
}

std::optional<std::string> apply_bool(bool& field, std::string_view text) {
  const std::string lower = to_lower(text);
  if (lower == "" || lower == "0" || lower == "false" || lower == "no" || lower == "off")
    field = false;
  else
    field = true;
  return std::nullopt;
}

std::optional<std::string> apply_int(int& field, std::string_view text, int lo, int hi) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < lo || value > hi)
    return "'" + std::string{text} + "' is not a whole number from " + std::to_string(lo)
           + " to " + std::to_string(hi);
  field = value;
  return std::nullopt;
}

std::optional<std::string> apply_name(std::string& field, std::string_view text,
                                      std::string_view what) {
  for (unsigned char c : text)
    if (c < 0x21 || c == 0x7f)
      return std::string{what} + " must not contain spaces or control characters";
  field = text;
  return std::nullopt;
}

// clang-format off
constexpr std::array specs = {
  setting_spec{"container-api-uri", "URI", "DOCKERCLOUD_CONTAINER_API_URI", "",
    "Resource URI of this sidecar's own container (injected by Docker Cloud).", shape::value,
    [](settings& s, std::string_view v) { return store(parse_resource_uri(v), s.container_api_uri); }},
  setting_spec{"service-api-uri", "URI", "DOCKERCLOUD_SERVICE_API_URI", "",
    "Resource URI of this sidecar's own service (injected by Docker Cloud).", shape::value,
    [](settings& s, std::string_view v) { return store(parse_resource_uri(v), s.service_api_uri); }},
  setting_spec{"auth", "VALUE", "DOCKERCLOUD_AUTH", "",
    "Authorization header value for the API (injected for services with an API role). "
    "Prefer the environment: flags show in ps.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      for (unsigned char c : v)
        if (c == '\r' || c == '\n' || c == 0)
          return std::string{"must not contain line breaks or NUL bytes"};
      s.auth = secret{std::string{v}};
      return std::nullopt; }},
  setting_spec{"rest-host", "URL", "DOCKERCLOUD_REST_HOST", "https://cloud.docker.com/",
    "Docker Cloud REST API base URL.", shape::value,
    [](settings& s, std::string_view v) { return store(parse_web_endpoint(v, web_scheme::http), s.rest_host); }},
  setting_spec{"stream-host", "URL", "DOCKERCLOUD_STREAM_HOST", "wss://ws.cloud.docker.com/",
    "Docker Cloud event stream base URL.", shape::value,
    [](settings& s, std::string_view v) { return store(parse_web_endpoint(v, web_scheme::websocket), s.stream_host); }},
  setting_spec{"namespace", "NAME", "DOCKERCLOUD_NAMESPACE", "",
    "Namespace (organisation) whose events to follow; empty for your own.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      for (unsigned char c : v)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
          return "'" + std::string{v} + "' is not a namespace name (letters, digits, '-', '_', '.')";
      s.cloud_namespace = v;
      return std::nullopt; }},
  setting_spec{"stack-name", "NAME", "DOCKERCLOUD_STACK_NAME", "",
    "Stack (compose project) of the Citus master to signal; unset: match the service label alone.", shape::value,
    [](settings& s, std::string_view v) { return apply_name(s.stack_name, v, "the stack name"); }},
  setting_spec{"citus-confdir", "DIR", "CITUS_CONFDIR", "/etc/citus",
    "Directory of pg_worker_list.conf; must exist and be writable.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      if (v.find('\0') != std::string_view::npos)
        return std::string{"contains a NUL byte"};
      s.citus_confdir = v;
      return std::nullopt; }},
  setting_spec{"citus-service-name", "NAME", "CITUS_SERVICE_NAME", "master",
    "Service (compose service label) of the Citus master to signal.", shape::value,
    [](settings& s, std::string_view v) { return apply_name(s.citus_service_name, v, "the service name"); }},
  setting_spec{"debug", "", "DEBUG", "",
    "Log every frame and request. Any value but 0/false/no/off turns it on.", shape::boolean,
    [](settings& s, std::string_view v) { return apply_bool(s.debug, v); }},
  setting_spec{"docker-host", "unix:///PATH", "DOCKER_HOST", "unix:///tmp/docker.sock",
    "Docker Engine API socket used to signal the master.", shape::value,
    [](settings& s, std::string_view v) { return store(parse_docker_host(v), s.docker_socket); }},
  setting_spec{"source", "cloud|engine", "WORKERLISTGEN_SOURCE", "cloud",
    "Where the worker list comes from: Docker Cloud, or the local engine's containers.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      if (v == "cloud") s.source = event_source::cloud;
      else if (v == "engine") s.source = event_source::engine;
      else return "'" + std::string{v} + "' is neither cloud nor engine";
      return std::nullopt; }},
  setting_spec{"pid-file", "PATH", "WORKERLISTGEN_PID_FILE", "/tmp/dockercloud-workerlistgen.pid",
    "Where to write the process id (reload.sh reads it).", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      if (v.empty() || v.find('\0') != std::string_view::npos)
        return std::string{"must be a file path"};
      s.pid_file = v;
      return std::nullopt; }},
  setting_spec{"worker-port", "PORT", "WORKERLISTGEN_WORKER_PORT", "5432",
    "Port written after each worker name.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      int port = 0;
      if (auto err = apply_int(port, v, 1, 65535))
        return err;
      s.worker_port = static_cast<std::uint16_t>(port);
      return std::nullopt; }},
  setting_spec{"signal", "NAME", "WORKERLISTGEN_SIGNAL", "SIGHUP",
    "Signal sent to the master after the file changes.", shape::value,
    [](settings& s, std::string_view v) { return store(parse_signal_name(v), s.signal); }},
  setting_spec{"poll-interval", "DURATION", "WORKERLISTGEN_POLL_INTERVAL", "60s",
    "Fetch the worker list this often even without events (0 turns it off).", shape::value,
    apply_duration<&settings::poll_interval, true>},
  setting_spec{"request-timeout", "DURATION", "WORKERLISTGEN_REQUEST_TIMEOUT", "15s",
    "Time limit for one API request, connection included.", shape::value,
    apply_duration<&settings::request_timeout, false>},
  setting_spec{"ping-interval", "DURATION", "WORKERLISTGEN_PING_INTERVAL", "10s",
    "How often to ping the event stream.", shape::value,
    apply_duration<&settings::ping_interval, false>},
  setting_spec{"pong-timeout", "DURATION", "WORKERLISTGEN_PONG_TIMEOUT", "5s",
    "Reconnect when a ping is not answered within this time.", shape::value,
    apply_duration<&settings::pong_timeout, false>},
  setting_spec{"backoff-initial", "DURATION", "WORKERLISTGEN_BACKOFF_INITIAL", "500ms",
    "First wait before retrying a failed connection, fetch or signal; doubles on each failure.", shape::value,
    apply_duration<&settings::backoff_initial, false>},
  setting_spec{"backoff-max", "DURATION", "WORKERLISTGEN_BACKOFF_MAX", "30s",
    "Longest wait between retries.", shape::value,
    apply_duration<&settings::backoff_max, false>},
  setting_spec{"auth-retry", "DURATION", "WORKERLISTGEN_AUTH_RETRY", "1m",
    "Wait after the API refuses the credentials (401) before trying again; doubles up to 10 times this.", shape::value,
    apply_duration<&settings::auth_retry, false>},
  setting_spec{"max-restarts", "N", "WORKERLISTGEN_MAX_RESTARTS", "10",
    "Exit when one actor has to be restarted more than N times within the restart window.", shape::value,
    [](settings& s, std::string_view v) { return apply_int(s.max_restarts, v, 0, 1'000'000); }},
  setting_spec{"restart-window", "DURATION", "WORKERLISTGEN_RESTART_WINDOW", "1m",
    "Window in which actor restarts are counted.", shape::value,
    apply_duration<&settings::restart_window, false>},
  setting_spec{"min-interval", "DURATION", "WORKERLISTGEN_MIN_INTERVAL", "0",
    "Wait until events have paused this long before fetching; 0 fetches on the first event at once.", shape::value,
    apply_duration<&settings::min_interval, true>},
  setting_spec{"max-wait", "DURATION", "WORKERLISTGEN_MAX_WAIT", "1s",
    "Longest a stream of events may put a fetch off.", shape::value,
    apply_duration<&settings::max_wait, false>},
  setting_spec{"listen", "ADDR:PORT", "WORKERLISTGEN_LISTEN", "",
    "Serve GET /healthz and GET /metrics (Prometheus) on this address; off when empty.", shape::value,
    [](settings& s, std::string_view v) { return store(parse_listen_address(v), s.listen); }},
  setting_spec{"log-format", "text|json", "WORKERLISTGEN_LOG_FORMAT", "text",
    "Log lines as text, or as one JSON object per line for log collectors.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      if (v == "text") s.log_format = log_style::text;
      else if (v == "json") s.log_format = log_style::json;
      else return "'" + std::string{v} + "' is neither text nor json";
      return std::nullopt; }},
  setting_spec{"once", "", "WORKERLISTGEN_ONCE", "",
    "One full sync (fetch, write if changed, signal if changed), then exit 0, or 1 if it failed.", shape::boolean,
    [](settings& s, std::string_view v) { return apply_bool(s.once, v); }},
  setting_spec{"dry-run", "", "WORKERLISTGEN_DRY_RUN", "",
    "Write nothing and signal nobody: print the file it would write and the containers it would signal.", shape::boolean,
    [](settings& s, std::string_view v) { return apply_bool(s.dry_run, v); }},
  setting_spec{"worker-label", "KEY=VALUE", "WORKERLISTGEN_WORKER_LABEL", "com.citusdata.role=Worker",
    "Engine mode: the label that marks a worker container.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      const auto eq = v.find('=');
      if (eq == 0 || eq == std::string_view::npos || eq + 1 == v.size())
        return "'" + std::string{v} + "' is not KEY=VALUE";
      if (auto err = apply_name(s.worker_label_key, v.substr(0, eq), "the label key"))
        return err;
      return apply_name(s.worker_label_value, v.substr(eq + 1), "the label value"); }},
  setting_spec{"worker-name", "name|hostname|label:KEY", "WORKERLISTGEN_WORKER_NAME", "name",
    "Engine mode: write each worker's container name, its hostname, or the value of one of its labels.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      using kind = worker_name_source::kind;
      if (v == "name") s.worker_name = {kind::container_name, {}};
      else if (v == "hostname") s.worker_name = {kind::hostname, {}};
      else if (v.substr(0, 6) == "label:" && v.size() > 6) {
        s.worker_name = {kind::label, {}};
        return apply_name(s.worker_name.label_key, v.substr(6), "the label key");
      } else return "'" + std::string{v} + "' is not name, hostname or label:KEY";
      return std::nullopt; }},
  setting_spec{"target", "file|citus", "WORKERLISTGEN_TARGET", "file",
    "What to keep in sync: the file and the master's signal, or the Citus coordinator's worker nodes.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      if (v == "file") s.target = output_target::file;
      else if (v == "citus") s.target = output_target::citus;
      else return "'" + std::string{v} + "' is not file or citus";
      return std::nullopt; }},
  setting_spec{"coordinator", "CONNINFO", "WORKERLISTGEN_COORDINATOR", "host=master port=5432 user=postgres dbname=postgres",
    "--target=citus: the coordinator, as a libpq connection string or URI; libpq's PG* variables apply.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      s.coordinator = secret{std::string{v}}; // checked with --target=citus only: see check_requirements
      return std::nullopt; }},
  setting_spec{"remove-workers", "if-empty|never", "WORKERLISTGEN_REMOVE_WORKERS", "if-empty",
    "--target=citus: remove a node that is no longer wanted when it holds no shard placements, or never.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      if (v == "if-empty") s.remove_workers = worker_removal::if_empty;
      else if (v == "never") s.remove_workers = worker_removal::never;
      else return "'" + std::string{v} + "' is not if-empty or never";
      return std::nullopt; }},
  setting_spec{"inject-fault", "SPEC", "WORKERLISTGEN_INJECT_FAULT", "",
    "Testing: ACTOR:crash:every=N or ACTOR:stall:ms=M[,every=N]; repeatable (space-separated in the environment).", shape::repeated,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      auto spec = parse_fault_spec(v);
      if (!spec)
        return spec.error();
      s.faults.push_back(*spec);
      return std::nullopt; }},
};
// clang-format on

std::string label_of(const setting_spec& spec) {
  return setting_label(spec.env, spec.flag);
}

const setting_spec* find_spec(std::string_view flag) {
  for (const auto& spec : specs)
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
read_flags(const std::vector<std::string>& args) {
  std::map<std::string_view, std::vector<std::string>> flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
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
  // libpq checks the connection string, so libpq is loaded only when it is used.
  if (s.target == output_target::citus)
    if (auto problem = conninfo_problem(s.coordinator.reveal()))
      return config_error{setting_label("WORKERLISTGEN_COORDINATOR", "coordinator"), std::move(*problem)};
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

result<command_line, config_error> parse_configuration(const environment& env,
                                                       const std::vector<std::string>& args) {
  command_line out;
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
  auto flags = read_flags(args);
  if (!flags)
    return fail(flags.error());
  for (const auto& spec : specs)
    for (const auto& value : raw_values(spec, env, *flags))
      if (auto problem = spec.apply(out.config, value))
        return fail(config_error{label_of(spec), std::move(*problem)});
  if (auto problem = check_requirements(out.config))
    return fail(std::move(*problem));
  return out;
}

std::vector<setting_doc> setting_docs() {
  std::vector<setting_doc> docs;
  for (const auto& spec : specs) {
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
    "Keeps $CITUS_CONFDIR/pg_worker_list.conf in sync with the worker containers linked to\n"
    "this one, and signals the Citus master through the Docker socket when it changes.\n\n"
    "Every option can also be set through the environment variable shown beside it;\n"
    "an option on the command line wins.\n\n";
  for (const auto& doc : setting_docs()) {
    text += "  " + doc.flag + "\n      " + doc.env;
    text += doc.fallback.empty() ? std::string{", no default"} : ", default " + doc.fallback;
    text += "\n      " + doc.help + "\n";
  }
  text += "  --help\n      Print this text and exit.\n"
          "  --version\n      Print the version and exit.\n\n"
          "Signals: SIGUSR1 forces a full resync, rewrite and signal; SIGTERM and SIGINT stop.\n"
          "Exit status: 0 stopped on request, 1 gave up, 2 configuration error.\n";
  return text;
}

} // namespace wlg::config
