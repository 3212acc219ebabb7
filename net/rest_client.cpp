#include "net/rest_client.hpp"

#include "net/beast_errors.hpp"
#include "net/beast_names.hpp"
#include "net/tls_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <deque>
#include <optional>

namespace wlg::net {

class rest_client::session {
public:
  virtual ~session() = default;
  virtual void get(std::string path, std::function<void(http_outcome)> done) = 0;
  virtual void close() = 0;
};

namespace {

using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

// One connection to the REST host, reused across requests. Requests queue up
// and run one at a time; each has a deadline that covers connecting too.
template <class Stream>
class rest_session final : public rest_client::session,
                           public std::enable_shared_from_this<rest_session<Stream>> {
  static constexpr bool tls = std::is_same_v<Stream, tls_stream>;
  static constexpr std::size_t read_chunk_bytes = 64 * 1024;

  struct pending {
    std::string path;
    std::function<void(http_outcome)> done;
  };

  asio::io_context& io_;
  std::shared_ptr<tls_client_context> tls_context_;
  protocol::web_endpoint host_;
  rest_options options_;
  tcp::resolver resolver_;
  std::optional<Stream> stream_;
  beast::flat_buffer buffer_;
  http::request<http::empty_body> request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::deque<pending> queue_;
  std::optional<pending> current_;
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::steady_clock::time_point exchange_started_;
  bool connected_ = false;
  bool reused_ = false;  // the current request went out on an older connection
  bool retried_ = false; // ... and has already been retried on a new one

public:
  rest_session(asio::io_context& io, std::shared_ptr<tls_client_context> tls_context,
               protocol::web_endpoint host, rest_options options)
    : io_(io), tls_context_(std::move(tls_context)), host_(std::move(host)),
      options_(std::move(options)), resolver_(io) {
    // Beast reads at most the buffer's free capacity per call: left to grow
    // from nothing, a 2 MB body came in as thousands of 512-byte reads.
    buffer_.reserve(read_chunk_bytes);
  }

  void get(std::string path, std::function<void(http_outcome)> done) override {
    asio::post(io_, [self = this->shared_from_this(), p = pending{std::move(path), std::move(done)}]() mutable {
      self->queue_.push_back(std::move(p));
      if (!self->current_)
        self->start_next();
    });
  }

  void close() override {
    asio::post(io_, [self = this->shared_from_this()] {
      self->queue_.clear();
      self->drop_connection();
    });
  }

private:
  void start_next() {
    if (queue_.empty())
      return;
    current_ = std::move(queue_.front());
    queue_.pop_front();
    deadline_ = std::chrono::steady_clock::now() + options_.timeout;
    retried_ = false;
    if (connected_) {
      reused_ = true;
      send_request();
    } else {
      reused_ = false;
      resolve();
    }
  }

  void resolve() {
    resolver_.async_resolve(host_.host, host_.port,
                            beast::bind_front_handler(&rest_session::on_resolve,
                                                      this->shared_from_this()));
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec)
      return finish(transport_error{transport_error::kind::resolve, host_.host + ": " + ec.message()});
    if constexpr (tls)
      stream_.emplace(io_, tls_context_->native());
    else
      stream_.emplace(io_);
    beast::get_lowest_layer(*stream_).expires_at(deadline_);
    beast::get_lowest_layer(*stream_).async_connect(
      results, beast::bind_front_handler(&rest_session::on_connect, this->shared_from_this()));
  }

  void on_connect(beast::error_code ec, tcp::resolver::results_type::endpoint_type) {
    if (ec)
      return finish(classify(ec, transport_error::kind::connect, host_.host_header()));
    if constexpr (tls) {
      if (auto problem = expect_peer(stream_->native_handle(), host_); !problem.empty())
        return finish(transport_error{transport_error::kind::tls, problem});
      stream_->async_handshake(asio::ssl::stream_base::client,
                               beast::bind_front_handler(&rest_session::on_handshake,
                                                         this->shared_from_this()));
    } else {
      on_handshake({});
    }
  }

  void on_handshake(beast::error_code ec) {
    if (ec)
      return finish(classify(ec, transport_error::kind::tls, "TLS handshake with " + host_.host));
    connected_ = true;
    send_request();
  }

  void send_request() {
    request_ = {};
    request_.version(11);
    request_.method(http::verb::get);
    request_.target(host_.target(current_->path));
    request_.set(http::field::host, host_.host_header());
    request_.set(http::field::user_agent, options_.user_agent);
    request_.set(http::field::accept, "application/json");
    if (!options_.authorization.empty())
      request_.set(http::field::authorization, options_.authorization);
    request_.keep_alive(true);
    exchange_started_ = std::chrono::steady_clock::now();
    beast::get_lowest_layer(*stream_).expires_at(deadline_);
    http::async_write(*stream_, request_,
                      beast::bind_front_handler(&rest_session::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec)
      return retry_or_finish(ec);
    parser_.emplace();
    parser_->header_limit(64 * 1024);
    parser_->body_limit(options_.body_limit);
    http::async_read(*stream_, buffer_, *parser_,
                     beast::bind_front_handler(&rest_session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return retry_or_finish(ec);
    auto response = parser_->release();
    if (!response.keep_alive())
      drop_connection();
    const auto took = std::chrono::steady_clock::now() - exchange_started_;
    finish(http_reply{response.result_int(), std::move(response.body()),
                      std::chrono::duration_cast<std::chrono::nanoseconds>(took).count()});
  }

  // A kept-alive connection may have been closed by the server while idle;
  // that is not the request's fault, so it gets one fresh connection.
  void retry_or_finish(beast::error_code ec) {
    const bool stale = reused_ && !retried_ && is_connection_loss(ec)
                       && !(parser_ && parser_->got_some());
    drop_connection();
    if (stale && std::chrono::steady_clock::now() < deadline_) {
      retried_ = true;
      reused_ = false;
      return resolve();
    }
    finish(classify(ec, transport_error::kind::closed, host_.host_header()));
  }

  void finish(transport_error error) { finish(http_outcome{fail(std::move(error))}); }

  void finish(http_outcome outcome) {
    if (!outcome.has_value())
      drop_connection();
    auto done = std::move(current_->done);
    current_.reset();
    parser_.reset();
    done(std::move(outcome));
    start_next();
  }

  void drop_connection() {
    connected_ = false;
    buffer_.consume(buffer_.size());
    if (stream_) {
      beast::error_code ignored;
      beast::get_lowest_layer(*stream_).socket().close(ignored);
    }
  }
};

} // namespace

rest_client::rest_client(asio::io_context& io, std::shared_ptr<tls_client_context> tls,
                         protocol::web_endpoint host, rest_options options) {
  if (host.tls)
    session_ = std::make_shared<rest_session<tls_stream>>(io, std::move(tls), std::move(host),
                                                          std::move(options));
  else
    session_ = std::make_shared<rest_session<plain_stream>>(io, std::move(tls), std::move(host),
                                                            std::move(options));
}

rest_client::~rest_client() {
  close();
}

void rest_client::get(std::string path, std::function<void(http_outcome)> done) {
  session_->get(std::move(path), std::move(done));
}

void rest_client::close() {
  session_->close();
}

} // namespace wlg::net
