#pragma once

// Wraps every handler of a behavior so that --inject-fault can crash or stall
// the actor: the fault plan is consulted before a handler runs. Keeps each
// handler's exact signature, which CAF needs to match messages.

#include "config/actor_role.hpp"
#include "runtime/fault_plan.hpp"

#include <caf/detail/type_traits.hpp>
#include <caf/scheduled_actor.hpp>

#include <utility>

namespace wlg::actors {

namespace detail {

template <class F, class Result, class... Args>
auto guard_impl(runtime::fault_plan* faults, config::actor_role role, F f,
                caf::detail::type_list<Args...>) {
  return [faults, role, f = std::move(f)](Args... args) -> Result {
    faults->on_message(role);
    return f(std::forward<Args>(args)...);
  };
}

} // namespace detail

// An exception escaping a handler (an injected crash, or a bug) is logged
// and ends the actor with a `crashed` error, for the supervisor to see.
void end_on_exception(caf::scheduled_actor* self, config::actor_role role);

template <class F>
auto guarded(runtime::fault_plan* faults, config::actor_role role, F f) {
  using trait = caf::detail::get_callable_trait<F>;
  return detail::guard_impl<F, typename trait::result_type>(faults, role, std::move(f),
                                                             typename trait::arg_types{});
}

// The behavior of an actor of type Handle, every handler guarded.
template <class Handle, class... Fs>
typename Handle::behavior_type guarded_behavior(runtime::fault_plan* faults, config::actor_role role,
                                                Fs... handlers) {
  return {guarded(faults, role, std::move(handlers))...};
}

} // namespace wlg::actors
