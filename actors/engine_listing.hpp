#pragma once

// What the two Engine API pollers (engine_poller, swarm_poller) share: one
// listing at a time, answering every fetch that waits for it; a failure of
// the conversation ends it with an error, never an empty set; and the names
// found are answered with those refused counted and logged.

#include "actors/context.hpp"
#include "actors/engine_conversation.hpp"
#include "actors/errors.hpp"
#include "actors/exchanges.hpp"
#include "protocol/container_object.hpp"
#include "protocol/limits.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

#include <memory>
#include <string>
#include <utility>

namespace wlg::actors {

class engine_listing {
public:
  engine_listing(poller_actor::pointer self, context_ptr ctx, config::actor_role role)
    : ctx_(std::move(ctx)), log_(runtime::component_logger(std::string{config::name_of(role)})),
      engine_(ctx_, protocol::limits::max_engine_document_bytes, caf::actor_cast<http_outcome_handlers>(self), log_) {}
  virtual ~engine_listing() = default;

  void fetch(caf::typed_response_promise<protocol::worker_set> promise) {
    if (!waiting_.add(std::move(promise)))
      return; // the listing in flight answers them all
    ++ctx_->metrics->fetches;
    listing_ = true;
    start();
  }

  // `failure_code` classifies a failure: the engine refused (no usable
  // version), or it could not be reached (transport, timeout).
  void on_outcome(const engine_conversation::outcome& outcome, sync_error failure_code) {
    if (!listing_)
      return;
    if (outcome.failure)
      return answer(make_error(failure_code, *outcome.failure));
    if (outcome.reply)
      on_reply(*outcome.reply);
  }

  engine_conversation& engine() { return engine_; }

protected:
  // The listing's first request; then each answer to the request under way.
  virtual void start() = 0;
  virtual void on_reply(const net::http_reply& reply) = 0;

  // Ends the listing with a worker set or a caf::error.
  template <class T>
  void answer(T&& outcome) {
    listing_ = false;
    engine_.abandon();
    waiting_.answer(std::forward<T>(outcome), *ctx_->metrics);
  }

  // Ends it with the names found; those refused are counted and logged, and
  // when every one is refused it is an error (`what`: "worker container(s)").
  void answer_named(protocol::container_links named, std::string_view what) {
    ctx_->metrics->names_refused += named.refused.size();
    for (const auto& refused : named.refused) {
      const auto line = "ignoring worker '" + refused.excerpt + "': " + refused.reason;
      runtime::warn_repeatable(*log_, refusals_, line, line);
    }
    if (protocol::every_name_refused(named))
      return answer(make_error(sync_error::names_refused, "none of the " + std::to_string(named.refused.size()) + " "
                                                            + std::string{what} + " has a name --worker-name can use"));
    answer(std::move(named.workers));
  }

  context_ptr ctx_;
  std::shared_ptr<spdlog::logger> log_;
  engine_conversation engine_;

private:
  fetch_waiters waiting_;
  policy::warning_repeats refusals_; // the same refused worker on every fetch: logged once a minute
  bool listing_ = false;
};

} // namespace wlg::actors
