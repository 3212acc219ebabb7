#include "actors/messages.hpp"

namespace wlg::actors {

std::string_view to_string(sync_reason reason) {
  switch (reason) {
    case sync_reason::startup: return "start-up";
    case sync_reason::stream_connected: return "event stream (re)connected";
    case sync_reason::poll_timer: return "poll timer";
    case sync_reason::operator_request: return "SIGUSR1";
  }
  return "unknown";
}

} // namespace wlg::actors
