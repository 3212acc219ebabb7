#include "app/conninfo.hpp"
#include "app/drain_command.hpp"
#include "app/own_project.hpp"
#include "app/secret_files.hpp"
#include "app/scale_command.hpp"
#include "app/sidecar.hpp"
#include "app/startup_checks.hpp"
#include "app/status_command.hpp"
#include "app/version_info.hpp"
#include "config/configuration.hpp"
#include "runtime/heap.hpp"
#include "runtime/logging.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using namespace wlg;

// Every secret the process knows, to be taken out of whatever it prints.
std::vector<std::string> secrets_of(const config::settings& settings, bool coordinator) {
  auto secrets = runtime::secrets_of(settings.auth.reveal());
  if (coordinator)
    if (auto password = app::conninfo_password(settings.coordinator.reveal()))
      secrets.push_back(std::move(*password));
  if (const char* password = std::getenv("PGPASSWORD"); password && *password)
    secrets.emplace_back(password);
  return secrets;
}

int configuration_error(const config::config_error& problem) {
  std::fprintf(stderr, "%s\n", config::describe(problem).c_str());
  return 2;
}

// A command beside the sidecar: it talks to the coordinator, and `scale` to
// the engine too.
int run_command(config::command_line& parsed, const std::vector<std::string>& warnings) {
  for (const auto& warning : warnings)
    std::fprintf(stderr, "%s: warning: %s\n", config::command_name.data(), warning.c_str());
  auto& settings = parsed.config;
  if (auto problem = app::conninfo_problem(settings.coordinator.reveal()))
    return configuration_error({config::setting_label("WORKERLISTGEN_COORDINATOR", "coordinator"), *problem});
  switch (parsed.command) {
    case config::subcommand::status: return app::run_status(settings, secrets_of(settings, true));
    case config::subcommand::drain:
    case config::subcommand::undrain: return app::run_drain(parsed, secrets_of(settings, true));
    case config::subcommand::scale:
      // In a compose project's container (the membership-manager image), the project is its own.
      if (settings.source == config::event_source::engine && settings.stack_name.empty()) {
        const char* hostname = std::getenv("HOSTNAME");
        if (auto own = app::find_own_project(settings, hostname ? hostname : "", std::chrono::seconds{5}); own)
          settings.stack_name = own->name;
      }
      return app::run_scale(parsed, secrets_of(settings, true));
    case config::subcommand::sidecar: break;
  }
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  runtime::configure_heap();
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto env = app::current_environment();
  if (auto problem = app::read_secret_files(env))
    return configuration_error(*problem);
  auto parsed = config::parse_configuration(env, args);
  if (!parsed)
    return configuration_error(parsed.error());
  switch (parsed->what) {
    case config::command_line::action::help:
      std::fputs(config::help_text().c_str(), stdout);
      return 0;
    case config::command_line::action::version:
      std::fputs(app::version_text().c_str(), stdout);
      return 0;
    case config::command_line::action::run:
      break;
  }
  const auto warnings = app::startup_warnings(env, *parsed);
  if (parsed->command != config::subcommand::sidecar)
    return run_command(*parsed, warnings);
  auto& settings = parsed->config;
  if (auto problem = app::check_environment(settings))
    return configuration_error(*problem);
  runtime::configure_logging(
    {settings.log_format == config::log_style::json ? runtime::log_format::json : runtime::log_format::text,
     settings.debug, secrets_of(settings, settings.target == config::output_target::citus), settings.dry_run});
  for (const auto& warning : warnings)
    runtime::component_logger("main")->warn("{}", warning);
  if (auto unknown = app::adopt_own_project(settings, std::chrono::seconds{30})) {
    runtime::component_logger("main")->critical("{}", *unknown);
    return 1;
  }
  return app::run_sidecar(settings);
}
