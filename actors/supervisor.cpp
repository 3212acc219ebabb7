#include "actors/supervisor.hpp"

#include "actors/api_poller.hpp"
#include "actors/citus_membership.hpp"
#include "actors/docker_restarter.hpp"
#include "actors/engine_poller.hpp"
#include "actors/errors.hpp"
#include "actors/event_subscriber.hpp"
#include "actors/file_writer.hpp"
#include "actors/state_reconciler.hpp"
#include "protocol/endpoint.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

#include <array>
#include <deque>

namespace wlg::actors {

namespace {

using protocol::actor_role;
using clock = std::chrono::steady_clock;

constexpr auto first_restart_delay = std::chrono::milliseconds(50);
constexpr auto longest_restart_delay = std::chrono::milliseconds(2000);

class supervision {
public:
  supervision(supervisor_actor::pointer self, context_ptr ctx)
    : self_(self), ctx_(std::move(ctx)), log_(runtime::component_logger("supervisor")) {}

  void start_all() {
    if (citus()) {
      spawn(actor_role::citus_membership, false);
    } else {
      spawn(actor_role::docker_restarter, false);
      spawn(actor_role::file_writer, false);
    }
    spawn(actor_role::api_poller, false);
    spawn(actor_role::state_reconciler, false);
    if (!ctx_->config.once)
      spawn(actor_role::event_subscriber, false);
    self_->send(poller_, peers_atom::value, reconciler());
  }

  void on_down(const caf::down_msg& down) {
    if (stopping_)
      return;
    for (std::size_t i = 0; i < protocol::actor_role_count; ++i) {
      const auto role = static_cast<actor_role>(i);
      if (address_of(role) == down.source)
        return role == actor_role::state_reconciler && ctx_->config.once && once_finished(down.reason)
                 ? stop_all(down.reason)
                 : restart_later(role, down.reason);
    }
  }

  void respawn(actor_role role) {
    if (stopping_)
      return;
    spawn(role, true);
    // Tell the others where the new one is.
    switch (role) {
      case actor_role::state_reconciler:
        self_->send(poller_, peers_atom::value, reconciler());
        if (subscriber_)
          self_->send(subscriber_, peers_atom::value, reconciler());
        break;
      case actor_role::api_poller:
      case actor_role::file_writer:
      case actor_role::citus_membership:
        self_->send(reconciler_, peers_atom::value, caf::actor_cast<fetcher_actor>(poller_), output());
        break;
      case actor_role::docker_restarter:
        self_->send(writer_, peers_atom::value, caf::actor_cast<signaller_actor>(restarter_));
        break;
      case actor_role::event_subscriber: break;
    }
  }

  void forward(const sync_request& sync) {
    if (reconciler_)
      self_->send(reconciler_, resync_atom::value, sync);
  }

  void stop_all(const caf::error& reason) {
    stopping_ = true;
    for (std::size_t i = 0; i < protocol::actor_role_count; ++i)
      if (auto addr = address_of(static_cast<actor_role>(i)))
        self_->send_exit(addr, caf::exit_reason::user_shutdown);
    self_->quit(reason);
  }

private:
  reconciler_actor reconciler() const { return caf::actor_cast<reconciler_actor>(reconciler_); }
  bool citus() const { return ctx_->config.target == config::output_target::citus; }
  output_actor output() const {
    return citus() ? caf::actor_cast<output_actor>(membership_) : caf::actor_cast<output_actor>(writer_);
  }

  // `restarted`: replacing one that died.
  void spawn(actor_role role, bool restarted) {
    switch (role) {
      case actor_role::file_writer:
        // Detached: its fsync blocks a thread of its own, not the scheduler's.
        // A restarted writer reloads the master after its first write, since
        // it cannot know whether its predecessor's last write was signalled.
        writer_ = ctx_->detach_blocking_actors
                    ? self_->spawn<caf::detached>(file_writer, ctx_, caf::actor_cast<signaller_actor>(restarter_),
                                                  restarted && !ctx_->config.once)
                    : self_->spawn(file_writer, ctx_, caf::actor_cast<signaller_actor>(restarter_),
                                   restarted && !ctx_->config.once);
        break;
      case actor_role::docker_restarter:
        restarter_ = self_->spawn(docker_restarter, ctx_);
        break;
      case actor_role::citus_membership:
        membership_ = self_->spawn(citus_membership, ctx_);
        break;
      case actor_role::api_poller:
        poller_ = ctx_->config.source == config::event_source::engine
                    ? self_->spawn(engine_poller, ctx_, reconciler())
                    : self_->spawn(api_poller, ctx_, reconciler());
        break;
      case actor_role::state_reconciler:
        // The first sync reloads the master: at start-up, as the original
        // did, and after a restart, since a new reconciler cannot know
        // whether its predecessor's last change was signalled.
        reconciler_ = self_->spawn(state_reconciler, ctx_,
                                   reconciler_peers{caf::actor_cast<fetcher_actor>(poller_), output()},
                                   !ctx_->config.once);
        break;
      case actor_role::event_subscriber:
        subscriber_ = self_->spawn(event_subscriber, ctx_, reconciler());
        break;
    }
    self_->monitor(address_of(role));
  }

  // --once ends when the reconciler quits normally or with once_failed.
  static bool once_finished(const caf::error& reason) {
    return !reason || is(reason, sync_error::once_failed);
  }

  caf::actor_addr address_of(actor_role role) const {
    switch (role) {
      case actor_role::event_subscriber: return subscriber_.address();
      case actor_role::api_poller: return poller_.address();
      case actor_role::state_reconciler: return reconciler_.address();
      case actor_role::file_writer: return writer_.address();
      case actor_role::docker_restarter: return restarter_.address();
      case actor_role::citus_membership: return membership_.address();
    }
    return {};
  }

  void restart_later(actor_role role, const caf::error& reason) {
    const auto name = protocol::name_of(role);
    auto& times = restarts_[protocol::index_of(role)];
    const auto now = clock::now();
    while (!times.empty() && now - times.front() > ctx_->config.restart_window)
      times.pop_front();
    times.push_back(now);
    const auto total = ++ctx_->metrics->actor_restarts[protocol::index_of(role)];
    if (times.size() > static_cast<std::size_t>(ctx_->config.max_restarts)) {
      const auto why = std::string{name} + " died " + std::to_string(times.size()) + " times within "
                       + protocol::format_duration(ctx_->config.restart_window) + ", last because "
                       + describe(reason);
      log_->critical("giving up: {}", why);
      return stop_all(make_error(sync_error::gave_up, why));
    }
    auto delay = first_restart_delay;
    for (std::size_t i = 1; i < times.size() && delay < longest_restart_delay; ++i)
      delay *= 2;
    delay = std::min(delay, longest_restart_delay);
    log_->warn("{} died ({}); restarting it in {} ms (restart {} in total, {} within {})", name,
               describe(reason), delay.count(), total, times.size(),
               protocol::format_duration(ctx_->config.restart_window));
    self_->delayed_send(self_, delay, internal_atom::value, respawn_atom::value, role);
  }

  supervisor_actor::pointer self_;
  context_ptr ctx_;
  std::shared_ptr<spdlog::logger> log_;
  event_subscriber_actor subscriber_;
  api_poller_actor poller_;
  state_reconciler_actor reconciler_;
  file_writer_actor writer_;
  docker_restarter_actor restarter_;
  citus_membership_actor membership_;
  std::array<std::deque<clock::time_point>, protocol::actor_role_count> restarts_;
  bool stopping_ = false;
};

} // namespace

supervisor_actor::behavior_type supervisor(supervisor_actor::pointer self, context_ptr ctx) {
  auto sup = std::make_shared<supervision>(self, ctx);
  self->set_down_handler([sup](caf::down_msg& down) { sup->on_down(down); });
  self->set_exit_handler([sup](caf::exit_msg& exit) { sup->stop_all(exit.reason); });
  sup->start_all();
  return {
    [=](resync_atom, const sync_request& sync) { sup->forward(sync); },
    [=](internal_atom, respawn_atom, actor_role role) { sup->respawn(role); },
  };
}

} // namespace wlg::actors
