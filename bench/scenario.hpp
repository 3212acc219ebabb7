#pragma once

// Processes and observations for the benchmarks: the emulator and the sidecar
// as real processes, the emulator's records, and the moments the sidecar
// renames a new worker list into place.

#include "test/support/files.hpp"
#include "test/support/process.hpp"
#include "runtime/metrics.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace wlg::bench {

using env_map = std::map<std::string, std::string>;

std::int64_t monotonic_ns();

struct emulator_records {
  std::uint64_t rest_requests = 0;
  std::vector<std::int64_t> signals_ns;  // when the master was signalled
  std::vector<std::int64_t> relevant_ns; // per change: when its first relevant event left
  std::int64_t burst_started_ns = 0;
  std::int64_t last_drained_ns = 0;
};

class emulator_process {
public:
  explicit emulator_process(std::vector<std::string> args);
  const env_map& sidecar_env() const { return env_; }
  void control(const std::string& path_and_query, const std::string& body = {});
  emulator_records records() const;

private:
  test::temp_dir dir_;
  std::unique_ptr<test::child_process> process_;
  env_map env_;
  std::string control_url_;
};

class sidecar_process {
public:
  sidecar_process(env_map env, const std::string& confdir, std::vector<std::string> args = {});
  ~sidecar_process();
  pid_t pid() const { return process_->pid(); }
  std::string log() const;
  double cpu_ms() const;                 // user + system time so far
  long status_kib(const std::string& field) const; // from /proc/PID/status
  long smaps_kib(const std::string& field) const;  // from /proc/PID/smaps_rollup
  std::size_t count_in_log(const std::string& needle) const;
  void stop();

private:
  test::temp_dir dir_;
  std::unique_ptr<test::child_process> process_;
};

// Timestamps (monotonic ns) of every rename of DIR/pg_worker_list.conf.
class rename_watch {
public:
  explicit rename_watch(const std::string& dir);
  ~rename_watch();
  std::vector<std::int64_t> times() const;
  // Waits for a rename after `after_ns`; returns its time, or 0 on timeout.
  std::int64_t wait_after(std::int64_t after_ns, std::chrono::milliseconds timeout) const;

private:
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::int64_t> times_;
  std::thread thread_;
};

// The first value in sorted `times` that is greater than `after`, or 0.
std::int64_t first_after(const std::vector<std::int64_t>& times, std::int64_t after);

double percentile(std::vector<double> values, double p);

// A /proc/PID/status figure of the sidecar, in MB.
double status_mb(const sidecar_process& side, const std::string& field);

double ms_between(std::int64_t from_ns, std::int64_t to_ns);

// Waits until the sidecar has been quiet (no new fetch, write or signal) for
// `quiet`, so a measurement counts everything a change caused.
void wait_until_quiet(emulator_process& emu, sidecar_process& side, std::chrono::milliseconds quiet);

using phase_times = std::array<double, runtime::sync_phase_count>;

// The sidecar's last_sync_phase_seconds gauges, in ms, in sync_phase order.
phase_times last_sync_phases_ms(int status_port);

} // namespace wlg::bench
