#include "actors/docker_restarter.hpp"

#include "actors/engine_conversation.hpp"
#include "actors/errors.hpp"
#include "actors/guarded.hpp"
#include "protocol/engine_api.hpp"
#include "protocol/engine_events.hpp"
#include "protocol/worker_name.hpp"
#include "runtime/dry_run_output.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"


namespace wlg::actors {

namespace {

constexpr auto role = config::actor_role::docker_restarter;
using machine = policy::signal_machine;

std::string display_name(const protocol::engine_container& c) {
  std::string name = c.names.empty() ? c.id.substr(0, 12) : c.names.front();
  if (!name.empty() && name.front() == '/')
    name.erase(0, 1);
  return protocol::printable_excerpt(name);
}

// Carries out the machine's commands over the Engine API.
class signal_runs {
public:
  signal_runs(docker_restarter_actor::pointer self, context_ptr ctx, machine::options options)
    : self_(self), ctx_(std::move(ctx)), log_(runtime::component_logger(std::string{config::name_of(role)})),
      engine_(ctx_, net::engine_options{}.body_limit, caf::actor_cast<http_outcome_handlers>(self_), log_),
      machine_(options) {
    labels_ = protocol::master_labels(ctx_->config.source == config::event_source::swarm, ctx_->config.stack_name,
                                      ctx_->config.citus_service_name);
    if (ctx_->config.stack_name.empty())
      log_->warn("DOCKERCLOUD_STACK_NAME is not set: signalling every container labelled {}, whatever its stack",
                 labels_.back());
  }

  void request(caf::typed_response_promise<signal_report> promise) {
    waiting_.push_back(std::move(promise));
    run(machine_.on_request());
  }

  void on_retry() { run(machine_.on_retry()); }

  void on_outcome(const engine_conversation::outcome& outcome) {
    if (outcome.failure)
      return failed(*outcome.failure);
    if (!outcome.reply)
      return;
    if (listing_)
      return listed(*outcome.reply);
    signalled(*outcome.reply);
  }

  engine_conversation& engine() { return engine_; }

private:
  void run(const machine::commands& commands) {
    for (const auto& command : commands)
      std::visit([this](const auto& c) { carry_out(c); }, command);
  }

  void carry_out(const machine::list&) {
    listing_ = true;
    engine_.send("GET", [this](const std::string& prefix) { return protocol::container_list_target(prefix, labels_); });
  }

  void carry_out(const machine::signal_one& s) {
    listing_ = false;
    signalling_ = s.target.name;
    engine_.send("POST", [this, id = s.target.id](const std::string& prefix) {
      return protocol::container_kill_target(prefix, id, ctx_->config.signal);
    });
  }

  void carry_out(const machine::show& s) {
    std::vector<std::string> names;
    for (const auto& target : s.targets)
      names.push_back(target.name + " " + target.id.substr(0, 12));
    runtime::print_would_signal(ctx_->config.signal, names);
  }

  void carry_out(const machine::answer& a) {
    ctx_->metrics->signals_sent += a.delivered;
    for (auto& promise : std::exchange(waiting_, {}))
      promise.deliver(signal_report{a.delivered});
  }

  void carry_out(const machine::fail& f) {
    log_->error("signal not delivered: {}", f.why);
    for (auto& promise : std::exchange(waiting_, {}))
      promise.deliver(make_error(sync_error::engine_refused, f.why));
  }

  void carry_out(const machine::retry_later& r) {
    log_->warn("signal not delivered: {}; retrying in {} ms", r.why,
               std::chrono::duration_cast<std::chrono::milliseconds>(r.delay).count());
    self_->delayed_send(self_, r.delay, internal_atom::value, retry_atom::value);
  }

  void carry_out(const machine::nothing_to_signal&) {
    std::string labels;
    for (const auto& l : labels_)
      labels += (labels.empty() ? "" : " and ") + l;
    log_->warn("no running container is labelled {}; nothing to signal", labels);
  }

  void carry_out(const machine::skipped& s) {
    ++ctx_->metrics->signals_skipped;
    if (s.why == policy::signal_result::gone)
      log_->info("{} disappeared before it could be signalled", s.target.name);
    else
      log_->info("{} is not running; not signalled", s.target.name);
  }

  void carry_out(const machine::delivered_to& d) { log_->info("sent {} to {}", ctx_->config.signal, d.target.name); }

  void listed(const net::http_reply& reply) {
    if (reply.status != 200)
      return failed("listing containers answered HTTP " + std::to_string(reply.status) + ": "
                    + protocol::printable_excerpt(reply.body));
    auto listed = parser_.parse(reply.body);
    if (!listed)
      return failed("container list: " + protocol::describe(listed.error()));
    std::vector<policy::signal_target> targets;
    for (const auto& container : *listed)
      targets.push_back({container.id, display_name(container)});
    run(machine_.on_listed(std::move(targets)));
  }

  void signalled(const net::http_reply& reply) {
    switch (reply.status) {
      case 200:
      case 204: return run(machine_.on_signalled(policy::signal_result::delivered));
      case 404: return run(machine_.on_signalled(policy::signal_result::gone));
      case 409: return run(machine_.on_signalled(policy::signal_result::not_running));
      default:
        failed("signalling " + signalling_ + " answered HTTP " + std::to_string(reply.status) + ": "
               + protocol::printable_excerpt(reply.body));
    }
  }

  void failed(const std::string& why) {
    engine_.abandon();
    ++ctx_->metrics->signals_failed;
    run(machine_.on_failed(why));
  }

  docker_restarter_actor::pointer self_;
  context_ptr ctx_;
  std::shared_ptr<spdlog::logger> log_;
  engine_conversation engine_;
  machine machine_;
  std::vector<std::string> labels_;
  protocol::container_list_parser parser_;
  std::vector<caf::typed_response_promise<signal_report>> waiting_;
  bool listing_ = false;    // the request under way lists (or else signals)
  std::string signalling_; // the container it signals
};

} // namespace

docker_restarter_actor::behavior_type docker_restarter(docker_restarter_actor::pointer self, context_ptr ctx,
                                                       policy::signal_machine::options options) {
  end_on_exception(self, role);
  auto runs = std::make_shared<signal_runs>(self, ctx, options);
  return guarded_behavior<docker_restarter_actor>(
    ctx->faults, role,
    [=](signal_atom) -> caf::result<signal_report> {
      auto promise = self->make_response_promise<signal_report>();
      runs->request(promise);
      return promise;
    },
    [=](internal_atom, reply_atom, std::uint64_t exchange, const net::http_reply& reply) {
      runs->on_outcome(runs->engine().on_reply(exchange, reply));
    },
    [=](internal_atom, reply_atom, std::uint64_t exchange, const net::transport_error& error) {
      runs->on_outcome(runs->engine().on_failure(exchange, error));
    },
    [=](internal_atom, retry_atom) { runs->on_retry(); });
}

} // namespace wlg::actors
