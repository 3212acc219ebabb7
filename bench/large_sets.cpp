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

  std::vector<double> sidecar_ms, floor_ms, fetches;
  std::vector<phase_times> phases;
  for (int workers : {10000, 10001, 10002}) {
    const auto signals_before = emu.records().signals_ns.size();
    const auto requests_before = emu.records().rest_requests;
    emu.control("/scale?workers=" + std::to_string(workers));
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (emu.records().signals_ns.size() == signals_before && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    wait_until_quiet(emu, side, 200ms);
    const auto records = emu.records();
    if (records.signals_ns.size() == signals_before || records.relevant_ns.empty())
      throw std::runtime_error("no signal for the set of " + std::to_string(workers) + ":\n" + side.log());
    sidecar_ms.push_back(ms_between(records.relevant_ns.back(), records.signals_ns[signals_before]));
    phases.push_back(last_sync_phases_ms(status_port));
    fetches.push_back(static_cast<double>(records.rest_requests - requests_before));
    floor_ms.push_back(floor.run_once()); // the same set, the same work, done directly
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
    out.note("  fetches; the last sync's phases (ms)", phases[i][0], "ms",
             format_number(fetches[i], 0) + "; " + phase_text);
  }
  out.check("10,000 links, first set vs the floor's first", "<= 1.3x", first, "x", first <= 1.3,
            format_number(first, 2) + "x");
  out.check("10,000 links, best of 3 vs the floor's best", "<= 1.3x", best, "x", best <= 1.3,
            format_number(best, 2) + "x");
}

} // namespace wlg::bench
