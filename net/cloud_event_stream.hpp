#pragma once

// One connection to Docker Cloud's event stream (a WebSocket, wss:// or ws://).

#include "net/event_stream.hpp"
#include "net/read_gate.hpp"
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
  // Reads wait while this gate is closed, at most `gate_limit` each time it
  // closes (net/read_gate.hpp). No gate: they never wait.
  std::shared_ptr<read_gate> gate;
  std::chrono::milliseconds gate_limit{0};
};

std::shared_ptr<event_stream> open_cloud_event_stream(
  boost::asio::io_context& io, std::shared_ptr<tls_client_context> tls,
  protocol::web_endpoint host, stream_options options, stream_handlers handlers);

} // namespace wlg::net
