#include "emulator/cloud_server.hpp"

#include "emulator/emulator_state.hpp"
#include "emulator/http_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <deque>
#include <unistd.h>

namespace wlg::emulator {

namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

namespace {

// One event-stream client: sends the auth message, then every broadcast
// frame in order; reads only to answer pings and notice the close.
template <class NextLayer>
class ws_channel final : public event_channel,
                         public std::enable_shared_from_this<ws_channel<NextLayer>> {
public:
  ws_channel(NextLayer stream, emulator_state& state)
    : ws_(std::move(stream)), state_(state), linger_(ws_.get_executor()) {}

  void accept(http::request<http::string_body> upgrade) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(1024 * 1024);
    ws_.async_accept(upgrade, beast::bind_front_handler(&ws_channel::on_accept, this->shared_from_this()));
  }

  void send(frame f) override {
    if (closed_ || silent_)
      return;
    queue_.push_back(std::move(f));
    if (!writing_)
      write_next();
  }

  void drop(drop_mode mode) override {
    if (closed_)
      return;
    switch (mode) {
      case drop_mode::close: return close_now();
      case drop_mode::silent: {
        // Keep the TCP connection open but let nobody read it, so no pong
        // answers a ping and nothing more is sent: the descriptor is taken
        // away from Beast (which would otherwise close it) and closed a
        // minute later.
        silent_ = true;
        queue_.clear();
        beast::error_code ignored;
        const int fd = beast::get_lowest_layer(ws_).socket().release(ignored);
        mark_closed();
        auto timer = std::make_shared<asio::steady_timer>(linger_.get_executor(), std::chrono::minutes(1));
        timer->async_wait([timer, fd](beast::error_code) { ::close(fd); });
        return;
      }
      case drop_mode::midframe:
        if (writing_)
          return close_now();
        // A text frame header announcing 256 bytes, followed by 40 of them.
        partial_ = std::string{"\x81\x7e\x01\x00", 4} + R"({"type":"container","action":"update",)";
        writing_ = true;
        asio::async_write(ws_.next_layer(), asio::buffer(partial_),
                          [self = this->shared_from_this()](beast::error_code, std::size_t) {
                            self->close_now();
                          });
        return;
    }
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    state_.on_channel_open(this->weak_from_this());
    open_ = true;
    send({std::make_shared<const std::string>(state_.auth_frame()), false, {}});
    read_next();
  }

  void read_next() {
    ws_.async_read(buffer_, beast::bind_front_handler(&ws_channel::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      if (!silent_)
        mark_closed();
      return;
    }
    buffer_.consume(buffer_.size());
    read_next();
  }

  void write_next() {
    writing_ = true;
    auto& next = queue_.front();
    if (next.on_write_start)
      next.on_write_start();
    ws_.binary(next.binary);
    ws_.async_write(asio::buffer(*next.text),
                    beast::bind_front_handler(&ws_channel::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec)
      return mark_closed();
    if (!queue_.empty())
      queue_.pop_front();
    if (!queue_.empty() && !silent_ && !closed_)
      write_next();
    else if (queue_.empty())
      state_.on_queue_drained();
  }

  void close_now() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(asio::socket_base::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).socket().close(ignored);
    linger_.cancel();
    mark_closed();
  }

  void mark_closed() {
    if (closed_)
      return;
    closed_ = true;
    queue_.clear();
    if (open_)
      state_.on_channel_closed();
  }

  websocket::stream<NextLayer> ws_;
  emulator_state& state_;
  asio::steady_timer linger_;
  beast::flat_buffer buffer_;
  std::deque<frame> queue_;
  std::string partial_;
  bool open_ = false;
  bool writing_ = false;
  bool silent_ = false;
  bool closed_ = false;
};

template <class Stream>
void serve_http(Stream stream, emulator_state& state) {
  auto route = [&state](const request& req) { return state.handle_rest(req); };
  auto upgrade = [&state](http::request<http::string_body> raw, Stream upgraded) {
    request req;
    req.method = std::string{raw.method_string()};
    req.target = std::string{raw.target()};
    split_target(req.target, req.path, req.query);
    req.authorization = std::string{raw[http::field::authorization]};
    const auto decision = state.on_upgrade(req);
    if (decision.accept) {
      std::make_shared<ws_channel<Stream>>(std::move(upgraded), state)->accept(std::move(raw));
      return;
    }
    // Refuse the upgrade with a plain HTTP answer, then close.
    auto stream = std::make_shared<Stream>(std::move(upgraded));
    auto refusal = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(decision.status), 11);
    refusal->set(http::field::content_type, "application/json");
    refusal->body() = decision.status == 401 ? R"({"detail":"Invalid token."})" : R"({"error":"refused"})";
    refusal->keep_alive(false);
    refusal->prepare_payload();
    http::async_write(*stream, *refusal, [stream, refusal](beast::error_code, std::size_t) {
      beast::error_code ignored;
      beast::get_lowest_layer(*stream).socket().shutdown(asio::socket_base::shutdown_both, ignored);
    });
  };
  std::make_shared<http_session<Stream>>(std::move(stream), route, upgrade)->run();
}

class cloud_listener : public std::enable_shared_from_this<cloud_listener> {
public:
  cloud_listener(asio::io_context& io, emulator_state& state, const cloud_listen_options& options)
    : io_(io), state_(state), acceptor_(io), tls_(asio::ssl::context::tls_server), use_tls_(options.tls) {
    if (use_tls_) {
      tls_.use_certificate_chain(asio::buffer(options.certificate_pem));
      tls_.use_private_key(asio::buffer(options.private_key_pem), asio::ssl::context::pem);
    }
    const tcp::endpoint endpoint{asio::ip::make_address(options.host), options.port};
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
  }

  unsigned short port() const { return acceptor_.local_endpoint().port(); }

  void accept() {
    acceptor_.async_accept(io_,
                           beast::bind_front_handler(&cloud_listener::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true));
      if (use_tls_) {
        auto stream = std::make_shared<tls_stream>(std::move(socket), tls_);
        beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(30));
        stream->async_handshake(asio::ssl::stream_base::server, [stream, this](beast::error_code hec) {
          if (!hec)
            serve_http(std::move(*stream), state_);
        });
      } else {
        serve_http(plain_stream{std::move(socket)}, state_);
      }
    }
    accept();
  }

  asio::io_context& io_;
  emulator_state& state_;
  tcp::acceptor acceptor_;
  asio::ssl::context tls_;
  bool use_tls_;
};

} // namespace

unsigned short start_cloud_server(asio::io_context& io, emulator_state& state,
                                  const cloud_listen_options& options) {
  auto listener = std::make_shared<cloud_listener>(io, state, options);
  listener->accept();
  return listener->port();
}

} // namespace wlg::emulator
