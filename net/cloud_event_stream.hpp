#pragma once

// One connection to Docker Cloud's event stream (a WebSocket, wss:// or ws://).
// Reconnecting is the owner's business: a stream reports `closed` once and is
// then done.

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

struct stream_failure {
  enum class kind {
    resolve,
    connect,
    tls,
    unauthorized, // 401 on the upgrade: the credentials are refused
    refused,      // any other non-101 answer to the upgrade
    timeout,      // connecting or upgrading took too long
    no_pong,      // a ping went unanswered
    too_large,    // a frame over the size limit
    closed,       // the server closed or the connection broke
  };
  kind what;
  unsigned http_status = 0;
  std::string message;
};

std::string describe(const stream_failure& f);

struct stream_options {
  std::string path; // "/api/audit/v1/events/"
  std::string authorization;
  std::string user_agent;
  std::chrono::milliseconds connect_timeout{15'000};
  std::chrono::milliseconds ping_interval{10'000};
  std::chrono::milliseconds pong_timeout{5'000};
  std::size_t max_frame_bytes = 256 * 1024;
  // Frames delivered but not yet acknowledged through grant(); reading pauses
  // when the owner falls this far behind, so memory stays bounded.
  std::size_t credit_window = 256;
};

// Handlers run on the I/O thread. None runs after stop().
struct stream_handlers {
  std::function<void()> connected;
  std::function<void(std::string)> text_frame;
  std::function<void(std::size_t)> binary_frame;
  std::function<void(stream_failure)> closed;
};

class cloud_event_stream {
public:
  virtual ~cloud_event_stream() = default;
  // Thread-safe. Returns credit for `frames` processed frames.
  virtual void grant(std::size_t frames) = 0;
  // Thread-safe. Closes the connection without calling any handler.
  virtual void stop() = 0;
};

std::shared_ptr<cloud_event_stream> open_cloud_event_stream(
  boost::asio::io_context& io, std::shared_ptr<tls_client_context> tls,
  protocol::web_endpoint host, stream_options options, stream_handlers handlers);

} // namespace wlg::net
