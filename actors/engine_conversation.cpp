#include "actors/engine_conversation.hpp"

#include "protocol/engine_api.hpp"

namespace wlg::actors {

engine_conversation::engine_conversation(context_ptr ctx, std::size_t body_limit, http_outcome_handlers me,
                                         std::shared_ptr<spdlog::logger> log)
  : ctx_(std::move(ctx)), me_(std::move(me)), log_(std::move(log)) {
  options_.socket_path = ctx_->config.docker_socket;
  options_.timeout = ctx_->config.request_timeout;
  options_.body_limit = body_limit;
  options_.user_agent = ctx_->user_agent;
}

void engine_conversation::send(std::string method, target_builder build) {
  method_ = std::move(method);
  build_ = std::move(build);
  negotiating_ = version_prefix_.empty();
  if (negotiating_)
    transmit("GET", "/version");
  else
    transmit(method_, build_(version_prefix_));
}

void engine_conversation::transmit(const std::string& method, std::string target) {
  const auto exchange = ++exchange_;
  log_->debug("engine request: {} {}", method, target);
  net::send_engine_request(*ctx_->io, options_, {method, std::move(target)}, forward_outcome(me_, exchange));
}

engine_conversation::outcome engine_conversation::on_reply(std::uint64_t exchange, const net::http_reply& reply) {
  if (exchange != exchange_)
    return {};
  log_->debug("engine answered HTTP {} ({} bytes)", reply.status, reply.body.size());
  if (negotiating_) {
    auto prefix = protocol::version_prefix_from(reply.status, reply.body);
    if (!prefix)
      return {std::nullopt, prefix.error()};
    negotiating_ = false;
    version_prefix_ = std::move(*prefix);
    log_->info("Docker Engine API {}", version_prefix_.substr(2));
    transmit(method_, build_(version_prefix_));
    return {};
  }
  if (reply.status == 400)
    version_prefix_.clear(); // the engine changed under us: negotiate again next time
  return {reply, std::nullopt};
}

engine_conversation::outcome engine_conversation::on_failure(std::uint64_t exchange,
                                                             const net::transport_error& error) {
  if (exchange != exchange_)
    return {};
  return {std::nullopt, "cannot reach the Docker Engine API at " + options_.socket_path + ": " + net::describe(error)};
}

} // namespace wlg::actors
