#include "actors/event_subscriber.hpp"

#include "actors/guarded.hpp"
#include "protocol/backoff.hpp"
#include "protocol/cloud_event.hpp"
#include "protocol/limits.hpp"
#include "protocol/worker_name.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

#include <random>

namespace wlg::actors {

namespace {

constexpr auto role = protocol::actor_role::event_subscriber;
using clock = std::chrono::steady_clock;

// A connection that stayed up this long was healthy: the next failure starts
// the back-off from the beginning again.
constexpr auto healthy_connection = std::chrono::seconds(10);
constexpr std::size_t credit_batch = 32;

class subscription {
public:
  subscription(event_subscriber_actor::pointer self, context_ptr ctx, state_reconciler_actor reconciler)
    : self_(self), ctx_(std::move(ctx)), reconciler_(std::move(reconciler)),
      log_(runtime::component_logger(std::string{protocol::name_of(role)})),
      rule_(ctx_->config.service_api_uri),
      backoff_(ctx_->config.backoff_initial, ctx_->config.backoff_max),
      auth_backoff_(ctx_->config.auth_retry, ctx_->config.auth_retry * 10),
      rng_(std::random_device{}()) {}

  void connect() {
    const auto session = ++session_;
    auto me = caf::actor_cast<event_subscriber_actor>(self_);
    net::stream_options options;
    options.path = ctx_->config.stream_host.target(ctx_->config.events_path());
    options.authorization = ctx_->config.auth.reveal();
    options.user_agent = ctx_->user_agent;
    options.connect_timeout = ctx_->config.request_timeout;
    options.ping_interval = ctx_->config.ping_interval;
    options.pong_timeout = ctx_->config.pong_timeout;
    options.max_frame_bytes = protocol::limits::max_event_frame_bytes;
    options.credit_window = 8 * credit_batch;
    log_->debug("connecting to the event stream at {}{}", ctx_->config.stream_host.host_header(),
                options.path);
    stream_ = net::open_cloud_event_stream(
      *ctx_->io, ctx_->tls, ctx_->config.stream_host, std::move(options),
      net::stream_handlers{
        [me, session] { caf::anon_send(me, connected_atom::value, session); },
        [me, session](std::string text) {
          caf::anon_send(me, frame_atom::value, session, std::move(text));
        },
        [me, session](std::size_t bytes) {
          caf::anon_send(me, binary_atom::value, session, static_cast<std::uint64_t>(bytes));
        },
        [me, session](net::stream_failure failure) {
          caf::anon_send(me, closed_atom::value, session, std::move(failure));
        }});
  }

  void on_connected(std::uint64_t session) {
    if (session != session_)
      return;
    connected_at_ = clock::now();
    ++ctx_->metrics->stream_connects;
    ctx_->metrics->stream_connected = true;
    log_->info("connected to the event stream at {}", ctx_->config.stream_host.host_header());
    if (reconciler_)
      caf::anon_send(reconciler_, resync_atom::value, sync_request{sync_reason::stream_connected, false});
  }

  void on_frame(std::uint64_t session, const std::string& text) {
    if (session != session_)
      return;
    ++ctx_->metrics->events_received;
    give_credit();
    log_->debug("frame: {}", protocol::printable_excerpt(text, 512));
    auto parsed = parser_.parse(text);
    if (!parsed) {
      ++ctx_->metrics->events_malformed;
      log_->warn("ignoring a malformed event ({}): {}", protocol::describe(parsed.error()),
                 protocol::printable_excerpt(text));
      return;
    }
    const auto& event = **parsed;
    if (rule_.classify(event) == protocol::event_relevance::irrelevant) {
      log_->debug("event {} {} {}: not relevant", protocol::printable_excerpt(event.type),
                  protocol::printable_excerpt(event.state),
                  protocol::printable_excerpt(event.resource_uri));
      return;
    }
    ++ctx_->metrics->events_relevant;
    log_->info("event {} {} {}", protocol::printable_excerpt(event.type),
               protocol::printable_excerpt(event.state),
               protocol::printable_excerpt(event.resource_uri));
    if (reconciler_)
      caf::anon_send(reconciler_, event_atom::value,
                     cloud_change{std::string{event.type}, std::string{event.state},
                                  std::string{event.resource_uri},
                                  std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    clock::now().time_since_epoch())
                                    .count()});
  }

  void on_binary(std::uint64_t session, std::uint64_t bytes) {
    if (session != session_)
      return;
    ++ctx_->metrics->events_received;
    ++ctx_->metrics->events_malformed;
    give_credit();
    log_->warn("ignoring a binary frame of {} bytes", bytes);
  }

  void on_closed(std::uint64_t session, const net::stream_failure& failure) {
    if (session != session_)
      return;
    stream_.reset();
    const bool was_connected = ctx_->metrics->stream_connected.exchange(false);
    ++ctx_->metrics->stream_reconnects;
    std::chrono::milliseconds delay;
    if (failure.what == net::stream_failure::kind::unauthorized) {
      delay = auth_backoff_.next(random01());
      log_->error("the event stream refused the credentials (HTTP 401): DOCKERCLOUD_AUTH is not"
                  " accepted; trying again in {} ms",
                  delay.count());
    } else {
      if (was_connected && clock::now() - connected_at_ >= healthy_connection)
        backoff_.reset();
      delay = backoff_.next(random01());
      log_->warn("event stream {}: {}; reconnecting in {} ms (attempt {})",
                 was_connected ? "lost" : "unavailable", net::describe(failure), delay.count(),
                 backoff_.attempts());
    }
    self_->delayed_send(self_, delay, retry_atom::value);
  }

  void set_reconciler(state_reconciler_actor reconciler) { reconciler_ = std::move(reconciler); }

  void close() {
    ctx_->metrics->stream_connected = false;
    if (stream_)
      stream_->stop();
    stream_.reset();
  }

private:
  // Reading pauses when this actor falls behind; credit goes back in batches.
  void give_credit() {
    if (++ungranted_ < credit_batch || !stream_)
      return;
    stream_->grant(ungranted_);
    ungranted_ = 0;
  }

  double random01() { return std::uniform_real_distribution<double>{0.0, 1.0}(rng_); }

  event_subscriber_actor::pointer self_;
  context_ptr ctx_;
  state_reconciler_actor reconciler_;
  std::shared_ptr<spdlog::logger> log_;
  protocol::cloud_event_parser parser_;
  protocol::relevance_rule rule_;
  protocol::backoff backoff_;
  protocol::backoff auth_backoff_;
  std::shared_ptr<net::cloud_event_stream> stream_;
  std::uint64_t session_ = 0;
  std::size_t ungranted_ = 0;
  clock::time_point connected_at_{};
  std::mt19937 rng_;
};

} // namespace

event_subscriber_actor::behavior_type event_subscriber(event_subscriber_actor::pointer self,
                                                       context_ptr ctx,
                                                       state_reconciler_actor reconciler) {
  end_on_exception(self, role);
  auto sub = std::make_shared<subscription>(self, ctx, std::move(reconciler));
  self->attach_functor([sub] { sub->close(); });
  sub->connect();
  return {
    guarded(ctx->faults, role, [=](peers_atom, const reconciler_ref& peer) { sub->set_reconciler(peer.handle); }),
    guarded(ctx->faults, role, [=](connected_atom, std::uint64_t session) { sub->on_connected(session); }),
    guarded(ctx->faults, role, [=](frame_atom, std::uint64_t session, const std::string& text) {
      sub->on_frame(session, text);
    }),
    guarded(ctx->faults, role, [=](binary_atom, std::uint64_t session, std::uint64_t bytes) {
      sub->on_binary(session, bytes);
    }),
    guarded(ctx->faults, role, [=](closed_atom, std::uint64_t session, const net::stream_failure& failure) {
      sub->on_closed(session, failure);
    }),
    guarded(ctx->faults, role, [=](retry_atom) { sub->connect(); }),
  };
}

} // namespace wlg::actors
