#include "pq/libpq.hpp"

#include <dlfcn.h>

namespace wlg::pq {

namespace {

library load() {
  library out;
  void* handle = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    out.error = std::string{"cannot load libpq (Debian package libpq5): "} + ::dlerror();
    return out;
  }
  static functions api;
#define WLG_LIBPQ_RESOLVE(name)                                                      \
  api.name = reinterpret_cast<decltype(api.name)>(::dlsym(handle, #name));           \
  if (api.name == nullptr) {                                                         \
    out.error = "libpq.so.5 has no " #name ": older than the libpq this was built with"; \
    return out;                                                                      \
  }
  WLG_LIBPQ_FUNCTIONS(WLG_LIBPQ_RESOLVE)
#undef WLG_LIBPQ_RESOLVE
  out.api = &api;
  return out;
}

} // namespace

const library& libpq() {
  static const library loaded = load();
  return loaded;
}

} // namespace wlg::pq
