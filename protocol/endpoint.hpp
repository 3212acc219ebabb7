#pragma once

// Parsing of the addresses the sidecar is configured with.

#include "protocol/result.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wlg::protocol {

// An http(s):// or ws(s):// base address.
struct web_endpoint {
  bool tls = true;
  std::string host;      // no brackets around IPv6 literals
  std::string port;      // always set: the scheme's default when not given
  std::string base_path; // "" or "/prefix", never a trailing slash
  bool host_is_ip = false;

  // "host" or "host:port" for the Host header (default port omitted).
  std::string host_header() const;
  // base_path + path, where path starts with '/'.
  std::string target(std::string_view path) const;
};

enum class web_scheme { http, websocket };

// Accepts http/https (web_scheme::http) or ws/wss (web_scheme::websocket)
// with a host, an optional port and an optional path; no user info, query or
// fragment.
result<web_endpoint, std::string> parse_web_endpoint(std::string_view text, web_scheme kind);

// DOCKER_HOST: only unix:///absolute/path is supported.
result<std::string, std::string> parse_docker_host(std::string_view text);

// A Docker Cloud resource URI: an absolute path such as
// /api/app/v1/container/UUID/, without query or fragment.
result<std::string, std::string> parse_resource_uri(std::string_view text);

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

} // namespace wlg::protocol
