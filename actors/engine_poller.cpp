#include "actors/engine_poller.hpp"

#include "actors/errors.hpp"
#include "actors/exchanges.hpp"
#include "actors/guarded.hpp"
#include "actors/poll_timer.hpp"
#include "net/engine_client.hpp"
#include "protocol/engine_events.hpp"
#include "protocol/limits.hpp"
#include "protocol/worker_name.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

namespace wlg::actors {

namespace {

constexpr auto role = protocol::actor_role::api_poller;

enum class step { idle, version, list, inspect };

// One fetch: [GET /version once] -> GET /containers/json -> [GET
// /containers/{id}/json per worker, for --worker-name=hostname].
class worker_listing {
public:
  worker_listing(api_poller_actor::pointer self, context_ptr ctx, state_reconciler_actor reconciler)
    : self_(self), ctx_(std::move(ctx)), reconciler_(std::move(reconciler)),
      log_(runtime::component_logger(std::string{protocol::name_of(role)})),
      labels_(protocol::worker_labels(ctx_->config)) {
    options_.socket_path = ctx_->config.docker_socket;
    options_.timeout = ctx_->config.request_timeout;
    options_.body_limit = protocol::limits::max_engine_document_bytes;
    options_.user_agent = ctx_->user_agent;
  }

  void fetch(caf::typed_response_promise<protocol::worker_set> promise) {
    if (!waiting_.add(std::move(promise)))
      return; // the listing in flight answers them all
    ++ctx_->metrics->fetches;
    if (version_prefix_.empty())
      send(step::version, "/version");
    else
      list();
  }

  void on_reply(std::uint64_t exchange, const net::http_reply& reply) {
    if (exchange != exchange_ || at_ == step::idle)
      return;
    log_->debug("engine answered HTTP {} ({} bytes)", reply.status, reply.body.size());
    switch (at_) {
      case step::version: return on_version(reply);
      case step::list: return on_list(reply);
      case step::inspect: return on_inspect(reply);
      case step::idle: return;
    }
  }

  void on_failure(std::uint64_t exchange, const net::transport_error& error) {
    if (exchange != exchange_ || at_ == step::idle)
      return;
    const auto code = error.what == net::transport_error::kind::timeout ? sync_error::timeout : sync_error::transport;
    answer(make_error(code, ctx_->config.docker_socket + ": " + net::describe(error)));
  }

  void poll() { poll_now(self_, *ctx_, reconciler_); }

  void set_reconciler(state_reconciler_actor reconciler) { reconciler_ = std::move(reconciler); }

private:
  void on_version(const net::http_reply& reply) {
    auto prefix = protocol::version_prefix_from(reply.status, reply.body);
    if (!prefix)
      return answer(make_error(sync_error::engine_refused, prefix.error()));
    version_prefix_ = *prefix;
    list();
  }

  void list() { send(step::list, protocol::container_list_target(version_prefix_, labels_)); }

  void on_list(const net::http_reply& reply) {
    if (reply.status == 400)
      version_prefix_.clear(); // the engine changed under us: negotiate again
    if (reply.status != 200)
      return answer(make_error(sync_error::http_status, "listing the workers answered HTTP "
                                                          + std::to_string(reply.status) + ": "
                                                          + protocol::printable_excerpt(reply.body)));
    auto listed = parser_.parse(reply.body);
    if (!listed)
      return answer(make_error(sync_error::malformed_body, "container list: " + protocol::describe(listed.error())));
    containers_ = std::move(*listed);
    next_ = 0;
    if (ctx_->config.worker_name.what == protocol::worker_name_source::kind::hostname)
      return inspect_next();
    finish_listing();
  }

  // The hostname replaces the container's name before the names are checked.
  void inspect_next() {
    if (next_ == containers_.size())
      return finish_listing();
    send(step::inspect, protocol::container_inspect_target(version_prefix_, containers_[next_].id));
  }

  void on_inspect(const net::http_reply& reply) {
    auto& container = containers_[next_];
    if (reply.status == 404) { // gone since the list: not a worker any more
      container.names.clear();
      container.id.clear();
    } else if (reply.status != 200) {
      return answer(make_error(sync_error::http_status, "inspecting a worker answered HTTP "
                                                          + std::to_string(reply.status)));
    } else {
      auto hostname = protocol::parse_container_hostname(reply.body);
      if (!hostname)
        return answer(make_error(sync_error::malformed_body, "container: " + protocol::describe(hostname.error())));
      container.names = {std::move(*hostname)};
    }
    ++next_;
    inspect_next();
  }

  void finish_listing() {
    std::erase_if(containers_, [](const protocol::engine_container& c) { return c.id.empty(); });
    auto named = protocol::engine_worker_names(containers_, ctx_->config.worker_name);
    for (const auto& refused : named.refused)
      log_->warn("ignoring worker '{}': {}", refused.excerpt, refused.reason);
    containers_.clear();
    if (protocol::every_name_refused(named))
      return answer(make_error(sync_error::names_refused,
                               "none of the " + std::to_string(named.refused.size())
                                 + " worker container(s) has a name --worker-name can use"));
    answer(std::move(named.workers));
  }

  void send(step next, std::string target) {
    at_ = next;
    const auto exchange = ++exchange_;
    log_->debug("engine request: GET {}", target);
    net::send_engine_request(*ctx_->io, options_, {"GET", std::move(target)},
                             forward_outcome(caf::actor_cast<api_poller_actor>(self_), exchange));
  }

  template <class T>
  void answer(T&& outcome) {
    at_ = step::idle;
    waiting_.answer(std::forward<T>(outcome), *ctx_->metrics);
  }

  api_poller_actor::pointer self_;
  context_ptr ctx_;
  state_reconciler_actor reconciler_;
  std::shared_ptr<spdlog::logger> log_;
  std::vector<std::string> labels_;
  net::engine_options options_;
  protocol::container_list_parser parser_;
  std::string version_prefix_;
  std::vector<protocol::engine_container> containers_;
  std::size_t next_ = 0;
  step at_ = step::idle;
  std::uint64_t exchange_ = 0;
  fetch_waiters waiting_;
};

} // namespace

api_poller_actor::behavior_type engine_poller(api_poller_actor::pointer self, context_ptr ctx,
                                              state_reconciler_actor reconciler) {
  end_on_exception(self, role);
  auto listing = std::make_shared<worker_listing>(self, ctx, std::move(reconciler));
  schedule_poll(self, *ctx);
  return {
    guarded(ctx->faults, role, [=](fetch_atom) -> caf::result<protocol::worker_set> {
      auto promise = self->make_response_promise<protocol::worker_set>();
      listing->fetch(promise);
      return promise;
    }),
    guarded(ctx->faults, role, [=](peers_atom, const reconciler_ref& peer) { listing->set_reconciler(peer.handle); }),
    guarded(ctx->faults, role, [=](reply_atom, std::uint64_t exchange, const net::http_reply& reply) {
      listing->on_reply(exchange, reply);
    }),
    guarded(ctx->faults, role, [=](reply_atom, std::uint64_t exchange, const net::transport_error& error) {
      listing->on_failure(exchange, error);
    }),
    guarded(ctx->faults, role, [=](tick_atom) { listing->poll(); }),
  };
}

} // namespace wlg::actors
