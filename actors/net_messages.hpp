#pragma once

// Network outcomes travel from the I/O thread into actors as messages; these
// are the `inspect` overloads CAF needs for them.

#include "net/event_stream.hpp"
#include "net/pg_connection.hpp"
#include "net/transport.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>

namespace wlg::net {
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, http_reply& x) {
  return f(caf::meta::type_name("http_reply"), x.status, x.body, x.exchange_ns);
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

// A database step's outcome only ever travels within the process, from the
// I/O thread to the Citus actor; its nested optionals have no inspect in CAF 0.17.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(wlg::net::pg_outcome)
