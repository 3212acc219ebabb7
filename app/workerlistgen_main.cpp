#include "app/conninfo.hpp"
#include "app/sidecar.hpp"
#include "app/startup_checks.hpp"
#include "app/version_info.hpp"
#include "config/configuration.hpp"
#include "runtime/heap.hpp"
#include "runtime/logging.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  using namespace wlg;
  runtime::configure_heap();
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = config::parse_configuration(app::current_environment(), args);
  if (!parsed) {
    std::fprintf(stderr, "%s\n", config::describe(parsed.error()).c_str());
    return 2;
  }
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
  const auto& settings = parsed->config;
  if (auto problem = app::check_environment(settings)) {
    std::fprintf(stderr, "%s\n", config::describe(*problem).c_str());
    return 2;
  }
  // Every secret the process knows is taken out of every log line.
  auto secrets = runtime::secrets_of(settings.auth.reveal());
  if (settings.target == config::output_target::citus) {
    if (auto password = app::conninfo_password(settings.coordinator.reveal()))
      secrets.push_back(std::move(*password));
  }
  if (const char* password = std::getenv("PGPASSWORD"); password && *password)
    secrets.emplace_back(password);
  runtime::configure_logging(
    {settings.log_format == config::log_style::json ? runtime::log_format::json : runtime::log_format::text,
     settings.debug, std::move(secrets), settings.dry_run});
  return app::run_sidecar(settings);
}
