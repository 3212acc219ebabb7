#pragma once

// What a network exchange produced, without any Boost types, so actors can
// include it cheaply.

#include "protocol/result.hpp"

#include <cstdint>
#include <string>

namespace wlg::net {

struct transport_error {
  enum class kind {
    resolve,   // the host name did not resolve
    connect,   // nobody accepted the connection (or the socket is missing)
    tls,       // the TLS handshake failed, certificate checks included
    timeout,   // no complete answer within the time limit
    closed,    // the peer closed the connection before a complete answer
    too_large, // the answer is over the size limit
    protocol,  // the answer is not valid HTTP
  };
  kind what;
  std::string message;
};

std::string describe(const transport_error& e);

struct http_reply {
  unsigned status = 0;
  std::string body;
  std::int64_t exchange_ns = 0; // from sending the request to the whole body (REST client)
};

using http_outcome = result<http_reply, transport_error>;

} // namespace wlg::net
