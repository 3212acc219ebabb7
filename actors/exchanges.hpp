#pragma once

// Shared by the actors that talk HTTP: handing a request's outcome from the
// I/O thread back to the actor, and answering everyone who waits for one
// fetch.

#include "actors/errors.hpp"
#include "actors/interfaces.hpp"
#include "actors/weak_mailbox.hpp"
#include "runtime/metrics.hpp"

#include <memory>
#include <type_traits>
#include <vector>

namespace wlg::actors {

// The completion handler for a network request: the outcome goes to `me` as
// (internal, reply, exchange, http_reply) or (internal, reply, exchange,
// transport_error).
inline auto forward_outcome(const http_outcome_handlers& actor, std::uint64_t exchange) {
  return [me = weak_mailbox<http_outcome_handlers>{actor}, exchange](net::http_outcome outcome) {
    if (outcome)
      me.send(internal_atom::value, reply_atom::value, exchange, std::move(*outcome));
    else
      me.send(internal_atom::value, reply_atom::value, exchange, outcome.error());
  };
}

// The fetch requests waiting for the one fetch in flight.
class fetch_waiters {
public:
  // True for the first: the caller starts the fetch that answers them all.
  bool add(caf::typed_response_promise<protocol::worker_set> promise) {
    waiting_.push_back(std::move(promise));
    return waiting_.size() == 1;
  }

  // A worker set or a caf::error; errors are counted as fetch errors.
  template <class T>
  void answer(T&& outcome, runtime::metrics& metrics) {
    if constexpr (std::is_same_v<std::decay_t<T>, caf::error>) {
      ++metrics.fetch_errors;
      metrics.count_fetch_failure(reason_of(outcome));
    }
    for (auto& promise : waiting_)
      promise.deliver(outcome);
    waiting_.clear();
  }

private:
  std::vector<caf::typed_response_promise<protocol::worker_set>> waiting_;
};

// A poller's fetch handler: each fetch gets a promise that `fetcher`
// answers, with the fetch already in flight if there is one.
template <class Fetcher>
auto fetch_handler(poller_actor::pointer self, std::shared_ptr<Fetcher> fetcher) {
  return [self, fetcher](fetch_atom) -> caf::result<protocol::worker_set> {
    auto promise = self->make_response_promise<protocol::worker_set>();
    fetcher->fetch(promise);
    return promise;
  };
}

} // namespace wlg::actors
