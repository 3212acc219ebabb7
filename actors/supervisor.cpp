#include "actors/supervisor.hpp"

#include "actors/errors.hpp"
#include "actors/roles.hpp"
#include "config/role_selection.hpp"
#include "policy/backoff.hpp"
#include "config/values.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

#include <array>
#include <deque>
#include <optional>

namespace wlg::actors {

namespace {

using config::actor_role;

constexpr auto first_restart_delay = std::chrono::milliseconds(50);
constexpr auto longest_restart_delay = std::chrono::milliseconds(2000);

// A role's recent deaths, and the delay before its next restart.
struct restart_record {
  std::deque<caf::actor_clock::time_point> deaths; // within --restart-window
  policy::backoff delay{first_restart_delay, longest_restart_delay};
};

class supervision {
public:
  supervision(supervisor_actor::pointer self, context_ptr ctx)
    : self_(self), ctx_(std::move(ctx)), log_(runtime::component_logger("supervisor")) {}

  void start_all() {
    for (const auto& spec : role_table())
      if (config::runs_in(spec.role, ctx_->config))
        spawn(spec, false);
  }

  void on_down(const caf::down_msg& down) {
    if (stopping_)
      return;
    const auto role = role_of(down.source);
    if (!role)
      return;
    if (*role == actor_role::state_reconciler && ctx_->config.once && once_finished(down.reason))
      return stop_all(down.reason);
    restart_later(*role, down.reason);
  }

  void respawn(actor_role role) {
    if (stopping_)
      return;
    const auto& spec = spec_of(role);
    spawn(spec, true);
    spec.introduce(self_, crew_);
  }

  void forward(const sync_request& sync) {
    if (const auto reconciler = crew_.reconciler())
      self_->send(reconciler, resync_atom::value, sync);
  }

  void stop_all(const caf::error& reason) {
    stopping_ = true;
    for (const auto& spec : role_table())
      if (const auto& actor = crew_[spec.role])
        self_->send_exit(actor, caf::exit_reason::user_shutdown);
    self_->quit(reason);
  }

private:
  void spawn(const role_spec& spec, bool restarted) {
    crew_[spec.role] = spec.spawn(self_, ctx_, crew_, restarted);
    self_->monitor(crew_[spec.role]);
  }

  std::optional<actor_role> role_of(const caf::actor_addr& address) const {
    for (const auto& spec : role_table())
      if (crew_[spec.role] && crew_[spec.role].address() == address)
        return spec.role;
    return std::nullopt;
  }

  // --once ends when the reconciler quits normally or with once_failed.
  static bool once_finished(const caf::error& reason) {
    return !reason || is(reason, sync_error::once_failed);
  }

  // The delay doubles with each death within --restart-window (with jitter,
  // policy/backoff.hpp), on the actor system's clock.
  void restart_later(actor_role role, const caf::error& reason) {
    const auto name = config::name_of(role);
    auto& record = restarts_[config::index_of(role)];
    const auto now = self_->clock().now();
    while (!record.deaths.empty() && now - record.deaths.front() > ctx_->config.restart_window)
      record.deaths.pop_front();
    if (record.deaths.empty())
      record.delay.reset();
    record.deaths.push_back(now);
    const auto total = ++ctx_->metrics->actor_restarts[config::index_of(role)];
    if (record.deaths.size() > static_cast<std::size_t>(ctx_->config.max_restarts)) {
      const auto why = std::string{name} + " died " + std::to_string(record.deaths.size()) + " times within "
                       + config::format_duration(ctx_->config.restart_window) + ", last because "
                       + describe(reason);
      log_->critical("giving up: {}", why);
      return stop_all(make_error(sync_error::gave_up, why));
    }
    const auto delay = record.delay.next();
    log_->warn("{} died ({}); restarting it in {} ms (restart {} in total, {} within {})", name,
               describe(reason), delay.count(), total, record.deaths.size(),
               config::format_duration(ctx_->config.restart_window));
    self_->delayed_send(self_, delay, internal_atom::value, respawn_atom::value, role);
  }

  supervisor_actor::pointer self_;
  context_ptr ctx_;
  std::shared_ptr<spdlog::logger> log_;
  crew crew_;
  std::array<restart_record, config::actor_role_count> restarts_;
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
