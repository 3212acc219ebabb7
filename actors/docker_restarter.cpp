#include "actors/docker_restarter.hpp"

#include "actors/errors.hpp"
#include "actors/exchanges.hpp"
#include "actors/guarded.hpp"
#include "net/engine_client.hpp"
#include "protocol/backoff.hpp"
#include "protocol/engine_api.hpp"
#include "protocol/worker_name.hpp"
#include "runtime/dry_run_output.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

#include <random>

namespace wlg::actors {

namespace {

constexpr auto role = protocol::actor_role::docker_restarter;

enum class step { idle, version, list, kill };

struct restarter_state {
  restarter_state() = default;
  std::vector<caf::typed_response_promise<signal_report>> waiting;
  std::string version_prefix; // "/v1.41" once negotiated
  step at = step::idle;
  std::uint64_t exchange = 0; // id of the request in flight; older replies are stale
  std::vector<protocol::engine_container> targets;
  std::size_t next_target = 0;
  std::uint64_t delivered = 0;
  bool retry_scheduled = false;
};

// The restarter's work, as steps driven by replies from the Engine API.
class signal_run {
public:
  signal_run(docker_restarter_actor::pointer self, context_ptr ctx)
    : self_(self), ctx_(std::move(ctx)),
      log_(runtime::component_logger(std::string{protocol::name_of(role)})),
      backoff_(ctx_->config.backoff_initial, ctx_->config.backoff_max),
      rng_(std::random_device{}()) {
    options_.socket_path = ctx_->config.docker_socket;
    options_.timeout = ctx_->config.request_timeout;
    options_.user_agent = ctx_->user_agent;
    if (!ctx_->config.stack_name.empty())
      labels_.push_back("com.docker.compose.project=" + ctx_->config.stack_name);
    else
      log_->warn("DOCKERCLOUD_STACK_NAME is not set: signalling every container labelled"
                 " com.docker.compose.service={}, whatever its stack",
                 ctx_->config.citus_service_name);
    labels_.push_back("com.docker.compose.service=" + ctx_->config.citus_service_name);
  }

  restarter_state state;

  void request(caf::typed_response_promise<signal_report> promise) {
    state.waiting.push_back(std::move(promise));
    if (state.at == step::idle && !state.retry_scheduled)
      begin();
  }

  void retry() {
    state.retry_scheduled = false;
    if (state.at == step::idle && !state.waiting.empty())
      begin();
  }

  void on_reply(std::uint64_t exchange, const net::http_reply& reply) {
    if (exchange != state.exchange || state.at == step::idle)
      return;
    log_->debug("engine answered HTTP {} ({} bytes)", reply.status, reply.body.size());
    switch (state.at) {
      case step::version: return on_version(reply);
      case step::list: return on_list(reply);
      case step::kill: return on_kill(reply);
      case step::idle: return;
    }
  }

  void on_failure(std::uint64_t exchange, const net::transport_error& error) {
    if (exchange != state.exchange || state.at == step::idle)
      return;
    fail("cannot reach the Docker Engine API at " + ctx_->config.docker_socket + ": "
         + net::describe(error));
  }

private:
  void begin() {
    state.delivered = 0;
    state.targets.clear();
    state.next_target = 0;
    if (state.version_prefix.empty())
      send(step::version, "GET", "/version");
    else
      send(step::list, "GET", protocol::container_list_target(state.version_prefix, labels_));
  }

  void on_version(const net::http_reply& reply) {
    auto prefix = protocol::version_prefix_from(reply.status, reply.body);
    if (!prefix)
      return fail(prefix.error());
    state.version_prefix = *prefix;
    log_->info("Docker Engine API {}", state.version_prefix.substr(2));
    send(step::list, "GET", protocol::container_list_target(state.version_prefix, labels_));
  }

  void on_list(const net::http_reply& reply) {
    if (reply.status == 400)
      state.version_prefix.clear(); // the engine changed under us: negotiate again
    if (reply.status != 200)
      return fail("listing containers answered HTTP " + std::to_string(reply.status) + ": "
                  + protocol::printable_excerpt(reply.body));
    auto listed = parser_.parse(reply.body);
    if (!listed)
      return fail("container list: " + protocol::describe(listed.error()));
    state.targets = std::move(*listed);
    if (state.targets.empty()) {
      log_->warn("no running container is labelled {}; nothing to signal", join_labels());
      return complete();
    }
    if (ctx_->config.dry_run) {
      std::vector<std::string> names;
      for (const auto& target : state.targets)
        names.push_back(display_name(target) + " " + target.id.substr(0, 12));
      runtime::print_would_signal(ctx_->config.signal, names);
      return complete();
    }
    kill_next();
  }

  void on_kill(const net::http_reply& reply) {
    const auto& target = state.targets[state.next_target];
    const auto name = display_name(target);
    if (reply.status == 204 || reply.status == 200) {
      ++state.delivered;
      log_->info("sent {} to {}", ctx_->config.signal, name);
    } else if (reply.status == 404) {
      log_->info("{} disappeared before it could be signalled", name);
    } else if (reply.status == 409) {
      log_->info("{} is not running; not signalled", name);
    } else {
      return fail("signalling " + name + " answered HTTP " + std::to_string(reply.status) + ": "
                  + protocol::printable_excerpt(reply.body));
    }
    ++state.next_target;
    if (state.next_target < state.targets.size())
      return kill_next();
    complete();
  }

  void kill_next() {
    send(step::kill, "POST",
         protocol::container_kill_target(state.version_prefix, state.targets[state.next_target].id,
                                         ctx_->config.signal));
  }

  void send(step next, const char* method, std::string target) {
    state.at = next;
    const auto exchange = ++state.exchange;
    log_->debug("engine request: {} {}", method, target);
    net::send_engine_request(*ctx_->io, options_, {method, std::move(target)},
                             forward_outcome(caf::actor_cast<docker_restarter_actor>(self_), exchange));
  }

  void complete() {
    state.at = step::idle;
    backoff_.reset();
    ctx_->metrics->signals_sent += state.delivered;
    for (auto& promise : state.waiting)
      promise.deliver(signal_report{state.delivered});
    state.waiting.clear();
  }

  void fail(const std::string& why) {
    state.at = step::idle;
    ++ctx_->metrics->signals_failed;
    if (ctx_->config.once) {
      log_->error("signal not delivered: {}", why);
      for (auto& promise : state.waiting)
        promise.deliver(make_error(sync_error::engine_refused, why));
      state.waiting.clear();
      return;
    }
    const auto delay = backoff_.next(std::uniform_real_distribution<double>{0.0, 1.0}(rng_));
    log_->warn("signal not delivered: {}; retrying in {} ms", why, delay.count());
    state.retry_scheduled = true;
    self_->delayed_send(self_, delay, retry_atom::value);
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
  std::shared_ptr<spdlog::logger> log_;
  protocol::backoff backoff_;
  std::mt19937 rng_;
  net::engine_options options_;
  std::vector<std::string> labels_;
  protocol::container_list_parser parser_;
};

} // namespace

docker_restarter_actor::behavior_type docker_restarter(docker_restarter_actor::pointer self,
                                                       context_ptr ctx) {
  end_on_exception(self, role);
  auto run = std::make_shared<signal_run>(self, ctx);
  return {
    guarded(ctx->faults, role, [=](signal_atom) -> caf::result<signal_report> {
      auto promise = self->make_response_promise<signal_report>();
      run->request(promise);
      return promise;
    }),
    guarded(ctx->faults, role, [=](reply_atom, std::uint64_t exchange, const net::http_reply& reply) {
      run->on_reply(exchange, reply);
    }),
    guarded(ctx->faults, role, [=](reply_atom, std::uint64_t exchange, const net::transport_error& error) {
      run->on_failure(exchange, error);
    }),
    guarded(ctx->faults, role, [=](retry_atom) { run->retry(); }),
  };
}

} // namespace wlg::actors
