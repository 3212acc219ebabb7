#include "net/status_server.hpp"

#include "net/beast_names.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <list>
#include <optional>
#include <sys/resource.h>

namespace wlg::net {

namespace {

using clock = std::chrono::steady_clock;
constexpr std::size_t request_limit = 8 * 1024;
constexpr auto first_accept_retry = std::chrono::milliseconds(10);
constexpr auto last_accept_retry = std::chrono::milliseconds(1000);

// One client connection: read a request, answer it, repeat while kept alive.
// Each request must arrive within the deadline.
class status_session : public std::enable_shared_from_this<status_session> {
public:
  status_session(tcp::socket socket, std::shared_ptr<const status_handler> handler,
                 std::chrono::milliseconds deadline, std::function<void(status_session*)> on_closed)
    : stream_(std::move(socket)), handler_(std::move(handler)), deadline_(deadline),
      on_closed_(std::move(on_closed)) {}

  void run() { read_request(); }

  // Waiting for a request that has not (completely) arrived: may be evicted.
  bool waiting() const { return waiting_; }
  clock::time_point waiting_since() const { return waiting_since_; }

  void close() {
    if (closed_)
      return;
    closed_ = true;
    waiting_ = false;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
    if (on_closed_)
      std::exchange(on_closed_, {})(this);
  }

private:
  void read_request() {
    parser_.emplace();
    parser_->header_limit(request_limit);
    parser_->body_limit(request_limit);
    waiting_ = true;
    waiting_since_ = clock::now();
    stream_.expires_after(deadline_);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&status_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    waiting_ = false;
    if (ec || closed_)
      return close();
    const auto& request = parser_->get();
    auto answer = (*handler_)(request.method_string(), request.target());
    response_ = {};
    response_.version(11);
    response_.result(answer.status);
    response_.set(http::field::content_type, answer.content_type);
    response_.set(http::field::cache_control, "no-store");
    if (!answer.allow.empty())
      response_.set(http::field::allow, answer.allow);
    response_.body() = std::move(answer.body);
    response_.keep_alive(request.keep_alive());
    response_.prepare_payload();
    stream_.expires_after(deadline_);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&status_session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec || closed_ || !response_.keep_alive())
      return close();
    read_request();
  }

  beast::tcp_stream stream_;
  std::shared_ptr<const status_handler> handler_;
  std::chrono::milliseconds deadline_;
  std::function<void(status_session*)> on_closed_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  bool waiting_ = false;
  bool closed_ = false;
  clock::time_point waiting_since_{};
};

std::size_t descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return SIZE_MAX;
  return static_cast<std::size_t>(limit.rlim_cur);
}

} // namespace

std::size_t status_connection_cap(std::size_t max_connections, std::size_t descriptor_limit, std::size_t reserved) {
  const std::size_t room = descriptor_limit > reserved ? descriptor_limit - reserved : 0;
  return std::max<std::size_t>(1, std::min(max_connections, room));
}

struct status_server::listener : std::enable_shared_from_this<listener> {
  listener(asio::io_context& io, status_limits l, std::shared_ptr<const status_handler> h,
           std::function<void(const status_port_event&)> o)
    : acceptor(io), retry_timer(io), limits(l), handler(std::move(h)), observe(std::move(o)),
      cap(status_connection_cap(l.max_connections, descriptor_limit(), l.reserved_descriptors)) {}

  void accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open())
        return;
      if (ec)
        return self->accept_failed(ec);
      self->failures = 0;
      self->admit(std::move(socket));
      self->accept();
    });
  }

  // Out of descriptors (or memory): free one held by a connection that is
  // only waiting, and try again later rather than at once.
  void accept_failed(const beast::error_code& ec) {
    evict_oldest_waiting();
    const auto delay = std::min(last_accept_retry, first_accept_retry * (1 << std::min(failures, 7)));
    ++failures;
    tell({status_port_event::kind::accept_failed, sessions.size(), ec.message(), delay});
    retry_timer.expires_after(delay);
    retry_timer.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec && self->acceptor.is_open())
        self->accept();
    });
  }

  void admit(tcp::socket socket) {
    if (sessions.size() >= cap && !evict_oldest_waiting()) {
      beast::error_code ignored;
      socket.close(ignored); // every connection is being answered: the newcomer waits its turn elsewhere
      return;
    }
    std::weak_ptr<listener> weak = shared_from_this();
    auto session = std::make_shared<status_session>(std::move(socket), handler, limits.request_deadline,
                                                     [weak](status_session* s) {
                                                       if (auto self = weak.lock())
                                                         self->forget(s);
                                                     });
    sessions.push_back(session);
    tell({status_port_event::kind::opened, sessions.size(), {}, {}});
    session->run();
  }

  bool evict_oldest_waiting() {
    std::shared_ptr<status_session> oldest;
    for (const auto& s : sessions)
      if (s->waiting() && (!oldest || s->waiting_since() < oldest->waiting_since()))
        oldest = s;
    if (!oldest)
      return false;
    oldest->close();
    tell({status_port_event::kind::evicted, sessions.size(), {}, {}});
    return true;
  }

  void forget(status_session* s) {
    sessions.remove_if([s](const auto& held) { return held.get() == s; });
    tell({status_port_event::kind::closed, sessions.size(), {}, {}});
  }

  void stop() {
    beast::error_code ignored;
    acceptor.close(ignored);
    retry_timer.cancel();
    auto open = sessions; // close() removes each from the list
    for (const auto& s : open)
      s->close();
  }

  void tell(const status_port_event& event) const {
    if (observe)
      observe(event);
  }

  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  status_limits limits;
  std::shared_ptr<const status_handler> handler;
  std::function<void(const status_port_event&)> observe;
  std::size_t cap;
  std::list<std::shared_ptr<status_session>> sessions;
  int failures = 0;
};

result<std::unique_ptr<status_server>, std::string>
status_server::start(asio::io_context& io, const std::string& host, std::uint16_t port, status_limits limits,
                     status_handler handler, std::function<void(const status_port_event&)> observe) {
  beast::error_code ec;
  const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec)
    return fail("'" + host + "' is not an IP address");
  auto l = std::make_shared<listener>(io, limits, std::make_shared<const status_handler>(std::move(handler)),
                                      std::move(observe));
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

std::size_t status_server::connection_cap() const {
  return listener_->cap;
}

status_server::~status_server() {
  // Closed on the I/O thread, which owns the acceptor and the sessions.
  asio::post(listener_->acceptor.get_executor(), [l = listener_] { l->stop(); });
}

} // namespace wlg::net
