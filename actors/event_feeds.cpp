#include "actors/event_feeds.hpp"

#include "net/cloud_event_stream.hpp"
#include "net/engine_event_stream.hpp"
#include "protocol/cloud_event.hpp"
#include "protocol/engine_events.hpp"
#include "protocol/limits.hpp"
#include "protocol/swarm_api.hpp"
#include "protocol/worker_name.hpp"

#include <algorithm>
#include <chrono>

namespace wlg::actors {

namespace {

// The longest a read waits for a sync under way, each time the reconciler
// closes the gate (net/read_gate.hpp): far longer than a sync of the file,
// short enough that a stuck sync, or a long apply to the coordinator, still
// leaves the events read within a second.
constexpr std::chrono::milliseconds longest_read_hold{1000};

class cloud_feed final : public event_feed {
public:
  explicit cloud_feed(context_ptr ctx) : ctx_(std::move(ctx)), rule_(ctx_->config.service_api_uri) {}

  std::string where() const override {
    return "the event stream at " + ctx_->config.stream_host.host_header();
  }

  std::shared_ptr<net::event_stream> open(net::stream_handlers handlers, std::size_t credit_window) override {
    net::stream_options options;
    options.path = ctx_->config.stream_host.target(ctx_->config.events_path());
    options.authorization = ctx_->config.auth.reveal();
    options.user_agent = ctx_->user_agent;
    options.connect_timeout = ctx_->config.request_timeout;
    options.ping_interval = ctx_->config.ping_interval;
    options.pong_timeout = ctx_->config.pong_timeout;
    options.max_frame_bytes = protocol::limits::max_event_frame_bytes;
    options.credit_window = credit_window;
    options.gate = ctx_->read_gate;
    // A pong read late is read within a quarter of its timeout.
    options.gate_limit = std::min(longest_read_hold, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                       ctx_->config.pong_timeout / 4));
    return net::open_cloud_event_stream(*ctx_->io, ctx_->tls, ctx_->config.stream_host, std::move(options),
                                        std::move(handlers));
  }

  feed_verdict judge(const std::string& frame) override {
    auto parsed = parser_.parse(frame);
    if (!parsed)
      return {feed_verdict::kind::malformed, protocol::describe(parsed.error())};
    const auto& event = **parsed;
    const std::string summary = protocol::printable_excerpt(event.type) + " "
                                + protocol::printable_excerpt(event.state) + " "
                                + protocol::printable_excerpt(event.resource_uri);
    if (rule_.classify(event) == protocol::event_relevance::irrelevant)
      return {protocol::is_known_cloud_event_type(event.type) ? feed_verdict::kind::irrelevant
                                                              : feed_verdict::kind::unknown,
              summary};
    return {feed_verdict::kind::relevant, summary};
  }

private:
  context_ptr ctx_;
  protocol::cloud_event_parser parser_;
  protocol::relevance_rule rule_;
};

// Engine and swarm mode: the engine's events, with the query and the rule of
// relevance of the mode.
class engine_feed final : public event_feed {
public:
  using target_builder = std::string (*)(const std::string& version_prefix);
  using relevance_rule = bool (*)(const protocol::engine_event& event, std::string_view scope);

  engine_feed(context_ptr ctx, target_builder target, relevance_rule relevant)
    : ctx_(std::move(ctx)), target_(target), relevant_(relevant) {}

  std::string where() const override { return "the engine's events at " + ctx_->config.docker_socket; }

  std::shared_ptr<net::event_stream> open(net::stream_handlers handlers, std::size_t credit_window) override {
    net::engine_stream_options options;
    options.socket_path = ctx_->config.docker_socket;
    options.user_agent = ctx_->user_agent;
    options.connect_timeout = ctx_->config.request_timeout;
    options.max_line_bytes = protocol::limits::max_engine_event_line_bytes;
    options.credit_window = credit_window;
    options.target = target_;
    options.gate = ctx_->read_gate;
    options.gate_limit = longest_read_hold;
    return net::open_engine_event_stream(*ctx_->io, std::move(options), std::move(handlers));
  }

  feed_verdict judge(const std::string& frame) override {
    auto parsed = parser_.parse(frame);
    if (!parsed)
      return {feed_verdict::kind::malformed, protocol::describe(parsed.error())};
    auto& event = *parsed;
    const auto name = event.attributes.find("name");
    const std::string summary = protocol::printable_excerpt(event.type) + " "
                                + protocol::printable_excerpt(event.action) + " "
                                + protocol::printable_excerpt(name != event.attributes.end() ? name->second
                                                                                             : event.id.substr(0, 12));
    if (!relevant_(event, ctx_->config.stack_name))
      return {feed_verdict::kind::irrelevant, summary};
    return {feed_verdict::kind::relevant, summary};
  }

private:
  context_ptr ctx_;
  target_builder target_;
  relevance_rule relevant_;
  protocol::engine_event_parser parser_;
};

} // namespace

std::unique_ptr<event_feed> make_event_feed(const context_ptr& ctx) {
  switch (ctx->config.source) {
    case config::event_source::engine:
      return std::make_unique<engine_feed>(ctx, protocol::engine_events_target, protocol::is_relevant_engine_event);
    case config::event_source::swarm:
      return std::make_unique<engine_feed>(ctx, protocol::swarm_events_target, protocol::is_relevant_swarm_event);
    case config::event_source::cloud: break;
  }
  return std::make_unique<cloud_feed>(ctx);
}

} // namespace wlg::actors
