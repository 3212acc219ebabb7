#pragma once

// The processes integration tests run: the emulator and the sidecar, each in
// a temporary directory of its own.

#include "test/support/files.hpp"
#include "test/support/http_client.hpp"
#include "test/support/process.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace wlg::test {

using env_map = std::map<std::string, std::string>;

std::string bin_path(const std::string& name); // build/bin/<name>
std::string source_path(const std::string& relative);

struct signal_seen {
  std::string container;
  std::string signal;
  std::int64_t at_ns = 0;
};

struct emulator_state {
  std::vector<std::string> workers;
  std::uint64_t rest_requests = 0, rest_authorized = 0, rest_refused = 0;
  std::uint64_t stream_upgrades = 0, stream_authorized = 0, stream_refused = 0, stream_open = 0;
  std::uint64_t frames_sent = 0;
  std::uint64_t engine_requests = 0; // counted as they arrive, before any delay
  std::vector<std::int64_t> stream_upgrade_ns; // steady clock, the last 64 upgrade requests
  std::vector<signal_seen> signals;
};

class emulator {
public:
  explicit emulator(std::vector<std::string> args = {});

  // DOCKERCLOUD_*, DOCKER_HOST and SSL_CERT_FILE for a sidecar.
  env_map sidecar_env() const;
  const std::string& dir() const { return dir_.path(); }
  std::string log() const;

  // POST /path?query to the control API; fails the test on a non-200 answer.
  void control(const std::string& path_and_query, const std::string& body = {});
  void scale(int workers) { control("/scale?workers=" + std::to_string(workers)); }
  emulator_state state() const;
  std::size_t signal_count() const { return state().signals.size(); }

private:
  temp_dir dir_;
  std::unique_ptr<child_process> process_;
  env_map env_;
  std::string control_url_;
};

// `args` and a --listen flag on a free loopback port, for a sidecar whose
// metrics a test reads.
std::vector<std::string> with_status_port(std::vector<std::string> args = {});

class sidecar {
public:
  // `env` replaces the whole environment; CITUS_CONFDIR (unless `confdir` is
  // given), the PID file and the log go to a temporary directory.
  sidecar(env_map env, std::vector<std::string> args = {}, std::string confdir = {});

  const std::string& confdir() const { return confdir_; }
  std::string list_path() const { return confdir_ + "/pg_worker_list.conf"; }
  std::string worker_list() const { return read_file(list_path()).value_or(""); }
  const std::string& pid_file() const { return pid_file_; }
  std::string log() const { return read_file(log_file_).value_or(""); }
  child_process& process() { return *process_; }

  // Waits until the file holds exactly `content`.
  bool wait_for_list(const std::string& content, std::chrono::milliseconds timeout);

  // With a status port (started with_status_port()): its metrics.
  int status_port() const { return status_port_; }
  double metric(const std::string& name) const;
  bool metric_reaches(const std::string& name, double value,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // Waits until the sidecar has read every frame the emulator sent and has
  // nothing left to fetch or apply (workerlistgen_sync_pending is 0): what it
  // was going to do about them, it has done.
  bool wait_until_settled(const emulator& emu, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

private:
  temp_dir dir_;
  std::string confdir_, pid_file_, log_file_;
  int status_port_ = 0;
  std::unique_ptr<child_process> process_;
};

} // namespace wlg::test
