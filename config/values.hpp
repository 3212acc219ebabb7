#pragma once

// The settings' own value parsers: durations, signal names, listen
// addresses. Pure.

#include "protocol/result.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace wlg::config {

// --listen: "ADDR:PORT", "[IPv6]:PORT" or "localhost:PORT"; the address must
// be an IP literal or localhost (no name lookups at start-up).
struct listen_address {
  std::string host; // empty: not listening
  std::uint16_t port = 0;
  bool enabled() const noexcept { return !host.empty(); }
};
result<listen_address, std::string> parse_listen_address(std::string_view text);

// "250ms", "10s", "5m", "1h", or a bare number of seconds.
result<std::chrono::milliseconds, std::string> parse_duration(std::string_view text);
std::string format_duration(std::chrono::milliseconds d);

// Signal names as Docker's kill endpoint takes them: "SIGHUP". Accepts "HUP"
// and any case; returns the canonical "SIG..." spelling.
result<std::string, std::string> parse_signal_name(std::string_view text);

} // namespace wlg::config
