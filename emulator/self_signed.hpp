#pragma once

// A self-signed certificate for the emulator's TLS listener, made with
// OpenSSL at start-up when no certificate is given. It names localhost,
// 127.0.0.1 and ::1, and is its own CA, so a client that trusts it (e.g.
// through SSL_CERT_FILE) verifies the emulator like any real server.

#include "protocol/result.hpp"

#include <string>

namespace wlg::emulator {

struct pem_pair {
  std::string certificate;
  std::string private_key;
};

result<pem_pair, std::string> make_self_signed_certificate();

} // namespace wlg::emulator
