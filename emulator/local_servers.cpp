#include "emulator/local_servers.hpp"

#include "emulator/emulator_state.hpp"
#include "emulator/http_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <unistd.h>

namespace wlg::emulator {

namespace {

using tcp = asio::ip::tcp;
using local = asio::local::stream_protocol;
using unix_stream = beast::basic_stream<local>;

class control_listener : public std::enable_shared_from_this<control_listener> {
public:
  control_listener(asio::io_context& io, emulator_state& state, const std::string& host,
                   unsigned short port)
    : state_(state), acceptor_(io, tcp::endpoint{asio::ip::make_address(host), port}) {}

  unsigned short port() const { return acceptor_.local_endpoint().port(); }

  void accept() {
    acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (!ec)
        std::make_shared<http_session<beast::tcp_stream>>(
          beast::tcp_stream{std::move(socket)},
          [&state = self->state_](const request& req) { return state.handle_control(req); })
          ->run();
      self->accept();
    });
  }

private:
  emulator_state& state_;
  tcp::acceptor acceptor_;
};

// The Engine API socket; "down" closes the listener and removes the socket
// file, as when the engine stops, "up" brings it back.
class engine_listener : public std::enable_shared_from_this<engine_listener> {
public:
  engine_listener(asio::io_context& io, emulator_state& state, std::string path)
    : io_(io), state_(state), path_(std::move(path)) {}

  void listen(bool on) {
    if (!on) {
      beast::error_code ignored;
      if (acceptor_)
        acceptor_->close(ignored);
      acceptor_.reset();
      ::unlink(path_.c_str());
      return;
    }
    if (acceptor_)
      return;
    ::unlink(path_.c_str());
    acceptor_ = std::make_shared<local::acceptor>(io_, local::endpoint{path_});
    accept(acceptor_);
  }

private:
  void accept(std::shared_ptr<local::acceptor> acceptor) {
    acceptor->async_accept([self = shared_from_this(), acceptor](beast::error_code ec, local::socket socket) {
      if (ec)
        return; // closed by listen(false)
      std::make_shared<http_session<unix_stream>>(
        unix_stream{std::move(socket)},
        [&state = self->state_](const request& req) { return state.handle_engine(req); })
        ->run();
      self->accept(acceptor);
    });
  }

  asio::io_context& io_;
  emulator_state& state_;
  std::string path_;
  std::shared_ptr<local::acceptor> acceptor_;
};

} // namespace

unsigned short start_control_server(asio::io_context& io, emulator_state& state,
                                    const std::string& host, unsigned short port) {
  auto listener = std::make_shared<control_listener>(io, state, host, port);
  listener->accept();
  return listener->port();
}

void start_engine_server(asio::io_context& io, emulator_state& state, const std::string& socket_path) {
  auto listener = std::make_shared<engine_listener>(io, state, socket_path);
  listener->listen(true);
  state.set_engine_listening = [listener](bool on) { listener->listen(on); };
}

} // namespace wlg::emulator
