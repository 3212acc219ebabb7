#include "config/fault_spec.hpp"

#include <charconv>

namespace wlg::config {

namespace {

bool parse_positive(std::string_view text, unsigned long long max, unsigned long long& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && out >= 1 && out <= max;
}

} // namespace

result<fault_spec, std::string> parse_fault_spec(std::string_view text) {
  const std::string quoted = "'" + std::string{text} + "'";
  const auto first = text.find(':');
  const auto second = first == std::string_view::npos ? first : text.find(':', first + 1);
  if (second == std::string_view::npos)
    return fail(quoted + " is not ACTOR:crash:every=N or ACTOR:stall:ms=M");
  fault_spec spec;
  const auto role = config::parse_actor_role(text.substr(0, first));
  if (!role) {
    std::string known;
    for (auto name : config::actor_role_names)
      known += (known.empty() ? "" : ", ") + std::string{name};
    return fail(quoted + ": unknown actor '" + std::string{text.substr(0, first)}
                + "'; one of " + known);
  }
  spec.role = *role;
  const auto kind = text.substr(first + 1, second - first - 1);
  if (kind == "crash")
    spec.what = fault_spec::kind::crash;
  else if (kind == "stall")
    spec.what = fault_spec::kind::stall;
  else
    return fail(quoted + ": unknown fault '" + std::string{kind} + "'; crash or stall");

  bool has_every = false;
  bool has_ms = false;
  std::string_view params = text.substr(second + 1);
  while (!params.empty()) {
    const auto comma = params.find(',');
    const auto param = params.substr(0, comma);
    params = comma == std::string_view::npos ? std::string_view{} : params.substr(comma + 1);
    const auto eq = param.find('=');
    const auto key = param.substr(0, eq);
    const auto value = eq == std::string_view::npos ? std::string_view{} : param.substr(eq + 1);
    unsigned long long number = 0;
    if (key == "every" && parse_positive(value, 1'000'000'000, number)) {
      spec.every = static_cast<unsigned>(number);
      has_every = true;
    } else if (key == "ms" && spec.what == fault_spec::kind::stall
               && parse_positive(value, 3'600'000, number)) {
      spec.stall = std::chrono::milliseconds{number};
      has_ms = true;
    } else {
      return fail(quoted + ": bad parameter '" + std::string{param}
                  + "'; expected every=N (N >= 1)"
                  + (spec.what == fault_spec::kind::stall ? " or ms=M (1 to 3600000)" : ""));
    }
  }
  if (spec.what == fault_spec::kind::crash && !has_every)
    return fail(quoted + ": a crash needs every=N");
  if (spec.what == fault_spec::kind::stall && !has_ms)
    return fail(quoted + ": a stall needs ms=M");
  return spec;
}

} // namespace wlg::config
