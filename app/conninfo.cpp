#include "app/conninfo.hpp"

#include "pq/libpq.hpp"

#include <memory>

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

} // namespace

std::optional<std::string> conninfo_problem(std::string_view conninfo) {
  if (conninfo.find('\0') != std::string_view::npos)
    return std::string{"contains a NUL byte"};
  const auto& pq = pq::libpq();
  if (!pq.api)
    return pq.error;
  auto parsed = parse(*pq.api, conninfo);
  if (parsed.options)
    return std::nullopt;
  // libpq quotes pieces of the text it could not parse, which may be a password.
  const bool may_hold_password =
    conninfo.find("password") != std::string_view::npos || conninfo.find('@') != std::string_view::npos;
  if (may_hold_password || parsed.error.empty())
    return std::string{"is not a libpq connection string or URI (not shown: it may hold a password)"};
  return "is not a libpq connection string or URI: " + parsed.error;
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
