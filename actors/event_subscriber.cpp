#include "actors/event_subscriber.hpp"

#include "actors/event_feeds.hpp"
#include "actors/frame_inbox.hpp"
#include "actors/guarded.hpp"
#include "actors/weak_mailbox.hpp"
#include "policy/backoff.hpp"
#include "protocol/worker_name.hpp"
#include "runtime/clock_readings.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"


namespace wlg::actors {

namespace {

constexpr auto role = config::actor_role::event_subscriber;
using clock = std::chrono::steady_clock;

// A connection that stayed up this long was healthy: the next failure starts
// the back-off from the beginning again.
constexpr auto healthy_connection = std::chrono::seconds(10);
constexpr std::size_t credit_batch = 32;
constexpr std::size_t credit_window = 8 * credit_batch;

class subscription {
public:
  subscription(event_subscriber_actor::pointer self, context_ptr ctx, reconciler_actor reconciler)
    : self_(self), ctx_(std::move(ctx)), reconciler_(std::move(reconciler)),
      log_(runtime::component_logger(std::string{config::name_of(role)})),
      feed_(make_event_feed(ctx_)),
      backoff_(ctx_->config.backoff_initial, ctx_->config.backoff_max),
      auth_backoff_(ctx_->config.auth_retry, ctx_->config.auth_retry * 10) {}

  void connect() {
    const auto session = ++session_;
    const weak_mailbox me{caf::actor_cast<event_subscriber_actor>(self_)};
    inbox_ = std::make_shared<frame_inbox>();
    log_->debug("connecting to {}", feed_->where());
    stream_ = feed_->open(
      net::stream_handlers{
        [me, session] { me.send(internal_atom::value, connected_atom::value, session); },
        [inbox = inbox_](std::string text) { inbox->put({false, std::move(text), 0}); },
        [inbox = inbox_](std::size_t bytes) { inbox->put({true, {}, bytes}); },
        [me, session, inbox = inbox_] {
          if (inbox->needs_wake())
            me.send(internal_atom::value, frame_atom::value, session);
        },
        [me, session](net::stream_failure failure) {
          me.send(internal_atom::value, closed_atom::value, session, std::move(failure));
        }},
      credit_window);
  }

  void on_connected(std::uint64_t session) {
    if (session != session_)
      return;
    connected_at_ = clock::now();
    ++ctx_->metrics->stream_connects;
    ctx_->metrics->stream_connected = true;
    ctx_->metrics->stream_trouble.clear();
    log_->info("connected to {}", feed_->where());
    if (reconciler_)
      caf::anon_send(reconciler_, resync_atom::value, sync_request{sync_reason::stream_connected, false});
  }

  // Judges every frame in the session's inbox, then hands the reconciler the
  // relevant ones as one message.
  void on_frames(std::uint64_t session) {
    if (session != session_ || !inbox_)
      return;
    inbox_->take(frames_);
    relevant_events relevant;
    const runtime::held_lines one_write; // a burst's lines, each still its own line
    for (const auto& frame : frames_) {
      if (frame.binary) {
        on_binary(frame.bytes);
      } else if (on_frame(frame.text)) {
        if (relevant.count == 0)
          relevant.first_received_ns = runtime::steady_now_ns();
        ++relevant.count;
      }
    }
    frames_.clear();
    if (relevant.count > 0 && reconciler_)
      caf::anon_send(reconciler_, event_atom::value, relevant);
  }

  void on_closed(std::uint64_t session, const net::stream_failure& failure) {
    if (session != session_)
      return;
    stream_.reset();
    inbox_.reset();
    ++ctx_->metrics->stream_failures[net::index_of(failure.what)];
    ctx_->metrics->stream_trouble.report("cannot reach " + feed_->where() + ": " + net::describe(failure));
    const bool was_connected = ctx_->metrics->stream_connected.exchange(false);
    if (was_connected)
      ++ctx_->metrics->stream_reconnects; // a refused or failed attempt is not a lost connection
    std::chrono::milliseconds delay;
    if (failure.what == net::stream_failure::kind::unauthorized) {
      delay = auth_backoff_.next();
      log_->error("the event stream refused the credentials (HTTP 401): DOCKERCLOUD_AUTH is not"
                  " accepted; trying again in {} ms",
                  delay.count());
    } else {
      if (was_connected && clock::now() - connected_at_ >= healthy_connection)
        backoff_.reset();
      delay = backoff_.next();
      log_->warn("event stream {}: {}; reconnecting in {} ms (attempt {})",
                 was_connected ? "lost" : "unavailable", net::describe(failure), delay.count(),
                 backoff_.attempts());
    }
    self_->delayed_send(self_, delay, internal_atom::value, retry_atom::value);
  }

  void set_reconciler(reconciler_actor reconciler) { reconciler_ = std::move(reconciler); }

  void close() {
    ctx_->metrics->stream_connected = false;
    if (stream_)
      stream_->stop();
    stream_.reset();
  }

private:
  // One text frame judged: true when it is a relevant event.
  bool on_frame(const std::string& text) {
    ++ctx_->metrics->events_received;
    give_credit();
    if (log_->should_log(spdlog::level::debug))
      log_->debug("frame: {}", protocol::printable_excerpt(text, 512));
    const auto verdict = feed_->judge(text);
    switch (verdict.what) {
      case feed_verdict::kind::malformed:
        ++ctx_->metrics->events_malformed;
        runtime::warn_repeatable(*log_, malformed_, verdict.summary,
                                 "ignoring a malformed event (" + verdict.summary
                                   + "): " + protocol::printable_excerpt(text));
        return false;
      case feed_verdict::kind::irrelevant:
        log_->debug("event {}: not relevant", verdict.summary);
        return false;
      case feed_verdict::kind::unknown:
        log_->info("ignoring an event of unknown type: {}", verdict.summary);
        return false;
      case feed_verdict::kind::relevant: break;
    }
    log_->info("event {}", verdict.summary);
    return true;
  }

  void on_binary(std::size_t bytes) {
    ++ctx_->metrics->events_received;
    ++ctx_->metrics->events_malformed;
    give_credit();
    runtime::warn_repeatable(*log_, malformed_, "binary",
                             "ignoring a binary frame or an over-long line of " + std::to_string(bytes) + " bytes");
  }

  // Reading pauses when this actor falls behind; credit goes back in batches.
  void give_credit() {
    if (++ungranted_ < credit_batch || !stream_)
      return;
    stream_->grant(ungranted_);
    ungranted_ = 0;
  }

  event_subscriber_actor::pointer self_;
  context_ptr ctx_;
  reconciler_actor reconciler_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<event_feed> feed_;
  policy::backoff backoff_;
  policy::backoff auth_backoff_;
  std::shared_ptr<net::event_stream> stream_;
  std::shared_ptr<frame_inbox> inbox_; // the current session's
  std::vector<inbound_frame> frames_;  // taken from it, being judged
  policy::warning_repeats malformed_; // by the kind of fault, not the frame: logged once a minute
  std::uint64_t session_ = 0;
  std::size_t ungranted_ = 0;
  clock::time_point connected_at_{};
};

} // namespace

event_subscriber_actor::behavior_type event_subscriber(event_subscriber_actor::pointer self,
                                                       context_ptr ctx,
                                                       reconciler_actor reconciler) {
  end_on_exception(self, role);
  auto sub = std::make_shared<subscription>(self, ctx, std::move(reconciler));
  self->attach_functor([sub] { sub->close(); });
  sub->connect();
  return guarded_behavior<event_subscriber_actor>(
    ctx->faults, role,
    [=](peers_atom, const reconciler_actor& reconciler) { sub->set_reconciler(reconciler); },
    [=](internal_atom, connected_atom, std::uint64_t session) { sub->on_connected(session); },
    [=](internal_atom, frame_atom, std::uint64_t session) { sub->on_frames(session); },
    [=](internal_atom, closed_atom, std::uint64_t session, const net::stream_failure& failure) {
      sub->on_closed(session, failure);
    },
    [=](internal_atom, retry_atom) { sub->connect(); });
}

} // namespace wlg::actors
