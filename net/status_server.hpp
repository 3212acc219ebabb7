#pragma once

// A small HTTP/1.1 server for the health and metrics endpoints: each request
// is answered by a callback that sees only the method and target.
//
// Bounded, because any container on the network may connect: at most
// `max_connections` at once (fewer when the process's descriptor limit leaves
// less than `reserved_descriptors` for everything else); at the cap, the
// oldest connection still waiting for its request is closed to admit the new
// one; a request must arrive within `request_deadline`; a failed accept
// (EMFILE) backs off instead of spinning.

#include "protocol/result.hpp"

#include <chrono>
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
  std::string allow; // the Allow header of a 405 (empty: none)
};

using status_handler = std::function<status_response(std::string_view method, std::string_view target)>;

// What happened to the port's connections, for metrics and the log; called on
// the I/O thread.
struct status_port_event {
  enum class kind {
    opened,        // a connection was admitted
    closed,        // one ended (answered, timed out, evicted or dropped by the client)
    evicted,       // closed to admit a newer one at the cap
    accept_failed, // accept failed (`why`, e.g. "Too many open files"); retried after `retry_in`
  };
  kind what;
  std::size_t open = 0; // connections open after it
  std::string why;
  std::chrono::milliseconds retry_in{0};
};

struct status_limits {
  std::size_t max_connections = 64;
  std::chrono::milliseconds request_deadline{5000};
  std::size_t reserved_descriptors = 64; // left for the engine, Docker Cloud and coordinator
};

class status_server {
public:
  // Binds and starts accepting on the I/O thread; an error names the address
  // and the reason ("address already in use").
  static result<std::unique_ptr<status_server>, std::string>
  start(boost::asio::io_context& io, const std::string& host, std::uint16_t port, status_limits limits,
        status_handler handler, std::function<void(const status_port_event&)> observe = {});

  // The cap in force: max_connections, lowered to fit the descriptor limit.
  std::size_t connection_cap() const;

  ~status_server();
  status_server(const status_server&) = delete;
  status_server& operator=(const status_server&) = delete;

private:
  struct listener;
  explicit status_server(std::shared_ptr<listener> l);
  std::shared_ptr<listener> listener_;
};

// max_connections, lowered so that at least `reserved` of the `descriptor_limit`
// stay free for the rest of the process; never below 1.
std::size_t status_connection_cap(std::size_t max_connections, std::size_t descriptor_limit, std::size_t reserved);

} // namespace wlg::net
