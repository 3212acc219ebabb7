#pragma once

// The Engine API for the commands and for start-up: one request at a time,
// each run to its end on an io_context of its own.

#include "config/settings.hpp"
#include "net/engine_client.hpp"
#include "protocol/result.hpp"

#include <string>

namespace wlg::app {

// Why a call gave no usable answer.
struct engine_call_failure {
  bool reached = false; // the engine answered, with another status or an unusable body
  std::string why;
};

class blocking_engine {
public:
  explicit blocking_engine(const config::settings& config);

  // GET /version, and the "/v1.NN" prefix every later call then carries.
  std::optional<engine_call_failure> negotiate();

  // The answer's body when its status is `expected`; otherwise why not.
  result<std::string, engine_call_failure> call(const std::string& method, const std::string& target,
                                                std::string body = {}, unsigned expected = 200);

  const std::string& socket() const { return options_.socket_path; }

private:
  net::engine_options options_;
  std::string prefix_;
};

} // namespace wlg::app
