#include "bench/idle_activity.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace wlg::bench {

namespace {

struct counters {
  long switches = 0;
  long cpu_ticks = 0;
};

counters read_counters(pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  counters c;
  for (const auto& task : std::filesystem::directory_iterator(proc + "/task")) {
    std::ifstream status{task.path() / "status"};
    std::string line;
    while (std::getline(status, line))
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0 || line.rfind("nonvoluntary_ctxt_switches:", 0) == 0)
        c.switches += std::stol(line.substr(line.find(':') + 1));
  }
  // utime and stime are fields 14 and 15; the name before them may hold spaces.
  std::ifstream stat_file{proc + "/stat"};
  const std::string stat{std::istreambuf_iterator<char>{stat_file}, {}};
  const auto after_name = stat.rfind(')');
  if (after_name == std::string::npos)
    throw std::runtime_error("cannot read " + proc + "/stat");
  std::istringstream fields{stat.substr(after_name + 2)};
  std::string field;
  for (int i = 3; i <= 13; ++i)
    fields >> field;
  long utime = 0;
  long stime = 0;
  fields >> utime >> stime;
  c.cpu_ticks = utime + stime;
  return c;
}

} // namespace

idle_activity measure_idle_activity(pid_t pid, std::chrono::milliseconds window) {
  const auto before = read_counters(pid);
  std::this_thread::sleep_for(window);
  const auto after = read_counters(pid);
  const double seconds = std::chrono::duration<double>(window).count();
  const double ticks_per_second = static_cast<double>(::sysconf(_SC_CLK_TCK));
  idle_activity a;
  a.wakeups_per_second = static_cast<double>(after.switches - before.switches) / seconds;
  a.cpu_ms_per_minute =
    static_cast<double>(after.cpu_ticks - before.cpu_ticks) / ticks_per_second * 1000.0 * 60.0 / seconds;
  return a;
}

} // namespace wlg::bench
