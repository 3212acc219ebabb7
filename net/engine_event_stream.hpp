#pragma once

// The Docker Engine's event stream: GET /events on the unix socket, a chunked
// HTTP body of JSON lines that never ends while the engine runs. Each line is
// delivered as a text frame, however the chunks split it.

#include "net/event_stream.hpp"
#include "net/read_gate.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace wlg::net {

struct engine_stream_options {
  std::string socket_path;
  std::string user_agent;
  std::chrono::milliseconds connect_timeout{15'000}; // connecting, /version and the answer's header
  std::size_t max_line_bytes = 256 * 1024;           // longer lines are dropped, reported as binary
  std::size_t credit_window = 256;                   // as for the cloud stream
  // The events query, from the version prefix ("/v1.44"): which events.
  std::string (*target)(const std::string& version_prefix) = nullptr;
  std::shared_ptr<read_gate> gate; // as for the cloud stream
  std::chrono::milliseconds gate_limit{0};
};

std::shared_ptr<event_stream> open_engine_event_stream(boost::asio::io_context& io,
                                                       engine_stream_options options,
                                                       stream_handlers handlers);

} // namespace wlg::net
