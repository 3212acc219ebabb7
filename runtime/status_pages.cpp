#include "runtime/status_pages.hpp"

#include <cstdio>

namespace wlg::runtime {

namespace {

constexpr std::string_view prefix = "workerlistgen_";

class exposition {
public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += prefix;
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += prefix;
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  void sample(std::string_view name, std::string_view labels, double value) {
    out_ += prefix;
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      out_ += labels;
      out_ += '}';
    }
    char number[64];
    std::snprintf(number, sizeof number, " %.17g\n", value);
    out_ += number;
  }

  void single(std::string_view name, std::string_view type, std::string_view help, double value) {
    family(name, type, help);
    sample(name, "", value);
  }

  std::string take() { return std::move(out_); }

private:
  std::string out_;
};

double as_double(const std::atomic<std::uint64_t>& counter) {
  return static_cast<double>(counter.load(std::memory_order_relaxed));
}

std::string bound_label(double bound) {
  char text[32];
  std::snprintf(text, sizeof text, "le=\"%g\"", bound);
  return text;
}

} // namespace

std::string prometheus_text(const metrics& m) {
  exposition out;
  out.single("events_received_total", "counter", "Frames read from the event stream.", as_double(m.events_received));
  out.single("events_relevant_total", "counter", "Events that passed the relevance rule.", as_double(m.events_relevant));
  out.single("events_malformed_total", "counter", "Frames that could not be parsed and were skipped.",
             as_double(m.events_malformed));
  out.single("fetches_total", "counter", "Worker list fetches started.", as_double(m.fetches));
  out.single("fetch_errors_total", "counter", "Fetches that failed.", as_double(m.fetch_errors));
  out.single("file_writes_total", "counter", "Times the worker list file was replaced.", as_double(m.file_writes));
  out.single("file_unchanged_total", "counter", "Writes skipped because the file already held the same bytes.",
             as_double(m.file_unchanged));
  out.single("signals_sent_total", "counter", "Signals delivered to master containers.", as_double(m.signals_sent));
  out.single("signals_failed_total", "counter", "Signal rounds that failed and were retried.",
             as_double(m.signals_failed));
  out.single("signals_skipped_total", "counter",
             "Master containers gone or not running when signalled; not retried.", as_double(m.signals_skipped));
  out.single("stream_connects_total", "counter", "Event stream connections established.",
             as_double(m.stream_connects));
  out.single("stream_reconnects_total", "counter", "Event stream connections lost (each is followed by a reconnect).",
             as_double(m.stream_reconnects));
  out.family("actor_restarts_total", "counter", "Restarts of each supervised actor.");
  for (std::size_t i = 0; i < protocol::actor_role_count; ++i)
    out.sample("actor_restarts_total", "actor=\"" + std::string{protocol::actor_role_names[i]} + "\"",
               as_double(m.actor_restarts[i]));
  out.family("faults_injected_total", "counter", "Faults injected by --inject-fault, by actor.");
  for (std::size_t i = 0; i < protocol::actor_role_count; ++i)
    out.sample("faults_injected_total", "actor=\"" + std::string{protocol::actor_role_names[i]} + "\"",
               as_double(m.faults_injected[i]));
  out.single("last_sync_timestamp_seconds", "gauge",
             "Unix time of the last successful sync (0: none yet).",
             static_cast<double>(m.last_sync_unix_ms.load()) / 1000.0);
  out.single("workers", "gauge", "Workers in the file after the last sync (-1: unknown yet).",
             static_cast<double>(m.worker_count.load()));
  out.single("stream_connected", "gauge", "1 while the event stream is connected.", m.stream_connected.load() ? 1 : 0);
  out.single("sync_pending", "gauge", "1 while a change is being fetched or applied, 0 once the output holds it.",
             m.sync_pending.load() ? 1 : 0);

  out.single("citus_nodes_added_total", "counter", "Worker nodes added to the coordinator.",
             as_double(m.citus_nodes_added));
  out.single("citus_nodes_removed_total", "counter", "Worker nodes removed from the coordinator.",
             as_double(m.citus_nodes_removed));
  out.single("citus_add_failures_total", "counter", "Node adds that failed and are retried.",
             as_double(m.citus_add_failures));
  out.single("citus_stale_nodes", "gauge", "Nodes no longer wanted that stay because they hold shard placements.",
             static_cast<double>(m.citus_stale_nodes.load()));
  out.single("coordinator_connects_total", "counter", "Connections to the coordinator established.",
             as_double(m.coordinator_connects));
  out.single("coordinator_connect_failures_total", "counter", "Attempts to connect to the coordinator that failed.",
             as_double(m.coordinator_connect_failures));
  out.single("coordinator_reconnects_total", "counter", "Connections to the coordinator lost.",
             as_double(m.coordinator_reconnects));
  out.single("coordinator_connected", "gauge", "1 while connected to the coordinator.",
             m.coordinator_connected.load() ? 1 : 0);

  const auto& h = m.event_to_signal;
  out.family("event_to_signal_seconds", "histogram", "From a relevant event to the master's signal.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < latency_histogram::bounds_seconds.size(); ++i) {
    cumulative += h.bucket(i);
    out.sample("event_to_signal_seconds_bucket", bound_label(latency_histogram::bounds_seconds[i]),
               static_cast<double>(cumulative));
  }
  cumulative += h.bucket(latency_histogram::bounds_seconds.size());
  out.sample("event_to_signal_seconds_bucket", "le=\"+Inf\"", static_cast<double>(cumulative));
  out.sample("event_to_signal_seconds_sum", "", h.sum_seconds());
  out.sample("event_to_signal_seconds_count", "", static_cast<double>(h.count()));
  return out.take();
}

net::status_response health_page(const metrics& m, const health_rules& rules) {
  const auto last_sync = m.last_sync_unix_ms.load();
  const bool connected = m.stream_connected.load();
  const bool coordinator = m.coordinator_connected.load();
  const std::string coordinator_field =
    rules.coordinator_required ? std::string{",\"coordinator_connected\":"} + (coordinator ? "true" : "false") : "";
  std::string reason;
  if (rules.coordinator_required && !coordinator)
    reason = "coordinator not connected";
  else if (last_sync == 0)
    reason = "no successful sync yet";
  else if (rules.stream_required && !connected)
    reason = "event stream not connected";
  if (!reason.empty())
    return {503, "application/json",
            "{\"status\":\"unavailable\",\"reason\":\"" + reason + "\"" + coordinator_field + "}\n"};
  return {200, "application/json",
          "{\"status\":\"ok\",\"workers\":" + std::to_string(m.worker_count.load())
            + ",\"last_sync_unix_ms\":" + std::to_string(last_sync)
            + ",\"stream_connected\":" + (connected ? "true" : "false") + coordinator_field + "}\n"};
}

net::status_response answer_status_request(std::string_view method, std::string_view target,
                                           const metrics& m, const health_rules& rules) {
  const auto path = target.substr(0, target.find('?'));
  const bool get = method == "GET";
  if (get && path == "/healthz")
    return health_page(m, rules);
  if (get && path == "/metrics")
    return {200, "text/plain; version=0.0.4; charset=utf-8", prometheus_text(m)};
  return {404, "text/plain; charset=utf-8", "not found\n"};
}

} // namespace wlg::runtime
