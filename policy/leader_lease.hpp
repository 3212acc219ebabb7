#pragma once

// Whether this sidecar leads: only the holder of the coordinator's session
// advisory lock (protocol::try_leader_lock) changes anything, so two
// sidecars never fight. Pure; tested by simulation
// (test/unit/leader_lease_test.cpp).
//
// Each pass of one that does not lead tries the lock before reading; without
// it, the pass stands by. The lock goes with the session, so a leader that
// loses its connection leads again only once it holds the lock again; a dead
// leader's lock is free once its session ends. A dry run takes no lock.

#include <optional>

namespace wlg::policy {

class leader_lease {
public:
  explicit leader_lease(bool rehearse) : rehearse_(rehearse) {}

  // A pass must try the lock before it reads.
  bool must_try() const noexcept { return !held_ && !rehearse_; }
  bool held() const noexcept { return held_; }

  // The lock's answer: whether it is held now (taken, or held already).
  // Returns the role to report when it differs from the one last reported.
  std::optional<bool> on_lock(bool held) { return settle(held); }
  // The session ended, and the lock with it.
  std::optional<bool> on_session_lost() { return held_ ? settle(false) : std::nullopt; }

private:
  std::optional<bool> settle(bool held) {
    held_ = held;
    if (told_ == held)
      return std::nullopt;
    told_ = held;
    return held;
  }

  bool rehearse_ = false;
  bool held_ = false;
  std::optional<bool> told_;
};

} // namespace wlg::policy
