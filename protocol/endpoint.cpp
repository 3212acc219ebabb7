#include "protocol/endpoint.hpp"

#include "protocol/text.hpp"

#include <boost/url/grammar/parse.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/ipv4_address_rule.hpp>
#include <boost/url/rfc/ipv6_address_rule.hpp>
#include <boost/url/url_view.hpp>

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

} // namespace wlg::protocol
