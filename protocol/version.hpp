#pragma once

#include <string_view>

namespace wlg::protocol {

// Set from CMake's project(VERSION).
inline constexpr std::string_view version = WLG_VERSION;

} // namespace wlg::protocol
