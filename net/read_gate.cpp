#include "net/read_gate.hpp"

#include <utility>

namespace wlg::net {

void read_gate::close() {
  std::lock_guard lock{mutex_};
  if (!closed_) {
    closed_ = true;
    ++closings_;
  }
}

void read_gate::open() {
  std::vector<opened> waiting;
  std::uint64_t closing = 0;
  {
    std::lock_guard lock{mutex_};
    if (!closed_)
      return;
    closed_ = false;
    closing = closings_;
    waiting.swap(waiting_);
  }
  for (auto& on_open : waiting)
    on_open(closing);
}

std::uint64_t read_gate::wait(std::uint64_t waited_out, opened on_open) {
  std::lock_guard lock{mutex_};
  if (!closed_ || closings_ == waited_out)
    return 0;
  waiting_.push_back(std::move(on_open));
  return closings_;
}

bool read_gate::closed() const {
  std::lock_guard lock{mutex_};
  return closed_;
}

} // namespace wlg::net
