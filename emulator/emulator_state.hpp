#pragma once

// Everything the emulator knows and does, behind the servers: the stack model,
// the faults switched on through the control API, and what it observed
// (requests, Authorization headers, signals). Used from the one I/O thread
// only, so it needs no locks.

#include "emulator/http_types.hpp"
#include "emulator/stack_model.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wlg::emulator {

struct emulator_options {
  model_options model;
  std::string authorization; // the DOCKERCLOUD_AUTH value clients must send
  int masters = 1;           // containers labelled as the Citus master
};

class emulator_state {
public:
  explicit emulator_state(emulator_options options);

  // --- the Docker Cloud REST API and event stream --------------------------
  response handle_rest(const request& req);

  struct upgrade_decision {
    bool accept = false;
    unsigned status = 0; // when refused
  };
  upgrade_decision on_upgrade(const request& req);
  void on_channel_open(std::weak_ptr<event_channel> channel);
  void on_channel_closed();
  void on_queue_drained(); // a channel sent everything it had
  std::string auth_frame() const; // the {"type":"auth"} message sent first

  // --- the Docker Engine API subset -----------------------------------------
  response handle_engine(const request& req);

  // --- the control API ------------------------------------------------------
  response handle_control(const request& req);

  // Set by the server: closes or reopens the Engine API socket.
  std::function<void(bool listening)> set_engine_listening;

  const stack_model& model() const { return model_; }
  const emulator_options& options() const { return options_; }

private:
  struct signal_record {
    std::string container;
    std::string signal;
    std::int64_t at_ns;
  };
  struct change_record {
    std::string kind;
    int workers;
    std::int64_t relevant_sent_ns; // when its first relevant event started out; 0: not yet
  };
  struct master_container {
    std::string id;
    std::string name;
    bool running = true;
  };
  struct countdown_fault {
    std::string mode; // rest: status|timeout|truncated|notjson|huge; engine: status
    unsigned status = 500;
    int remaining = 0; // < 0: until cleared
    bool active() const { return remaining != 0; }
    void use() {
      if (remaining > 0)
        --remaining;
    }
  };

  void broadcast(const std::vector<std::string>& frames, int first_relevant = -1,
                 change_record* record = nullptr, bool binary = false);
  // `GET /state?workers=no` leaves the names out: a benchmark polling it
  // during a 10,000-worker set must not make the emulator quote them each time.
  std::string state_json(bool with_workers) const;
  response engine_list(const request& req, const std::string& version);
  response engine_kill(const std::string& id, const request& req);

  emulator_options options_;
  stack_model model_;
  std::vector<master_container> masters_;
  std::vector<std::weak_ptr<event_channel>> channels_;

  countdown_fault rest_fault_;
  std::chrono::milliseconds rest_delay_{0};
  countdown_fault upgrade_refusal_;
  countdown_fault engine_fault_;      // every versioned request
  countdown_fault kill_fault_;        // the kill only
  std::chrono::milliseconds engine_delay_{0};
  int vanish_on_kill_ = 0;
  bool engine_listening_ = true;

  std::uint64_t rest_requests_ = 0, rest_authorized_ = 0, rest_refused_ = 0;
  std::uint64_t upgrades_ = 0, upgrades_authorized_ = 0, upgrades_refused_ = 0;
  std::uint64_t channels_open_ = 0;
  std::vector<std::int64_t> upgrade_ns_; // when each upgrade request arrived (the last 64)
  std::uint64_t frames_sent_ = 0; // queued to the open channels, the auth frames included
  std::uint64_t engine_requests_ = 0;
  std::int64_t burst_started_ns_ = 0;
  std::int64_t last_drained_ns_ = 0;
  std::vector<signal_record> signals_;
  std::vector<change_record> changes_;
};

} // namespace wlg::emulator
