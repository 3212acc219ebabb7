#pragma once

// Where the event_subscriber's events come from: Docker Cloud's WebSocket
// stream (cloud mode) or the engine's GET /events (engine mode). A feed opens
// connections and judges frames; the subscriber does the rest (back-off,
// resync on connect, credit, metrics) the same way for both.

#include "actors/context.hpp"
#include "actors/interfaces.hpp"
#include "net/event_stream.hpp"

#include <memory>
#include <string>

namespace wlg::actors {

struct feed_verdict {
  enum class kind {
    relevant,
    irrelevant,
    unknown,   // well-formed, but of a type this sidecar does not know: logged and skipped
    malformed,
  };
  kind what = kind::irrelevant;
  std::string summary; // for the log line: the event, or why it is malformed
};

class event_feed {
public:
  virtual ~event_feed() = default;
  // "the event stream at ws.cloud.docker.com", for log lines.
  virtual std::string where() const = 0;
  // Reading pauses while `credit_window` delivered frames are not granted back.
  virtual std::shared_ptr<net::event_stream> open(net::stream_handlers handlers, std::size_t credit_window) = 0;
  virtual feed_verdict judge(const std::string& frame) = 0;
};

// The feed for ctx's --source.
std::unique_ptr<event_feed> make_event_feed(const context_ptr& ctx);

} // namespace wlg::actors
