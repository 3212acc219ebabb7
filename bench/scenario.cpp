#include "bench/scenario.hpp"

#include "test/support/http_client.hpp"
#include "test/support/metrics_page.hpp"

#include <simdjson.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>

namespace wlg::bench {

std::int64_t monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

emulator_process::emulator_process(std::vector<std::string> args) {
  args.insert(args.begin(), {"--state-dir", dir_.path()});
  process_ = std::make_unique<test::child_process>(test::process_options{
    std::string{WLG_BIN_DIR} + "/dockercloud-emulator", args, {}, dir_.path() + "/emulator.log", {}});
  const std::string env_file = dir_.path() + "/emulator.env";
  if (!test::wait_until([&] { return test::read_file(env_file).has_value(); }, std::chrono::seconds(20)))
    throw std::runtime_error("the emulator did not start");
  std::istringstream lines{*test::read_file(env_file)};
  std::string line;
  while (std::getline(lines, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos)
      continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '\'')
      value = value.substr(1, value.size() - 2);
    env_[line.substr(0, eq)] = value;
  }
  control_url_ = env_.at("EMULATOR_CONTROL_URL");
  control_url_.pop_back();
  env_.erase("EMULATOR_CONTROL_URL");
}

void emulator_process::control(const std::string& path_and_query, const std::string& body) {
  auto answer = test::http_request("POST", control_url_ + path_and_query, body);
  if (answer.status != 200)
    throw std::runtime_error("emulator control " + path_and_query + ": " + answer.body);
}

emulator_records emulator_process::records() const {
  auto answer = test::http_request("GET", control_url_ + "/state?workers=no");
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(answer.body);
  emulator_records out;
  out.rest_requests = uint64_t(doc["rest_requests"]);
  out.burst_started_ns = int64_t(doc["burst_started_ns"]);
  out.last_drained_ns = int64_t(doc["last_drained_ns"]);
  for (auto s : doc["signals"].get_array())
    out.signals_ns.push_back(int64_t(s["at_ns"]));
  for (auto c : doc["changes"].get_array())
    out.relevant_ns.push_back(int64_t(c["relevant_sent_ns"]));
  return out;
}

sidecar_process::sidecar_process(env_map env, const std::string& confdir, std::vector<std::string> args) {
  env["CITUS_CONFDIR"] = confdir;
  env["WORKERLISTGEN_PID_FILE"] = dir_.path() + "/wlg.pid";
  process_ = std::make_unique<test::child_process>(test::process_options{
    std::string{WLG_BIN_DIR} + "/dockercloud-workerlistgen", std::move(args), std::move(env),
    dir_.path() + "/sidecar.log", {}});
}

sidecar_process::~sidecar_process() {
  stop();
}

void sidecar_process::stop() {
  process_->signal(SIGTERM);
  process_->wait_for_exit(std::chrono::seconds(5));
}

std::string sidecar_process::log() const {
  return test::read_file(dir_.path() + "/sidecar.log").value_or("");
}

std::size_t sidecar_process::count_in_log(const std::string& needle) const {
  const auto text = log();
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

double sidecar_process::cpu_ms() const {
  std::ifstream in{"/proc/" + std::to_string(pid()) + "/stat"};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields{text.substr(text.rfind(')') + 2)};
  std::string value;
  long ticks = 0;
  for (int i = 3; i <= 15 && fields >> value; ++i)
    if (i == 14 || i == 15)
      ticks += std::stol(value);
  return static_cast<double>(ticks) * 1000.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

namespace {

long field_kib(const std::string& path, const std::string& field) {
  std::ifstream in{path};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0)
      return std::stol(line.substr(field.size() + 1));
  return -1;
}

} // namespace

long sidecar_process::status_kib(const std::string& field) const {
  return field_kib("/proc/" + std::to_string(pid()) + "/status", field);
}

long sidecar_process::smaps_kib(const std::string& field) const {
  return field_kib("/proc/" + std::to_string(pid()) + "/smaps_rollup", field);
}

rename_watch::rename_watch(const std::string& dir) {
  fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  ::mkdir(dir.c_str(), 0755);
  if (fd_ < 0 || ::inotify_add_watch(fd_, dir.c_str(), IN_MOVED_TO) < 0)
    throw std::runtime_error("inotify on " + dir + " failed");
  thread_ = std::thread([this] {
    alignas(inotify_event) char buffer[16 * 1024];
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0)
        continue;
      const auto now = monotonic_ns();
      const auto n = ::read(fd_, buffer, sizeof buffer);
      for (ssize_t at = 0; at < n;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
        if (event->len > 0 && std::string_view{event->name} == "pg_worker_list.conf") {
          std::lock_guard lock{mutex_};
          times_.push_back(now);
        }
        at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      }
    }
  });
}

rename_watch::~rename_watch() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

std::vector<std::int64_t> rename_watch::times() const {
  std::lock_guard lock{mutex_};
  return times_;
}

std::int64_t rename_watch::wait_after(std::int64_t after_ns, std::chrono::milliseconds timeout) const {
  std::int64_t found = 0;
  test::wait_until([&] { return (found = first_after(times(), after_ns)) != 0; }, timeout);
  return found;
}

std::int64_t first_after(const std::vector<std::int64_t>& times, std::int64_t after) {
  auto it = std::upper_bound(times.begin(), times.end(), after);
  return it == times.end() ? 0 : *it;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(rank, values.size() - 1)];
}

double status_mb(const sidecar_process& side, const std::string& field) {
  return static_cast<double>(side.status_kib(field)) / 1024.0;
}

double ms_between(std::int64_t from_ns, std::int64_t to_ns) {
  return static_cast<double>(to_ns - from_ns) / 1e6;
}

void wait_until_quiet(emulator_process& emu, sidecar_process& side, std::chrono::milliseconds quiet) {
  auto snapshot = [&] {
    auto r = emu.records();
    return std::tuple{r.rest_requests, r.signals_ns.size(), side.count_in_log("] wrote ")};
  };
  auto last = snapshot();
  auto stable_since = std::chrono::steady_clock::now();
  const auto give_up = stable_since + std::chrono::seconds{60};
  while (std::chrono::steady_clock::now() - stable_since < quiet && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
    auto now = snapshot();
    if (now != last) {
      last = now;
      stable_since = std::chrono::steady_clock::now();
    }
  }
}

phase_times last_sync_phases_ms(int status_port) {
  phase_times out{};
  for (std::size_t i = 0; i < runtime::sync_phase_count; ++i)
    out[i] = 1000.0
             * wlg::test::metric(status_port,
                                 std::string{"last_sync_phase_seconds{phase=\""} + runtime::sync_phase_names[i] + "\"}");
  return out;
}

} // namespace wlg::bench
