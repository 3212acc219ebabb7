#include "net/transport.hpp"

namespace wlg::net {

std::string describe(const transport_error& e) {
  switch (e.what) {
    case transport_error::kind::resolve: return "cannot resolve: " + e.message;
    case transport_error::kind::connect: return "cannot connect: " + e.message;
    case transport_error::kind::tls: return "TLS failed: " + e.message;
    case transport_error::kind::timeout: return "timed out: " + e.message;
    case transport_error::kind::closed: return "connection closed: " + e.message;
    case transport_error::kind::too_large: return "answer too large: " + e.message;
    case transport_error::kind::protocol: return "bad HTTP: " + e.message;
  }
  return e.message;
}

} // namespace wlg::net
