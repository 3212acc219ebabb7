#include "policy/fetch_coalescer.hpp"

#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <vector>

using namespace wlg::policy;
using namespace std::chrono_literals;
using action = fetch_coalescer::decision::action;

namespace {

// Drives a coalescer through a virtual clock: requests arrive at given
// offsets, each fetch takes `fetch_time`, timers fire when due. Counts fetches.
struct simulation {
  fetch_coalescer coalescer;
  std::chrono::microseconds fetch_time;
  time_point start = time_point{} + 1h;
  std::vector<std::chrono::microseconds> fetch_starts;
  std::map<time_point, std::uint64_t> timers;
  std::optional<time_point> fetch_done_at;

  simulation(fetch_coalescer::options opts, std::chrono::microseconds fetch)
    : coalescer(opts), fetch_time(fetch) {}

  void apply(fetch_coalescer::decision d, time_point now) {
    if (d.what == action::fetch_now) {
      REQUIRE_FALSE(fetch_done_at.has_value()); // never two fetches at once
      fetch_starts.push_back(std::chrono::duration_cast<std::chrono::microseconds>(now - start));
      fetch_done_at = now + fetch_time;
    } else if (d.what == action::arm_timer) {
      REQUIRE(d.deadline >= now);
      timers[d.deadline] = d.timer_id;
    }
  }

  // Runs everything due up to `until`.
  void advance(time_point until) {
    for (;;) {
      std::optional<time_point> next;
      if (fetch_done_at && *fetch_done_at <= until)
        next = *fetch_done_at;
      if (!timers.empty() && timers.begin()->first <= until && (!next || timers.begin()->first < *next))
        next = timers.begin()->first;
      if (!next)
        return;
      if (fetch_done_at && *next == *fetch_done_at) {
        fetch_done_at.reset();
        apply(coalescer.on_fetch_succeeded(*next), *next);
      } else {
        auto [at, id] = *timers.begin();
        timers.erase(timers.begin());
        apply(coalescer.on_timer(at, id), at);
      }
    }
  }

  void request_at(std::chrono::microseconds offset) {
    const auto now = start + offset;
    advance(now);
    apply(coalescer.on_request(now), now);
  }

  void finish() { advance(start + 1h); }

  // `count` requests `spacing` apart from the start, then until all is done.
  simulation& run_requests(int count, std::chrono::microseconds spacing) {
    for (int i = 0; i < count; ++i)
      request_at(i * spacing);
    finish();
    return *this;
  }
};

} // namespace

TEST_CASE("a single event is fetched at once: no debounce delay by default") {
  simulation sim{{}, 500us};
  sim.request_at(0us);
  REQUIRE(sim.fetch_starts.size() == 1);
  CHECK(sim.fetch_starts[0] == 0us);
  sim.finish();
  CHECK(sim.fetch_starts.size() == 1);
}

TEST_CASE("events during a fetch collapse into one follow-up fetch") {
  simulation sim{{}, 1000us};
  sim.request_at(0us);
  for (int i = 1; i < 50; ++i)
    sim.request_at(std::chrono::microseconds{i * 10});
  sim.finish();
  REQUIRE(sim.fetch_starts.size() == 2);
  CHECK(sim.fetch_starts[1] >= 1000us); // after the first one finished
}

TEST_CASE("1,000 and 10,000 events spread over 100 ms cost at most two fetches") {
  for (int count : {1000, 10000}) {
    CAPTURE(count);
    simulation sim{{}, 800us};
    for (int i = 0; i < count; ++i)
      sim.request_at(std::chrono::microseconds{static_cast<long>(i) * 100'000 / count});
    sim.finish();
    CHECK(sim.fetch_starts.size() == 2);
    CHECK(sim.fetch_starts.front() == 0us);
    // The follow-up waits for the burst to end, then for the gap.
    CHECK(sim.fetch_starts.back() >= 100'000us - 100'000us / count);
  }
}

TEST_CASE("a stream of events that never pauses still fetches every max_wait") {
  fetch_coalescer::options opts;
  opts.max_wait = 50ms;
  simulation sim{opts, 200us};
  sim.run_requests(1000, 1ms); // one event per millisecond for a second
  // One at once, then one per 50 ms of continuous events, then the last.
  CHECK(sim.fetch_starts.size() >= 19);
  CHECK(sim.fetch_starts.size() <= 22);
  for (std::size_t i = 1; i + 1 < sim.fetch_starts.size(); ++i)
    CHECK(sim.fetch_starts[i] - sim.fetch_starts[i - 1] >= 49ms);
}

TEST_CASE("a burst slower than the fetches still costs two fetches") {
  // Each fetch (50 us) ends before the next event (100 us later): without the
  // pause rule, every event would find the coalescer idle and fetch.
  CHECK(simulation{{}, 50us}.run_requests(1000, 100us).fetch_starts.size() == 2);
}

TEST_CASE("separate changes far apart are each fetched at once") {
  simulation sim{{}, 500us};
  sim.run_requests(5, 100ms);
  REQUIRE(sim.fetch_starts.size() == 5);
  for (int i = 0; i < 5; ++i)
    CHECK(sim.fetch_starts[i] == std::chrono::milliseconds{i * 100});
}

TEST_CASE("with min_interval every fetch waits for the events to pause") {
  fetch_coalescer::options opts;
  opts.min_interval = 20ms;
  opts.max_wait = 200ms;
  simulation sim{opts, 500us};
  sim.request_at(0us);
  CHECK(sim.fetch_starts.empty());
  sim.request_at(10ms);
  sim.request_at(25ms);
  sim.finish();
  REQUIRE(sim.fetch_starts.size() == 1);
  CHECK(sim.fetch_starts[0] == 45ms); // 20 ms after the last event
}

TEST_CASE("with min_interval, max_wait bounds the delay") {
  fetch_coalescer::options opts;
  opts.min_interval = 20ms;
  opts.max_wait = 100ms;
  simulation sim{opts, 500us};
  for (int i = 0; i <= 300; i += 10)
    sim.request_at(std::chrono::milliseconds{i});
  sim.finish();
  REQUIRE(sim.fetch_starts.size() >= 3);
  CHECK(sim.fetch_starts[0] == 100ms);
}

TEST_CASE("after a failed fetch nothing is fetched before the retry delay") {
  fetch_coalescer c{{}};
  const auto t0 = time_point{} + 1h;
  CHECK(c.on_request(t0).what == action::fetch_now);
  auto retry = c.on_fetch_failed(t0 + 1ms, 2s);
  REQUIRE(retry.what == action::arm_timer);
  CHECK(retry.deadline == t0 + 1ms + 2s);
  // Events during the back-off do not fetch early.
  CHECK(c.on_request(t0 + 10ms).what == action::none);
  CHECK(c.on_request(t0 + 1s).what == action::none);
  CHECK(c.on_timer(t0 + 1ms + 2s, retry.timer_id).what == action::fetch_now);
  CHECK(c.fetch_in_flight());
}

TEST_CASE("a failed fetch is retried even when nothing else arrives") {
  fetch_coalescer c{{}};
  const auto t0 = time_point{} + 1h;
  c.on_request(t0);
  auto retry = c.on_fetch_failed(t0, 500ms);
  CHECK(c.on_timer(t0 + 500ms, retry.timer_id).what == action::fetch_now);
  CHECK(c.on_fetch_succeeded(t0 + 501ms).what == action::none);
  CHECK_FALSE(c.fetch_in_flight());
  CHECK_FALSE(c.waiting());
}

TEST_CASE("superseded timers and stray completions are ignored") {
  fetch_coalescer c{{}};
  const auto t0 = time_point{} + 1h;
  CHECK(c.on_timer(t0, 42).what == action::none);
  CHECK(c.on_fetch_succeeded(t0).what == action::none);
  CHECK(c.on_fetch_failed(t0, 1s).what == action::none);
  c.on_request(t0);
  auto retry = c.on_fetch_failed(t0, 1s);
  CHECK(c.on_timer(t0 + 1s, retry.timer_id + 1).what == action::none);
  CHECK(c.on_timer(t0 + 1s, retry.timer_id).what == action::fetch_now);
  CHECK(c.on_timer(t0 + 2s, retry.timer_id).what == action::none);
}

TEST_CASE("what the streams held during a sync arrives as one burst: one more fetch, once it pauses") {
  fetch_coalescer coalescer{{}};
  auto now = time_point{} + 1h;
  REQUIRE(coalescer.on_request(now).what == action::fetch_now);
  now += 10ms; // the fetch and the apply; the streams are held meanwhile
  REQUIRE(coalescer.on_fetch_succeeded(now).what == action::none);
  coalescer.on_reads_resumed(now);

  SUBCASE("the held frames, read at once") {
    auto timer = coalescer.on_request(now + 100us); // not the leading edge of something new
    REQUIRE(timer.what == action::arm_timer);
    time_point last = now;
    for (int i = 2; i <= 300; ++i) { // 30 ms of them, closer together than the gap
      last = now + i * 100us;
      CHECK(coalescer.on_request(last).what == action::none);
    }
    int fetches = 0;
    while (timer.what == action::arm_timer) {
      const auto at = timer.deadline;
      timer = coalescer.on_timer(at, timer.timer_id);
      if (timer.what == action::fetch_now) {
        ++fetches;
        CHECK(at >= last + 5ms); // once they paused
      }
    }
    CHECK(fetches == 1);
  }
  SUBCASE("an event long after") {
    CHECK(coalescer.on_request(now + 1s).what == action::fetch_now);
  }
}
