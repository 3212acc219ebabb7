#pragma once

// GET requests to the Docker Cloud REST API over one kept-alive connection.

#include "net/transport.hpp"
#include "protocol/endpoint.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace wlg::net {

class tls_client_context;

struct rest_options {
  std::chrono::milliseconds timeout{15'000}; // whole request, connecting included
  std::size_t body_limit = 4 * 1024 * 1024;
  std::string user_agent;
  std::string authorization; // the Authorization header value, sent verbatim
};

// Owns the connection. Thread-safe: get() and close() may be called from any
// thread; `done` runs on the I/O thread. One request at a time: a get() while
// another is in flight waits its turn.
class rest_client {
public:
  rest_client(boost::asio::io_context& io, std::shared_ptr<tls_client_context> tls,
              protocol::web_endpoint host, rest_options options);
  ~rest_client();
  rest_client(const rest_client&) = delete;
  rest_client& operator=(const rest_client&) = delete;

  // GET host.base_path + path.
  void get(std::string path, std::function<void(http_outcome)> done);
  void close();

  class session;

private:
  std::shared_ptr<session> session_;
};

} // namespace wlg::net
