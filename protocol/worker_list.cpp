#include "protocol/worker_list.hpp"

#include <algorithm>

namespace wlg::protocol {

worker_set::worker_set(std::vector<std::string> names) : names_(std::move(names)) {
  if (!std::is_sorted(names_.begin(), names_.end()))
    std::sort(names_.begin(), names_.end());
  names_.erase(std::unique(names_.begin(), names_.end()), names_.end());
}

worker_set::worker_set(std::vector<std::string> names, successions formers, bool settling)
  : worker_set(std::move(names)) {
  formers_ = std::move(formers);
  settling_ = settling;
}

std::string render_worker_list(const worker_set& workers, std::uint16_t port) {
  const std::string port_text = std::to_string(port);
  std::size_t size = worker_list_header.size();
  for (const auto& name : workers.names())
    size += name.size() + 1 + port_text.size() + 1;
  std::string out;
  out.reserve(size);
  out += worker_list_header;
  for (const auto& name : workers.names()) {
    out += name;
    out += ' ';
    out += port_text;
    out += '\n';
  }
  return out;
}

} // namespace wlg::protocol
