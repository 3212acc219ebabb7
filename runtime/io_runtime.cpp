#include "runtime/io_runtime.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace wlg::runtime {

struct io_runtime::guard {
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
};

io_runtime::io_runtime()
  : io_(std::make_unique<boost::asio::io_context>(1)),
    guard_(std::make_unique<guard>(guard{boost::asio::make_work_guard(*io_)})),
    thread_([this] { io_->run(); }) {}

io_runtime::~io_runtime() {
  stop();
}

void io_runtime::stop() {
  guard_.reset();
  io_->stop();
  if (thread_.joinable())
    thread_.join();
}

} // namespace wlg::runtime
