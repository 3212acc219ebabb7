#include "protocol/worker_name.hpp"

#include "protocol/limits.hpp"

#include <cstdio>

namespace wlg::protocol {

namespace {

bool is_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_name_char(unsigned char c) {
  return is_alnum(c) || c == '-' || c == '_' || c == '.';
}

} // namespace

std::optional<std::string> worker_name_problem(std::string_view name) {
  if (name.empty())
    return "empty name";
  if (name.size() > limits::max_worker_name_bytes)
    return "longer than " + std::to_string(limits::max_worker_name_bytes) + " bytes ("
           + std::to_string(name.size()) + ")";
  if (!is_alnum(static_cast<unsigned char>(name.front())))
    return "does not start with a letter or digit";
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (!is_name_char(c)) {
      char what[64];
      std::snprintf(what, sizeof what, "byte 0x%02x at offset %zu is not allowed", c, i);
      return std::string{what};
    }
  }
  return std::nullopt;
}

std::string printable_excerpt(std::string_view text, std::size_t max) {
  std::string out;
  const std::size_t shown = text.size() < max ? text.size() : max;
  out.reserve(shown + 16);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char esc[5];
      std::snprintf(esc, sizeof esc, "\\x%02x", c);
      out += esc;
    }
  }
  if (shown < text.size())
    out += "...(" + std::to_string(text.size()) + " bytes)";
  return out;
}

} // namespace wlg::protocol
