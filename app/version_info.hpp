#pragma once

#include <string>

namespace wlg::app {

// "dockercloud-workerlistgen 1.0.0" and the library versions it was built with.
std::string version_text();

} // namespace wlg::app
