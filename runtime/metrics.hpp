#pragma once

// Counters every actor bumps, read by the /metrics endpoint. Lock-free, but
// for the short list of Citus worker nodes that block adds (rare, and
// changed only when it changes).

#include "config/actor_role.hpp"
#include "net/event_stream.hpp"
#include "policy/rebalance_phase.hpp"
#include "protocol/coordinator_problem.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wlg::runtime {

// Event-to-signal latency, in Prometheus' cumulative-bucket shape.
class latency_histogram {
public:
  static constexpr std::array<double, 12> bounds_seconds = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0};

  void observe(std::chrono::nanoseconds latency) noexcept;

  std::uint64_t bucket(std::size_t i) const noexcept { return buckets_[i].load(); } // not cumulative
  std::uint64_t count() const noexcept { return count_.load(); }
  double sum_seconds() const noexcept { return static_cast<double>(sum_ns_.load()) / 1e9; }

private:
  std::array<std::atomic<std::uint64_t>, bounds_seconds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_ns_{0};
};

// A registered Citus worker node that does not answer and cannot be
// disabled: every add waits for it.
struct blocking_node {
  std::string node;                 // name:port
  std::int64_t only_placements = 0; // shards whose only placement it holds
  std::string why;                  // why it is not disabled
};

// A registered Citus worker node whose container or task is gone while it
// holds shards that have no placement anywhere else.
struct departed_node {
  std::string node;        // name:port
  std::int64_t shards = 0; // whose only placement it holds
};

// A registered Citus worker node whose container changed and whose shard
// tables are missing on it: it came back empty.
struct missing_node {
  std::string node;         // name:port
  std::int64_t missing = 0; // shards with a placement on it whose table is not there
  std::int64_t shards = 0;  // shards with a placement on it
};

// A short list that the Citus output replaces and the status pages read.
template <class Item>
class guarded_list {
public:
  void set(std::vector<Item> items) {
    std::lock_guard lock{mutex_};
    items_ = std::move(items);
  }
  std::vector<Item> get() const {
    std::lock_guard lock{mutex_};
    return items_;
  }

private:
  mutable std::mutex mutex_;
  std::vector<Item> items_;
};

// A cause that keeps the sidecar from its work, in the log's words (the path
// or socket and the system's error), and since when; none while all is well.
class trouble {
public:
  struct reading {
    std::string reason;
    std::chrono::steady_clock::time_point since;
  };
  // Keeps the start of a trouble that goes on, whatever its latest words.
  void report(std::string reason) {
    std::lock_guard lock{mutex_};
    if (!current_)
      current_ = reading{std::move(reason), std::chrono::steady_clock::now()};
    else
      current_->reason = std::move(reason);
  }
  void clear() {
    std::lock_guard lock{mutex_};
    current_.reset();
  }
  std::optional<reading> get() const {
    std::lock_guard lock{mutex_};
    return current_;
  }

private:
  mutable std::mutex mutex_;
  std::optional<reading> current_;
};

// The parts of a sync whose time /metrics shows: fetching the worker list
// (request to whole body), reading it, checking and sorting the names,
// rendering the file, and writing it (temporary file, fsync, rename).
enum class sync_phase { transfer, parse, validate, render, write };
constexpr std::size_t sync_phase_count = 5;
constexpr std::array<const char*, sync_phase_count> sync_phase_names = {"transfer", "parse", "validate",
                                                                        "render", "write"};

// Why fetches failed: the label of /metrics' fetch_failures_total, in the
// actors' error names (actors/errors.hpp); anything else counts as "other".
inline constexpr std::array<std::string_view, 8> fetch_failure_reasons = {
  "transport", "timeout", "unauthorized", "http_status", "malformed_body", "names_refused", "engine_refused", "other"};

struct metrics {
  using counter = std::atomic<std::uint64_t>;

  // The event stream.
  counter events_received{0};
  counter events_relevant{0};
  counter events_malformed{0};
  counter stream_connects{0};
  counter stream_reconnects{0};
  // Why each connection or attempt ended, by net::stream_failure::kind.
  std::array<counter, net::stream_failure_kind_count> stream_failures{};
  std::atomic<bool> stream_connected{false};

  // Syncing. sync_pending is set while a change is being fetched or applied
  // (or waits for a retry), clear once the output holds the last fetched set;
  // set from the start, since the first sync is owed.
  counter fetches{0};
  counter fetch_errors{0};
  counter names_refused{0}; // worker names refused one by one (the others are kept)
  counter apply_failures{0}; // the output could not take a set; retried with back-off
  std::array<counter, fetch_failure_reasons.size()> fetch_failures{};
  void count_fetch_failure(std::string_view reason) {
    std::size_t i = 0;
    while (i + 1 < fetch_failure_reasons.size() && fetch_failure_reasons[i] != reason)
      ++i;
    ++fetch_failures[i];
  }
  std::atomic<bool> sync_pending{true};
  std::atomic<std::int64_t> last_sync_unix_ms{0}; // 0: never
  std::atomic<std::int64_t> worker_count{-1};     // -1: unknown yet
  counter heap_trims{0};
  // What /healthz names: the output failing (writes, signals), the source unread.
  trouble output_trouble; // the file target's write or signal, failing and retried
  trouble stream_trouble; // why the event stream is not connected
  trouble fetch_trouble;  // why the last fetch failed
  // The --listen port (net/status_server.hpp).
  std::atomic<std::int64_t> status_connections{0};
  counter status_evictions{0};
  counter status_accept_failures{0}; // freed heap handed back after large syncs (policy/memory_trim.hpp)

  // The output: the file and the master's signal.
  counter file_writes{0};
  counter file_unchanged{0};
  counter signals_sent{0};
  counter signals_failed{0};
  counter signals_skipped{0};
  latency_histogram event_to_signal;
  // How long each phase took in the last sync that ran it, in ns (0: not yet).
  std::array<std::atomic<std::int64_t>, sync_phase_count> last_sync_phase_ns{};

  void record(sync_phase phase, std::chrono::nanoseconds took) noexcept {
    last_sync_phase_ns[static_cast<std::size_t>(phase)] = took.count();
  }

  // The Citus coordinator (--target=citus).
  counter citus_nodes_added{0};
  counter citus_nodes_updated{0}; // renamed in place: a replaced swarm task's node
  counter citus_nodes_removed{0};
  counter citus_add_failures{0};
  counter citus_remove_failures{0};
  counter citus_nodes_disabled{0};
  counter citus_nodes_activated{0};
  std::atomic<std::int64_t> citus_stale_nodes{0};
  std::atomic<std::int64_t> citus_unreachable_nodes{0}; // probed, not answering
  std::atomic<std::int64_t> citus_disabled_nodes{0};
  guarded_list<blocking_node> citus_blocking;
  guarded_list<departed_node> citus_departed;
  guarded_list<missing_node> citus_missing;
  counter coordinator_connects{0};
  counter coordinator_connect_failures{0};
  counter coordinator_reconnects{0}; // established connections lost
  std::atomic<bool> coordinator_connected{false};
  std::atomic<bool> citus_leader{false}; // holds the coordinator's advisory lock
  std::atomic<policy::rebalance_phase> citus_rebalance{policy::rebalance_phase::none}; // the last job's, as followed
  counter citus_rebalances_started{0};
  counter citus_placement_checks{0}; // of nodes whose container changed (placement_audit)
  // What keeps the sidecar from using the coordinator (none: nothing).
  std::atomic<protocol::coordinator_problem> coordinator_problem{protocol::coordinator_problem::none};
  trouble coordinator_trouble; // the same in the log's words, with libpq's (the host named, never a password)

  // Supervision, by actor.
  std::array<counter, config::actor_role_count> actor_restarts{};
  std::array<counter, config::actor_role_count> faults_injected{};
};

} // namespace wlg::runtime
