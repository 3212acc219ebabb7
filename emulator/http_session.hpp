#pragma once

// One HTTP/1.1 server connection for the emulator, over any Beast stream:
// read a request, ask the route, answer (possibly late, cut short, or never,
// as the faults say), repeat while kept alive. Includes Beast: only the
// emulator's server files include it.

#include "emulator/http_types.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <functional>
#include <memory>
#include <optional>

namespace wlg::emulator {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

template <class Stream>
class http_session : public std::enable_shared_from_this<http_session<Stream>> {
public:
  using route = std::function<response(const request&)>;
  // Takes over the connection for a WebSocket upgrade request.
  using upgrade_hook = std::function<void(http::request<http::string_body>, Stream)>;

  http_session(Stream stream, route handler, upgrade_hook upgrade = {})
    : stream_(std::move(stream)), route_(std::move(handler)), upgrade_(std::move(upgrade)),
      timer_(stream_.get_executor()) {}

  void run() { read_request(); }

private:
  void read_request() {
    parser_.emplace();
    parser_->body_limit(16 * 1024 * 1024);
    beast::get_lowest_layer(stream_).expires_never();
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&http_session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return close();
    auto raw = parser_->release();
    if (upgrade_ && beast::websocket::is_upgrade(raw)) {
      beast::get_lowest_layer(stream_).expires_never();
      return upgrade_(std::move(raw), std::move(stream_));
    }
    request req;
    req.method = std::string{raw.method_string()};
    req.target = std::string{raw.target()};
    split_target(req.target, req.path, req.query);
    req.authorization = std::string{raw[http::field::authorization]};
    req.body = std::move(raw.body());
    keep_alive_ = raw.keep_alive();
    answer_ = route_(req);
    if (answer_.delay.count() > 0) {
      timer_.expires_after(answer_.delay);
      timer_.async_wait(beast::bind_front_handler(&http_session::on_delay, this->shared_from_this()));
      return;
    }
    respond();
  }

  void on_delay(beast::error_code ec) {
    if (ec)
      return close();
    respond();
  }

  void respond() {
    switch (answer_.how) {
      case response::delivery::hang:
        // Keep the connection open without answering; a read keeps this
        // session alive until the client gives up and closes.
        return beast::get_lowest_layer(stream_).socket().async_wait(
          asio::socket_base::wait_read,
          [self = this->shared_from_this()](beast::error_code) { self->close(); });
      case response::delivery::truncated: {
        raw_ = "HTTP/1.1 " + std::to_string(answer_.status) + " OK\r\nContent-Type: "
               + answer_.content_type + "\r\nContent-Length: " + std::to_string(answer_.body.size())
               + "\r\n\r\n" + answer_.body.substr(0, answer_.body.size() / 2);
        return asio::async_write(stream_, asio::buffer(raw_),
                                 [self = this->shared_from_this()](beast::error_code, std::size_t) {
                                   self->close();
                                 });
      }
      case response::delivery::normal: break;
    }
    response_ = {};
    response_.version(11);
    response_.result(answer_.status);
    response_.set(http::field::server, "dockercloud-emulator");
    if (!answer_.content_type.empty())
      response_.set(http::field::content_type, answer_.content_type);
    response_.body() = std::move(answer_.body);
    response_.keep_alive(keep_alive_);
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&http_session::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec || !keep_alive_)
      return close();
    read_request();
  }

  void close() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(asio::socket_base::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  Stream stream_;
  route route_;
  upgrade_hook upgrade_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  response answer_;
  std::string raw_;
  bool keep_alive_ = true;
};

} // namespace wlg::emulator
