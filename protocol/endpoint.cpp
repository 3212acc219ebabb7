#include "protocol/endpoint.hpp"

#include "protocol/text.hpp"

#include <boost/url/grammar/parse.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/ipv4_address_rule.hpp>
#include <boost/url/rfc/ipv6_address_rule.hpp>
#include <boost/url/url_view.hpp>

#include <array>
#include <charconv>

namespace wlg::protocol {

namespace {

bool is_decimal_port(std::string_view port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return ec == std::errc{} && end == port.data() + port.size() && value >= 1 && value <= 65535;
}

} // namespace

std::string web_endpoint::host_header() const {
  const std::string name = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const bool default_port = port == (tls ? "443" : "80");
  return default_port ? name : name + ":" + port;
}

std::string web_endpoint::target(std::string_view path) const {
  return base_path + std::string{path};
}

result<web_endpoint, std::string> parse_web_endpoint(std::string_view text, web_scheme kind) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  const char* expected = kind == web_scheme::http ? "https://HOST[:PORT][/PATH] or http://..."
                                                  : "wss://HOST[:PORT][/PATH] or ws://...";
  if (!parsed)
    return fail("'" + std::string{text} + "' is not a URL; expected " + expected);
  const auto& url = *parsed;
  const std::string scheme = to_lower(url.scheme());
  web_endpoint out;
  if (kind == web_scheme::http && (scheme == "https" || scheme == "http"))
    out.tls = scheme == "https";
  else if (kind == web_scheme::websocket && (scheme == "wss" || scheme == "ws"))
    out.tls = scheme == "wss";
  else
    return fail("unsupported scheme '" + scheme + "'; expected " + expected);
  if (!url.has_authority() || url.host_address().empty())
    return fail("'" + std::string{text} + "' has no host");
  if (url.has_userinfo() || url.has_query() || url.has_fragment())
    return fail("'" + std::string{text} + "' must not carry user info, a query or a fragment");
  out.host = url.host_address();
  out.host_is_ip = url.host_type() == boost::urls::host_type::ipv4
                   || url.host_type() == boost::urls::host_type::ipv6;
  if (url.has_port()) {
    if (!is_decimal_port(url.port()))
      return fail("port '" + std::string{url.port()} + "' is not between 1 and 65535");
    out.port = url.port();
  } else {
    out.port = out.tls ? "443" : "80";
  }
  out.base_path = url.encoded_path();
  while (!out.base_path.empty() && out.base_path.back() == '/')
    out.base_path.pop_back();
  return out;
}

result<std::string, std::string> parse_docker_host(std::string_view text) {
  constexpr std::string_view prefix = "unix://";
  if (text.substr(0, prefix.size()) != prefix)
    return fail("'" + std::string{text}
                + "' is not supported; only unix:///path/to/docker.sock is");
  std::string path{text.substr(prefix.size())};
  if (path.empty() || path.front() != '/')
    return fail("'" + std::string{text} + "' needs an absolute socket path: unix:///path");
  if (path.find('\0') != std::string::npos)
    return fail("the socket path contains a NUL byte");
  return path;
}

result<std::string, std::string> parse_resource_uri(std::string_view text) {
  auto parsed = boost::urls::parse_origin_form(text);
  if (!parsed || text.empty() || text.front() != '/' || parsed->has_query()
      || parsed->has_fragment())
    return fail("'" + std::string{text}
                + "' is not a resource URI such as /api/app/v1/container/UUID/");
  return std::string{text};
}

result<std::chrono::milliseconds, std::string> parse_duration(std::string_view text) {
  long long amount = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  if (ec != std::errc{} || end == text.data() || amount < 0)
    return fail("'" + std::string{text} + "' is not a duration such as 250ms, 10s, 5m or 1h");
  const std::string_view unit{end, static_cast<std::size_t>(text.data() + text.size() - end)};
  long long scale = 0;
  if (unit.empty() || unit == "s")
    scale = 1000;
  else if (unit == "ms")
    scale = 1;
  else if (unit == "m")
    scale = 60'000;
  else if (unit == "h")
    scale = 3'600'000;
  else
    return fail("'" + std::string{text} + "' has an unknown unit; use ms, s, m or h");
  if (amount > 7LL * 24 * 3'600'000 / scale)
    return fail("'" + std::string{text} + "' is longer than a week");
  return std::chrono::milliseconds{amount * scale};
}

std::string format_duration(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms % 3'600'000 == 0 && ms != 0)
    return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0 && ms != 0)
    return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0)
    return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

result<listen_address, std::string> parse_listen_address(std::string_view text) {
  const auto problem = [&] {
    return "'" + std::string{text} + "' is not ADDR:PORT (such as 127.0.0.1:9090 or [::1]:9090)";
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return fail(problem());
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']')
      return fail(problem());
    host = host.substr(1, host.size() - 2);
  }
  const bool literal = host == "localhost" || boost::urls::grammar::parse(host, boost::urls::ipv4_address_rule).has_value()
                       || boost::urls::grammar::parse(host, boost::urls::ipv6_address_rule).has_value();
  if (!literal)
    return fail(problem());
  if (!is_decimal_port(port_text))
    return fail("'" + std::string{port_text} + "' is not a port from 1 to 65535");
  return listen_address{std::string{host},
                        static_cast<std::uint16_t>(std::stoul(std::string{port_text}))};
}

result<std::string, std::string> parse_signal_name(std::string_view text) {
  static constexpr std::array<std::string_view, 21> known = {
    "HUP", "INT",  "QUIT", "ILL",  "TRAP", "ABRT", "BUS",  "FPE",   "KILL", "USR1", "SEGV",
    "USR2", "PIPE", "ALRM", "TERM", "CHLD", "CONT", "STOP", "TSTP", "WINCH", "PWR"};
  std::string upper;
  for (char c : text)
    upper.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
  std::string_view bare = upper;
  if (bare.substr(0, 3) == "SIG")
    bare.remove_prefix(3);
  for (auto name : known)
    if (bare == name)
      return "SIG" + std::string{name};
  return fail("'" + std::string{text} + "' is not a signal name such as SIGHUP or SIGUSR1");
}

} // namespace wlg::protocol
