#pragma once

// Client-side TLS, shared by the REST client and the event stream.

#include "protocol/endpoint.hpp"

#include <memory>
#include <string>
#include <system_error>

namespace boost::asio::ssl {
class context;
}
struct ssl_st;

namespace wlg::net {

// One OpenSSL client context for every connection: TLS 1.2 or newer, peer
// certificates verified against OpenSSL's default paths (so SSL_CERT_FILE and
// SSL_CERT_DIR work). Verification cannot be turned off.
class tls_client_context {
public:
  tls_client_context();
  ~tls_client_context();
  boost::asio::ssl::context& native() noexcept { return *context_; }

private:
  std::unique_ptr<boost::asio::ssl::context> context_;
};

// Prepares one connection to `peer`: SNI for host names, and a check that the
// certificate names the host (or IP address) we meant to reach. Returns a
// message when OpenSSL refuses, empty on success.
std::string expect_peer(ssl_st* ssl, const protocol::web_endpoint& peer);

} // namespace wlg::net
