#include "actors/citus_membership.hpp"

#include "actors/citus_reports.hpp"
#include "actors/errors.hpp"
#include "actors/guarded.hpp"
#include "actors/weak_mailbox.hpp"
#include "net/pg_connection.hpp"
#include "protocol/citus_rows.hpp"
#include "protocol/citus_sql.hpp"
#include "protocol/coordinator_problem.hpp"
#include "runtime/dry_run_output.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"
#include "runtime/ready_file.hpp"

#include <algorithm>
#include <deque>

namespace wlg::actors {

namespace {

constexpr auto role = config::actor_role::citus_membership;
using machine = policy::citus_output_machine;
using policy::citus_node;

using change_kind = policy::node_change::kind;

protocol::sql_statement statement_for(const policy::node_change& change) {
  switch (change.what) {
    case change_kind::add: return protocol::add_worker_node(change.node.name, change.node.port);
    case change_kind::remove: return protocol::remove_worker_node_if_empty(change.node.name, change.node.port);
    case change_kind::update:
      return protocol::update_worker_node(change.from.name, change.from.port, change.node.name);
    case change_kind::disable: return protocol::disable_worker_node(change.node.name, change.node.port);
    case change_kind::activate: return protocol::activate_worker_node(change.node.name, change.node.port);
  }
  return {};
}

// A server message's level in the log: DEBUG and LOG (which a session only
// gets when client_min_messages asks for them) at debug level.
spdlog::level::level_enum notice_level(const std::string& severity) {
  if (severity.rfind("WARNING", 0) == 0)
    return spdlog::level::warn;
  if (severity.rfind("DEBUG", 0) == 0 || severity.rfind("LOG", 0) == 0)
    return spdlog::level::debug;
  return spdlog::level::info;
}

// Carries out the machine's commands; each step's outcome comes back through
// the mailbox, tagged with the step it answers (an older step's is ignored).
class membership {
public:
  membership(citus_membership_actor::pointer self, context_ptr ctx, machine::options options)
    : self_(self), ctx_(std::move(ctx)), machine_(options),
      log_(runtime::component_logger(std::string{config::name_of(role)})),
      reports_(log_, *ctx_->metrics, ctx_->config.disable_unreachable_after) {}

  caf::result<policy::output_report> apply(const policy::output_request& request) {
    const auto port = ctx_->config.worker_port;
    std::set<citus_node> wanted;
    for (const auto& name : request.workers.names())
      wanted.insert({name, port});
    policy::membership_plan::successions formers;
    for (const auto& [name, former_names] : request.workers.formers())
      for (const auto& former : former_names)
        formers[{name, port}].push_back({former, port});
    std::set<citus_node> held_back;
    for (const auto& name : request.workers.held_back())
      held_back.insert({name, port});
    std::map<citus_node, std::string> containers;
    for (const auto& [name, id] : request.workers.containers())
      containers[{name, port}] = id;
    auto promise = self_->make_response_promise<policy::output_report>();
    waiting_.push_back({machine_.last_ticket() + 1, promise});
    run(machine_.on_apply(std::move(wanted), std::move(formers), std::move(held_back), containers,
                          self_->clock().now()));
    return promise;
  }

  void on_outcome(std::uint64_t step, net::pg_outcome outcome) {
    if (step != step_)
      return; // from a connection given up since
    if (!running_)
      return;
    const auto running = *running_;
    running_.reset();
    std::visit([&](const auto& command) { report(command, std::move(outcome)); }, running);
  }

  void on_retry() { run(machine_.on_retry()); }
  void on_follow() { run(machine_.on_follow()); }

  void close() {
    if (connection_)
      connection_->close();
    ctx_->metrics->coordinator_connected = false;
  }

private:
  // The step under way, whose outcome is awaited.
  using step_command = std::variant<machine::connect, machine::take_lock, machine::read_nodes, machine::probe_nodes,
                                    machine::run_change, machine::check_placements, machine::read_rebalance,
                                    machine::start_rebalance>;

  void run(const machine::commands& commands) {
    for (const auto& command : commands)
      std::visit([this](const auto& c) { carry_out(c); }, command);
    ctx_->metrics->citus_stale_nodes = static_cast<std::int64_t>(machine_.stale_nodes());
  }

  void carry_out(const machine::connect& c) {
    running_ = c;
    // The server's notices go through the log, so --log-format=json stays JSON.
    connection_ = net::make_pg_connection(*ctx_->io, ctx_->config.coordinator.reveal(), ctx_->config.request_timeout,
                                          [log = log_](std::string severity, std::string message) {
                                            log->log(notice_level(severity), "the coordinator says: {}: {}", severity,
                                                     message);
                                          });
    connection_->connect([me = mailbox(), step = ++step_](std::optional<net::pg_error> error) {
      me.send(internal_atom::value, pg_atom::value, step,
              error ? net::pg_outcome{std::nullopt, *error} : net::pg_outcome{net::pg_rows{}, {}});
    });
  }

  void carry_out(const machine::take_lock& c) { execute(c, protocol::try_leader_lock()); }

  void carry_out(const machine::read_nodes& c) { execute(c, protocol::read_worker_nodes()); }

  void carry_out(const machine::probe_nodes& c) {
    execute(c, protocol::probe_worker_nodes(c.nodes, protocol::probe_connect_timeout_ms));
  }

  void carry_out(const machine::run_change& c) { execute(c, statement_for(c.change)); }

  void carry_out(const machine::check_placements& c) {
    execute(c, protocol::check_node_placements(c.nodes, protocol::probe_connect_timeout_ms));
  }

  void carry_out(const machine::read_rebalance& c) { execute(c, protocol::rebalance_status()); }

  void carry_out(const machine::start_rebalance& c) {
    execute(c, protocol::start_rebalance(ctx_->config.rebalance_transfer_mode));
  }

  void carry_out(const machine::arm_follow& f) {
    self_->delayed_send(self_, f.delay, internal_atom::value, tick_atom::value);
  }

  // What the operator is told: citus_reports' job.
  template <class Report>
  void carry_out(const Report& report) {
    reports_.say(report);
  }

  void carry_out(const machine::show_changes& c) {
    std::vector<std::string> statements;
    for (const auto& change : c.changes)
      statements.push_back(protocol::render_for_reading(statement_for(change)));
    if (c.rebalance)
      statements.push_back(protocol::render_for_reading(protocol::start_rebalance(ctx_->config.rebalance_transfer_mode)));
    runtime::print_would_run(statements);
  }

  void carry_out(const machine::answer& a) {
    for (auto& promise : answered_through(a.through))
      promise.deliver(a.report);
  }

  void carry_out(const machine::fail& f) {
    for (auto& promise : answered_through(f.through))
      promise.deliver(make_error(sync_error::coordinator, f.why));
  }

  void carry_out(const machine::arm_retry& r) {
    self_->delayed_send(self_, std::max(r.due - self_->clock().now(), policy::duration::zero()),
                        internal_atom::value, retry_atom::value);
  }

  void carry_out(const machine::drop_connection& d) {
    if (connection_)
      connection_->close();
    connection_.reset();
    if (!d.lost)
      return;
    if (ctx_->metrics->coordinator_connected.exchange(false))
      ++ctx_->metrics->coordinator_reconnects;
    log_->warn("{}", d.why);
  }

  // --- outcomes, as reports to the machine ------------------------------------

  void report(const machine::connect&, net::pg_outcome outcome) {
    if (!outcome.rows) {
      ++ctx_->metrics->coordinator_connect_failures;
      return run(machine_.on_connect_failed(protocol::classify_connect_failure(outcome.error.message),
                                            outcome.error.message));
    }
    ++ctx_->metrics->coordinator_connects;
    ctx_->metrics->coordinator_connected = true;
    log_->info("connected to the coordinator");
    if (ctx_->ready)
      ctx_->ready->reached();
    run(machine_.on_connected());
  }

  void report(const machine::take_lock&, net::pg_outcome outcome) {
    if (!outcome.rows)
      return run(machine_.on_lost(outcome.error.message));
    run(machine_.on_lock(protocol::first_is_true(*outcome.rows)));
  }

  void report(const machine::read_rebalance&, net::pg_outcome outcome) {
    if (!outcome.rows && outcome.error.what == net::pg_error::kind::statement)
      return run(machine_.on_rebalance_refused(outcome.error.message));
    if (!outcome.rows)
      return run(machine_.on_lost(outcome.error.message));
    run(machine_.on_rebalance_status(protocol::first_text(*outcome.rows).value_or("")));
  }

  void report(const machine::start_rebalance&, net::pg_outcome outcome) {
    const bool refused = !outcome.rows && outcome.error.what == net::pg_error::kind::statement;
    if (refused && protocol::says_a_job_runs(outcome.error.message))
      return run(machine_.on_rebalance_busy());
    if (refused)
      return run(machine_.on_rebalance_refused(outcome.error.message));
    if (!outcome.rows)
      return run(machine_.on_lost(outcome.error.message));
    const auto job = protocol::first_int64(*outcome.rows);
    if (job) {
      ++ctx_->metrics->citus_rebalances_started;
      log_->info("started rebalance job {} (citus_rebalance_start, shard_transfer_mode {})", *job,
                 ctx_->config.rebalance_transfer_mode);
    }
    run(machine_.on_rebalance_started(job));
  }

  void report(const machine::read_nodes&, net::pg_outcome outcome) {
    if (!outcome.rows && outcome.error.what == net::pg_error::kind::statement)
      return run(machine_.on_read_refused(protocol::classify_read_failure(outcome.error.sqlstate),
                                          outcome.error.message));
    if (!outcome.rows)
      return run(machine_.on_lost(outcome.error.message));
    const auto nodes = protocol::read_registered_nodes(*outcome.rows);
    run(machine_.on_nodes(nodes.present, self_->clock().now(), nodes.inactive));
  }

  void report(const machine::probe_nodes&, net::pg_outcome outcome) {
    const auto now = self_->clock().now();
    if (!outcome.rows && outcome.error.what == net::pg_error::kind::statement) {
      // (Without the probe every node counts as answering: nothing is disabled.)
      say_refusal(probe_refusal_, "cannot probe the worker nodes from the coordinator", outcome.error.message);
      return run(machine_.on_probed({}, now));
    }
    probe_refusal_.clear();
    if (!outcome.rows)
      return run(machine_.on_lost(outcome.error.message));
    run(machine_.on_probed(protocol::read_node_probes(*outcome.rows), now));
  }

  void report(const machine::check_placements&, net::pg_outcome outcome) {
    const auto now = self_->clock().now();
    if (!outcome.rows && outcome.error.what == net::pg_error::kind::statement) {
      say_refusal(check_refusal_, "cannot check the shard tables of worker nodes whose container changed",
                  outcome.error.message);
      return run(machine_.on_check_refused(now));
    }
    check_refusal_.clear();
    if (!outcome.rows)
      return run(machine_.on_lost(outcome.error.message));
    ++ctx_->metrics->citus_placement_checks;
    run(machine_.on_placements_checked(protocol::read_placement_checks(*outcome.rows), now));
  }

  // A read the coordinator refused (`what`: doing which): a warning, or at
  // debug level when `last` says the same refusal was already warned of.
  void say_refusal(std::string& last, std::string_view what, const std::string& why) {
    log_->log(why == last ? spdlog::level::debug : spdlog::level::warn, "{}: {}", what, why);
    last = why;
  }

  void report(const machine::run_change& c, net::pg_outcome outcome) {
    const bool refused = !outcome.rows && outcome.error.what == net::pg_error::kind::statement;
    if (!outcome.rows && !refused)
      return run(machine_.on_lost(outcome.error.message));
    const auto name = policy::to_string(c.change.node);
    if (c.change.what == change_kind::disable) {
      if (refused)
        return run(machine_.on_disable_refused(outcome.error.message, self_->clock().now()));
      if (!outcome.rows->empty()) {
        ++ctx_->metrics->citus_nodes_disabled;
        reports_.disabled(c.change.node);
      }
      return run(machine_.on_disabled());
    }
    if (c.change.what == change_kind::activate) {
      if (refused) {
        ++ctx_->metrics->citus_add_failures;
        return run(machine_.on_add_refused("activating it: " + outcome.error.message, self_->clock().now()));
      }
      ++ctx_->metrics->citus_nodes_activated;
      log_->info("activated worker node {} again", name);
      return run(machine_.on_added());
    }
    if (c.change.what == change_kind::update)
      return report_update(c.change, refused ? std::optional<std::string>{outcome.error.message}
                                             : outcome.rows->empty() ? std::optional<std::string>{"it is no longer registered"}
                                                                     : std::nullopt);
    const bool add = c.change.what == change_kind::add;
    if (add && !refused) {
      ++ctx_->metrics->citus_nodes_added;
      log_->info("added worker node {}", name);
      return run(machine_.on_added());
    }
    if (add) {
      ++ctx_->metrics->citus_add_failures;
      return run(machine_.on_add_refused(outcome.error.message, self_->clock().now()));
    }
    if (refused) {
      ++ctx_->metrics->citus_remove_failures;
      return run(machine_.on_remove_refused(outcome.error.message, self_->clock().now()));
    }
    const auto removal = protocol::read_removal(*outcome.rows);
    if (!removal) // no longer registered: someone removed it
      return run(machine_.on_removed());
    if (removal->removed) {
      ++ctx_->metrics->citus_nodes_removed;
      log_->info("removed worker node {}", name);
      return run(machine_.on_removed());
    }
    run(machine_.on_kept("it holds shard placements (dockercloud-workerlistgen drain moves them off)",
                         removal->only_copies));
  }

  // `refusal`: why the node could not be updated, if it could not.
  void report_update(const policy::node_change& change, std::optional<std::string> refusal) {
    if (refusal) {
      ++ctx_->metrics->citus_add_failures;
      return run(machine_.on_add_refused("updating " + policy::to_string(change.from) + " to it: " + *refusal,
                                         self_->clock().now()));
    }
    ++ctx_->metrics->citus_nodes_updated;
    log_->info("updated worker node {} to {} in place (same node id and placements)", policy::to_string(change.from),
               policy::to_string(change.node));
    run(machine_.on_added());
  }

  template <class Step>
  void execute(const Step& step, const protocol::sql_statement& statement) {
    running_ = step;
    connection_->execute(std::string{statement.text}, statement.params,
                         [me = mailbox(), step = ++step_](net::pg_outcome outcome) {
                           me.send(internal_atom::value, pg_atom::value, step, std::move(outcome));
                         });
  }

  std::vector<caf::typed_response_promise<policy::output_report>> answered_through(machine::ticket through) {
    std::vector<caf::typed_response_promise<policy::output_report>> out;
    while (!waiting_.empty() && waiting_.front().first <= through) {
      out.push_back(waiting_.front().second);
      waiting_.pop_front();
    }
    return out;
  }

  weak_mailbox<citus_membership_actor> mailbox() const { return weak_mailbox<citus_membership_actor>{self_}; }

  citus_membership_actor::pointer self_;
  context_ptr ctx_;
  machine machine_;
  std::deque<std::pair<machine::ticket, caf::typed_response_promise<policy::output_report>>> waiting_;
  // The coordinator's connection, and the step under way on it.
  std::shared_ptr<net::pg_connection> connection_;
  std::uint64_t step_ = 0;
  std::optional<step_command> running_;
  // What the operator is told.
  std::shared_ptr<spdlog::logger> log_;
  citus_reports reports_;
  std::string probe_refusal_; // why the last probe was refused, said once
  std::string check_refusal_; // why the last check of shard tables was refused, said once
};

} // namespace

citus_membership_actor::behavior_type citus_membership(citus_membership_actor::pointer self, context_ptr ctx,
                                                       policy::citus_output_machine::options options) {
  end_on_exception(self, role);
  auto work = std::make_shared<membership>(self, ctx, options);
  self->attach_functor([work] { work->close(); });
  return guarded_behavior<citus_membership_actor>(
    ctx->faults, role,
    [=](apply_atom, const policy::output_request& request) -> caf::result<policy::output_report> {
      return work->apply(request);
    },
    [=](internal_atom, pg_atom, std::uint64_t step, net::pg_outcome outcome) {
      work->on_outcome(step, std::move(outcome));
    },
    [=](internal_atom, retry_atom) { work->on_retry(); },
    [=](internal_atom, tick_atom) { work->on_follow(); });
}

} // namespace wlg::actors
