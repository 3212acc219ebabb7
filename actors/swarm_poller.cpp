#include "actors/swarm_poller.hpp"

#include "actors/engine_conversation.hpp"
#include "actors/errors.hpp"
#include "actors/exchanges.hpp"
#include "protocol/limits.hpp"
#include "protocol/swarm_api.hpp"
#include "protocol/worker_name.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

namespace wlg::actors {

namespace {

constexpr auto role = config::actor_role::swarm_poller;

enum class step { idle, services, tasks };

// One fetch: [GET /version once] -> GET /services (labelled) -> GET /tasks
// of those services.
class task_listing {
public:
  task_listing(poller_actor::pointer self, context_ptr ctx)
    : ctx_(std::move(ctx)), log_(runtime::component_logger(std::string{config::name_of(role)})),
      engine_(ctx_, protocol::limits::max_engine_document_bytes, caf::actor_cast<http_outcome_handlers>(self), log_),
      labels_(protocol::swarm_service_labels(ctx_->config.worker_label_key, ctx_->config.worker_label_value,
                                             ctx_->config.stack_name)) {}

  void fetch(caf::typed_response_promise<protocol::worker_set> promise) {
    if (!waiting_.add(std::move(promise)))
      return; // the listing in flight answers them all
    ++ctx_->metrics->fetches;
    at_ = step::services;
    engine_.send("GET", [this](const std::string& prefix) { return protocol::service_list_target(prefix, labels_); });
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
    if (outcome.reply->status != 200)
      return answer(make_error(sync_error::http_status, std::string{at_ == step::services ? "listing the services"
                                                                                          : "listing the tasks"}
                                                          + " answered HTTP " + std::to_string(outcome.reply->status)
                                                          + ": " + protocol::printable_excerpt(outcome.reply->body)));
    if (at_ == step::services)
      return on_services(outcome.reply->body);
    on_tasks(outcome.reply->body);
  }

  engine_conversation& engine() { return engine_; }

private:
  void on_services(const std::string& body) {
    auto listed = service_parser_.parse(body);
    if (!listed)
      return answer(make_error(sync_error::malformed_body, "service list: " + protocol::describe(listed.error())));
    services_ = std::move(*listed);
    if (services_.empty())
      return answer(protocol::worker_set{}); // no worker service: no workers, as in engine mode
    std::vector<std::string> ids;
    for (const auto& service : services_)
      ids.push_back(service.id);
    at_ = step::tasks;
    engine_.send("GET", [ids](const std::string& prefix) { return protocol::task_list_target(prefix, ids); });
  }

  void on_tasks(const std::string& body) {
    auto tasks = task_parser_.parse(body);
    if (!tasks)
      return answer(make_error(sync_error::malformed_body, "task list: " + protocol::describe(tasks.error())));
    auto named = protocol::swarm_worker_names(services_, *tasks, ctx_->config.worker_name, ctx_->config.stack_name);
    services_.clear();
    ctx_->metrics->names_refused += named.refused.size();
    for (const auto& refused : named.refused)
      log_->warn("ignoring worker task '{}': {}", refused.excerpt, refused.reason);
    if (protocol::every_name_refused(named))
      return answer(make_error(sync_error::names_refused,
                               "none of the " + std::to_string(named.refused.size())
                                 + " running worker task(s) has a name --worker-name can use"));
    answer(std::move(named.workers));
  }

  template <class T>
  void answer(T&& outcome) {
    at_ = step::idle;
    engine_.abandon();
    waiting_.answer(std::forward<T>(outcome), *ctx_->metrics);
  }

  context_ptr ctx_;
  std::shared_ptr<spdlog::logger> log_;
  engine_conversation engine_;
  std::vector<std::string> labels_;
  protocol::swarm_service_parser service_parser_;
  protocol::swarm_task_parser task_parser_;
  std::vector<protocol::swarm_service> services_;
  step at_ = step::idle;
  fetch_waiters waiting_;
};

} // namespace

poller_actor::behavior_type swarm_poller(poller_actor::pointer self, context_ptr ctx) {
  return engine_poller_behavior(self, ctx, role, std::make_shared<task_listing>(self, ctx));
}

} // namespace wlg::actors
