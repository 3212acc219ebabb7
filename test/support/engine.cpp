#include "test/support/engine.hpp"

#include "test/support/fixtures.hpp"
#include "test/support/process.hpp"

#include <doctest/doctest.h>

namespace wlg::test {

namespace {

const char* script_of(engine_kind kind) {
  return kind == engine_kind::docker ? "scripts/docker-engine.sh" : "scripts/podman-engine.sh";
}

run_result run_script(const std::string& script, const std::string& dir, const std::vector<std::string>& args) {
  std::vector<std::string> full{source_path(script), args.front(), dir};
  full.insert(full.end(), args.begin() + 1, args.end());
  return run_to_completion({"/bin/bash", full, {}, {}, {}}, std::chrono::minutes(3));
}

} // namespace

container_engine::container_engine(engine_kind kind, const std::string& project, const std::string& service)
  : script_(script_of(kind)) {
  auto started = run_script(script_, dir_.path(), {"start", project, service});
  REQUIRE_MESSAGE(started.status == 0, script_ << " did not start: " << started.output);
  socket_ = dir_.path() + "/docker.sock";
}

container_engine::~container_engine() {
  run_script(script_, dir_.path(), {"stop"});
}

std::size_t container_engine::hups_of(const std::string& name) const {
  const auto text = read_file(dir_.path() + "/hups/" + name).value_or("");
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

void container_engine::script(const std::vector<std::string>& args) const {
  auto result = run_script(script_, dir_.path(), args);
  REQUIRE_MESSAGE(result.status == 0, args.front() << " failed: " << result.output);
}

void container_engine::run(const std::string& name, const std::vector<std::string>& labels) {
  std::vector<std::string> args{"run", name};
  args.insert(args.end(), labels.begin(), labels.end());
  script(args);
}

void container_engine::stop_container(const std::string& name) {
  script({"stop-container", name});
}

void container_engine::remove_container(const std::string& name) {
  script({"remove-container", name});
}

void container_engine::run_healthcheck(const std::string& name) {
  script({"healthcheck", name});
}

void container_engine::exec(const std::string& name, const std::vector<std::string>& command) {
  std::vector<std::string> args{"exec", name};
  args.insert(args.end(), command.begin(), command.end());
  script(args);
}

int container_engine::pid_of(const std::string& name) const {
  auto result = run_script(script_, dir_.path(), {"pid", name});
  REQUIRE_MESSAGE(result.status == 0, "pid failed: " << result.output);
  return std::stoi(result.output);
}

namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

} // namespace

std::string container_engine::id_of(const std::string& name) const {
  auto result = run_script(script_, dir_.path(), {"id", name});
  REQUIRE_MESSAGE(result.status == 0, "id failed: " << result.output);
  return trimmed(result.output);
}

std::string container_engine::health_of(const std::string& name) const {
  auto result = run_script(script_, dir_.path(), {"health", name});
  REQUIRE_MESSAGE(result.status == 0, "health failed: " << result.output);
  return trimmed(result.output);
}

void container_engine::stop_service() {
  script({"stop-service"});
}

void container_engine::start_service() {
  script({"start-service"});
}

} // namespace wlg::test
