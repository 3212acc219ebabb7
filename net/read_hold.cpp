#include "net/read_hold.hpp"

#include <boost/asio/post.hpp>

#include <cstdint>
#include <utility>

namespace wlg::net {

namespace asio = boost::asio;

struct read_hold::state {
  explicit state(asio::io_context& io) : timer(io) {}

  asio::steady_timer timer;
  std::function<void()> resume;
  std::uint64_t closing = 0;    // the gate's closing waited for now; 0: none
  std::uint64_t waited_out = 0; // the last closing waited for until the limit

  void end(bool limit_passed) {
    if (limit_passed)
      waited_out = closing;
    else
      timer.cancel();
    closing = 0;
    std::exchange(resume, {})();
  }
};

read_hold::read_hold(asio::io_context& io, std::shared_ptr<read_gate> gate, std::chrono::milliseconds limit)
  : io_(io), gate_(std::move(gate)), limit_(limit), state_(std::make_shared<state>(io)) {}

bool read_hold::defer(std::function<void()> resume) {
  if (!gate_ || limit_ <= std::chrono::milliseconds::zero())
    return false;
  const std::weak_ptr<state> weak = state_;
  // The gate opens on another thread: the resumption is posted to this one.
  const auto closing = gate_->wait(state_->waited_out, [&io = io_, weak](std::uint64_t opened) {
    asio::post(io, [weak, opened] {
      if (auto s = weak.lock(); s && s->closing == opened)
        s->end(false);
    });
  });
  if (closing == 0)
    return false;
  state_->closing = closing;
  state_->resume = std::move(resume);
  state_->timer.expires_after(limit_);
  state_->timer.async_wait([weak, closing](boost::system::error_code ec) {
    if (ec)
      return;
    if (auto s = weak.lock(); s && s->closing == closing)
      s->end(true);
  });
  return true;
}

void read_hold::cancel() {
  state_->closing = 0;
  state_->resume = {};
  state_->timer.cancel();
}

} // namespace wlg::net
