#pragma once

// A small HTTP/1.1 server for the health and metrics endpoints: each request
// is answered by a callback that sees only the method and target.

#include "protocol/result.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}

namespace wlg::net {

struct status_response {
  unsigned status = 200;
  std::string content_type;
  std::string body;
};

using status_handler = std::function<status_response(std::string_view method, std::string_view target)>;

class status_server {
public:
  // Binds and starts accepting on the I/O thread; an error names the address
  // and the reason ("address already in use").
  static result<std::unique_ptr<status_server>, std::string>
  start(boost::asio::io_context& io, const std::string& host, std::uint16_t port, status_handler handler);

  ~status_server();
  status_server(const status_server&) = delete;
  status_server& operator=(const status_server&) = delete;

private:
  struct listener;
  explicit status_server(std::shared_ptr<listener> l);
  std::shared_ptr<listener> listener_;
};

} // namespace wlg::net
