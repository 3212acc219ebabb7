#include "actors/frame_inbox.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

using wlg::actors::frame_inbox;
using wlg::actors::inbound_frame;

TEST_CASE("frame inbox: a batch wakes the owner once, and not again until it has taken") {
  frame_inbox inbox;
  CHECK_FALSE(inbox.needs_wake()); // nothing to announce
  inbox.put({false, "a", 0});
  inbox.put({false, "b", 0});
  CHECK(inbox.needs_wake());
  inbox.put({true, {}, 7});
  CHECK_FALSE(inbox.needs_wake()); // the wake-up asked for above will find this one too
  std::vector<inbound_frame> taken;
  inbox.take(taken);
  REQUIRE(taken.size() == 3);
  CHECK(taken[0].text == "a");
  CHECK(taken[1].text == "b");
  CHECK((taken[2].binary && taken[2].bytes == 7));
  CHECK_FALSE(inbox.needs_wake()); // taken: nothing waits
  inbox.put({false, "c", 0});
  CHECK(inbox.needs_wake()); // a frame after the take needs a wake-up of its own
  inbox.take(taken);
  REQUIRE(taken.size() == 1); // what was taken before is gone from `taken`
  CHECK(taken[0].text == "c");
}

TEST_CASE("frame inbox: frames put by another thread are all taken once, in order, each batch announced") {
  frame_inbox inbox;
  constexpr int frames = 20000;
  constexpr int per_batch = 64;
  std::atomic<int> wakeups{0};
  std::thread io{[&] {
    for (int i = 0; i < frames; ++i) {
      inbox.put({false, std::to_string(i), 0});
      if ((i + 1) % per_batch == 0 || i + 1 == frames)
        wakeups += inbox.needs_wake() ? 1 : 0;
    }
  }};
  std::vector<inbound_frame> taken;
  int next = 0;
  int answered = 0; // wake-ups the owner has acted on
  // A frame left unannounced would leave the owner waiting: give up, and fail.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (next < frames && std::chrono::steady_clock::now() < give_up) {
    if (answered == wakeups.load()) {
      std::this_thread::yield();
      continue; // the owner takes only when woken, as the actor does
    }
    ++answered;
    inbox.take(taken);
    for (const auto& frame : taken)
      REQUIRE(frame.text == std::to_string(next++));
  }
  io.join();
  CHECK(next == frames);
  inbox.take(taken);
  CHECK(taken.empty());
  CHECK(answered == wakeups.load());
  CHECK(wakeups.load() <= frames / per_batch + 1); // one per batch at most, never one per frame
}
