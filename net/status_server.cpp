#include "net/status_server.hpp"

#include "net/beast_names.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <optional>

namespace wlg::net {

namespace {

constexpr auto idle_limit = std::chrono::seconds(30);
constexpr std::size_t request_limit = 8 * 1024;

// One client connection: read a request, answer it, repeat while kept alive.
class status_session : public std::enable_shared_from_this<status_session> {
public:
  status_session(tcp::socket socket, std::shared_ptr<const status_handler> handler)
    : stream_(std::move(socket)), handler_(std::move(handler)) {}

  void run() { read_request(); }

private:
  void read_request() {
    parser_.emplace();
    parser_->header_limit(request_limit);
    parser_->body_limit(request_limit);
    stream_.expires_after(idle_limit);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&status_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return close();
    const auto& request = parser_->get();
    auto answer = (*handler_)(request.method_string(), request.target());
    response_ = {};
    response_.version(11);
    response_.result(answer.status);
    response_.set(http::field::content_type, answer.content_type);
    response_.set(http::field::cache_control, "no-store");
    response_.body() = std::move(answer.body);
    response_.keep_alive(request.keep_alive());
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&status_session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec || !response_.keep_alive())
      return close();
    read_request();
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  std::shared_ptr<const status_handler> handler_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

} // namespace

struct status_server::listener : std::enable_shared_from_this<listener> {
  listener(asio::io_context& io, std::shared_ptr<const status_handler> h)
    : acceptor(io), handler(std::move(h)) {}

  void accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open())
        return;
      if (!ec)
        std::make_shared<status_session>(std::move(socket), self->handler)->run();
      self->accept();
    });
  }

  tcp::acceptor acceptor;
  std::shared_ptr<const status_handler> handler;
};

result<std::unique_ptr<status_server>, std::string>
status_server::start(asio::io_context& io, const std::string& host, std::uint16_t port, status_handler handler) {
  beast::error_code ec;
  const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec)
    return fail("'" + host + "' is not an IP address");
  auto l = std::make_shared<listener>(io, std::make_shared<const status_handler>(std::move(handler)));
  const tcp::endpoint endpoint{address, port};
  const auto where = (address.is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(port);
  if (l->acceptor.open(endpoint.protocol(), ec); ec)
    return fail("cannot listen on " + where + ": " + ec.message());
  l->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (l->acceptor.bind(endpoint, ec); ec)
    return fail("cannot listen on " + where + ": " + ec.message());
  if (l->acceptor.listen(asio::socket_base::max_listen_connections, ec); ec)
    return fail("cannot listen on " + where + ": " + ec.message());
  asio::post(io, [l] { l->accept(); });
  return std::unique_ptr<status_server>(new status_server(std::move(l)));
}

status_server::status_server(std::shared_ptr<listener> l) : listener_(std::move(l)) {}

status_server::~status_server() {
  // Closed on the I/O thread, which owns the acceptor.
  asio::post(listener_->acceptor.get_executor(), [l = listener_] {
    beast::error_code ignored;
    l->acceptor.close(ignored);
  });
}

} // namespace wlg::net
