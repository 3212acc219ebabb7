#include "config/values.hpp"

#include <boost/url/grammar/parse.hpp>
#include <boost/url/rfc/ipv4_address_rule.hpp>
#include <boost/url/rfc/ipv6_address_rule.hpp>

#include <array>
#include <charconv>

namespace wlg::config {

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
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
    return fail("'" + std::string{port_text} + "' is not a port from 1 to 65535");
  return listen_address{std::string{host}, static_cast<std::uint16_t>(port)};
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

} // namespace wlg::config
