#pragma once

// How the I/O thread reaches an actor. A network handler may still sit in the
// io_context when the actor system is gone; holding a weak reference, it never
// keeps an actor alive past the system, and its message is dropped once the
// actor is gone.

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>
#include <caf/weak_intrusive_ptr.hpp>

#include <utility>

namespace wlg::actors {

template <class Handle>
class weak_mailbox {
public:
  explicit weak_mailbox(const Handle& actor) : target_(caf::actor_cast<caf::weak_actor_ptr>(actor)) {}

  template <class... Ts>
  void send(Ts&&... xs) const {
    if (auto strong = caf::actor_cast<caf::strong_actor_ptr>(target_))
      caf::anon_send(caf::actor_cast<Handle>(std::move(strong)), std::forward<Ts>(xs)...);
  }

  void exit(caf::exit_reason reason) const { caf::anon_send_exit(target_, reason); }

private:
  caf::weak_actor_ptr target_;
};

} // namespace wlg::actors
