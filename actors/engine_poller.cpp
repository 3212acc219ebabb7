#include "actors/engine_poller.hpp"

#include "actors/engine_listing.hpp"
#include "protocol/engine_events.hpp"
#include "protocol/worker_name.hpp"

#include <array>

namespace wlg::actors {

namespace {

constexpr auto role = config::actor_role::engine_poller;

enum class step { list, health, inspect };

// One fetch: [GET /version once] -> GET /containers/json -> the same with
// the health filter, for those whose healthcheck has not passed yet (Podman
// says so only there, not in the status text), then for those whose
// healthcheck fails -> [GET /containers/{id}/json
// per worker, for --worker-name=hostname].
class worker_listing final : public engine_listing {
public:
  worker_listing(poller_actor::pointer self, context_ptr ctx)
    : engine_listing(self, std::move(ctx), role),
      labels_(protocol::worker_labels(ctx_->config.worker_label_key, ctx_->config.worker_label_value,
                                       ctx_->config.stack_name)) {}

private:
  void start() override {
    at_ = step::list;
    engine_.send("GET", [this](const std::string& prefix) { return protocol::container_list_target(prefix, labels_); });
  }

  void on_reply(const net::http_reply& reply) override {
    if (at_ == step::list)
      return on_list(reply);
    if (at_ == step::health)
      return on_health(reply);
    on_inspect(reply);
  }

  void on_list(const net::http_reply& reply) {
    auto listed = read_list(reply, "listing the workers");
    if (!listed)
      return;
    containers_ = std::move(*listed);
    ask_health(0);
  }

  // After the list, the health listings in turn: each marks the containers
  // it names. Unhealthy ones are held back from the coordinator, but kept
  // there when already registered.
  struct health_listing {
    const char* doing;
    std::string_view health; // the filter's value
    bool protocol::engine_container::*flag;
  };
  static constexpr std::array<health_listing, 2> health_listings{{
    {"listing the workers whose healthcheck has not passed", "starting", &protocol::engine_container::starting},
    {"listing the workers whose healthcheck fails", "unhealthy", &protocol::engine_container::unhealthy},
  }};

  void ask_health(std::size_t which) {
    at_ = step::health;
    health_ = which;
    engine_.send("GET", [this](const std::string& prefix) {
      return protocol::health_container_list_target(prefix, labels_, health_listings[health_].health);
    });
  }

  void on_health(const net::http_reply& reply) {
    const auto& listing = health_listings[health_];
    auto listed = read_list(reply, listing.doing);
    if (!listed)
      return;
    protocol::mark_listed(containers_, *listed, listing.flag);
    if (health_ + 1 < health_listings.size())
      return ask_health(health_ + 1);
    next_ = 0;
    if (ctx_->config.worker_name.what == protocol::worker_name_source::kind::hostname)
      return inspect_next();
    finish_listing();
  }

  // A container list, or nothing once the fetch is answered with why not.
  std::optional<std::vector<protocol::engine_container>> read_list(const net::http_reply& reply, const char* doing) {
    if (reply.status != 200) {
      answer(make_error(sync_error::http_status, std::string{doing} + " answered HTTP " + std::to_string(reply.status)
                                                   + ": " + protocol::printable_excerpt(reply.body)));
      return std::nullopt;
    }
    auto listed = parser_.parse(reply.body);
    if (!listed) {
      answer(make_error(sync_error::malformed_body, "container list: " + protocol::describe(listed.error())));
      return std::nullopt;
    }
    return std::move(*listed);
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
    containers_.clear();
    answer_named(std::move(named), "worker container(s)");
  }

  std::vector<std::string> labels_;
  protocol::container_list_parser parser_;
  std::vector<protocol::engine_container> containers_;
  std::size_t next_ = 0;
  std::size_t health_ = 0; // which of health_listings is asked
  step at_ = step::list;
};

} // namespace

poller_actor::behavior_type engine_poller(poller_actor::pointer self, context_ptr ctx) {
  return engine_poller_behavior(self, ctx, role, std::make_shared<worker_listing>(self, ctx));
}

} // namespace wlg::actors
