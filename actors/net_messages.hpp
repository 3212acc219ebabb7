#pragma once

// Network outcomes travel from the I/O thread into actors as messages; these
// are the `inspect` overloads CAF needs for them.

#include "net/event_stream.hpp"
#include "net/transport.hpp"

#include <caf/meta/type_name.hpp>

namespace wlg::net {
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, http_reply& x) {
  return f(caf::meta::type_name("http_reply"), x.status, x.body);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transport_error& x) {
  return f(caf::meta::type_name("transport_error"), x.what, x.message);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_failure& x) {
  return f(caf::meta::type_name("stream_failure"), x.what, x.http_status, x.message);
}
} // namespace wlg::net
