#include "actors/engine_poller.hpp"

#include "actors/errors.hpp"
#include "actors/engine_conversation.hpp"
#include "actors/exchanges.hpp"
#include "protocol/engine_events.hpp"
#include "protocol/limits.hpp"
#include "protocol/worker_name.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

namespace wlg::actors {

namespace {

constexpr auto role = config::actor_role::engine_poller;

enum class step { idle, list, inspect };

// One fetch: [GET /version once] -> GET /containers/json -> [GET
// /containers/{id}/json per worker, for --worker-name=hostname].
class worker_listing {
public:
  worker_listing(poller_actor::pointer self, context_ptr ctx)
    : self_(self), ctx_(std::move(ctx)),
      log_(runtime::component_logger(std::string{config::name_of(role)})),
      engine_(ctx_, protocol::limits::max_engine_document_bytes, caf::actor_cast<http_outcome_handlers>(self_), log_),
      labels_(protocol::worker_labels(ctx_->config.worker_label_key, ctx_->config.worker_label_value,
                                       ctx_->config.stack_name)) {}

  void fetch(caf::typed_response_promise<protocol::worker_set> promise) {
    if (!waiting_.add(std::move(promise)))
      return; // the listing in flight answers them all
    ++ctx_->metrics->fetches;
    at_ = step::list;
    engine_.send("GET", [this](const std::string& prefix) { return protocol::container_list_target(prefix, labels_); });
  }

  // `failure_code` classifies a failure: the engine refused (no usable
  // version), or it could not be reached (transport, timeout).
  void on_outcome(const engine_conversation::outcome& outcome, sync_error failure_code) {
    if (at_ == step::idle)
      return;
    if (outcome.failure)
      return answer(make_error(failure_code, *outcome.failure));
    if (!outcome.reply)
      return;
    switch (at_) {
      case step::list: return on_list(*outcome.reply);
      case step::inspect: return on_inspect(*outcome.reply);
      case step::idle: return;
    }
  }

  engine_conversation& engine() { return engine_; }

private:
  void on_list(const net::http_reply& reply) {
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
    at_ = step::inspect;
    const auto id = containers_[next_].id;
    engine_.send("GET", [id](const std::string& prefix) { return protocol::container_inspect_target(prefix, id); });
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
    ctx_->metrics->names_refused += named.refused.size();
    for (const auto& refused : named.refused)
      log_->warn("ignoring worker '{}': {}", refused.excerpt, refused.reason);
    containers_.clear();
    if (protocol::every_name_refused(named))
      return answer(make_error(sync_error::names_refused,
                               "none of the " + std::to_string(named.refused.size())
                                 + " worker container(s) has a name --worker-name can use"));
    answer(std::move(named.workers));
  }

  template <class T>
  void answer(T&& outcome) {
    at_ = step::idle;
    engine_.abandon();
    waiting_.answer(std::forward<T>(outcome), *ctx_->metrics);
  }

  poller_actor::pointer self_;
  context_ptr ctx_;
  std::shared_ptr<spdlog::logger> log_;
  engine_conversation engine_;
  std::vector<std::string> labels_;
  protocol::container_list_parser parser_;
  std::vector<protocol::engine_container> containers_;
  std::size_t next_ = 0;
  step at_ = step::idle;
  fetch_waiters waiting_;
};

} // namespace

poller_actor::behavior_type engine_poller(poller_actor::pointer self, context_ptr ctx) {
  return engine_poller_behavior(self, ctx, role, std::make_shared<worker_listing>(self, ctx));
}

} // namespace wlg::actors
