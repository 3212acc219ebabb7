#pragma once

// Reading the settings from the environment and the command line. Every
// setting has an environment variable and a --flag; the flag wins. Pure: the
// caller passes the environment in, and checks the file system itself.

#include "protocol/result.hpp"
#include "config/settings.hpp"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace wlg::config {

using environment = std::map<std::string, std::string, std::less<>>;

struct config_error {
  std::string setting; // "CITUS_CONFDIR (--citus-confdir)", or "" for usage errors
  std::string message;
};

// The one line printed on stderr before exiting with status 2.
std::string describe(const config_error& e);

// What the binary runs: the sidecar, or a command beside it, named by the
// first argument (`dockercloud-workerlistgen status`). A command reads the
// same settings; it needs only those it uses.
enum class subcommand { sidecar, status, drain, undrain, scale };

struct subcommand_doc {
  subcommand command;
  std::string_view name;
  std::string_view usage; // its operands, "NODE..."
  std::size_t min_operands = 0;
  std::size_t max_operands = 0;
  std::string_view help;
};
const std::vector<subcommand_doc>& subcommand_docs();

struct command_line {
  enum class action { run, help, version };
  action what = action::run;
  subcommand command = subcommand::sidecar;
  std::vector<std::string> operands; // a command's, after its name
  std::set<std::string_view> flags_given; // the settings given on the command line, by flag name
  settings config;
};

result<command_line, config_error> parse_configuration(const environment& env,
                                                       const std::vector<std::string>& args);

// Describes one setting, for --help and the README's table.
struct setting_doc {
  std::string flag; // "--rest-host=URL"
  std::string env;
  std::string fallback; // default, or "" for none
  std::string help;
};
std::vector<setting_doc> setting_docs();
std::string help_text();

// The settings named in `e`'s message, to find the offending one from a test.
std::string setting_label(std::string_view env, std::string_view flag);

} // namespace wlg::config
