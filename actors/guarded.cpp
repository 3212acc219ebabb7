#include "actors/guarded.hpp"

#include "actors/errors.hpp"
#include "runtime/logging.hpp"

#include <exception>

namespace wlg::actors {

void end_on_exception(caf::scheduled_actor* self, config::actor_role role) {
  self->set_exception_handler([role](caf::scheduled_actor*, std::exception_ptr& ptr) -> caf::error {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ptr);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    const std::string name{config::name_of(role)};
    runtime::component_logger(name)->error("{} died: {}", name, what);
    return make_error(sync_error::crashed, what);
  });
}

} // namespace wlg::actors
