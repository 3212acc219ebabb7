#pragma once

// What to change in the Citus coordinator's worker nodes, given the nodes it
// has and the ones wanted. Pure: the caller reads pg_dist_node, runs the
// statements and reports back; time comes in as an argument.
//
// Reconcile, don't replay: every pass compares the whole table with the
// whole wanted set. A wanted node that is missing is added; a failed add is
// retried for that node alone, with back-off, while the others go on. A node
// no longer wanted is removed only when it holds no shard placements (the
// caller's statement checks that in the database) and only with
// --remove-workers=if-empty; one that is kept is warned about once, and
// counted as stale until it goes or is wanted again.
//
// A wanted node that replaces a registered one (a swarm task's successor in
// the same slot, with a new name) takes that node over: the node is updated
// in place, keeping its id, group and placements, rather than one node
// removed and another added.
//
// A dead worker must not block every add (Citus syncs metadata to every
// active node when one is added). Each pass the caller probes, from the
// coordinator, the registered nodes that are not wanted but still active and
// the disabled ones that are wanted again, and reports what answered. One not
// wanted that has not answered for `disable_after` is disabled (its row and
// placements stay), unless it holds the only placement of some shard, which
// Citus refuses: that one blocks, and says so. A disabled node that is wanted
// and answers is activated. While any probed node does not answer, a pass is
// due every `watch_interval`, so the adds it blocked go through as soon as it
// answers again.

#include "policy/backoff.hpp"
#include "policy/steady_time.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wlg::policy {

struct citus_node {
  std::string name;
  std::uint16_t port = 0;
  friend auto operator<=>(const citus_node&, const citus_node&) = default;
};

std::string to_string(const citus_node& node); // "name:port"

class membership_plan {
public:
  struct options {
    std::chrono::milliseconds retry_initial{500};
    std::chrono::milliseconds retry_max{30'000};
    bool remove_unwanted = true; // --remove-workers=if-empty
    std::uint64_t seed = 0;
    std::optional<duration> disable_after = std::chrono::seconds(30); // none: never
    duration watch_interval = std::chrono::milliseconds(500);
  };

  // What a probe found: the node answers the coordinator or not, and how many
  // shards have their only active placement on it.
  struct probe_result {
    citus_node node;
    bool answers = false;
    std::int64_t only_placements = 0;
    friend bool operator==(const probe_result&, const probe_result&) = default;
  };

  // An active node that does not answer and that is not disabled: it blocks
  // every add, and the operator has to bring it back.
  struct blocked_node {
    citus_node node;
    std::int64_t only_placements = 0; // shards with no reachable placement
    std::string why;                  // why it is not disabled
    friend bool operator==(const blocked_node&, const blocked_node&) = default;
  };

  struct takeover {
    citus_node from;
    citus_node to;
    friend bool operator==(const takeover&, const takeover&) = default;
  };

  // A wanted node -> the nodes it may replace, in order of preference.
  using successions = std::map<citus_node, std::vector<citus_node>>;

  struct changes {
    std::vector<takeover> update; // a registered node takes a wanted node's name
    std::vector<citus_node> add;
    std::vector<citus_node> remove; // if it holds no placements
    std::vector<citus_node> waiting; // wanted, missing, its add waits out a back-off
    std::vector<citus_node> disable; // not wanted, not answering for disable_after
    std::vector<citus_node> activate; // disabled, wanted and answering
  };

  explicit membership_plan(options opts);

  // The registered nodes to probe before planning: the active ones not
  // wanted, and the disabled ones wanted again.
  static std::vector<citus_node> to_probe(const std::set<citus_node>& wanted, const std::set<citus_node>& present,
                                          const std::set<citus_node>& inactive);
  // What the probe of those nodes found (all of them; none probed: empty).
  // When a node answers again, the failed adds are due at once.
  void on_probed(const std::vector<probe_result>& results, time_point now);

  // `present`: every registered worker node; `inactive`: those disabled.
  changes plan(const std::set<citus_node>& wanted, const std::set<citus_node>& present, time_point now,
               const successions& formers = {}, const std::set<citus_node>& inactive = {});

  // An add or an update (to `node`) went through, or failed.
  void on_added(const citus_node& node);
  // Returns when the node is due again.
  time_point on_add_failed(const citus_node& node, time_point now);
  void on_removed(const citus_node& node);
  // The node holds placements and stays. True the first time: warn once.
  bool on_kept(const citus_node& node);
  void on_disabled(const citus_node& node);
  // Citus refused (why): the node blocks, and the disable is tried again
  // after retry_max.
  void on_disable_refused(const citus_node& node, const std::string& why, time_point now);

  // Something that could unblock the failed adds happened (a new sync, the
  // coordinator back): each is due at once, its back-off kept for the next
  // failure.
  void retry_now(time_point now);

  // The earliest time a pass is due: a failed add again, or the watch over a
  // node that does not answer (which also brings its disable when due).
  std::optional<time_point> next_retry() const;
  std::size_t stale_nodes() const noexcept { return stale_.size(); }
  // The probed nodes that did not answer.
  std::vector<citus_node> unreachable() const;
  bool is_unreachable(const citus_node& node) const { return unreachable_.count(node) != 0; }
  // As of the last plan.
  const std::vector<blocked_node>& blocking() const noexcept { return blocking_; }

private:
  struct retry {
    backoff wait;
    time_point due;
  };

  // A probed node that does not answer.
  struct silence {
    time_point since;
    time_point disable_due;
    std::int64_t only_placements = 0;
    std::string refused; // Citus refused to disable it: why
  };

  options options_;
  std::map<citus_node, retry> retries_;
  std::map<citus_node, silence> unreachable_;
  std::optional<time_point> watch_due_;
  std::vector<blocked_node> blocking_;
  std::set<citus_node> stale_;
  std::uint64_t seeds_ = 0;
};

} // namespace wlg::policy
