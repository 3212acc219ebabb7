#include "app/startup_checks.hpp"
#include "protocol/configuration.hpp"
#include "protocol/version.hpp"

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
      std::printf("%s %s\n", std::string{protocol::command_name}.c_str(),
                  std::string{protocol::version}.c_str());
      return 0;
    case protocol::command_line::action::run:
      break;
  }
  if (auto problem = app::check_environment(parsed->config)) {
    std::fprintf(stderr, "%s\n", protocol::describe(*problem).c_str());
    return 2;
  }
  return 0;
}
