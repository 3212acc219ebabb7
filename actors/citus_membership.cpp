#include "actors/citus_membership.hpp"

#include "actors/errors.hpp"
#include "actors/guarded.hpp"
#include "actors/weak_mailbox.hpp"
#include "net/pg_connection.hpp"
#include "policy/membership_plan.hpp"
#include "protocol/citus_sql.hpp"
#include "runtime/dry_run_output.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

#include <deque>
#include <set>

namespace wlg::actors {

namespace {

constexpr auto role = config::actor_role::citus_membership;
using policy::citus_node;

policy::membership_plan::options plan_options(const config::settings& config) {
  policy::membership_plan::options o;
  o.retry_initial = config.backoff_initial;
  o.retry_max = config.backoff_max;
  o.remove_unwanted = config.remove_workers == config::worker_removal::if_empty;
  o.seed = std::random_device{}();
  return o;
}

// One pass: connect if need be, read the nodes, then each change in turn.
// Applies that arrive meanwhile are answered by the next pass.
class membership {
public:
  membership(citus_membership_actor::pointer self, context_ptr ctx)
    : self_(self), ctx_(std::move(ctx)), log_(runtime::component_logger(std::string{config::name_of(role)})),
      plan_(plan_options(ctx_->config)) {}

  caf::result<policy::output_report> apply(const policy::output_request& request) {
    wanted_.clear();
    for (const auto& name : request.workers.names())
      wanted_.insert({name, ctx_->config.worker_port});
    auto promise = self_->make_response_promise<policy::output_report>();
    waiting_.push_back(promise);
    start_pass();
    return promise;
  }

  void on_outcome(std::uint64_t step, net::pg_outcome outcome) {
    if (step != step_)
      return; // from a connection given up since
    switch (at_) {
      case stage::connecting: return connected(std::move(outcome));
      case stage::reading: return read(std::move(outcome));
      case stage::changing: return changed(std::move(outcome));
      case stage::idle: return;
    }
  }

  void on_retry() {
    retry_armed_ = false;
    start_pass();
  }

  void close() {
    if (connection_)
      connection_->close();
    ctx_->metrics->coordinator_connected = false;
  }

private:
  enum class stage { idle, connecting, reading, changing };
  struct change {
    citus_node node;
    bool add;
  };

  void start_pass() {
    if (at_ != stage::idle) {
      again_ = true;
      return;
    }
    again_ = false;
    answering_ = std::move(waiting_); // this pass answers the applies made before it
    waiting_.clear();
    pass_changed_ = false;
    pass_add_failed_ = false;
    if (!connection_) {
      at_ = stage::connecting;
      connection_ = net::make_pg_connection(*ctx_->io, ctx_->config.coordinator.reveal(), ctx_->config.request_timeout);
      connection_->connect([me = mailbox(), step = ++step_](std::optional<net::pg_error> error) {
        me.send(internal_atom::value, pg_atom::value, step,
                error ? net::pg_outcome{std::nullopt, *error} : net::pg_outcome{net::pg_rows{}, {}});
      });
      return;
    }
    run(stage::reading, protocol::read_worker_nodes());
  }

  void connected(net::pg_outcome outcome) {
    if (!outcome.rows) {
      connection_.reset();
      ++ctx_->metrics->coordinator_connect_failures;
      if (last_connect_error_ != outcome.error.message) // one line per change of state
        log_->warn("cannot reach the coordinator ({}); waiting for it", outcome.error.message);
      last_connect_error_ = outcome.error.message;
      return end_pass("the coordinator is not reachable: " + outcome.error.message);
    }
    last_connect_error_.clear();
    ++ctx_->metrics->coordinator_connects;
    ctx_->metrics->coordinator_connected = true;
    log_->info("connected to the coordinator");
    run(stage::reading, protocol::read_worker_nodes());
  }

  void read(net::pg_outcome outcome) {
    if (!outcome.rows)
      return failed(outcome.error, "reading pg_dist_node");
    std::set<citus_node> present;
    for (const auto& row : *outcome.rows)
      if (row.size() == 2 && row[0] && row[1])
        if (auto port = protocol::parse_node_port(*row[1]))
          present.insert({*row[0], *port});
    const auto now = self_->clock().now();
    const auto plan = plan_.plan(wanted_, present, now);
    changes_.clear();
    for (const auto& node : plan.add)
      changes_.push_back({node, true});
    for (const auto& node : plan.remove)
      changes_.push_back({node, false});
    if (ctx_->config.dry_run) {
      std::vector<std::string> statements;
      for (const auto& c : changes_)
        statements.push_back(protocol::render_for_reading(statement_for(c)));
      runtime::print_would_run(statements);
      changes_.clear();
    }
    next_change();
  }

  void next_change() {
    if (changes_.empty())
      return end_pass({});
    run(stage::changing, statement_for(changes_.front()));
  }

  protocol::sql_statement statement_for(const change& c) const {
    return c.add ? protocol::add_worker_node(c.node.name, c.node.port)
                 : protocol::remove_worker_node_if_empty(c.node.name, c.node.port);
  }

  void changed(net::pg_outcome outcome) {
    const auto c = changes_.front();
    changes_.pop_front();
    const auto name = policy::to_string(c.node);
    if (!outcome.rows && outcome.error.what != net::pg_error::kind::statement)
      return failed(outcome.error, (c.add ? "adding " : "removing ") + name);
    if (c.add && outcome.rows) {
      plan_.on_added(c.node);
      ++ctx_->metrics->citus_nodes_added;
      pass_changed_ = true;
      log_->info("added worker node {}", name);
    } else if (c.add) {
      const auto due = plan_.on_add_failed(c.node, self_->clock().now());
      ++ctx_->metrics->citus_add_failures;
      pass_add_failed_ = true;
      log_->warn("cannot add worker node {} ({}); retrying in {} ms", name, outcome.error.message,
                 std::chrono::duration_cast<std::chrono::milliseconds>(due - self_->clock().now()).count());
    } else if (outcome.rows && !outcome.rows->empty()) {
      plan_.on_removed(c.node);
      ++ctx_->metrics->citus_nodes_removed;
      pass_changed_ = true;
      log_->info("removed worker node {}", name);
    } else if (plan_.on_kept(c.node)) {
      log_->warn("worker node {} is no longer wanted but stays: {}", name,
                 outcome.rows ? "it holds shard placements (move them with citus_drain_node to let it go)"
                              : outcome.error.message);
    }
    next_change();
  }

  // The connection broke: it is made again on the next pass.
  void failed(const net::pg_error& error, const std::string& doing) {
    connection_->close();
    connection_.reset();
    if (ctx_->metrics->coordinator_connected.exchange(false))
      ++ctx_->metrics->coordinator_reconnects;
    log_->warn("lost the coordinator while {} ({})", doing, error.message);
    end_pass("lost the coordinator while " + doing + ": " + error.message);
  }

  void end_pass(const std::string& failure) {
    at_ = stage::idle;
    ctx_->metrics->citus_stale_nodes = static_cast<std::int64_t>(plan_.stale_nodes());
    auto waiting = std::move(answering_);
    answering_.clear();
    const bool failed_once = ctx_->config.once && pass_add_failed_;
    for (auto& promise : waiting) {
      if (!failure.empty())
        promise.deliver(make_error(sync_error::coordinator, failure));
      else if (failed_once)
        promise.deliver(make_error(sync_error::coordinator, "a worker node could not be added"));
      else
        promise.deliver(policy::output_report{pass_changed_, summary()});
    }
    if (failure.empty() && !ctx_->config.once)
      arm_retry();
    if (again_)
      start_pass();
  }

  // Failed adds are tried again when due, whether or not anything else happens.
  void arm_retry() {
    const auto due = plan_.next_retry();
    if (!due || retry_armed_)
      return;
    retry_armed_ = true;
    self_->delayed_send(self_, std::max(*due - self_->clock().now(), policy::duration::zero()), internal_atom::value,
                        retry_atom::value);
  }

  void run(stage next, const protocol::sql_statement& statement) {
    at_ = next;
    connection_->execute(std::string{statement.text}, statement.params,
                         [me = mailbox(), step = ++step_](net::pg_outcome outcome) {
                           me.send(internal_atom::value, pg_atom::value, step, std::move(outcome));
                         });
  }

  weak_mailbox<citus_membership_actor> mailbox() const { return weak_mailbox<citus_membership_actor>{self_}; }

  std::string summary() const {
    if (ctx_->config.dry_run)
      return "dry run: no statement was run";
    return std::to_string(wanted_.size()) + " wanted worker node(s); "
           + (pass_changed_ ? "the coordinator was changed" : "the coordinator already had them");
  }

  citus_membership_actor::pointer self_;
  context_ptr ctx_;
  std::shared_ptr<spdlog::logger> log_;
  policy::membership_plan plan_;
  std::shared_ptr<net::pg_connection> connection_;
  std::set<citus_node> wanted_;
  std::vector<caf::typed_response_promise<policy::output_report>> waiting_;   // for the next pass
  std::vector<caf::typed_response_promise<policy::output_report>> answering_; // by the pass under way
  std::deque<change> changes_;
  stage at_ = stage::idle;
  std::uint64_t step_ = 0;
  bool again_ = false;
  bool retry_armed_ = false;
  bool pass_changed_ = false;
  bool pass_add_failed_ = false;
  std::string last_connect_error_;
};

} // namespace

citus_membership_actor::behavior_type citus_membership(citus_membership_actor::pointer self, context_ptr ctx) {
  end_on_exception(self, role);
  auto work = std::make_shared<membership>(self, ctx);
  self->attach_functor([work] { work->close(); });
  return guarded_behavior<citus_membership_actor>(
    ctx->faults, role,
    [=](apply_atom, const policy::output_request& request) -> caf::result<policy::output_report> {
      return work->apply(request);
    },
    [=](internal_atom, pg_atom, std::uint64_t step, net::pg_outcome outcome) {
      work->on_outcome(step, std::move(outcome));
    },
    [=](internal_atom, retry_atom) { work->on_retry(); });
}

} // namespace wlg::actors
