#include "test/support/fixtures.hpp"

#include "test/support/http_client.hpp"
#include "test/support/metrics_page.hpp"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <sys/stat.h>

namespace wlg::test {

std::string bin_path(const std::string& name) {
  return std::string{WLG_BIN_DIR} + "/" + name;
}

std::string source_path(const std::string& relative) {
  return std::string{WLG_SOURCE_DIR} + "/" + relative;
}

emulator::emulator(std::vector<std::string> args) {
  args.insert(args.begin(), {"--state-dir", dir_.path()});
  process_ = std::make_unique<child_process>(
    process_options{bin_path("dockercloud-emulator"), args, {}, dir_.path() + "/emulator.log", {}});
  const std::string env_file = dir_.path() + "/emulator.env";
  REQUIRE_MESSAGE(wait_until([&] { return read_file(env_file).has_value(); }, std::chrono::seconds(10)),
                  "the emulator did not start: " << log());
  std::string text = *read_file(env_file);
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end == std::string::npos ? text.size() : end + 1;
    const auto eq = line.find('=');
    if (eq == std::string::npos)
      continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'')
      value = value.substr(1, value.size() - 2);
    env_[line.substr(0, eq)] = value;
  }
  control_url_ = env_.at("EMULATOR_CONTROL_URL");
  if (!control_url_.empty() && control_url_.back() == '/')
    control_url_.pop_back();
}

env_map emulator::sidecar_env() const {
  env_map out = env_;
  out.erase("EMULATOR_CONTROL_URL");
  return out;
}

std::string emulator::log() const {
  return read_file(dir_.path() + "/emulator.log").value_or("");
}

void emulator::control(const std::string& path_and_query, const std::string& body) {
  auto answer = http_request("POST", control_url_ + path_and_query, body);
  REQUIRE_MESSAGE(answer.status == 200, "control " << path_and_query << " answered "
                                                   << answer.status << ": " << answer.body);
}

emulator_state emulator::state() const {
  auto answer = http_request("GET", control_url_ + "/state");
  REQUIRE(answer.status == 200);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(answer.body);
  emulator_state out;
  for (auto w : doc["workers"].get_array())
    out.workers.emplace_back(std::string_view(w));
  out.rest_requests = uint64_t(doc["rest_requests"]);
  out.rest_authorized = uint64_t(doc["rest_authorized"]);
  out.rest_refused = uint64_t(doc["rest_refused"]);
  out.stream_upgrades = uint64_t(doc["stream_upgrades"]);
  out.stream_authorized = uint64_t(doc["stream_authorized"]);
  out.stream_refused = uint64_t(doc["stream_refused"]);
  out.stream_open = uint64_t(doc["stream_open"]);
  out.frames_sent = uint64_t(doc["frames_sent"]);
  out.engine_requests = uint64_t(doc["engine_requests"]);
  for (auto at : doc["stream_upgrade_ns"].get_array())
    out.stream_upgrade_ns.push_back(int64_t(at));
  for (auto s : doc["signals"].get_array())
    out.signals.push_back({std::string{std::string_view(s["container"])},
                           std::string{std::string_view(s["signal"])}, int64_t(s["at_ns"])});
  return out;
}

sidecar::sidecar(env_map env, std::vector<std::string> args, std::string confdir) {
  confdir_ = confdir.empty() ? dir_.path() + "/citus" : std::move(confdir);
  ::mkdir(confdir_.c_str(), 0755);
  pid_file_ = dir_.path() + "/workerlistgen.pid";
  log_file_ = dir_.path() + "/sidecar.log";
  static const std::string listen_prefix = "--listen=127.0.0.1:";
  for (const auto& arg : args)
    if (arg.rfind(listen_prefix, 0) == 0)
      status_port_ = std::stoi(arg.substr(listen_prefix.size()));
  env["CITUS_CONFDIR"] = confdir_;
  env["WORKERLISTGEN_PID_FILE"] = pid_file_;
  process_ = std::make_unique<child_process>(
    process_options{bin_path("dockercloud-workerlistgen"), std::move(args), std::move(env), log_file_, {}});
}

bool sidecar::wait_for_list(const std::string& content, std::chrono::milliseconds timeout) {
  return wait_until([&] { return worker_list() == content; }, timeout);
}

std::vector<std::string> with_status_port(std::vector<std::string> args) {
  args.push_back(listen_flag(unused_tcp_port()));
  return args;
}

double sidecar::metric(const std::string& name) const {
  REQUIRE_MESSAGE(status_port_ != 0, "the sidecar was started without with_status_port()");
  return test::metric(status_port_, name);
}

bool sidecar::metric_reaches(const std::string& name, double value, std::chrono::milliseconds timeout) const {
  REQUIRE_MESSAGE(status_port_ != 0, "the sidecar was started without with_status_port()");
  return test::metric_reaches(status_port_, name, value, timeout);
}

bool sidecar::wait_until_settled(const emulator& emu, std::chrono::milliseconds timeout) const {
  const auto sent = static_cast<double>(emu.state().frames_sent);
  // Between the subscriber counting a frame and the reconciler taking it is
  // one mailbox hop: the gauge can read 0 within it. That only weakens the
  // "nothing more happened" checks that follow, never fails a correct run.
  return metric_reaches("events_received_total", sent, timeout)
         && wait_until([&] { return metric("sync_pending") == 0; }, timeout);
}

} // namespace wlg::test
