#include "actors/swarm_poller.hpp"

#include "actors/engine_listing.hpp"
#include "protocol/swarm_api.hpp"
#include "protocol/worker_name.hpp"

namespace wlg::actors {

namespace {

constexpr auto role = config::actor_role::swarm_poller;

enum class step { services, tasks };

// One fetch: [GET /version once] -> GET /services (labelled) -> GET /tasks
// of those services.
class task_listing final : public engine_listing {
public:
  task_listing(poller_actor::pointer self, context_ptr ctx)
    : engine_listing(self, std::move(ctx), role),
      labels_(protocol::swarm_service_labels(ctx_->config.worker_label_key, ctx_->config.worker_label_value,
                                             ctx_->config.stack_name)) {}

private:
  void start() override {
    at_ = step::services;
    engine_.send("GET", [this](const std::string& prefix) { return protocol::service_list_target(prefix, labels_); });
  }

  void on_reply(const net::http_reply& reply) override {
    if (reply.status != 200)
      return answer(make_error(sync_error::http_status, std::string{at_ == step::services ? "listing the services"
                                                                                          : "listing the tasks"}
                                                          + " answered HTTP " + std::to_string(reply.status) + ": "
                                                          + protocol::printable_excerpt(reply.body)));
    if (at_ == step::services)
      return on_services(reply.body);
    on_tasks(reply.body);
  }

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
    answer_named(std::move(named), "running worker task(s)");
  }

  std::vector<std::string> labels_;
  protocol::swarm_service_parser service_parser_;
  protocol::swarm_task_parser task_parser_;
  std::vector<protocol::swarm_service> services_;
  step at_ = step::services;
};

} // namespace

poller_actor::behavior_type swarm_poller(poller_actor::pointer self, context_ptr ctx) {
  return engine_poller_behavior(self, ctx, role, std::make_shared<task_listing>(self, ctx));
}

} // namespace wlg::actors
