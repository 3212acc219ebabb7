#pragma once

// One HTTP/1.1 request to the Docker Engine API over its unix socket.

#include "net/transport.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace boost::asio {
class io_context;
}

namespace wlg::net {

struct engine_request {
  std::string method; // "GET" or "POST"
  std::string target; // "/v1.44/containers/json?..."
  std::string body = {}; // JSON, sent when not empty
};

struct engine_options {
  std::string socket_path;
  std::chrono::milliseconds timeout{15'000};
  std::size_t body_limit = 4 * 1024 * 1024;
  std::string user_agent;
};

// Connects, sends, reads the whole answer, closes. `done` runs on the I/O
// thread. Thread-safe.
void send_engine_request(boost::asio::io_context& io, const engine_options& options,
                         engine_request request, std::function<void(http_outcome)> done);

} // namespace wlg::net
