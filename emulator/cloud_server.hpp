#pragma once

// The emulator's Docker Cloud endpoint: REST and the event stream on one TCP
// port, with TLS unless told otherwise.

#include <string>

namespace boost::asio {
class io_context;
}

namespace wlg::emulator {

class emulator_state;

struct cloud_listen_options {
  std::string host = "127.0.0.1";
  unsigned short port = 0; // 0: any free port
  bool tls = true;
  std::string certificate_pem;
  std::string private_key_pem;
};

// Starts accepting; returns the port it listens on. Throws on failure.
unsigned short start_cloud_server(boost::asio::io_context& io, emulator_state& state,
                                  const cloud_listen_options& options);

} // namespace wlg::emulator
