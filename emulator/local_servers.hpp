#pragma once

// The emulator's control API (plain HTTP on loopback) and its Docker Engine
// API (HTTP on a unix socket, which the control API can take down and up).

#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace wlg::emulator {

class emulator_state;

// Returns the port the control API listens on.
unsigned short start_control_server(boost::asio::io_context& io, emulator_state& state,
                                    const std::string& host, unsigned short port);

// Listens on `socket_path` and wires state.set_engine_listening.
void start_engine_server(boost::asio::io_context& io, emulator_state& state,
                         const std::string& socket_path);

} // namespace wlg::emulator
