#include "bench/large_sets.hpp"

#include "bench/floor.hpp"
#include "bench/scenario.hpp"
#include "test/support/fixtures.hpp"
#include "test/support/metrics_page.hpp"

#include <thread>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace wlg::bench {

using namespace std::chrono_literals;

void measure_large_sets(report& out, const std::string& scratch) {
  emulator_process emu{{"--workers", "3"}};
  ::setenv("SSL_CERT_FILE", emu.sidecar_env().at("SSL_CERT_FILE").c_str(), 1); // this emulator's own CA
  floor_runner floor{emu.sidecar_env(), scratch}; // its connection warm, as the sidecar's is
  const std::string confdir = scratch + "/large-sets";
  rename_watch watch{confdir};
  const int status_port = wlg::test::unused_tcp_port();
  sidecar_process side{emu.sidecar_env(), confdir, {wlg::test::listen_flag(status_port)}};
  if (!watch.wait_after(0, 10s))
    throw std::runtime_error("no first sync of the small set:\n" + side.log());
  wait_until_quiet(emu, side, 300ms);

  std::vector<double> sidecar_ms, judged_ms, floor_ms, fetches;
  std::vector<phase_times> phases;
  for (int workers : {10000, 10001, 10002}) {
    const auto signals_before = emu.records().signals_ns.size();
    const auto requests_before = emu.records().rest_requests;
    const auto judged_before = wlg::test::metric(status_port, "event_to_signal_seconds_sum");
    const auto asked_ns = monotonic_ns();
    emu.control("/scale?workers=" + std::to_string(workers));
    // Wait on the file's rename first: polling the emulator meanwhile would
    // take CPU from the sidecar and the emulator while they are measured.
    watch.wait_after(asked_ns, 30s);
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (emu.records().signals_ns.size() == signals_before && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    wait_until_quiet(emu, side, 200ms);
    const auto records = emu.records();
    if (records.signals_ns.size() == signals_before || records.relevant_ns.empty())
      throw std::runtime_error("no signal for the set of " + std::to_string(workers) + ":\n" + side.log());
    sidecar_ms.push_back(ms_between(records.relevant_ns.back(), records.signals_ns[signals_before]));
    // The sidecar's own histogram starts when it has read and judged the event.
    judged_ms.push_back(1000.0 * (wlg::test::metric(status_port, "event_to_signal_seconds_sum") - judged_before));
    phases.push_back(last_sync_phases_ms(status_port));
    fetches.push_back(static_cast<double>(records.rest_requests - requests_before));
    floor_ms.push_back(floor.run_once()); // the same set, the same work, done directly
  }

  // The floor again, while the emulator sends the sidecar a burst of 20,000
  // unrelated frames, as it does around set 1's first relevant event.
  std::vector<double> burst_floor_ms;
  for (int i = 0; i < 3; ++i) {
    emu.control("/emit?kind=unrelated&count=20000");
    burst_floor_ms.push_back(floor.run_once());
    wait_until_quiet(emu, side, 300ms);
  }
  const double first = sidecar_ms.front() / floor_ms.front();
  const double best = *std::min_element(sidecar_ms.begin(), sidecar_ms.end())
                      / *std::min_element(floor_ms.begin(), floor_ms.end());
  for (std::size_t i = 0; i < sidecar_ms.size(); ++i) {
    std::string phase_text;
    for (std::size_t k = 0; k < runtime::sync_phase_count; ++k)
      phase_text += std::string{k == 0 ? "" : ", "} + runtime::sync_phase_names[k] + " "
                    + format_number(phases[i][k], 1);
    out.note("10,000-link set " + std::to_string(i + 1) + ": event -> SIGHUP / its floor", sidecar_ms[i], "ms",
             format_number(sidecar_ms[i], 1) + " / " + format_number(floor_ms[i], 1) + " ms");
    out.note("  of which from the event's reading to SIGHUP", judged_ms[i], "ms", format_number(judged_ms[i], 1) + " ms");
    out.note("  fetches; the last sync's phases (ms)", phases[i][0], "ms",
             format_number(fetches[i], 0) + "; " + phase_text);
  }
  for (double ms : burst_floor_ms)
    out.note("floor during a 20,000-frame burst", ms, "ms", format_number(ms, 1) + " ms");
  out.check("10,000 links, first set vs the floor's first", "<= 1.3x", first, "x", first <= 1.3,
            format_number(first, 2) + "x");
  out.check("10,000 links, best of 3 vs the floor's best", "<= 1.3x", best, "x", best <= 1.3,
            format_number(best, 2) + "x");
}

} // namespace wlg::bench
