#pragma once

// One conversation at a time with the Docker Engine API, for the actors that
// talk to it (engine_poller, docker_restarter): the API version is negotiated
// once (GET /version) before the first request and prefixed to every target;
// each request is numbered, so an answer to an abandoned one is ignored; and
// a 400 makes the next request negotiate again, since the engine may have
// been replaced by one of another version.

#include "actors/context.hpp"
#include "actors/exchanges.hpp"
#include "actors/guarded.hpp"
#include "actors/interfaces.hpp"
#include "net/engine_client.hpp"

#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace wlg::actors {

class engine_conversation {
public:
  // Builds a request's target from the version prefix ("/v1.44").
  using target_builder = std::function<std::string(const std::string& version_prefix)>;

  // What an answer means to the caller. Neither field set: nothing to do
  // (a stale answer, or the version step that went on to the request).
  struct outcome {
    std::optional<net::http_reply> reply; // the answer to the caller's request
    std::optional<std::string> failure;   // the request could not be answered
  };

  // Talks to DOCKER_HOST with --request-timeout; answers over `body_limit`
  // bytes are refused.
  engine_conversation(context_ptr ctx, std::size_t body_limit, http_outcome_handlers me,
                      std::shared_ptr<spdlog::logger> log);

  // Sends `method` to the target `build` makes, after the version step if
  // none is known yet. A request still in flight is abandoned.
  void send(std::string method, target_builder build);
  void abandon() { ++exchange_; }

  outcome on_reply(std::uint64_t exchange, const net::http_reply& reply);
  outcome on_failure(std::uint64_t exchange, const net::transport_error& error);

  const std::string& socket() const { return options_.socket_path; }

private:
  void transmit(const std::string& method, std::string target);

  context_ptr ctx_;
  net::engine_options options_;
  http_outcome_handlers me_;
  std::shared_ptr<spdlog::logger> log_;
  std::string version_prefix_;
  bool negotiating_ = false;
  std::string method_;
  target_builder build_;
  std::uint64_t exchange_ = 0;
};

// The behavior of a poller whose `listing` talks to the engine through
// `listing->engine()`: fetches start or join a listing; the engine's answers
// and failures go back to it, a failure classified (the engine refused, or
// could not be reached).
template <class Listing>
poller_actor::behavior_type engine_poller_behavior(poller_actor::pointer self, const context_ptr& ctx,
                                                   config::actor_role role, std::shared_ptr<Listing> listing) {
  end_on_exception(self, role);
  return guarded_behavior<poller_actor>(
    ctx->faults, role, fetch_handler(self, listing),
    [=](internal_atom, reply_atom, std::uint64_t exchange, const net::http_reply& reply) {
      listing->on_outcome(listing->engine().on_reply(exchange, reply), sync_error::engine_refused);
    },
    [=](internal_atom, reply_atom, std::uint64_t exchange, const net::transport_error& error) {
      listing->on_outcome(listing->engine().on_failure(exchange, error),
                          error.what == net::transport_error::kind::timeout ? sync_error::timeout
                                                                            : sync_error::transport);
    });
}

} // namespace wlg::actors
