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

worker_set::worker_set(std::vector<std::string> names, std::vector<std::string> held_back)
  : worker_set(std::move(names)) {
  std::sort(held_back.begin(), held_back.end());
  held_back.erase(std::unique(held_back.begin(), held_back.end()), held_back.end());
  std::erase_if(held_back, [this](const std::string& name) { return std::binary_search(names_.begin(), names_.end(), name); });
  held_back_ = std::move(held_back);
}

std::string render_worker_list(const worker_set& workers, std::uint16_t port) {
  const std::string port_text = std::to_string(port);
  std::vector<std::string_view> listed(workers.names().begin(), workers.names().end());
  if (!workers.held_back().empty()) {
    listed.insert(listed.end(), workers.held_back().begin(), workers.held_back().end());
    std::sort(listed.begin(), listed.end());
  }
  std::size_t size = worker_list_header.size();
  for (const auto& name : listed)
    size += name.size() + 1 + port_text.size() + 1;
  std::string out;
  out.reserve(size);
  out += worker_list_header;
  for (const auto& name : listed) {
    out += name;
    out += ' ';
    out += port_text;
    out += '\n';
  }
  return out;
}

} // namespace wlg::protocol
