// Behaviours 3 and 6 of the reliability issue: the event stream dropped,
// refused or silent, and hostile frames on it.

#include "test/support/fixtures.hpp"
#include "test/support/sanitized.hpp"
#include "test/support/watch.hpp"

#include <doctest/doctest.h>


using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> quick_retries = {"--backoff-initial=100ms", "--backoff-max=2s",
                                                "--auth-retry=1s"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

struct connected_sidecar {
  emulator emu;
  sidecar side;
  explicit connected_sidecar(std::vector<std::string> args = quick_retries)
    : side(emu.sidecar_env(), with_status_port(std::move(args))) {
    REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 10s), side.log());
    REQUIRE(wait_until([&] { return emu.state().stream_open == 1; }, 5s));
    // The connect's resync answered too (it finds the list unchanged), so
    // that later changes reach the sidecar only as the test means them to.
    REQUIRE(side.metric_reaches("file_unchanged_total", 1));
    REQUIRE(side.wait_until_settled(emu));
  }
};

// Keeps the stream refused with `status` after dropping it, scales meanwhile
// (those events are lost), until `attempts` reconnects were refused; then
// lets it connect and expects the scale in the file soon after. Returns the
// gaps between the refused attempts, as the emulator saw them arrive.
std::vector<std::chrono::milliseconds> refused_attempts(connected_sidecar& t, unsigned status,
                                                        std::uint64_t attempts) {
  t.emu.control("/stream/refuse?status=" + std::to_string(status) + "&count=-1");
  t.emu.control("/stream/drop?mode=close");
  REQUIRE(wait_until([&] { return t.emu.state().stream_open == 0; }, 5s));
  t.emu.scale(5);
  const auto before = t.emu.state().stream_upgrades;
  REQUIRE_MESSAGE(wait_until([&] { return t.emu.state().stream_upgrades >= before + attempts; }, 15s),
                  t.side.log());
  const auto state = t.emu.state();
  CHECK_MESSAGE(t.side.worker_list() == first_workers(3), t.side.log()); // the events were lost, as they would be
  t.emu.control("/stream/refuse?count=0");
  CHECK_MESSAGE(t.side.wait_for_list(first_workers(5), 8s), t.side.log());
  CHECK(wait_until([&] { return t.emu.state().stream_open == 1; }, 8s));

  const auto& at = state.stream_upgrade_ns;
  const auto seen = static_cast<std::size_t>(state.stream_upgrades - before);
  REQUIRE(at.size() >= seen);
  std::vector<std::chrono::milliseconds> gaps;
  for (auto i = at.size() - seen + 1; i < at.size(); ++i)
    gaps.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::nanoseconds{at[i] - at[i - 1]}));
  return gaps;
}

} // namespace

TEST_CASE("a stream refused with HTTP 500 is retried with back-off, and a scale made meanwhile arrives") {
  connected_sidecar t;
  const auto gaps = refused_attempts(t, 500, 4);
  REQUIRE(gaps.size() >= 3);
  // --backoff-initial=100ms, doubling; jitter only adds. The emulator sees
  // each attempt after its connect, which may vary by a few ms.
  for (const auto gap : gaps)
    CHECK(gap >= 90ms);
  CHECK(gaps.back() > gaps.front()); // 4x the nominal wait, against at most 1.5x
  CHECK(t.side.metric("stream_failures_total{reason=\"refused\"}") >= 4);
}

TEST_CASE("a stream refused with HTTP 401 is an authorization problem, retried slowly") {
  connected_sidecar t;
  // One quick reconnect after the drop, refused; then --auth-retry=1s.
  const auto gaps = refused_attempts(t, 401, 2);
  REQUIRE(gaps.size() >= 1);
  CHECK(gaps.back() >= 950ms); // 1 s at least, less what the connects vary
  CHECK(t.side.metric("stream_failures_total{reason=\"unauthorized\"}") >= 2);
  CHECK(t.side.metric("stream_failures_total{reason=\"refused\"}") == 0);
}

TEST_CASE("a stream dropped in the middle of a frame reconnects and resyncs") {
  connected_sidecar t;
  t.emu.control("/stream/refuse?status=503&count=2"); // stay away a little while
  t.emu.control("/stream/drop?mode=midframe");
  t.emu.scale(2);
  CHECK_MESSAGE(t.side.wait_for_list(first_workers(2), 5s), t.side.log());
  CHECK(t.side.metric("stream_reconnects_total") == 1);
  CHECK(wait_until([&] { return t.emu.state().stream_open == 1; }, 5s));
}

TEST_CASE("a silent stream (no pongs) is dropped and reconnected") {
  connected_sidecar t{with(quick_retries, {"--ping-interval=200ms", "--pong-timeout=300ms"})};
  t.emu.control("/stream/drop?mode=silent");
  t.emu.scale(4); // the silent connection swallows these events
  CHECK_MESSAGE(t.side.wait_for_list(first_workers(4), 5s), t.side.log());
  CHECK(t.side.metric("stream_reconnects_total") == 1);
  CHECK(t.side.metric("stream_failures_total{reason=\"no_pong\"}") == 1); // why it was dropped
}

TEST_CASE("malformed frames are logged and skipped, the next valid event is handled") {
  connected_sidecar t;
  for (const std::string frame :
       {"not json at all", "{", R"([1,2,3])", R"({"type": 5})", R"({"type":"container","state":["Running"]})",
        R"({"type":"container","parents":"nope"})", R"({"type":"galaxy","state":"Exploding"})",
        R"({"type":"container","state":"Imploding","resource_uri":"/x/"})"})
    t.emu.control("/stream/send", frame);
  t.emu.control("/stream/send?binary=1", "\x01\x02\x03 binary");
  t.emu.scale(4);
  CHECK_MESSAGE(t.side.wait_for_list(first_workers(4), 5s), t.side.log());
  CHECK(t.side.process().running());
  CHECK(t.side.metric("events_malformed_total") == 7); // six that do not parse, and the binary one
  CHECK(t.emu.state().stream_upgrades == 1); // none of it cost the connection
}

TEST_CASE("a 16 MB frame closes the connection with an error, memory stays bounded") {
  connected_sidecar t;
  t.emu.control("/stream/send", std::string(16 * 1024 * 1024, 'x'));
  REQUIRE(t.side.metric_reaches("stream_failures_total{reason=\"too_large\"}", 1));
  t.emu.scale(5);
  CHECK_MESSAGE(t.side.wait_for_list(first_workers(5), 10s), t.side.log());
  CHECK(t.emu.state().stream_upgrades >= 2);
  const auto peak = proc_status_kib(t.side.process().pid(), "VmHWM");
  REQUIRE(peak.has_value());
  // Bounded, not a footprint target (the benchmark measures that): the frame
  // was never buffered whole.
  if (!sanitized_build) // a sanitizer's shadow memory and quarantine are not the sidecar's
    CHECK(*peak < 64 * 1024);
}

TEST_CASE("a flood of 100,000 events: the process stays up, memory bounded, fetches coalesced") {
  connected_sidecar t;
  const auto fetches_before = t.emu.state().rest_requests;
  const auto relevant_before = t.side.metric("events_relevant_total");
  REQUIRE(relevant_before >= 0);
  t.emu.control("/emit?kind=unrelated&count=100000");
  t.emu.scale(5);
  CHECK_MESSAGE(t.side.wait_for_list(first_workers(5), 60s), t.side.log());
  CHECK(t.side.process().running());
  REQUIRE(t.side.metric_reaches("events_relevant_total", relevant_before + 100000, 60s));
  const auto fetches = t.emu.state().rest_requests - fetches_before;
  CHECK(fetches >= 1);
  // One per burst window, not one per event. How many windows there are
  // depends on how fast the sidecar reads: on a loaded machine (or in an
  // instrumented build) it pauses between events, and each pause rightly
  // starts a fetch, so only a bound that holds at any speed is asserted here.
  // The benchmark measures the count on a quiet machine (two per burst).
  CHECK(fetches < 100000 / 100);
  const auto peak = proc_status_kib(t.side.process().pid(), "VmHWM");
  REQUIRE(peak.has_value());
  if (!sanitized_build) // a sanitizer's shadow memory and quarantine are not the sidecar's
    CHECK(*peak < 64 * 1024);
}
