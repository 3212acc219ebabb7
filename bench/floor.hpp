#pragma once

// The floor for the latency figure: what the sidecar's work costs when done
// directly, with nothing in between. One REST fetch on a warm connection, one
// atomic write with fsync, one Docker list and one kill, timed together.
// Iterations are meant to be interleaved with the sidecar's own changes, so
// both are measured under the same conditions (an fsync after a pause costs
// twice one in a tight loop).

#include <map>
#include <memory>
#include <string>

namespace wlg::bench {

class floor_runner {
public:
  // `env` is the emulator's environment for a sidecar.
  floor_runner(const std::map<std::string, std::string>& env, const std::string& scratch_dir);
  ~floor_runner();
  // One iteration; returns its duration in milliseconds.
  double run_once();

private:
  struct clients;
  std::unique_ptr<clients> clients_;
};

} // namespace wlg::bench
