#pragma once

// Where the last rebalance job the Citus output started or followed stands.

#include <array>
#include <string_view>

namespace wlg::policy {

enum class rebalance_phase : unsigned char { none, running, finished, failed };

inline constexpr std::array<std::string_view, 4> rebalance_phase_names = {"none", "running", "finished", "failed"};

} // namespace wlg::policy
