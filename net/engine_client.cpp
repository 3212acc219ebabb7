#include "net/engine_client.hpp"

#include "net/beast_errors.hpp"
#include "net/beast_names.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <optional>

namespace wlg::net {

namespace {

class engine_session : public std::enable_shared_from_this<engine_session> {
  unix_stream stream_;
  engine_options options_;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::function<void(http_outcome)> done_;

public:
  engine_session(asio::io_context& io, engine_options options, engine_request request,
                 std::function<void(http_outcome)> done)
    : stream_(io), options_(std::move(options)), done_(std::move(done)) {
    request_.version(11);
    request_.method(http::string_to_verb(request.method));
    request_.target(request.target);
    request_.set(http::field::host, "localhost"); // must be a valid name, not the socket path
    request_.set(http::field::user_agent, options_.user_agent);
    request_.keep_alive(false);
    if (!request.body.empty()) {
      request_.set(http::field::content_type, "application/json");
      request_.body() = std::move(request.body);
    }
    request_.prepare_payload();
  }

  void run() {
    stream_.expires_after(options_.timeout);
    stream_.async_connect(asio::local::stream_protocol::endpoint{options_.socket_path},
                          beast::bind_front_handler(&engine_session::on_connect, shared_from_this()));
  }

private:
  void on_connect(beast::error_code ec) {
    if (ec)
      return finish(classify(ec, transport_error::kind::connect, options_.socket_path));
    http::async_write(stream_, request_,
                      beast::bind_front_handler(&engine_session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec)
      return finish(classify(ec, transport_error::kind::closed, options_.socket_path));
    parser_.emplace();
    parser_->body_limit(options_.body_limit);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&engine_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return finish(classify(ec, transport_error::kind::closed, options_.socket_path));
    auto response = parser_->release();
    finish(http_reply{response.result_int(), std::move(response.body())});
  }

  void finish(transport_error error) { finish(http_outcome{fail(std::move(error))}); }

  void finish(http_outcome outcome) {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    done_(std::move(outcome));
  }
};

} // namespace

void send_engine_request(asio::io_context& io, const engine_options& options,
                         engine_request request, std::function<void(http_outcome)> done) {
  auto session = std::make_shared<engine_session>(io, options, std::move(request), std::move(done));
  asio::post(io, [session] { session->run(); });
}

} // namespace wlg::net
