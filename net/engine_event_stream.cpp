#include "net/engine_event_stream.hpp"

#include "net/beast_errors.hpp"
#include "net/beast_names.hpp"
#include "net/read_hold.hpp"
#include "protocol/engine_api.hpp"
#include "protocol/engine_events.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <array>
#include <optional>
#include <utility>

namespace wlg::net {

namespace {

constexpr std::size_t read_chunk_bytes = 64 * 1024;

// connect -> GET /version -> GET /events -> header -> body, chunk by chunk.
class engine_stream_session final : public event_stream,
                                    public std::enable_shared_from_this<engine_stream_session> {
  asio::io_context& io_;
  engine_stream_options options_;
  stream_handlers handlers_;
  unix_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::empty_body> request_;
  std::optional<http::response_parser<http::string_body>> version_parser_;
  std::optional<http::response_parser<http::buffer_body>> events_parser_;
  std::array<char, read_chunk_bytes> chunk_{};
  protocol::line_splitter lines_;
  std::vector<protocol::line_splitter::line> ready_;
  std::ptrdiff_t credits_; // below zero when one read held more lines than the credit left
  read_hold hold_;
  bool reading_paused_ = false;
  bool finished_ = false;

public:
  engine_stream_session(asio::io_context& io, engine_stream_options options, stream_handlers handlers)
    : io_(io), options_(std::move(options)), handlers_(std::move(handlers)), stream_(io),
      lines_(options_.max_line_bytes), credits_(static_cast<std::ptrdiff_t>(options_.credit_window)),
      hold_(io, options_.gate, options_.gate_limit) {}

  void run() {
    stream_.expires_after(options_.connect_timeout);
    stream_.async_connect(asio::local::stream_protocol::endpoint{options_.socket_path},
                          beast::bind_front_handler(&engine_stream_session::on_connect, shared_from_this()));
  }

  void grant(std::size_t frames) override {
    asio::post(io_, [self = shared_from_this(), frames] {
      self->credits_ += static_cast<std::ptrdiff_t>(frames);
      if (self->reading_paused_ && !self->finished_) {
        self->reading_paused_ = false;
        self->read_next();
      }
    });
  }

  void stop() override {
    asio::post(io_, [self = shared_from_this()] {
      self->handlers_ = {};
      self->finish({stream_failure::kind::closed, 0, "stopped"});
    });
  }

private:
  void on_connect(beast::error_code ec) {
    if (ec)
      return fail(stream_failure::kind::connect, ec, options_.socket_path);
    send("/version", &engine_stream_session::on_version_sent);
  }

  void on_version_sent(beast::error_code ec, std::size_t) {
    if (ec)
      return fail(stream_failure::kind::closed, ec, "GET /version");
    version_parser_.emplace();
    version_parser_->body_limit(64 * 1024);
    http::async_read(stream_, buffer_, *version_parser_,
                     beast::bind_front_handler(&engine_stream_session::on_version, shared_from_this()));
  }

  void on_version(beast::error_code ec, std::size_t) {
    if (ec)
      return fail(stream_failure::kind::closed, ec, "GET /version");
    const auto& answer = version_parser_->get();
    auto prefix = protocol::version_prefix_from(answer.result_int(), answer.body());
    if (!prefix)
      return finish({stream_failure::kind::refused, answer.result_int(), prefix.error()});
    send(options_.target ? options_.target(*prefix) : protocol::engine_events_target(*prefix),
         &engine_stream_session::on_events_sent);
  }

  void on_events_sent(beast::error_code ec, std::size_t) {
    if (ec)
      return fail(stream_failure::kind::closed, ec, "GET /events");
    events_parser_.emplace();
    events_parser_->body_limit(boost::none); // the stream never ends; lines are bounded instead
    http::async_read_header(stream_, buffer_, *events_parser_,
                            beast::bind_front_handler(&engine_stream_session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec)
      return fail(stream_failure::kind::closed, ec, "GET /events");
    const unsigned status = events_parser_->get().result_int();
    if (status != 200)
      return finish({stream_failure::kind::refused, status, "GET /events answered HTTP " + std::to_string(status)});
    stream_.expires_never();
    if (handlers_.connected)
      handlers_.connected();
    read_next();
  }

  void read_next() {
    if (hold_.defer([self = shared_from_this()] { self->read_next(); }))
      return;
    auto& body = events_parser_->get().body();
    body.data = chunk_.data();
    body.size = chunk_.size();
    http::async_read_some(stream_, buffer_, *events_parser_,
                          beast::bind_front_handler(&engine_stream_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::need_buffer)
      ec = {};
    if (ec)
      return fail(stream_failure::kind::closed, ec, "the event stream");
    const std::size_t got = chunk_.size() - events_parser_->get().body().size;
    lines_.feed({chunk_.data(), got}, ready_);
    for (auto& line : ready_) {
      --credits_;
      if (line.too_long) {
        if (handlers_.binary_frame)
          handlers_.binary_frame(options_.max_line_bytes);
      } else if (handlers_.text_frame) {
        handlers_.text_frame(std::move(line.text));
      }
    }
    if (!ready_.empty() && handlers_.batch_end)
      handlers_.batch_end(); // the lines of one chunk are one batch
    ready_.clear();
    if (events_parser_->is_done())
      return finish({stream_failure::kind::closed, 0, "the engine ended the event stream"});
    if (credits_ > 0)
      read_next();
    else
      reading_paused_ = true;
  }

  using step = void (engine_stream_session::*)(beast::error_code, std::size_t);

  void send(const std::string& target, step next) {
    request_ = {};
    request_.version(11);
    request_.method(http::verb::get);
    request_.target(target);
    request_.set(http::field::host, "localhost");
    request_.set(http::field::user_agent, options_.user_agent);
    http::async_write(stream_, request_, beast::bind_front_handler(next, shared_from_this()));
  }

  void fail(stream_failure::kind kind, beast::error_code ec, const std::string& context) {
    finish(stream_failure_of(kind, ec, context));
  }

  void finish(stream_failure failure) {
    if (std::exchange(finished_, true))
      return;
    hold_.cancel();
    beast::error_code ignored;
    stream_.socket().close(ignored);
    report_closed(handlers_, std::move(failure));
  }
};

} // namespace

std::shared_ptr<event_stream> open_engine_event_stream(asio::io_context& io, engine_stream_options options,
                                                       stream_handlers handlers) {
  auto session = std::make_shared<engine_stream_session>(io, std::move(options), std::move(handlers));
  asio::post(io, [session] { session->run(); });
  return session;
}

} // namespace wlg::net
