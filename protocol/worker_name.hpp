#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wlg::protocol {

// A name that will be written as the HOST of a pg_worker_list.conf line: 1 to
// 253 bytes of letters, digits, '-', '_' and '.', starting with a letter or a
// digit. Anything else (spaces, newlines, '#', shell characters) could change
// the meaning of the file, so it is refused.
//
// Returns why the name is refused, or nothing when it is fine.
std::optional<std::string> worker_name_problem(std::string_view name);

// For log lines about refused names: at most `max` bytes, control characters
// and non-ASCII bytes shown as \xNN.
std::string printable_excerpt(std::string_view text, std::size_t max = 80);

// Engine mode: where each worker's name in the file comes from.
struct worker_name_source {
  enum class kind { container_name, hostname, label };
  kind what = kind::container_name;
  std::string label_key; // for kind::label
};

} // namespace wlg::protocol
