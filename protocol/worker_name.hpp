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

// Where each worker's name comes from. Engine mode: the container's name,
// its hostname or one of its labels. Swarm mode: the service's name, the
// task's DNS name (SERVICE.SLOT.TASK_ID), or its address on a network.
struct worker_name_source {
  enum class kind { container_name, hostname, label, service, task, address };
  kind what = kind::container_name;
  std::string label_key; // for kind::label
  std::string network;   // for kind::address

  bool for_swarm() const noexcept { return what == kind::service || what == kind::task || what == kind::address; }
};

} // namespace wlg::protocol
