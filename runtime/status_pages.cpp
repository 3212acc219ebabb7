#include "runtime/status_pages.hpp"

#include "protocol/json_text.hpp"
#include "runtime/logging.hpp"

#include <cstdio>
#include <memory>
#include <utility>

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

// Every counter on the page, with its help text.
struct counter_doc {
  std::string_view name;
  std::string_view help;
  metrics::counter metrics::*field;
};

constexpr counter_doc counters[] = {
  // The event stream.
  {"events_received_total", "Frames read from the event stream.", &metrics::events_received},
  {"events_relevant_total", "Events that passed the relevance rule.", &metrics::events_relevant},
  {"events_malformed_total", "Frames that could not be parsed and were skipped.", &metrics::events_malformed},
  {"stream_connects_total", "Event stream connections established.", &metrics::stream_connects},
  {"stream_reconnects_total", "Event stream connections lost (each is followed by a reconnect).",
   &metrics::stream_reconnects},
  // Syncing and the file output.
  {"fetches_total", "Worker list fetches started.", &metrics::fetches},
  {"fetch_errors_total", "Fetches that failed.", &metrics::fetch_errors},
  {"worker_names_refused_total", "Worker names refused one by one (links or containers with unusable names).",
   &metrics::names_refused},
  {"heap_trims_total", "Times freed heap was handed back to the system, once syncs of a large set paused.",
   &metrics::heap_trims},
  {"status_connections_evicted_total",
   "Connections to --listen closed before their request arrived, to admit a newer one at the cap.",
   &metrics::status_evictions},
  {"status_accept_failures_total", "Times --listen could not accept a connection (e.g. out of descriptors); "
   "retried after a pause.", &metrics::status_accept_failures},
  {"apply_failures_total", "Sets the output could not take (retried with back-off).", &metrics::apply_failures},
  {"file_writes_total", "Times the worker list file was replaced.", &metrics::file_writes},
  {"file_unchanged_total", "Writes skipped because the file already held the same bytes.", &metrics::file_unchanged},
  {"signals_sent_total", "Signals delivered to master containers.", &metrics::signals_sent},
  {"signals_failed_total", "Signal rounds that failed and were retried.", &metrics::signals_failed},
  {"signals_skipped_total", "Master containers gone or not running when signalled; not retried.",
   &metrics::signals_skipped},
  // The Citus output.
  {"citus_nodes_added_total", "Worker nodes added to the coordinator.", &metrics::citus_nodes_added},
  {"citus_nodes_updated_total", "Worker nodes renamed in place (citus_update_node) for a replaced task.",
   &metrics::citus_nodes_updated},
  {"citus_nodes_removed_total", "Worker nodes removed from the coordinator.", &metrics::citus_nodes_removed},
  {"citus_add_failures_total", "Node adds, in-place updates and activations that failed and are retried.",
   &metrics::citus_add_failures},
  {"citus_remove_failures_total", "Removals of worker nodes no longer wanted that Citus refused, retried with back-off.",
   &metrics::citus_remove_failures},
  {"citus_nodes_disabled_total", "Worker nodes disabled (citus_disable_node) because they did not answer.",
   &metrics::citus_nodes_disabled},
  {"citus_nodes_activated_total", "Disabled worker nodes activated again (citus_activate_node).",
   &metrics::citus_nodes_activated},
  {"citus_rebalances_started_total", "Rebalance jobs started (citus_rebalance_start).",
   &metrics::citus_rebalances_started},
  {"citus_placement_checks_total",
   "Checks, through the coordinator, that worker nodes whose container changed have their shard tables.",
   &metrics::citus_placement_checks},
  {"coordinator_connects_total", "Connections to the coordinator established.", &metrics::coordinator_connects},
  {"coordinator_connect_failures_total", "Attempts to connect to the coordinator that failed.",
   &metrics::coordinator_connect_failures},
  {"coordinator_reconnects_total", "Connections to the coordinator lost.", &metrics::coordinator_reconnects},
};


// A Prometheus label value, quoted and escaped.
std::string label_value(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\\' || c == '"')
      out += '\\';
    out += c == '\n' ? std::string{"\\n"} : std::string{c};
  }
  return out + "\"";
}

std::string blocking_reason(const blocking_node& blocking) {
  return "worker node " + blocking.node + " does not answer and blocks every add: " + blocking.why
         + "; start its database again";
}

} // namespace

std::string departed_reason(std::string_view node, std::int64_t shards) {
  return "worker " + std::string{node} + " left holding " + std::to_string(shards)
         + " shard(s): start it again; its rows are not served until then";
}

std::string missing_reason(std::string_view node, std::int64_t missing, std::int64_t shards) {
  return "worker node " + std::string{node} + " came back without " + std::to_string(missing) + " of its "
         + std::to_string(shards)
         + " shard(s) (its container changed; their tables are not there): queries that touch them fail; restore "
           "its data, or copy each shard from a surviving replica with citus_copy_shard_placement";
}

std::string prometheus_text(const metrics& m) {
  exposition out;
  for (const auto& c : counters)
    out.single(c.name, "counter", c.help, as_double(m.*c.field));
  // A family with one sample per name in `labels`, as label="name".
  const auto labelled = [&](std::string_view name, std::string_view type, std::string_view help,
                            std::string_view label, const auto& labels, auto value_of) {
    out.family(name, type, help);
    for (std::size_t i = 0; i < labels.size(); ++i)
      out.sample(name, std::string{label} + "=\"" + std::string{labels[i]} + "\"", value_of(i));
  };
  const auto by_actor = [&](std::string_view name, std::string_view help, const auto& values) {
    labelled(name, "counter", help, "actor", config::actor_role_names,
             [&](std::size_t i) { return as_double(values[i]); });
  };
  by_actor("actor_restarts_total", "Restarts of each supervised actor.", m.actor_restarts);
  by_actor("faults_injected_total", "Faults injected by --inject-fault, by actor.", m.faults_injected);
  labelled("fetch_failures_total", "counter", "Fetches that failed, by reason.", "reason", fetch_failure_reasons,
           [&](std::size_t i) { return as_double(m.fetch_failures[i]); });
  labelled("stream_failures_total", "counter", "Event stream connections and attempts ended, by reason.", "reason",
           net::stream_failure_kind_names, [&](std::size_t i) { return as_double(m.stream_failures[i]); });
  out.single("last_sync_timestamp_seconds", "gauge",
             "Unix time of the last successful sync (0: none yet).",
             static_cast<double>(m.last_sync_unix_ms.load()) / 1000.0);
  out.single("workers", "gauge", "Workers in the file after the last sync (-1: unknown yet).",
             static_cast<double>(m.worker_count.load()));
  out.single("stream_connected", "gauge", "1 while the event stream is connected.", m.stream_connected.load() ? 1 : 0);
  out.single("output_failing", "gauge", "1 while writing the worker list or signalling the master fails.",
             m.output_trouble.get() ? 1 : 0);
  out.single("source_failing", "gauge", "1 while the event stream is down or the last fetch failed.",
             m.stream_trouble.get() || m.fetch_trouble.get() ? 1 : 0);
  out.single("status_connections", "gauge", "Connections open on --listen (at most --listen-connections).",
             static_cast<double>(m.status_connections.load()));
  out.single("sync_pending", "gauge", "1 while a change is being fetched or applied, 0 once the output holds it.",
             m.sync_pending.load() ? 1 : 0);
  labelled("last_sync_phase_seconds", "gauge",
           "How long each part of the last sync took: transfer, parse, validate, render, write.", "phase",
           sync_phase_names, [&](std::size_t i) { return static_cast<double>(m.last_sync_phase_ns[i].load()) / 1e9; });
  out.single("citus_stale_nodes", "gauge", "Nodes no longer wanted that stay: they hold shard placements, or Citus refused their removal.",
             static_cast<double>(m.citus_stale_nodes.load()));
  out.single("citus_unreachable_nodes", "gauge",
             "Registered worker nodes the coordinator cannot reach (of those probed: not wanted, or disabled).",
             static_cast<double>(m.citus_unreachable_nodes.load()));
  out.single("citus_disabled_nodes", "gauge", "Registered worker nodes that are disabled (isactive false).",
             static_cast<double>(m.citus_disabled_nodes.load()));
  // A gauge of shards per worker node, node="name:port".
  const auto per_node = [&out](std::string_view name, std::string_view help, const auto& nodes, auto shards) {
    out.family(name, "gauge", help);
    for (const auto& node : nodes)
      out.sample(name, "node=" + label_value(node.node), static_cast<double>(node.*shards));
  };
  per_node("citus_blocking_node_shards",
           "A worker node that does not answer and cannot be disabled, so no node can be added: the shards whose "
           "only placement it holds.",
           m.citus_blocking.get(), &blocking_node::only_placements);
  per_node("citus_departed_node_shards",
           "A worker node whose container or task is gone while it holds shards: those whose only placement it "
           "holds, not served until it is started again.",
           m.citus_departed.get(), &departed_node::shards);
  per_node("citus_missing_placements",
           "A registered worker node whose container changed and whose shard tables are missing: how many of the "
           "shards placed on it are not there.",
           m.citus_missing.get(), &missing_node::missing);
  out.single("coordinator_connected", "gauge", "1 while connected to the coordinator.",
             m.coordinator_connected.load() ? 1 : 0);
  const auto phase = m.citus_rebalance.load();
  labelled("citus_rebalance", "gauge", "1 for where the last rebalance job stands (--rebalance=after-add).", "state",
           policy::rebalance_phase_names,
           [&](std::size_t i) { return static_cast<std::size_t>(phase) == i && i != 0 ? 1.0 : 0.0; });
  out.single("citus_leader", "gauge",
             "1 while this sidecar holds the coordinator's advisory lock and acts; 0 standing by.",
             m.citus_leader.load() ? 1 : 0);
  const auto problem = m.coordinator_problem.load();
  labelled("coordinator_problem", "gauge", "1 for what keeps the sidecar from using the coordinator.", "problem",
           protocol::coordinator_problem_names,
           [&](std::size_t i) { return static_cast<std::size_t>(problem) == i && i != 0 ? 1.0 : 0.0; });

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

namespace {

// `state`, with the first trouble's words as its cause.
std::string with_cause(std::string state, std::initializer_list<std::optional<trouble::reading>> troubles) {
  for (const auto& t : troubles)
    if (t)
      return state + ": " + t->reason;
  return state;
}

} // namespace

net::status_response health_page(const metrics& m, const health_rules& rules) {
  const auto last_sync = m.last_sync_unix_ms.load();
  const bool connected = m.stream_connected.load();
  const bool coordinator = m.coordinator_connected.load();
  const std::string coordinator_field =
    rules.coordinator_required ? std::string{",\"coordinator_connected\":"} + (coordinator ? "true" : "false")
                                   + ",\"role\":" + (m.citus_leader.load() ? "\"leader\"" : "\"standby\"")
                               : "";
  std::string reason;
  const auto problem = m.coordinator_problem.load();
  if (rules.coordinator_required && problem != protocol::coordinator_problem::none) {
    const auto trouble = m.coordinator_trouble.get();
    reason = trouble ? trouble->reason : std::string{protocol::describe(problem)};
  }
  else if (rules.coordinator_required && !coordinator)
    reason = "coordinator not connected";
  else if (const auto blocking = m.citus_blocking.get(); rules.coordinator_required && !blocking.empty())
    reason = blocking_reason(blocking.front());
  else if (const auto departed = m.citus_departed.get(); rules.coordinator_required && !departed.empty())
    reason = departed_reason(departed.front().node, departed.front().shards);
  else if (const auto missing = m.citus_missing.get(); rules.coordinator_required && !missing.empty())
    reason = missing_reason(missing.front().node, missing.front().missing, missing.front().shards);
  else if (const auto output = m.output_trouble.get();
           output && std::chrono::steady_clock::now() - output->since >= rules.output_grace)
    reason = output->reason;
  else if (last_sync == 0)
    reason = with_cause("no successful sync yet", {m.fetch_trouble.get(), m.stream_trouble.get()});
  else if (rules.stream_required && !connected)
    reason = with_cause("event stream not connected", {m.stream_trouble.get()});
  if (!reason.empty())
    return {503, "application/json",
            "{\"status\":\"unavailable\",\"reason\":" + protocol::json_quote(reason) + coordinator_field + "}\n", {}};
  return {200, "application/json",
          "{\"status\":\"ok\",\"workers\":" + std::to_string(m.worker_count.load())
            + ",\"last_sync_unix_ms\":" + std::to_string(last_sync)
            + ",\"stream_connected\":" + (connected ? "true" : "false") + coordinator_field + "}\n", {}};
}

net::status_response answer_status_request(std::string_view method, std::string_view target,
                                           const metrics& m, const health_rules& rules) {
  const auto path = target.substr(0, target.find('?'));
  if (path != "/healthz" && path != "/metrics")
    return {404, "text/plain; charset=utf-8", "not found\n", {}};
  if (method != "GET")
    return {405, "text/plain; charset=utf-8", "method not allowed: only GET\n", "GET"};
  if (path == "/healthz")
    return health_page(m, rules);
  return {200, "text/plain; version=0.0.4; charset=utf-8", prometheus_text(m), {}};
}

std::function<void(const net::status_port_event&)> status_port_reporter(metrics& m) {
  auto failing = std::make_shared<std::uint64_t>(0); // accept failures in the current run
  return [&m, failing, log = component_logger("status")](const net::status_port_event& event) {
    using kind = net::status_port_event::kind;
    m.status_connections = static_cast<std::int64_t>(event.open);
    switch (event.what) {
      case kind::evicted: ++m.status_evictions; break;
      case kind::accept_failed:
        ++m.status_accept_failures;
        if ((*failing)++ == 0)
          log->warn("--listen cannot accept a connection: {}; {} open; trying again in {} ms, then less often",
                    event.why, event.open, event.retry_in.count());
        break;
      case kind::opened:
        if (*failing > 0)
          log->info("--listen accepts connections again, after {} failed attempt(s)", std::exchange(*failing, 0));
        break;
      case kind::closed: break;
    }
  };
}

} // namespace wlg::runtime
