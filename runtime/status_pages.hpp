#pragma once

// What the --listen port answers: GET /healthz, GET /metrics (Prometheus text
// format), 405 for another method on them, 404 for anything else. Built from the counters only, so it can
// never show configuration or credentials.

#include "net/status_server.hpp"
#include "runtime/metrics.hpp"

#include <chrono>
#include <functional>
#include <string_view>

namespace wlg::runtime {

struct health_rules {
  bool stream_required = true;       // false when no event stream runs (--once)
  bool coordinator_required = false; // --target=citus
  // How long the output may fail (and be retried) before /healthz says so.
  std::chrono::milliseconds output_grace{10'000};
};

net::status_response answer_status_request(std::string_view method, std::string_view target,
                                           const metrics& counters, const health_rules& rules);

// The /healthz answer alone.
net::status_response health_page(const metrics& counters, const health_rules& rules);

// Counts the --listen port's connections into `counters` and logs a failing
// accept once per run of failures (the first, then when it recovers).
std::function<void(const net::status_port_event&)> status_port_reporter(metrics& counters);

// The /metrics body alone.
std::string prometheus_text(const metrics& counters);

// What /healthz and the log say of a worker node that left holding shards.
std::string departed_reason(std::string_view node, std::int64_t shards);
// /healthz's reason, and the log's error, for a worker node that came back
// without `missing` of the `shards` tables its placements need.
std::string missing_reason(std::string_view node, std::int64_t missing, std::int64_t shards);

} // namespace wlg::runtime
