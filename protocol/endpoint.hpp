#pragma once

// Parsing of the web and socket addresses the sidecar talks to.

#include "protocol/result.hpp"

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

} // namespace wlg::protocol
