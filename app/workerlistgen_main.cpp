#include "app/sidecar.hpp"
#include "app/startup_checks.hpp"
#include "app/version_info.hpp"
#include "protocol/configuration.hpp"
#include "runtime/logging.hpp"

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  using namespace wlg;
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = protocol::parse_configuration(app::current_environment(), args);
  if (!parsed) {
    std::fprintf(stderr, "%s\n", protocol::describe(parsed.error()).c_str());
    return 2;
  }
  switch (parsed->what) {
    case protocol::command_line::action::help:
      std::fputs(protocol::help_text().c_str(), stdout);
      return 0;
    case protocol::command_line::action::version:
      std::fputs(app::version_text().c_str(), stdout);
      return 0;
    case protocol::command_line::action::run:
      break;
  }
  const auto& config = parsed->config;
  if (auto problem = app::check_environment(config)) {
    std::fprintf(stderr, "%s\n", protocol::describe(*problem).c_str());
    return 2;
  }
  runtime::configure_logging(
    {config.log_format == protocol::log_style::json ? runtime::log_format::json : runtime::log_format::text,
     config.debug, runtime::secrets_of(config.auth.reveal()), config.dry_run});
  return app::run_sidecar(config);
}
