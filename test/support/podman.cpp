#include "test/support/podman.hpp"

#include "test/support/fixtures.hpp"
#include "test/support/process.hpp"

#include <doctest/doctest.h>

namespace wlg::test {

namespace {

run_result run_script(const std::string& dir, const std::vector<std::string>& args) {
  std::vector<std::string> full{source_path("scripts/podman-engine.sh"), args.front(), dir};
  full.insert(full.end(), args.begin() + 1, args.end());
  return run_to_completion({"/bin/bash", full, {}, {}, {}}, std::chrono::minutes(3));
}

} // namespace

podman_engine::podman_engine(const std::string& project, const std::string& service) {
  auto started = run_script(dir_.path(), {"start", project, service});
  REQUIRE_MESSAGE(started.status == 0, "podman did not start: " << started.output);
  socket_ = dir_.path() + "/docker.sock";
}

podman_engine::~podman_engine() {
  run_script(dir_.path(), {"stop"});
}

std::size_t podman_engine::hups_of(const std::string& name) const {
  const auto text = read_file(dir_.path() + "/hups/" + name).value_or("");
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

void podman_engine::script(const std::vector<std::string>& args) const {
  auto result = run_script(dir_.path(), args);
  REQUIRE_MESSAGE(result.status == 0, args.front() << " failed: " << result.output);
}

void podman_engine::run(const std::string& name, const std::vector<std::string>& labels) {
  std::vector<std::string> args{"run", name};
  args.insert(args.end(), labels.begin(), labels.end());
  script(args);
}

void podman_engine::stop_container(const std::string& name) {
  script({"stop-container", name});
}

void podman_engine::stop_service() {
  script({"stop-service"});
}

void podman_engine::start_service() {
  script({"start-service"});
}

} // namespace wlg::test
