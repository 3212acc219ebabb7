// A Citus background job (a rebalance, a drain) simulated: each statement the
// job asks for is answered by the test as Citus would.

#include "policy/background_job.hpp"
#include "test/unit/commands.hpp"

#include <doctest/doctest.h>

using namespace wlg::policy;
using namespace wlg::test;
using namespace std::chrono_literals;
using job = background_job;

namespace {

job::options following(bool to_the_end) { return {2s, to_the_end}; }

} // namespace

TEST_CASE("nothing owed and none running: nothing is due") {
  job j{following(false)};
  CHECK_FALSE(j.due());
  j.owe();
  CHECK(j.due());
}

TEST_CASE("an owed job is started once none runs, then followed, and the step ends while it runs") {
  job j{following(false)};
  j.owe();
  one_of<job::read_state>(j.begin());
  one_of<job::start>(j.on_state("")); // there has been none
  auto out = j.on_started(17);
  CHECK(one_of<job::phase_changed>(out).phase == rebalance_phase::running);
  CHECK(one_of<job::arm_follow>(out).delay == 2s);
  CHECK(one_of<job::step_done>(out).failure.empty());
  CHECK(j.active());
  CHECK(j.on_follow().empty()); // the caller begins the next step
  one_of<job::read_state>(j.begin());
  out = j.on_state("running");
  CHECK(all_of<job::phase_changed>(out).empty()); // said once
  one_of<job::arm_follow>(out);
  one_of<job::read_state>((j.on_follow(), j.begin()));
  out = j.on_state("finished");
  CHECK(one_of<job::phase_changed>(out).phase == rebalance_phase::finished);
  one_of<job::step_done>(out);
  CHECK_FALSE(j.due());
}

TEST_CASE("a job owed while another runs waits for it, then starts") {
  job j{following(true)};
  j.owe();
  one_of<job::read_state>(j.begin());
  auto out = j.on_state("running"); // someone else's
  one_of<job::arm_follow>(out);
  CHECK(all_of<job::step_done>(out).empty()); // waits, to the end
  one_of<job::read_state>(j.on_follow());
  one_of<job::start>(j.on_state("finished"));
  out = j.on_started(18);
  one_of<job::arm_follow>(out);
  one_of<job::read_state>(j.on_follow());
  CHECK(one_of<job::step_done>(j.on_state("finished")).failure.empty());
}

TEST_CASE("nothing to move: the job is finished at once") {
  job j{following(true)};
  j.owe();
  j.begin();
  j.on_state("");
  const auto out = j.on_started(std::nullopt);
  CHECK(one_of<job::phase_changed>(out).phase == rebalance_phase::finished);
  CHECK(one_of<job::step_done>(out).failure.empty());
  CHECK(all_of<job::arm_follow>(out).empty());
}

TEST_CASE("a refused job fails the step that waits for it, with Citus's reason, and otherwise is only reported") {
  const std::string why = "Shard replication factor (1) cannot be greater than number of nodes with "
                          "should_have_shards=true (0).";
  for (const bool to_the_end : {true, false}) {
    job j{following(to_the_end)};
    j.owe();
    j.begin();
    j.on_state("");
    const auto out = j.on_refused(why);
    const auto phase = one_of<job::phase_changed>(out);
    CHECK(phase.phase == rebalance_phase::failed);
    CHECK(phase.why == why);
    CHECK(one_of<job::step_done>(out).failure == (to_the_end ? why : ""));
    CHECK_FALSE(j.due()); // owed again only by the next reason
  }
}

TEST_CASE("a job that ends failed is reported once with its state, and again for another reason") {
  job j{following(true)};
  j.owe();
  j.begin();
  j.on_state("");
  j.on_started(3);
  j.on_follow();
  auto out = j.on_state("failed");
  CHECK(one_of<job::phase_changed>(out).why == "the job ended failed");
  CHECK(one_of<job::step_done>(out).failure == "the job ended failed");
  j.begin();
  CHECK(all_of<job::phase_changed>(j.on_state("failed")).empty());
  j.begin();
  CHECK(one_of<job::phase_changed>(j.on_state("cancelled")).why == "the job ended cancelled");
}

TEST_CASE("an old failed job is not reported before this one followed any") {
  job j{following(false)};
  j.begin();
  const auto out = j.on_state("failed");
  CHECK(all_of<job::phase_changed>(out).empty());
  CHECK(one_of<job::step_done>(out).failure.empty());
}

TEST_CASE("answers outside a step, and a step lost with the connection, change nothing") {
  job j{following(true)};
  CHECK(j.on_state("running").empty());
  CHECK(j.on_started(4).empty());
  j.owe();
  j.begin();
  j.on_lost();
  CHECK(j.on_state("").empty());
  CHECK(j.due()); // still owed
  one_of<job::start>((j.begin(), j.on_state("")));
}

TEST_CASE("the follow timer is armed once however often the job is read") {
  job j{following(false)};
  j.begin();
  CHECK(all_of<job::arm_follow>(j.on_state("running")).size() == 1);
  j.begin();
  CHECK(all_of<job::arm_follow>(j.on_state("running")).empty());
  j.on_follow();
  j.begin();
  CHECK(all_of<job::arm_follow>(j.on_state("running")).size() == 1);
}

TEST_CASE("a job refused because another runs follows that one, and starts once it has ended") {
  job j{following(true)};
  j.owe();
  j.begin();
  one_of<job::start>(j.on_state("finished")); // an old one
  auto out = j.on_busy(); // another was started meanwhile
  CHECK(one_of<job::phase_changed>(out).phase == rebalance_phase::running);
  one_of<job::arm_follow>(out);
  CHECK(all_of<job::step_done>(out).empty());
  CHECK(j.due());
  one_of<job::read_state>(j.on_follow());
  one_of<job::start>(j.on_state("finished")); // still owed
}
