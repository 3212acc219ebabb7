#pragma once

// Which registered worker nodes came back empty. Pure: the caller checks,
// through the coordinator, that a node's shard tables exist on it, and
// reports back; time comes in as an argument. Tested by simulation
// (test/unit/placement_audit_test.cpp).
//
// A node's name can outlive its container: Compose scales a worker down and
// up under the same name with a fresh volume, a swarm task is replaced
// without its volume. The node stays registered and active, and every query
// that touches its shards fails. So a node becomes suspect when the
// container behind its name changes (a new container id, or a replaced task
// whose node was updated in place), and a suspect node that is registered is
// checked at the next pass. Found whole, it is cleared; found missing shards
// (or not reached), it is checked again every `interval` (the periodic
// reconcile's), never per event; once whole again it is cleared. Nothing here
// changes metadata: the node and its placements stay as they are.
// A name first seen is not suspect: nothing says what was behind it before.

#include "policy/citus_node.hpp"
#include "policy/steady_time.hpp"
#include "protocol/citus_rows.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wlg::policy {

class placement_audit {
public:
  struct options {
    duration interval = std::chrono::seconds(60); // between checks of a node still suspect
  };

  // A registered node whose shard tables are missing on it.
  struct missing_node {
    citus_node node;
    std::int64_t missing = 0; // shards with a placement on it whose table is not there
    std::int64_t shards = 0;  // shards with a placement on it
    friend bool operator==(const missing_node&, const missing_node&) = default;
  };
  using report = std::vector<missing_node>; // by node

  using check_result = protocol::placement_check;

  explicit placement_audit(options opts) : options_(opts) {}

  // The containers behind the wanted nodes (node -> container id), on each
  // apply. Another id under a known name makes the node suspect.
  void on_containers(const std::map<citus_node, std::string>& containers, time_point now);
  // A registered node was updated in place to `node` (a replaced task).
  void on_replaced(const citus_node& node, time_point now);
  // The registered nodes, as a pass read them: the others are forgotten
  // (a node added later is a new one), but for the names still wanted.
  void on_registered(const std::set<citus_node>& present, const std::set<citus_node>& wanted);
  // The suspect registered nodes whose check is due.
  std::vector<citus_node> due(const std::set<citus_node>& present, time_point now) const;
  // What the check of `asked` found: a node without a row holds no
  // placement (whole). True when the missing nodes changed.
  bool on_checked(const std::vector<citus_node>& asked, const std::vector<check_result>& results, time_point now);
  // The check could not run (refused): each node asked is due again after `interval`.
  void on_check_refused(const std::vector<citus_node>& asked, time_point now);

  report missing() const;
  // When the next check of a suspect node among `nodes` is due (none: none is suspect).
  std::optional<time_point> next_due(const std::set<citus_node>& nodes) const;
  bool suspect(const citus_node& node) const { return due_.contains(node); }

private:
  options options_;
  std::map<citus_node, std::string> containers_; // the last container seen behind each name
  std::map<citus_node, time_point> due_;         // suspect nodes, and when each is checked
  std::map<citus_node, missing_node> missing_;
};

} // namespace wlg::policy
