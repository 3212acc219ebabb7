#include "net/cloud_event_stream.hpp"

#include "net/beast_errors.hpp"
#include "net/beast_names.hpp"
#include "net/read_hold.hpp"
#include "net/tls_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <cstdint>
#include <utility>

namespace wlg::net {

namespace websocket = beast::websocket;

namespace {

using plain_layer = beast::tcp_stream;

// Messages are read this much at a time, so one over the limit is noticed
// after at most limit + one chunk of memory.
constexpr std::size_t read_chunk_bytes = 64 * 1024;
using tls_layer = beast::ssl_stream<beast::tcp_stream>;

template <class NextLayer>
class event_stream_session final
  : public event_stream,
    public std::enable_shared_from_this<event_stream_session<NextLayer>> {
  static constexpr bool tls = std::is_same_v<NextLayer, tls_layer>;

  asio::io_context& io_;
  std::shared_ptr<tls_client_context> tls_context_; // outlives the stream below
  protocol::web_endpoint host_;
  stream_options options_;
  stream_handlers handlers_;
  tcp::resolver resolver_;
  websocket::stream<NextLayer> ws_;
  websocket::response_type upgrade_response_;
  beast::flat_buffer buffer_;
  asio::steady_timer ping_timer_;
  asio::steady_timer pong_timer_;
  read_hold hold_;
  std::size_t credits_;
  std::size_t batched_ = 0;     // frames handed over since the last batch_end
  std::uint64_t delivered_ = 0; // frames handed over in all
  bool batch_check_posted_ = false;
  bool reading_paused_ = false;
  bool ping_in_flight_ = false;
  bool awaiting_pong_ = false;
  bool finished_ = false;

public:
  event_stream_session(asio::io_context& io, std::shared_ptr<tls_client_context> tls_context,
                       protocol::web_endpoint host, stream_options options,
                       stream_handlers handlers)
    : io_(io), tls_context_(std::move(tls_context)), host_(std::move(host)),
      options_(std::move(options)), handlers_(std::move(handlers)), resolver_(io),
      ws_(make_layer(io)), ping_timer_(io), pong_timer_(io),
      hold_(io, options_.gate, options_.gate_limit), credits_(options_.credit_window) {}

  void run() {
    resolver_.async_resolve(host_.host, host_.port,
                            beast::bind_front_handler(&event_stream_session::on_resolve,
                                                      this->shared_from_this()));
  }

  void grant(std::size_t frames) override {
    asio::post(io_, [self = this->shared_from_this(), frames] {
      self->credits_ += frames;
      if (self->reading_paused_ && !self->finished_) {
        self->reading_paused_ = false;
        self->read_next();
      }
    });
  }

  void stop() override {
    asio::post(io_, [self = this->shared_from_this()] {
      self->handlers_ = {};
      self->finish({stream_failure::kind::closed, 0, "stopped"});
    });
  }

private:
  NextLayer make_layer(asio::io_context& io) {
    if constexpr (tls)
      return NextLayer(io, tls_context_->native());
    else
      return NextLayer(io);
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec)
      return fail(stream_failure::kind::resolve, ec, host_.host);
    beast::get_lowest_layer(ws_).expires_after(options_.connect_timeout);
    beast::get_lowest_layer(ws_).async_connect(
      results,
      beast::bind_front_handler(&event_stream_session::on_connect, this->shared_from_this()));
  }

  void on_connect(beast::error_code ec, tcp::resolver::results_type::endpoint_type) {
    if (ec)
      return fail(stream_failure::kind::connect, ec, host_.host_header());
    if constexpr (tls) {
      if (auto problem = expect_peer(ws_.next_layer().native_handle(), host_); !problem.empty())
        return finish({stream_failure::kind::tls, 0, problem});
      ws_.next_layer().async_handshake(
        asio::ssl::stream_base::client,
        beast::bind_front_handler(&event_stream_session::on_tls_handshake,
                                  this->shared_from_this()));
    } else {
      on_tls_handshake({});
    }
  }

  void on_tls_handshake(beast::error_code ec) {
    if (ec)
      return fail(stream_failure::kind::tls, ec, "TLS handshake with " + host_.host);
    // From here the WebSocket's own timeouts apply; pings are ours.
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = options_.connect_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
      [auth = options_.authorization, agent = options_.user_agent](websocket::request_type& req) {
        if (!auth.empty())
          req.set(http::field::authorization, auth);
        req.set(http::field::user_agent, agent);
      }));
    // The frame limit is enforced in on_read, chunk by chunk: Beast's own
    // limit would start a close handshake and report its outcome instead.
    ws_.read_message_max(0);
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::pong) {
        awaiting_pong_ = false;
        pong_timer_.cancel();
      }
    });
    ws_.async_handshake(upgrade_response_, host_.host_header(), options_.path,
                        beast::bind_front_handler(&event_stream_session::on_handshake,
                                                  this->shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    if (ec == websocket::error::upgrade_declined) {
      const unsigned status = upgrade_response_.result_int();
      return finish({status == 401 ? stream_failure::kind::unauthorized
                                   : stream_failure::kind::refused,
                     status, "HTTP " + std::to_string(status)});
    }
    if (ec)
      return fail(stream_failure::kind::closed, ec, "upgrade");
    if (handlers_.connected)
      handlers_.connected();
    schedule_ping();
    read_next();
  }

  void read_next() {
    if (hold_.defer([self = this->shared_from_this()] { self->read_next(); }))
      return;
    ws_.async_read_some(buffer_, read_chunk_bytes,
                        beast::bind_front_handler(&event_stream_session::on_read,
                                                  this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return fail(stream_failure::kind::closed, ec, "read");
    if (buffer_.size() > options_.max_frame_bytes)
      return finish({stream_failure::kind::too_large, 0,
                     "a message over " + std::to_string(options_.max_frame_bytes) + " bytes"});
    if (!ws_.is_message_done())
      return read_next();
    if (ws_.got_text()) {
      if (handlers_.text_frame)
        handlers_.text_frame(beast::buffers_to_string(buffer_.data()));
    } else if (handlers_.binary_frame) {
      handlers_.binary_frame(buffer_.size());
    }
    buffer_.consume(buffer_.size());
    ++delivered_;
    if (--credits_ > 0)
      read_next();
    else
      reading_paused_ = true;
    if (++batched_ >= frames_per_batch)
      end_batch();
    else
      check_batch_after(delivered_);
  }

  // A frame already in Beast's buffers completes its read through the
  // io_context's queue, ahead of this check: the batch ends when a turn of
  // the queue has handed over nothing more, i.e. the next read waits on the
  // network.
  void check_batch_after(std::uint64_t seen) {
    if (std::exchange(batch_check_posted_, true))
      return;
    asio::post(io_, [self = this->shared_from_this(), seen] {
      self->batch_check_posted_ = false;
      if (self->finished_ || self->batched_ == 0)
        return;
      if (self->delivered_ == seen)
        self->end_batch();
      else
        self->check_batch_after(self->delivered_);
    });
  }

  void end_batch() {
    batched_ = 0;
    if (handlers_.batch_end)
      handlers_.batch_end();
  }

  void schedule_ping() {
    ping_timer_.expires_after(options_.ping_interval);
    ping_timer_.async_wait(
      beast::bind_front_handler(&event_stream_session::on_ping_timer, this->shared_from_this()));
  }

  void on_ping_timer(beast::error_code ec) {
    if (ec || finished_)
      return;
    if (!ping_in_flight_) {
      ping_in_flight_ = true;
      ws_.async_ping({}, [self = this->shared_from_this()](beast::error_code) {
        self->ping_in_flight_ = false; // a broken connection shows up in on_read
      });
    }
    if (!awaiting_pong_) {
      awaiting_pong_ = true;
      pong_timer_.expires_after(options_.pong_timeout);
      pong_timer_.async_wait(beast::bind_front_handler(&event_stream_session::on_pong_timer,
                                                       this->shared_from_this()));
    }
    schedule_ping();
  }

  void on_pong_timer(beast::error_code ec) {
    if (ec || !awaiting_pong_)
      return;
    finish({stream_failure::kind::no_pong, 0,
            "no answer to a ping within " + std::to_string(options_.pong_timeout.count()) + " ms"});
  }

  void fail(stream_failure::kind kind, beast::error_code ec, const std::string& context) {
    finish(stream_failure_of(kind, ec, context));
  }

  void finish(stream_failure failure) {
    if (std::exchange(finished_, true))
      return;
    ping_timer_.cancel();
    pong_timer_.cancel();
    hold_.cancel();
    resolver_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    report_closed(handlers_, std::move(failure));
  }
};

} // namespace

std::shared_ptr<event_stream> open_cloud_event_stream(
  asio::io_context& io, std::shared_ptr<tls_client_context> tls, protocol::web_endpoint host,
  stream_options options, stream_handlers handlers) {
  if (host.tls) {
    auto session = std::make_shared<event_stream_session<tls_layer>>(
      io, std::move(tls), std::move(host), std::move(options), std::move(handlers));
    asio::post(io, [session] { session->run(); });
    return session;
  }
  auto session = std::make_shared<event_stream_session<plain_layer>>(
    io, std::move(tls), std::move(host), std::move(options), std::move(handlers));
  asio::post(io, [session] { session->run(); });
  return session;
}

} // namespace wlg::net
