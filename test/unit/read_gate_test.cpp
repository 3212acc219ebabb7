// The event streams' yielding to a sync: the gate the reconciler closes, and
// a session's hold on it, driven on an io_context the test runs by hand.

#include "net/read_gate.hpp"
#include "net/read_hold.hpp"

#include <boost/asio/io_context.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <memory>

using namespace std::chrono_literals;
using wlg::net::read_gate;
using wlg::net::read_hold;

TEST_CASE("a closed gate keeps its waiters and calls each once when it opens") {
  read_gate gate;
  int called = 0;
  CHECK(gate.wait(0, [&](std::uint64_t) { ++called; }) == 0); // open: nothing kept
  gate.close();
  gate.close(); // still the first closing
  std::uint64_t opened = 0;
  CHECK(gate.wait(0, [&](std::uint64_t closing) { ++called, opened = closing; }) == 1);
  CHECK(gate.wait(1, [&](std::uint64_t) { ++called; }) == 0); // that closing was waited out
  CHECK(called == 0);
  gate.open();
  CHECK(called == 1);
  CHECK(opened == 1);
  gate.open();
  CHECK(called == 1);
  gate.close();
  CHECK(gate.wait(1, [&](std::uint64_t) { ++called; }) == 2); // a new closing is waited for again
}

TEST_CASE("a held read goes on when the gate opens") {
  boost::asio::io_context io;
  auto gate = std::make_shared<read_gate>();
  read_hold hold{io, gate, 60s};
  int resumed = 0;
  CHECK_FALSE(hold.defer([&] { ++resumed; })); // open: read now
  gate->close();
  CHECK(hold.defer([&] { ++resumed; }));
  io.poll();
  CHECK(resumed == 0);
  gate->open();
  io.poll();
  CHECK(resumed == 1);
  io.poll();
  CHECK(resumed == 1);
}

TEST_CASE("a held read goes on after the limit, and reads on until the gate closes again") {
  boost::asio::io_context io;
  auto gate = std::make_shared<read_gate>();
  constexpr auto limit = 300ms;
  read_hold hold{io, gate, limit};
  int resumed = 0;
  gate->close();
  REQUIRE(hold.defer([&] { ++resumed; }));
  const auto started = std::chrono::steady_clock::now();
  io.run_one(); // the limit's timer
  io.restart(); // out of work, the io_context stopped
  CHECK(resumed == 1);
  CHECK(std::chrono::steady_clock::now() - started >= limit);
  CHECK_FALSE(hold.defer([&] { ++resumed; })); // the same closing: no more waiting

  // The opening of the closing waited out must not end the next hold.
  gate->open();  // posts a wake-up for closing 1
  gate->close(); // closing 2
  REQUIRE(hold.defer([&] { ++resumed; }));
  io.poll(); // closing 1's wake-up, long before the limit
  CHECK(resumed == 1);
  gate->open();
  io.poll();
  CHECK(resumed == 2);
}

TEST_CASE("a cancelled hold is not resumed, and no hold without a gate or a limit") {
  boost::asio::io_context io;
  auto gate = std::make_shared<read_gate>();
  gate->close();
  int resumed = 0;
  {
    read_hold hold{io, gate, 60s};
    REQUIRE(hold.defer([&] { ++resumed; }));
    hold.cancel();
    gate->open();
    io.poll();
    CHECK(resumed == 0);
  }
  gate->close();
  read_hold no_limit{io, gate, 0ms};
  CHECK_FALSE(no_limit.defer([&] { ++resumed; }));
  read_hold no_gate{io, nullptr, 60s};
  CHECK_FALSE(no_gate.defer([&] { ++resumed; }));
}
