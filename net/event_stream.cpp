#include "net/event_stream.hpp"

namespace wlg::net {

std::string describe(const stream_failure& f) {
  switch (f.what) {
    case stream_failure::kind::resolve: return "cannot resolve: " + f.message;
    case stream_failure::kind::connect: return "cannot connect: " + f.message;
    case stream_failure::kind::tls: return "TLS failed: " + f.message;
    case stream_failure::kind::unauthorized:
      return "the API refused the credentials (HTTP 401); check DOCKERCLOUD_AUTH";
    case stream_failure::kind::refused:
      return "refused with HTTP " + std::to_string(f.http_status);
    case stream_failure::kind::timeout: return "timed out: " + f.message;
    case stream_failure::kind::no_pong: return "no pong: " + f.message;
    case stream_failure::kind::too_large: return "frame too large: " + f.message;
    case stream_failure::kind::closed: return "closed: " + f.message;
  }
  return f.message;
}

void report_closed(stream_handlers& handlers, stream_failure failure) {
  if (handlers.batch_end)
    handlers.batch_end(); // a frame handed over since the last one is not left unannounced
  auto closed = std::move(handlers.closed);
  handlers = {};
  if (closed)
    closed(std::move(failure));
}

} // namespace wlg::net
