#pragma once

// Which registered worker nodes answer the coordinator, and what to do about
// the ones that do not. Pure: the caller probes and reports back; time comes
// in as an argument. Tested by simulation (test/unit/node_health_test.cpp).
//
// A dead worker must not block every add (Citus syncs metadata to every
// active node when one is added). Each pass the caller probes, from the
// coordinator, the registered nodes that are not wanted but still active and
// the disabled ones that are wanted again (to_probe), and reports what
// answered. One not wanted that has not answered for `disable_after` is
// disabled (its row and placements stay), unless it holds the only placement
// of some shard, which Citus refuses: that one blocks, and says so. While any
// probed node does not answer, a pass is due every `watch_interval`, so the
// adds it blocked go through as soon as it answers again. (Activating a
// disabled node that answers again is membership_plan's: it is an add.)

#include "policy/citus_node.hpp"
#include "protocol/citus_rows.hpp"
#include "policy/steady_time.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace wlg::policy {

class node_health {
public:
  struct options {
    std::optional<duration> disable_after = std::chrono::seconds(30); // none: never
    duration watch_interval = std::chrono::milliseconds(500);
    duration refused_retry = std::chrono::seconds(30); // a refused disable is tried again after this
  };

  // What a probe found: the node answers the coordinator or not, and how many
  // shards have their only active placement on it.
  using probe_result = protocol::node_probe;

  // An active node that does not answer and that is not disabled: it blocks
  // every add, and the operator has to bring it back.
  struct blocked_node {
    citus_node node;
    std::int64_t only_placements = 0; // shards with no reachable placement
    std::string why;                  // why it is not disabled
    friend bool operator==(const blocked_node&, const blocked_node&) = default;
  };

  // A node no longer wanted (its container or task gone) that stays holding
  // shards whose only placement it has: their rows are not served.
  struct departed_node {
    citus_node node;
    std::int64_t shards = 0;
    friend bool operator==(const departed_node&, const departed_node&) = default;
  };

  // The registered nodes' health, for the operator: the probed ones that do
  // not answer, how many are disabled, the ones that block every add, and
  // the ones that left holding shards.
  struct report {
    std::vector<citus_node> unreachable;
    std::size_t disabled = 0;
    std::vector<blocked_node> blocking;
    std::vector<departed_node> departed;
    friend bool operator==(const report&, const report&) = default;
  };

  explicit node_health(options opts);

  // The registered nodes to probe before planning: the active ones not
  // wanted, and the disabled ones wanted again.
  static std::vector<citus_node> to_probe(const std::set<citus_node>& wanted, const std::set<citus_node>& present,
                                          const std::set<citus_node>& inactive);
  // What the probe of those nodes found (all of them; none probed: empty).
  // True when a node that did not answer answers again: what it blocked is
  // due at once.
  bool on_probed(const std::vector<probe_result>& results, time_point now);

  // The nodes to disable now; `taken_over`: registered nodes a wanted one
  // replaces in place (updated, not disabled). Also works out blocking().
  std::vector<citus_node> plan(const std::set<citus_node>& wanted, const std::set<citus_node>& present,
                               const std::set<citus_node>& inactive, const std::set<citus_node>& taken_over,
                               time_point now);

  void on_disabled(const citus_node& node);
  // Citus refused (why): the node blocks, and the disable is tried again
  // after refused_retry. True the first time this node is refused for this
  // reason since it last answered: say it once.
  bool on_disable_refused(const citus_node& node, const std::string& why, time_point now);

  // When the watch wants a pass: while a probed node does not answer (which
  // also brings its disable when due).
  std::optional<time_point> watch_due() const noexcept { return watch_due_; }
  // The probed nodes that did not answer.
  std::vector<citus_node> unreachable() const;
  bool is_unreachable(const citus_node& node) const { return unreachable_.count(node) != 0; }
  // As of the last plan.
  const std::vector<blocked_node>& blocking() const noexcept { return blocking_; }

  // The report, with `disabled` disabled nodes and the `departed` ones, when
  // it differs from the one last taken (nothing otherwise): each change is
  // said once.
  std::optional<report> changed_report(std::size_t disabled, std::vector<departed_node> departed = {});

private:
  // A probed node that does not answer.
  struct silence {
    time_point since;
    time_point disable_due;
    std::int64_t only_placements = 0;
    std::string refused; // Citus refused to disable it: why
  };

  options options_;
  std::map<citus_node, silence> unreachable_;
  std::optional<time_point> watch_due_;
  std::vector<blocked_node> blocking_;
  std::optional<report> told_;
  std::set<std::pair<citus_node, std::string>> told_refusals_;
};

} // namespace wlg::policy
