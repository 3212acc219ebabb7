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
// counted as stale until it goes or is wanted again. A removal Citus refuses
// (it sends the removal to every active node with metadata, so two nodes
// that go at once each block the other's until node_health disables them,
// and then until Citus has synced its metadata) is retried for that node
// alone with back-off, like an add, and counted as stale meanwhile. While
// another active node is known not to answer, a removal is not tried at all
// (Citus would wait out its connection timeout, then refuse): it waits,
// counted as stale, until that node is disabled or answers.
//
// A wanted node that replaces a registered one (a swarm task's successor in
// the same slot, with a new name) takes that node over: the node is updated
// in place, keeping its id, group and placements, rather than one node
// removed and another added.
//
// Nodes that do not answer are node_health's; this plan only needs to know
// which they are (`silent`): a disabled node wanted again is activated once
// it answers, like an add, with the same retries.

#include "policy/backoff.hpp"
#include "policy/citus_node.hpp"
#include "policy/steady_time.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wlg::policy {

class membership_plan {
public:
  struct options {
    std::chrono::milliseconds retry_initial{500};
    std::chrono::milliseconds retry_max{30'000};
    bool remove_unwanted = true; // --remove-workers=if-empty
    std::uint64_t seed = 0;
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
    // Not wanted, its refused removal waits out a back-off, or another
    // active node that does not answer would block it.
    std::vector<citus_node> removal_waiting;
    std::vector<citus_node> waiting; // wanted, missing, its add waits out a back-off
    std::vector<citus_node> activate; // disabled, wanted and answering
    // Registered, not wanted, replaced by a wanted node (now or once its
    // update's back-off is over): neither removed nor disabled.
    std::set<citus_node> taken_over;
  };

  explicit membership_plan(options opts);

  // `present`: every registered worker node; `inactive`: those disabled;
  // `silent`: those that do not answer the coordinator.
  changes plan(const std::set<citus_node>& wanted, const std::set<citus_node>& present, time_point now,
               const successions& formers = {}, const std::set<citus_node>& inactive = {},
               const std::set<citus_node>& silent = {});

  // An add or an update (to `node`) went through, or failed.
  void on_added(const citus_node& node);
  // Returns when the node is due again.
  time_point on_add_failed(const citus_node& node, time_point now);
  void on_removed(const citus_node& node);
  // Citus refused the removal: returns when the node is due again.
  time_point on_remove_failed(const citus_node& node, time_point now);
  // A node was disabled, which may unblock the refused removals: each is due
  // at once, with its back-off started again (Citus syncs the change to the
  // other nodes within seconds, and refuses removals until it has).
  void restart_removals(time_point now);
  // The node holds placements and stays; `only_copies` of its shards have no
  // active placement elsewhere. True the first time: warn once.
  bool on_kept(const citus_node& node, std::int64_t only_copies = 0);
  // Something that could unblock the failed adds and removals happened (a
  // new sync, the coordinator back): each is due at once, its back-off kept
  // for the next failure.
  void retry_now(time_point now);

  // The earliest time a failed add or removal is due again.
  std::optional<time_point> next_retry() const;
  std::size_t stale_nodes() const noexcept { return stale_.size(); }
  // The kept nodes whose shards are served nowhere else: each with their count.
  std::vector<std::pair<citus_node, std::int64_t>> departed() const;

private:
  struct retry {
    backoff wait;
    time_point due;
  };

  options options_;
  // Whether `node` failed and waits out its back-off in `retries`.
  static bool backing_off(const std::map<citus_node, retry>& retries, const citus_node& node, time_point now);
  // Records a failure of `node` in `retries`: returns when it is due again.
  time_point failed(std::map<citus_node, retry>& retries, const citus_node& node, time_point now);

  std::map<citus_node, retry> retries_;         // refused adds (updates, activations) of wanted nodes
  std::map<citus_node, retry> removal_retries_; // refused removals of nodes no longer wanted
  std::map<citus_node, std::int64_t> stale_; // kept -> shards served only there
  std::uint64_t seeds_ = 0;
};

} // namespace wlg::policy
