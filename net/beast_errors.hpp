#pragma once

// Turning Asio/Beast error codes into transport_error and stream_failure. Included only by the
// files that already pay for Beast.

#include "net/event_stream.hpp"
#include "net/transport.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include <string>

namespace wlg::net {

inline bool is_connection_loss(const boost::beast::error_code& ec) {
  namespace asio = boost::asio;
  return ec == boost::beast::http::error::end_of_stream || ec == asio::error::eof
         || ec == asio::error::connection_reset || ec == asio::error::broken_pipe
         || ec == asio::error::connection_aborted || ec == asio::ssl::error::stream_truncated;
}

// `fallback` is the kind to report when the code says nothing more specific.
inline transport_error classify(const boost::beast::error_code& ec, transport_error::kind fallback,
                                const std::string& context) {
  namespace http = boost::beast::http;
  using kind = transport_error::kind;
  std::string message = context + ": " + ec.message();
  if (ec == boost::beast::error::timeout)
    return {kind::timeout, std::move(message)};
  if (ec == http::error::body_limit || ec == http::error::header_limit
      || ec == http::error::buffer_overflow)
    return {kind::too_large, std::move(message)};
  if (ec == http::error::partial_message || is_connection_loss(ec))
    return {kind::closed, std::move(message)};
  if (ec.category() == http::make_error_code(http::error::bad_version).category())
    return {kind::protocol, std::move(message)};
  return {fallback, std::move(message)};
}

// Why an event stream ended, for an error in `context` ("read", a socket path).
inline stream_failure stream_failure_of(stream_failure::kind kind, const boost::beast::error_code& ec,
                                        const std::string& context) {
  if (ec == boost::beast::error::timeout)
    kind = stream_failure::kind::timeout;
  return {kind, 0, context + ": " + ec.message()};
}

} // namespace wlg::net
