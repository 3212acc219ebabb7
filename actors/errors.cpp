#include "actors/errors.hpp"

#include <caf/atom.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace wlg::actors {

namespace {

constexpr caf::atom_value category = caf::atom("wlg");

const char* name_of(sync_error code) {
  switch (code) {
    case sync_error::transport: return "transport";
    case sync_error::timeout: return "timeout";
    case sync_error::unauthorized: return "unauthorized";
    case sync_error::http_status: return "http_status";
    case sync_error::malformed_body: return "malformed_body";
    case sync_error::write_failed: return "write_failed";
    case sync_error::engine_refused: return "engine_refused";
    case sync_error::crashed: return "crashed";
    case sync_error::gave_up: return "gave_up";
    case sync_error::once_failed: return "once_failed";
    case sync_error::names_refused: return "names_refused";
    case sync_error::coordinator: return "coordinator";
  }
  return "unknown";
}

} // namespace

caf::error make_error(sync_error code, std::string context) {
  return caf::error{static_cast<std::uint8_t>(code), category, caf::make_message(std::move(context))};
}

bool is(const caf::error& e, sync_error code) {
  // An empty caf::error has no category to ask (CAF 0.17 dereferences it).
  return e && e.category() == category && e.code() == static_cast<std::uint8_t>(code);
}

std::string_view reason_of(const caf::error& e) {
  if (!e || e.category() != category)
    return "other";
  return name_of(static_cast<sync_error>(e.code()));
}

std::string describe(const caf::error& e) {
  if (!e)
    return "no error";
  if (e.category() != category)
    return caf::to_string(e);
  std::string text = name_of(static_cast<sync_error>(e.code()));
  if (e.context().match_elements<std::string>())
    text += ": " + e.context().get_as<std::string>(0);
  return text;
}

} // namespace wlg::actors
