#pragma once

// Errors the actors hand each other, as CAF errors in their own category.

#include <caf/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace wlg::actors {

enum class sync_error : std::uint8_t {
  transport = 1,  // could not talk to the peer
  timeout,        // the peer did not answer in time
  unauthorized,   // 401: the credentials are refused
  http_status,    // any other unexpected status
  malformed_body, // the answer could not be used
  write_failed,   // the worker list could not be written
  engine_refused, // the Docker Engine API refused (version, no socket...)
  crashed,        // an actor died with an exception
  gave_up,        // the supervisor gave up after too many restarts
  once_failed,    // --once: the one sync did not complete
  names_refused,  // every worker name offered was refused: not an empty list
  coordinator,    // the Citus coordinator could not be reached or refused a change
};

caf::error make_error(sync_error code, std::string context);

bool is(const caf::error& e, sync_error code);

// The error's name ("timeout", "unauthorized"...), or "other" for one not of
// this category.
std::string_view reason_of(const caf::error& e);

// One line for logs: "unauthorized: HTTP 401 from ..." or CAF's own rendering.
std::string describe(const caf::error& e);

} // namespace wlg::actors
