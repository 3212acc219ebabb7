#pragma once

// The one thread that runs every network session.

#include <memory>
#include <thread>

namespace boost::asio {
class io_context;
}

namespace wlg::runtime {

class io_runtime {
public:
  io_runtime();
  ~io_runtime();
  io_runtime(const io_runtime&) = delete;
  io_runtime& operator=(const io_runtime&) = delete;

  boost::asio::io_context& context() noexcept { return *io_; }

  // Stops the I/O thread and waits for it; idempotent. Pending handlers are
  // destroyed with the io_context, without running.
  void stop();

private:
  struct guard;
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<guard> guard_;
  std::thread thread_;
};

} // namespace wlg::runtime
