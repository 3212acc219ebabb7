#include "net/tls_client.hpp"

#include <boost/asio/ssl/context.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace wlg::net {

tls_client_context::tls_client_context()
  : context_(std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client)) {
  SSL_CTX_set_min_proto_version(context_->native_handle(), TLS1_2_VERSION);
  context_->set_verify_mode(boost::asio::ssl::verify_peer);
  context_->set_default_verify_paths();
}

tls_client_context::~tls_client_context() = default;

std::string expect_peer(ssl_st* ssl, const protocol::web_endpoint& peer) {
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (peer.host_is_ip) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, peer.host.c_str()) != 1)
      return "cannot check the certificate against IP address " + peer.host;
    return {};
  }
  if (SSL_set_tlsext_host_name(ssl, peer.host.c_str()) != 1)
    return "cannot set SNI to " + peer.host;
  if (X509_VERIFY_PARAM_set1_host(param, peer.host.c_str(), peer.host.size()) != 1)
    return "cannot check the certificate against host " + peer.host;
  return {};
}

} // namespace wlg::net
