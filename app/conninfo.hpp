#pragma once

// The coordinator's libpq connection string (key=value pairs or a
// postgresql:// URI), checked with libpq's own parser so that what passes
// here is what libpq will accept.

#include <optional>
#include <string>
#include <string_view>

namespace wlg::app {

// Why `conninfo` is not a connection string libpq accepts, or nothing. The
// reason never repeats a password.
std::optional<std::string> conninfo_problem(std::string_view conninfo);

// The password the connection string carries, if any: for the log's redaction.
std::optional<std::string> conninfo_password(std::string_view conninfo);

} // namespace wlg::app
