#include "app/conninfo.hpp"

#include "pq/libpq.hpp"

#include <algorithm>
#include <memory>
#include <vector>

namespace wlg::app {

namespace {

struct parsed_conninfo {
  std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> options{nullptr, nullptr};
  std::string error;
};

// Needs libpq loaded (pq::libpq().api).
parsed_conninfo parse(const pq::functions& pq, std::string_view conninfo) {
  parsed_conninfo out;
  char* error = nullptr;
  out.options = {pq.PQconninfoParse(std::string{conninfo}.c_str(), &error), pq.PQconninfoFree};
  if (error) {
    out.error = error;
    pq.PQfreemem(error);
  }
  while (!out.error.empty() && out.error.back() == '\n')
    out.error.pop_back();
  return out;
}

// The texts in `conninfo` that may be a password, found without libpq
// (which could not parse it): a URI's user info after its ':', and the value
// of every password= pair.
std::vector<std::string> password_candidates(std::string_view conninfo) {
  std::vector<std::string> out;
  if (const auto scheme = conninfo.find("://"); scheme != std::string_view::npos) {
    const auto authority = conninfo.substr(scheme + 3);
    const auto at = authority.rfind('@', authority.find('/'));
    if (at != std::string_view::npos)
      if (const auto colon = authority.substr(0, at).find(':'); colon != std::string_view::npos)
        out.emplace_back(authority.substr(colon + 1, at - colon - 1));
  }
  for (auto at = conninfo.find("password"); at != std::string_view::npos; at = conninfo.find("password", at + 1)) {
    auto rest = conninfo.substr(at + 8);
    rest.remove_prefix(std::min(rest.find_first_not_of(" \t="), rest.size()));
    const bool quoted = !rest.empty() && rest.front() == '\'';
    const auto end = quoted ? rest.find('\'', 1) : rest.find_first_of(" \t&");
    out.emplace_back(rest.substr(quoted ? 1 : 0, end == std::string_view::npos ? rest.size() : end - (quoted ? 1 : 0)));
  }
  std::erase_if(out, [](const std::string& candidate) { return candidate.empty(); });
  return out;
}

// libpq's message, with anything that may be a password masked.
std::string masked(std::string message, std::string_view conninfo) {
  for (const auto& secret : password_candidates(conninfo))
    for (auto at = message.find(secret); at != std::string::npos; at = message.find(secret, at + 3))
      message.replace(at, secret.size(), "***");
  return message;
}

// A port libpq takes: digits, 1 to 65535. libpq's parser lets anything
// through and fails only when connecting.
bool valid_port(std::string_view text) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string_view::npos)
    return false;
  const auto value = std::stoul(std::string{text});
  return value >= 1 && value <= 65535;
}

// Why a port in the (comma-separated) list cannot be used, if one cannot.
std::optional<std::string> port_problem(std::string_view ports) {
  while (true) {
    const auto comma = ports.find(',');
    const auto port = ports.substr(0, comma);
    if (!port.empty() && !valid_port(port))
      return "port '" + std::string{port} + "' is not a number from 1 to 65535";
    if (comma == std::string_view::npos)
      return std::nullopt;
    ports.remove_prefix(comma + 1);
  }
}

} // namespace

std::optional<std::string> conninfo_problem(std::string_view conninfo) {
  if (conninfo.find('\0') != std::string_view::npos)
    return std::string{"contains a NUL byte"};
  const auto& pq = pq::libpq();
  if (!pq.api)
    return pq.error;
  auto parsed = parse(*pq.api, conninfo);
  if (!parsed.options)
    return "is not a libpq connection string or URI: "
           + (parsed.error.empty() ? std::string{"libpq gives no reason"} : masked(parsed.error, conninfo));
  for (auto* option = parsed.options.get(); option->keyword; ++option)
    if (std::string_view{option->keyword} == "port" && option->val)
      if (auto problem = port_problem(option->val))
        return "libpq cannot use it: " + *problem;
  return std::nullopt;
}

std::optional<std::string> conninfo_password(std::string_view conninfo) {
  const auto& pq = pq::libpq();
  if (!pq.api)
    return std::nullopt;
  auto parsed = parse(*pq.api, conninfo);
  if (!parsed.options)
    return std::nullopt;
  for (auto* option = parsed.options.get(); option->keyword; ++option)
    if (std::string_view{option->keyword} == "password" && option->val && *option->val)
      return std::string{option->val};
  return std::nullopt;
}

} // namespace wlg::app
