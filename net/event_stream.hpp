#pragma once

// What every event stream (Docker Cloud's WebSocket, the engine's chunked
// HTTP body) gives its owner: frames of text, then one `closed`. Reconnecting
// is the owner's business.

#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

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

inline constexpr std::size_t stream_failure_kind_count = 9;

// The kinds by name, in the enum's order: the label of /metrics'
// stream_failures_total.
inline constexpr std::array<std::string_view, stream_failure_kind_count> stream_failure_kind_names = {
  "resolve", "connect", "tls", "unauthorized", "refused", "timeout", "no_pong", "too_large", "closed"};

constexpr std::size_t index_of(stream_failure::kind kind) {
  return static_cast<std::size_t>(kind);
}

std::string describe(const stream_failure& f);

// Handlers run on the I/O thread. None runs after stop().
struct stream_handlers {
  std::function<void()> connected;
  std::function<void(std::string)> text_frame;
  std::function<void(std::size_t)> binary_frame;
  // Follows one or more frames, once the session has handed over every frame
  // it could read without waiting on the network (or `frames_per_batch` of
  // them), and always before `closed`. A receiver that queues frames wakes
  // its consumer here: once for many frames in a burst, at once for one.
  std::function<void()> batch_end;
  std::function<void(stream_failure)> closed;
};

inline constexpr std::size_t frames_per_batch = 64;

// Ends the batch, hands `failure` to handlers.closed, then drops every
// handler: a session reports its end once and calls nobody after.
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
