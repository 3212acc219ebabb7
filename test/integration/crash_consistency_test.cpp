// Behaviours 8 and 9 of the reliability issue: kill -9 at any moment never
// leaves a partial or foreign file, and SIGTERM in the middle of a fetch, a
// write or a kill stops cleanly within a second.

#include "test/support/fixtures.hpp"
#include "test/support/watch.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <dirent.h>
#include <random>
#include <thread>

using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> temporaries_in(const std::string& dir) {
  std::vector<std::string> found;
  if (DIR* listing = ::opendir(dir.c_str())) {
    while (dirent* entry = ::readdir(listing))
      if (std::string_view{entry->d_name}.find(".wlg-tmp.") != std::string_view::npos)
        found.emplace_back(entry->d_name);
    ::closedir(listing);
  }
  return found;
}

// Checks the PID file is gone, no temporary file is left, and the exit was 0.
void check_clean_exit(sidecar& side, std::optional<int> status) {
  REQUIRE_MESSAGE(status.has_value(), "still running a second after SIGTERM: " << side.log());
  CHECK(*status == 0);
  CHECK_FALSE(read_file(side.pid_file()).has_value());
  CHECK(temporaries_in(side.confdir()).empty());
}

} // namespace

TEST_CASE("kill -9 at random moments while the workers scale: every read sees a whole, served file") {
  emulator emu;
  temp_dir shared;
  const std::string confdir = shared.path() + "/citus";
  file_watcher watch{confdir + "/pg_worker_list.conf"};
  // A jthread: a failed REQUIRE unwinds through its destructor, which stops
  // and joins it (a joinable std::thread there would abort the test run).
  std::jthread scaler([&](std::stop_token stop) {
    for (int i = 0; !stop.stop_requested(); ++i) {
      emu.scale(1 + i % 6);
      std::this_thread::sleep_for(3ms);
    }
  });
  std::mt19937 rng{20261125};
  constexpr int rounds = 50;
  // The kills spread over twice the time a start takes to its first write,
  // measured in the watcher's polls rather than in time, so that a loaded
  // machine (or a sanitizer build) stretches the moments with the start and
  // cannot starve the watcher of its share of reads. A fixed window let every
  // kill land before the first write on a slow build, and the test then had
  // no file to check (seen under AddressSanitizer).
  std::size_t window = 600;
  for (int round = 0; round < rounds; ++round) {
    sidecar side{emu.sidecar_env(), {}, confdir};
    const auto started = watch.polls();
    if (round == 0) { // no kill before the first write: it measures the window
      REQUIRE_MESSAGE(wait_until([&] { return read_file(confdir + "/pg_worker_list.conf").has_value(); }, 60s),
                      side.log());
      window = std::max<std::size_t>(window, 2 * (watch.polls() - started));
    }
    const auto until = std::max(watch.polls(), started + 1 + rng() % window);
    REQUIRE(wait_until([&] { return watch.polls() >= until; }, 60s));
    side.process().signal(SIGKILL);
    // A process in an uninterruptible wait (an fsync on a busy disk) dies only
    // when the wait ends: what the kernel says of it is kept for the report.
    auto status = side.process().wait_for_exit(5s);
    if (!status) {
      const auto seen = kernel_view(side.process().pid());
      const auto waited_from = std::chrono::steady_clock::now();
      status = side.process().wait_for_exit(60s);
      MESSAGE("round " << round << ": not reaped within 5 s of SIGKILL, then after "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now()
                                                                                 - waited_from)
                            .count()
                       << " ms more; at 5 s the kernel said: " << seen);
    }
    REQUIRE_MESSAGE(status.has_value(), "the sidecar was not reaped within 65 s of SIGKILL; the kernel says: "
                                          << kernel_view(side.process().pid()));
  }
  scaler.request_stop();
  scaler.join();
  // The last start must change the file, so the watcher sees a replacement
  // even if the kills happened to leave the served set on disk.
  const auto on_disk = read_file(confdir + "/pg_worker_list.conf");
  REQUIRE_MESSAGE(on_disk.has_value(), "no round got as far as its first write");
  int final_count = static_cast<int>(emu.state().workers.size());
  if (*on_disk == first_workers(final_count)) {
    final_count = final_count % 6 + 1;
    emu.scale(final_count);
  }

  // A temporary file as a kill between creating and renaming it would leave.
  write_file(confdir + "/.pg_worker_list.conf.wlg-tmp.Xk3j9Q", "# this file was auto-gen");
  sidecar last{emu.sidecar_env(), {}, confdir};
  const auto served = first_workers(final_count);
  REQUIRE_MESSAGE(last.wait_for_list(served, 10s), last.log());
  REQUIRE(wait_until([&] { return watch.seen().count(served) == 1; }, 10s));
  // The file may have held the served set before this start: wait for the
  // clean-up itself, not for the file.
  CHECK_MESSAGE(wait_until([&] { return temporaries_in(confdir).empty(); }, 10s), last.log());

  const auto seen = watch.seen();
  CHECK(watch.reads() > rounds);
  CHECK(seen.size() >= 2);
  for (const auto& content : seen) {
    CAPTURE(content);
    bool known = false;
    for (int n = 1; n <= 6; ++n)
      known = known || content == first_workers(n);
    CHECK(known);
  }
}

TEST_CASE("SIGTERM during a fetch exits 0 within a second, cleanly") {
  emulator emu;
  sidecar side{emu.sidecar_env(), with_status_port()};
  REQUIRE(side.wait_for_list(first_workers(3), 10s));
  // The resync the stream's connection brings is fetched and done, so the
  // fetch held below is the scale's (one held already would hide it for 5 s).
  REQUIRE_MESSAGE(side.metric_reaches("stream_connected", 1), side.log());
  REQUIRE_MESSAGE(side.metric_reaches("fetches_total", 2), side.log()); // start-up, then the stream's
  REQUIRE_MESSAGE(wait_until([&] { return side.metric("sync_pending") == 0; }, 10s), side.log());
  emu.control("/rest/delay?ms=5000");
  const auto before = emu.state().rest_requests;
  emu.scale(4);
  REQUIRE(wait_until([&] { return emu.state().rest_requests > before; }, 5s));
  side.process().signal(SIGTERM);
  check_clean_exit(side, side.process().wait_for_exit(1s));
  CHECK(side.worker_list() == first_workers(3));
}

TEST_CASE("SIGTERM during a write exits 0 within a second, cleanly") {
  emulator emu;
  sidecar side{emu.sidecar_env(), with_status_port({"--inject-fault=file_writer:stall:ms=10000"})};
  REQUIRE(side.metric_reaches("faults_injected_total{actor=\"file_writer\"}", 1));
  side.process().signal(SIGTERM);
  check_clean_exit(side, side.process().wait_for_exit(1s));
}

TEST_CASE("SIGTERM while the Docker socket holds its answer to a signal round exits 0 within a second, cleanly") {
  emulator emu;
  emu.control("/engine/delay?ms=5000");
  sidecar side{emu.sidecar_env()};
  REQUIRE(side.wait_for_list(first_workers(3), 10s));
  REQUIRE(wait_until([&] { return emu.state().engine_requests >= 1; }, 10s)); // held for 5 s
  side.process().signal(SIGTERM);
  check_clean_exit(side, side.process().wait_for_exit(1s));
  CHECK(emu.signal_count() <= 1);
}
