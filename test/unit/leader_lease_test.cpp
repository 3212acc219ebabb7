// Who leads: the lock's answers and the session's loss, and the role said once
// per change.

#include "policy/leader_lease.hpp"

#include <doctest/doctest.h>

using wlg::policy::leader_lease;

TEST_CASE("a sidecar without the lock tries it on each pass and stands by while another holds it") {
  leader_lease lease{false};
  CHECK(lease.must_try());
  CHECK(lease.on_lock(false) == false); // standing by: said
  CHECK(lease.must_try());
  CHECK_FALSE(lease.on_lock(false).has_value()); // said already
  CHECK(lease.on_lock(true) == true);
  CHECK(lease.held());
  CHECK_FALSE(lease.must_try()); // held: passes read at once
}

TEST_CASE("the lock goes with the session: the leader stands by until it holds the lock again") {
  leader_lease lease{false};
  CHECK(lease.on_lock(true) == true);
  CHECK(lease.on_session_lost() == false);
  CHECK(lease.must_try());
  CHECK_FALSE(lease.on_session_lost().has_value()); // not held: nothing to say
  CHECK(lease.on_lock(true) == true);
}

TEST_CASE("a dry run takes no lock") {
  leader_lease lease{true};
  CHECK_FALSE(lease.must_try());
  CHECK_FALSE(lease.held());
}
