#include "actors/docker_restarter.hpp"

#include "actors/engine_conversation.hpp"
#include "actors/errors.hpp"
#include "actors/guarded.hpp"
#include "policy/backoff.hpp"
#include "protocol/engine_api.hpp"
#include "protocol/worker_name.hpp"
#include "runtime/dry_run_output.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

namespace wlg::actors {

namespace {

constexpr auto role = config::actor_role::docker_restarter;

enum class step { idle, list, kill };

// One signal run: list the master's containers, then kill each in turn.
// Everyone who asks while a run is under way is answered by it.
class signal_run {
public:
  signal_run(docker_restarter_actor::pointer self, context_ptr ctx, signal_options options)
    : self_(self), ctx_(std::move(ctx)), options_(options),
      log_(runtime::component_logger(std::string{config::name_of(role)})),
      engine_(ctx_, net::engine_options{}.body_limit, caf::actor_cast<http_outcome_handlers>(self_), log_),
      backoff_(ctx_->config.backoff_initial, ctx_->config.backoff_max) {
    if (!ctx_->config.stack_name.empty())
      labels_.push_back("com.docker.compose.project=" + ctx_->config.stack_name);
    else
      log_->warn("DOCKERCLOUD_STACK_NAME is not set: signalling every container labelled"
                 " com.docker.compose.service={}, whatever its stack",
                 ctx_->config.citus_service_name);
    labels_.push_back("com.docker.compose.service=" + ctx_->config.citus_service_name);
  }

  void request(caf::typed_response_promise<signal_report> promise) {
    waiting_.push_back(std::move(promise));
    if (at_ == step::idle && !retry_scheduled_)
      begin();
  }

  void retry() {
    retry_scheduled_ = false;
    if (at_ == step::idle && !waiting_.empty())
      begin();
  }

  void on_outcome(const engine_conversation::outcome& outcome) {
    if (outcome.failure)
      return fail(*outcome.failure);
    if (!outcome.reply)
      return;
    switch (at_) {
      case step::list: return on_list(*outcome.reply);
      case step::kill: return on_kill(*outcome.reply);
      case step::idle: return;
    }
  }

  engine_conversation& engine() { return engine_; }

private:
  void begin() {
    delivered_ = 0;
    targets_.clear();
    next_target_ = 0;
    at_ = step::list;
    engine_.send("GET", [this](const std::string& prefix) { return protocol::container_list_target(prefix, labels_); });
  }

  void on_list(const net::http_reply& reply) {
    if (reply.status != 200)
      return fail("listing containers answered HTTP " + std::to_string(reply.status) + ": "
                  + protocol::printable_excerpt(reply.body));
    auto listed = parser_.parse(reply.body);
    if (!listed)
      return fail("container list: " + protocol::describe(listed.error()));
    targets_ = std::move(*listed);
    if (targets_.empty()) {
      log_->warn("no running container is labelled {}; nothing to signal", join_labels());
      return complete();
    }
    if (options_.rehearse) {
      std::vector<std::string> names;
      for (const auto& target : targets_)
        names.push_back(display_name(target) + " " + target.id.substr(0, 12));
      runtime::print_would_signal(ctx_->config.signal, names);
      return complete();
    }
    kill_next();
  }

  void on_kill(const net::http_reply& reply) {
    const auto name = display_name(targets_[next_target_]);
    if (reply.status == 204 || reply.status == 200) {
      ++delivered_;
      log_->info("sent {} to {}", ctx_->config.signal, name);
    } else if (reply.status == 404) {
      ++ctx_->metrics->signals_skipped;
      log_->info("{} disappeared before it could be signalled", name);
    } else if (reply.status == 409) {
      ++ctx_->metrics->signals_skipped;
      log_->info("{} is not running; not signalled", name);
    } else {
      return fail("signalling " + name + " answered HTTP " + std::to_string(reply.status) + ": "
                  + protocol::printable_excerpt(reply.body));
    }
    if (++next_target_ < targets_.size())
      return kill_next();
    complete();
  }

  void kill_next() {
    at_ = step::kill;
    const auto id = targets_[next_target_].id;
    engine_.send("POST", [this, id](const std::string& prefix) {
      return protocol::container_kill_target(prefix, id, ctx_->config.signal);
    });
  }

  void complete() {
    at_ = step::idle;
    backoff_.reset();
    ctx_->metrics->signals_sent += delivered_;
    for (auto& promise : waiting_)
      promise.deliver(signal_report{delivered_});
    waiting_.clear();
  }

  void fail(const std::string& why) {
    at_ = step::idle;
    engine_.abandon();
    ++ctx_->metrics->signals_failed;
    if (options_.once) {
      log_->error("signal not delivered: {}", why);
      for (auto& promise : waiting_)
        promise.deliver(make_error(sync_error::engine_refused, why));
      waiting_.clear();
      return;
    }
    const auto delay = backoff_.next();
    log_->warn("signal not delivered: {}; retrying in {} ms", why, delay.count());
    retry_scheduled_ = true;
    self_->delayed_send(self_, delay, internal_atom::value, retry_atom::value);
  }

  std::string display_name(const protocol::engine_container& c) const {
    std::string name = c.names.empty() ? c.id.substr(0, 12) : c.names.front();
    if (!name.empty() && name.front() == '/')
      name.erase(0, 1);
    return protocol::printable_excerpt(name);
  }

  std::string join_labels() const {
    std::string out;
    for (const auto& l : labels_)
      out += (out.empty() ? "" : " and ") + l;
    return out;
  }

  docker_restarter_actor::pointer self_;
  context_ptr ctx_;
  signal_options options_;
  std::shared_ptr<spdlog::logger> log_;
  engine_conversation engine_;
  policy::backoff backoff_;
  std::vector<std::string> labels_;
  protocol::container_list_parser parser_;
  std::vector<caf::typed_response_promise<signal_report>> waiting_;
  step at_ = step::idle;
  std::vector<protocol::engine_container> targets_;
  std::size_t next_target_ = 0;
  std::uint64_t delivered_ = 0;
  bool retry_scheduled_ = false;
};

} // namespace

signal_options signal_options_of(const config::settings& config) {
  return {config.once, config.dry_run};
}

docker_restarter_actor::behavior_type docker_restarter(docker_restarter_actor::pointer self, context_ptr ctx,
                                                       signal_options options) {
  end_on_exception(self, role);
  auto run = std::make_shared<signal_run>(self, ctx, options);
  return guarded_behavior<docker_restarter_actor>(
    ctx->faults, role,
    [=](signal_atom) -> caf::result<signal_report> {
      auto promise = self->make_response_promise<signal_report>();
      run->request(promise);
      return promise;
    },
    [=](internal_atom, reply_atom, std::uint64_t exchange, const net::http_reply& reply) {
      run->on_outcome(run->engine().on_reply(exchange, reply));
    },
    [=](internal_atom, reply_atom, std::uint64_t exchange, const net::transport_error& error) {
      run->on_outcome(run->engine().on_failure(exchange, error));
    },
    [=](internal_atom, retry_atom) { run->retry(); });
}

} // namespace wlg::actors
