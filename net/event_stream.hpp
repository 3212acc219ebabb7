#pragma once

// What every event stream (Docker Cloud's WebSocket, the engine's chunked
// HTTP body) gives its owner: frames of text, then one `closed`. Reconnecting
// is the owner's business.

#include <cstddef>
#include <functional>
#include <string>

namespace wlg::net {

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

// Handlers run on the I/O thread. None runs after stop().
struct stream_handlers {
  std::function<void()> connected;
  std::function<void(std::string)> text_frame;
  std::function<void(std::size_t)> binary_frame;
  std::function<void(stream_failure)> closed;
};

// Hands `failure` to handlers.closed, then drops every handler: a session
// reports its end once and calls nobody after.
void report_closed(stream_handlers& handlers, stream_failure failure);

class event_stream {
public:
  virtual ~event_stream() = default;
  // Thread-safe. Returns credit for `frames` processed frames.
  virtual void grant(std::size_t frames) = 0;
  // Thread-safe. Closes the connection without calling any handler.
  virtual void stop() = 0;
};

} // namespace wlg::net
