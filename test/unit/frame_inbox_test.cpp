#include "actors/frame_inbox.hpp"

#include <doctest/doctest.h>

#include <thread>

using wlg::actors::frame_inbox;
using wlg::actors::inbound_frame;

TEST_CASE("frame inbox: only a frame put into an empty inbox wakes the owner") {
  frame_inbox inbox;
  CHECK(inbox.put({false, "a", 0}));
  CHECK_FALSE(inbox.put({false, "b", 0}));
  CHECK_FALSE(inbox.put({true, {}, 7}));
  std::vector<inbound_frame> taken;
  inbox.take(taken);
  REQUIRE(taken.size() == 3);
  CHECK(taken[0].text == "a");
  CHECK(taken[1].text == "b");
  CHECK((taken[2].binary && taken[2].bytes == 7));
  CHECK(inbox.put({false, "c", 0})); // empty again after the take
  inbox.take(taken);
  REQUIRE(taken.size() == 1); // what was taken before is gone from `taken`
  CHECK(taken[0].text == "c");
}

TEST_CASE("frame inbox: frames put by another thread are all taken once, in order, with one wake-up per empty inbox") {
  frame_inbox inbox;
  constexpr int frames = 20000;
  int wakeups = 0;
  std::thread io{[&] {
    for (int i = 0; i < frames; ++i)
      wakeups += inbox.put({false, std::to_string(i), 0}) ? 1 : 0;
  }};
  std::vector<inbound_frame> taken;
  int next = 0;
  int takes_with_frames = 0;
  while (next < frames) {
    inbox.take(taken);
    takes_with_frames += taken.empty() ? 0 : 1;
    for (const auto& frame : taken)
      REQUIRE(frame.text == std::to_string(next++));
  }
  io.join();
  inbox.take(taken);
  CHECK(taken.empty());
  // Every wake-up is answered by a take that finds the frame it announced.
  CHECK(wakeups <= takes_with_frames);
}
