#pragma once

// WORKERLISTGEN_ variables that name no setting: a typo is otherwise ignored
// without a word. A warning, not an error: a compose file may keep its own
// variables under the prefix. DOCKERCLOUD_ and CITUS_ are not checked, since
// Docker Cloud and the Citus images set many of their own. Pure.

#include "config/configuration.hpp"

#include <string>
#include <vector>

namespace wlg::config {

struct unknown_variable {
  std::string name;
  std::string closest; // the known variable nearest to it, or "" when none is near
};

std::vector<unknown_variable> unknown_variables(const environment& env);

// "WORKERLISTGEN_TARGE is not a setting and is ignored; did you mean WORKERLISTGEN_TARGET?"
std::string describe(const unknown_variable& unknown);

// The variables read from a file instead (Docker secrets), and what each stands for.
struct secret_file_variable {
  std::string_view file_variable; // WORKERLISTGEN_COORDINATOR_FILE
  std::string_view variable;      // WORKERLISTGEN_COORDINATOR
};
inline constexpr secret_file_variable secret_file_variables[] = {
  {"WORKERLISTGEN_COORDINATOR_FILE", "WORKERLISTGEN_COORDINATOR"},
  {"DOCKERCLOUD_AUTH_FILE", "DOCKERCLOUD_AUTH"},
};

} // namespace wlg::config
