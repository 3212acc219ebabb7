#pragma once

// The short names the net sessions use, as in Boost.Beast's examples.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace wlg::net {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using unix_stream = beast::basic_stream<asio::local::stream_protocol>;

} // namespace wlg::net
