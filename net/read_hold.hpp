#pragma once

// A stream session's side of the read_gate. Asked before each read: while
// the gate is closed the read waits, and goes on once the gate opens or once
// `limit` has passed, whichever comes first; after the limit the session
// reads as usual until the gate closes again. Used on the session's I/O
// thread only.

#include "net/read_gate.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace wlg::net {

class read_hold {
public:
  // Without a gate, or with a limit of zero, no read ever waits.
  read_hold(boost::asio::io_context& io, std::shared_ptr<read_gate> gate, std::chrono::milliseconds limit);

  // True when the read is to wait: `resume` then runs on the I/O thread when
  // it may go on. False: read now.
  bool defer(std::function<void()> resume);

  // The session ends: whatever waits is dropped, not resumed.
  void cancel();

private:
  struct state;
  boost::asio::io_context& io_;
  std::shared_ptr<read_gate> gate_;
  std::chrono::milliseconds limit_;
  std::shared_ptr<state> state_;
};

} // namespace wlg::net
