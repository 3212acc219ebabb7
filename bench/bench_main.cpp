// workerlistgen-bench: every performance figure of the sidecar, measured
// against the emulator with real processes, printed as a table (figure,
// target, measured, pass/fail) and written as JSON.
//
//   workerlistgen-bench [--json FILE] [--quick] [--citus]
//
// --quick runs fewer iterations (a smoke run; the figures are noisier);
// --citus measures only --target=citus, against a real Citus cluster.

#include "bench/citus_membership.hpp"
#include "bench/floor.hpp"
#include "bench/idle_activity.hpp"
#include "bench/large_sets.hpp"
#include "bench/parse_throughput.hpp"
#include "bench/report.hpp"
#include "bench/scenario.hpp"
#include "runtime/metrics.hpp"
#include "test/support/http_client.hpp"
#include "test/support/metrics_page.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <thread>

using namespace wlg::bench;
using namespace std::chrono_literals;

namespace {

struct settings {
  std::string json_path = "bench-results.json";
  int latency_changes = 200;
  int start_runs = 10;
  int scale_changes = 10;
  std::chrono::milliseconds parse_time{2000};
  std::vector<int> growth_workers{10, 100, 1000, 10000};
  int citus_changes = 40;
  std::chrono::milliseconds idle_window{20000};
  bool citus_only = false;
  bool large_sets_only = false;
};


void measure_parsing(report& out, const settings& s) {
  const auto p = measure_parse_throughput(s.parse_time);
  out.check("event parsing + relevance rule, one core", ">= 1,000,000 events/s", p.events_per_second,
            "events/s", p.events_per_second >= 1e6);
  out.note("  floor: simdjson visiting every field", p.floor_events_per_second, "events/s");
  out.note("  parse throughput", p.megabytes_per_second, "MB/s");
}

void measure_bursts(report& out, emulator_process& emu, sidecar_process& side, const std::string& list_path) {
  int target = 5;
  for (int count : {100, 1000, 10000}) {
    wait_until_quiet(emu, side, 300ms);
    const auto before = emu.records();
    const auto writes_before = side.count_in_log("] wrote ");
    const auto cpu_before = side.cpu_ms();
    emu.control("/burst?count=" + std::to_string(count) + "&workers=" + std::to_string(target));
    wait_until_quiet(emu, side, 500ms);
    const auto after = emu.records();
    const auto fetches = static_cast<double>(after.rest_requests - before.rest_requests);
    const auto writes = static_cast<double>(side.count_in_log("] wrote ") - writes_before);
    const auto signals = static_cast<double>(after.signals_ns.size() - before.signals_ns.size());
    const auto delivery = ms_between(after.burst_started_ns, after.last_drained_ns);
    const auto file = wlg::test::read_file(list_path).value_or("");
    const bool final_set = std::count(file.begin(), file.end(), '\n') == target + 1;
    const std::string label = "burst of " + format_number(count, 0) + " events";
    if (count == 100) {
      out.note(label + ": fetches/writes/signals", fetches, "",
               format_number(fetches, 0) + " / " + format_number(writes, 0) + " / " + format_number(signals, 0));
    } else {
      out.check(label + ": REST fetches", "<= 3", fetches, "", fetches <= 3, format_number(fetches, 0));
      out.check(label + ": file writes", "<= 1", writes, "", writes <= 1, format_number(writes, 0));
      out.check(label + ": signals to the master", "<= 1", signals, "", signals <= 1,
                format_number(signals, 0));
      out.check(label + ": file ends with the final set", "yes", final_set ? 1 : 0, "", final_set,
                final_set ? "yes" : "no");
    }
    out.note("  delivered by the emulator in", delivery, "ms");
    out.note("  sidecar CPU time for the burst", side.cpu_ms() - cpu_before, "ms");
    target = target == 5 ? 3 : 5;
  }
}

// Each change is followed by one floor iteration, at the same pace, so the
// two are measured under the same conditions.
void measure_latency(report& out, const settings& s, emulator_process& emu, rename_watch& watch,
                     floor_runner& floor_run) {
  const auto first_change = emu.records().relevant_ns.size();
  std::vector<double> floor;
  for (int i = 0; i < s.latency_changes; ++i) {
    const auto before = monotonic_ns();
    emu.control("/scale?workers=" + std::to_string(i % 2 == 0 ? 4 : 3));
    watch.wait_after(before, 2s);
    std::this_thread::sleep_for(20ms); // let the signal and the follow-up fetch finish
    floor.push_back(floor_run.run_once());
    std::this_thread::sleep_for(20ms);
  }
  const auto records = emu.records();
  const auto renames = watch.times();
  std::vector<double> to_signal, to_written;
  for (std::size_t k = first_change; k < records.relevant_ns.size(); ++k) {
    const auto sent = records.relevant_ns[k];
    if (const auto signal = first_after(records.signals_ns, sent))
      to_signal.push_back(ms_between(sent, signal));
    if (const auto written = first_after(renames, sent))
      to_written.push_back(ms_between(sent, written));
  }
  const double median = percentile(to_signal, 50), p99 = percentile(to_signal, 99);
  const double floor_median = percentile(floor, 50), floor_p99 = percentile(floor, 99);
  out.check("event -> SIGHUP, median, vs floor median", "<= 1.2x", median / floor_median, "x",
            median / floor_median <= 1.2,
            format_number(median / floor_median, 2) + "x (" + format_number(median, 2) + " vs "
              + format_number(floor_median, 2) + " ms)");
  out.check("event -> SIGHUP, p99, vs floor p99", "<= 3x", p99 / floor_p99, "x", p99 / floor_p99 <= 3,
            format_number(p99 / floor_p99, 2) + "x (" + format_number(p99, 2) + " vs "
              + format_number(floor_p99, 2) + " ms)");
  out.note("  changes measured", static_cast<double>(to_signal.size()), "", format_number(to_signal.size(), 0));
  out.note("  event -> file renamed into place, median", percentile(to_written, 50), "ms",
           format_number(percentile(to_written, 50), 2) + " ms");
}

struct scale_point {
  int workers;
  double written_median_ms;
  double written_max_ms;
  double signal_median_ms;
  double peak_kib;
  double first_sync_ms;
  phase_times phase_median_ms;
};

scale_point measure_scale(const settings& s, int workers, const std::string& scratch) {
  emulator_process emu{{"--workers", std::to_string(workers)}};
  const std::string confdir = scratch + "/scale-" + std::to_string(workers);
  rename_watch watch{confdir};
  const auto started = monotonic_ns();
  const int status_port = wlg::test::unused_tcp_port();
  sidecar_process side{emu.sidecar_env(), confdir, {wlg::test::listen_flag(status_port)}};
  const auto first = watch.wait_after(started, 60s);
  if (first == 0)
    throw std::runtime_error("no first sync with " + std::to_string(workers) + " workers:\n" + side.log());
  wait_until_quiet(emu, side, 300ms);
  const auto first_change = emu.records().relevant_ns.size();
  std::array<std::vector<double>, wlg::runtime::sync_phase_count> phases;
  for (int i = 0; i < s.scale_changes; ++i) {
    const auto before = monotonic_ns();
    emu.control("/scale?workers=" + std::to_string(i % 2 == 0 ? workers + 1 : workers));
    watch.wait_after(before, 10s);
    wait_until_quiet(emu, side, 100ms);
    const auto took = last_sync_phases_ms(status_port);
    for (std::size_t k = 0; k < took.size(); ++k)
      phases[k].push_back(took[k]);
  }
  const auto records = emu.records();
  const auto renames = watch.times();
  std::vector<double> written, signalled;
  for (std::size_t k = first_change; k < records.relevant_ns.size(); ++k) {
    const auto sent = records.relevant_ns[k];
    if (const auto w = first_after(renames, sent))
      written.push_back(ms_between(sent, w));
    if (const auto g = first_after(records.signals_ns, sent))
      signalled.push_back(ms_between(sent, g));
  }
  phase_times phase_median{};
  for (std::size_t k = 0; k < phases.size(); ++k)
    phase_median[k] = percentile(phases[k], 50);
  return {workers, percentile(written, 50), percentile(written, 100), percentile(signalled, 50),
          static_cast<double>(side.status_kib("VmHWM")), ms_between(started, first), phase_median};
}

// Idle RSS, then a sync to 10,000 links and back to 3: what is still resident
// after the scale back, against the idle figure of the same process.
void measure_memory_given_back(report& out, const std::string& scratch) {
  emulator_process emu{{"--workers", "3"}};
  const std::string confdir = scratch + "/given-back";
  rename_watch watch{confdir};
  const int status_port = wlg::test::unused_tcp_port();
  sidecar_process side{emu.sidecar_env(), confdir, {wlg::test::listen_flag(status_port)}};
  if (!watch.wait_after(0, 10s))
    throw std::runtime_error("the sidecar did not sync:\n" + side.log());
  wait_until_quiet(emu, side, 300ms);
  std::this_thread::sleep_for(2s);
  const double idle = status_mb(side, "VmRSS");
  double trims_before = 0;
  std::int64_t last_sync_ns = 0;
  for (int workers : {10000, 3}) {
    const auto before = monotonic_ns();
    trims_before = wlg::test::metric(status_port, "heap_trims_total");
    emu.control("/scale?workers=" + std::to_string(workers));
    last_sync_ns = watch.wait_after(before, 60s);
    if (!last_sync_ns)
      throw std::runtime_error("no sync to " + std::to_string(workers) + " workers:\n" + side.log());
    wait_until_quiet(emu, side, 500ms);
    if (workers == 10000)
      out.note("  RSS holding 10,000 links", status_mb(side, "VmRSS"), "MB");
  }
  // The heap is handed back once syncs pause (policy/memory_trim.hpp).
  if (!wlg::test::wait_until([&] { return wlg::test::metric(status_port, "heap_trims_total") > trims_before; }, 20s))
    throw std::runtime_error("no heap trim after the scale back:\n" + side.log());
  out.note("  heap handed back, after the last sync", ms_between(last_sync_ns, monotonic_ns()), "ms");
  const double after = status_mb(side, "VmRSS");
  out.check("RSS after 10,000 links and a scale back to 3, above idle", "<= 1 MB", after - idle, "MB",
            after - idle <= 1.0,
            format_number(after - idle, 2) + " MB (" + format_number(after, 1) + " vs " + format_number(idle, 1)
              + " MB idle)");
}

void measure_footprint(report& out, const settings& s, emulator_process& emu, const std::string& scratch) {
  std::vector<double> starts;
  for (int i = 0; i < s.start_runs; ++i) {
    const std::string confdir = scratch + "/start-" + std::to_string(i);
    rename_watch watch{confdir};
    const auto before = monotonic_ns();
    sidecar_process side{emu.sidecar_env(), confdir};
    const auto written = watch.wait_after(before, 10s);
    if (written)
      starts.push_back(ms_between(before, written));
  }
  const double start_median = percentile(starts, 50);
  out.check("start -> first sync written, median", "< 50 ms", start_median, "ms", start_median < 50,
            format_number(start_median, 1) + " ms (of " + std::to_string(starts.size()) + " starts)");
}

void measure_idle(report& out, sidecar_process& side, std::chrono::milliseconds window) {
  std::this_thread::sleep_for(3s);
  // Waiting for events, the sidecar should sleep: CAF's work-sharing scheduler
  // blocks its threads, where work stealing polls every 10 ms.
  const auto activity = measure_idle_activity(side.pid(), window);
  out.check("idle wake-ups per second, all threads", "<= 5 /s", activity.wakeups_per_second, "/s",
            activity.wakeups_per_second <= 5,
            format_number(activity.wakeups_per_second, 1) + " /s (over " + format_number(window.count() / 1000.0, 0)
              + " s)");
  out.note("idle CPU time per minute", activity.cpu_ms_per_minute, "ms",
           format_number(activity.cpu_ms_per_minute, 0) + " ms");
  const double rss = status_mb(side, "VmRSS");
  const double pss = static_cast<double>(side.smaps_kib("Pss")) / 1024.0;
  const double anon = status_mb(side, "RssAnon");
  const double priv = static_cast<double>(side.smaps_kib("Private_Clean") + side.smaps_kib("Private_Dirty")) / 1024.0;
  out.check("idle resident memory (RSS)", "< 10 MB", rss, "MB", rss < 10.0);
  out.note("  of which private to the process (USS)", priv, "MB");
  out.note("  of which anonymous (heap, stacks)", anon, "MB");
  out.note("  proportional share (PSS)", pss, "MB");
}

} // namespace

int main(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json" && i + 1 < argc) {
      s.json_path = argv[++i];
    } else if (arg == "--quick") {
      s.latency_changes = 40;
      s.start_runs = 3;
      s.scale_changes = 4;
      s.parse_time = 300ms;
      s.growth_workers = {10, 10000};
      s.citus_changes = 10;
      s.idle_window = 5s;
    } else if (arg == "--citus") {
      s.citus_only = true;
    } else if (arg == "--large-sets") {
      s.large_sets_only = true;
    } else {
      std::fprintf(stderr, "usage: workerlistgen-bench [--json FILE] [--quick] [--citus] [--large-sets]\n");
      return 2;
    }
  }
  try {
    report out;
    if (s.citus_only || s.large_sets_only) {
      wlg::test::temp_dir scratch;
      if (s.citus_only) {
        std::printf("measuring --target=citus against a real cluster...\n");
        measure_citus(out, s.citus_changes, scratch.path());
      } else {
        std::printf("measuring three 10,000-link sets against their floors...\n");
        measure_large_sets(out, scratch.path());
      }
      out.print();
      out.write_json(s.json_path);
      return out.all_met() ? 0 : 1;
    }
    std::printf("measuring event parsing...\n");
    measure_parsing(out, s);

    wlg::test::temp_dir scratch;
    emulator_process emu{{"--workers", "3"}};
    ::setenv("SSL_CERT_FILE", emu.sidecar_env().at("SSL_CERT_FILE").c_str(), 1);
    floor_runner floor{emu.sidecar_env(), scratch.path()};

    std::printf("measuring start-up...\n");
    measure_footprint(out, s, emu, scratch.path());

    const std::string confdir = scratch.path() + "/main";
    rename_watch watch{confdir};
    sidecar_process side{emu.sidecar_env(), confdir};
    if (!watch.wait_after(0, 10s))
      throw std::runtime_error("the sidecar did not sync:\n" + side.log());
    std::printf("measuring idle memory...\n");
    measure_idle(out, side, s.idle_window);
    std::printf("measuring latency over %d changes, each followed by one floor iteration...\n",
                s.latency_changes);
    measure_latency(out, s, emu, watch, floor);
    std::printf("measuring bursts...\n");
    measure_bursts(out, emu, side, confdir + "/pg_worker_list.conf");

    std::printf("measuring scale...\n");
    for (int workers : s.growth_workers) {
      const auto p = measure_scale(s, workers, scratch.path());
      const auto label = format_number(workers, 0) + " links";
      if (workers == 10000) {
        out.note(label + " (2 MB): event -> written, median", p.written_median_ms, "ms",
                 format_number(p.written_median_ms, 1) + " ms (max " + format_number(p.written_max_ms, 1) + ")");
        for (std::size_t k = 0; k < wlg::runtime::sync_phase_count; ++k)
          out.note(std::string{"  "} + wlg::runtime::sync_phase_names[k] + ", median", p.phase_median_ms[k], "ms",
                   format_number(p.phase_median_ms[k], 2) + " ms");
        out.check(label + ": peak memory (VmHWM)", "< 40 MB", p.peak_kib / 1024.0, "MB", p.peak_kib / 1024.0 < 40);
      } else {
        out.note(label + ": event -> written, median", p.written_median_ms, "ms",
                 format_number(p.written_median_ms, 2) + " ms");
        out.note(label + ": peak memory (VmHWM)", p.peak_kib / 1024.0, "MB");
      }
      out.note("  first sync (start -> written)", p.first_sync_ms, "ms");
    }

    std::printf("measuring three 10,000-link sets against their floors...\n");
    measure_large_sets(out, scratch.path());

    std::printf("measuring memory given back after 10,000 links...\n");
    measure_memory_given_back(out, scratch.path());

    std::printf("measuring --target=citus against a real cluster...\n");
    measure_citus(out, s.citus_changes, scratch.path());

    out.print();
    out.write_json(s.json_path);
    std::printf("\nresults written to %s\n", s.json_path.c_str());
    return out.all_met() ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "benchmark failed: %s\n", e.what());
    return 3;
  }
}
