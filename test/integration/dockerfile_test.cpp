// The Dockerfile checked statically against what the build and the binary
// actually need, in a second: it cannot silently fall behind a new dependency,
// a renamed script or a moved binary. scripts/image-test.sh and
// scripts/compose-test.sh build the image and run it, with podman and Docker.

#include "test/support/fixtures.hpp"
#include "test/support/sanitized.hpp"

#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace wlg::test;

namespace {

struct stage {
  std::string from;
  std::string name;
  std::vector<std::string> instructions; // continuation lines joined
};

std::vector<stage> read_stages(const std::string& text) {
  std::vector<stage> stages;
  std::istringstream lines{text};
  std::string pending;
  for (std::string line; std::getline(lines, line);) {
    if (pending.empty() && (line.empty() || line[0] == '#'))
      continue;
    if (!line.empty() && line.back() == '\\') {
      pending += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    const std::string instruction = pending + line;
    pending.clear();
    std::smatch m;
    if (std::regex_match(instruction, m, std::regex{R"(FROM\s+(\S+)(\s+AS\s+(\S+))?\s*)"})) {
      stages.push_back({m[1], m[3], {}});
      continue;
    }
    REQUIRE_MESSAGE(!stages.empty(), instruction);
    stages.back().instructions.push_back(instruction);
  }
  return stages;
}

std::set<std::string> words_of(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in{text};
  for (std::string w; in >> w;)
    out.insert(w);
  return out;
}

// The shell command that starts with `start`, up to the next `&&`.
std::string command_at(const std::string& instruction, const std::string& start) {
  const auto from = instruction.find(start);
  return instruction.substr(from, instruction.find("&&", from) - from);
}

std::set<std::string> installed_by(const stage& s) {
  std::set<std::string> packages;
  for (const auto& i : s.instructions)
    if (i.rfind("RUN ", 0) == 0 && i.find("apt-get install") != std::string::npos)
      for (const auto& w : words_of(command_at(i, "apt-get install")))
        if (w[0] != '-' && w != "apt-get" && w != "install" && w.find('/') == std::string::npos
            && w.find('=') == std::string::npos)
          packages.insert(w);
  return packages;
}

const stage& named(const std::vector<stage>& stages, const std::string& name) {
  static const stage none;
  for (const auto& s : stages)
    if (s.name == name)
      return s;
  FAIL_CHECK("no stage " << name);
  return none;
}

std::string joined(const stage& s) {
  std::string all;
  for (const auto& i : s.instructions)
    all += i + "\n";
  return all;
}

// Debian's -dev packages for each CMake find_package of the build.
const std::map<std::string, std::vector<std::string>> dev_packages = {
  {"CAF", {"libcaf-dev"}},         {"Boost", {"libboost1.81-dev"}}, {"OpenSSL", {"libssl-dev"}},
  {"simdjson", {"libsimdjson-dev"}}, {"spdlog", {"libspdlog-dev", "libfmt-dev"}},
  {"PostgreSQL", {"libpq-dev"}},
};

// In debian:bookworm-slim already.
const std::set<std::string> base_packages = {"libc6", "libstdc++6", "libgcc-s1", "bash", "coreutils"};

} // namespace

TEST_CASE("the Dockerfile builds on bookworm-slim, tests off, with the sidecar as the default target and membership-manager as another") {
  const auto stages = read_stages(read_file(source_path("Dockerfile")).value_or(""));
  REQUIRE(stages.size() == 4);
  CHECK(stages[0].from == "debian:bookworm-slim");
  CHECK(stages[0].name == "build");
  CHECK(stages[1].from == "debian:bookworm-slim");
  CHECK(stages[1].name == "runtime");
  CHECK(named(stages, "membership-manager").from == "runtime");
  CHECK(stages.back().name == "sidecar"); // what a build without --target makes
  CHECK(stages.back().from == "runtime");
  const auto build = joined(stages[0]);
  CHECK(build.find("-DWLG_BUILD_TESTS=OFF") != std::string::npos);
  CHECK(build.find("--target dockercloud-workerlistgen") != std::string::npos);
}

TEST_CASE("the build stage installs a package for every CMake dependency, as install-deps.sh does") {
  const auto stages = read_stages(read_file(source_path("Dockerfile")).value_or(""));
  REQUIRE(stages.size() == 4);
  const auto installed = installed_by(stages[0]);
  const auto install_deps = words_of(read_file(source_path("scripts/install-deps.sh")).value_or(""));
  const auto cmake = read_file(source_path("CMakeLists.txt")).value_or("");
  const std::regex find_package{R"(find_package\((\w+))"};
  int found = 0;
  for (std::sregex_iterator it{cmake.begin(), cmake.end(), find_package}, end; it != end; ++it) {
    const std::string name = (*it)[1];
    if (name == "Threads" || name == "doctest") // the C library's; the tests'
      continue;
    CAPTURE(name);
    ++found;
    const auto packages = dev_packages.find(name);
    REQUIRE_MESSAGE(packages != dev_packages.end(), "a new dependency: add its package here and to the Dockerfile");
    for (const auto& p : packages->second) {
      CAPTURE(p);
      CHECK(installed.count(p) == 1);
      CHECK(install_deps.count(p) == 1);
    }
  }
  CHECK(found == 6);
  for (const auto& p : installed)
    if (p.size() > 4 && p.substr(p.size() - 4) == "-dev")
      CHECK_MESSAGE(install_deps.count(p) == 1, p);
}

// `packages` and everything they depend on, as this machine's dpkg knows it:
// what apt installs along with them.
std::set<std::string> with_dependencies(std::set<std::string> packages) {
  std::vector<std::string> todo(packages.begin(), packages.end());
  const std::regex name{R"((?:^|[,|])\s*([a-z0-9][a-z0-9+.-]+))"};
  while (!todo.empty()) {
    const auto package = todo.back();
    todo.pop_back();
    const auto depends =
      run_to_completion({"/usr/bin/dpkg-query", {"-W", "-f=${Depends},${Pre-Depends}", package}, {}, {}, {}});
    if (depends.status != 0)
      continue;
    for (std::sregex_iterator it{depends.output.begin(), depends.output.end(), name}, end; it != end; ++it)
      if (packages.insert((*it)[1]).second)
        todo.push_back((*it)[1]);
  }
  return packages;
}

TEST_CASE("the build stage copies every source folder the build reads") {
  const auto stages = read_stages(read_file(source_path("Dockerfile")).value_or(""));
  REQUIRE(stages.size() == 4);
  std::set<std::string> copied;
  for (const auto& i : stages[0].instructions) {
    std::smatch m;
    if (std::regex_match(i, m, std::regex{R"(COPY\s+(\S+)\s+\S+\s*)"}))
      copied.insert(m[1]);
  }
  CHECK(copied.count("CMakeLists.txt") == 1);
  // Each folder of a source file named in CMakeLists.txt, but for the tests,
  // benchmarks, fuzzers and the emulator, which the image does not build.
  const auto cmake = read_file(source_path("CMakeLists.txt")).value_or("");
  const std::regex source{R"((^|[\s(])([a-z_]+)/[a-z_]+\.cpp\b)"};
  int folders = 0;
  for (auto it = std::sregex_iterator(cmake.begin(), cmake.end(), source); it != std::sregex_iterator(); ++it) {
    const std::string folder = (*it)[2];
    if (folder == "test" || folder == "bench" || folder == "fuzz" || folder == "emulator")
      continue;
    ++folders;
    CAPTURE(folder);
    CHECK(copied.count(folder) == 1);
  }
  CHECK(folders > 8);
  CHECK(copied.count("emulator") == 0); // built with the tests only: not in the image's build
}

TEST_CASE("the runtime stage has the package of every shared library the binary loads, and no -dev package") {
  const auto stages = read_stages(read_file(source_path("Dockerfile")).value_or(""));
  REQUIRE(stages.size() == 4);
  const auto named = installed_by(stages[1]);
  for (const auto& p : named)
    CHECK_MESSAGE(p.find("-dev") == std::string::npos, p);
  const auto installed = with_dependencies(named);
  const auto ldd = run_to_completion({"/usr/bin/ldd", {bin_path("dockercloud-workerlistgen")}, {}, {}, {}});
  REQUIRE(ldd.status == 0);
  std::istringstream lines{ldd.output};
  int libraries = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto arrow = line.find("=> ");
    if (arrow == std::string::npos)
      continue;
    const std::string path = line.substr(arrow + 3, line.find(' ', arrow + 3) - arrow - 3);
    if (sanitized_build && path.rfind(WLG_SOURCE_DIR, 0) == 0)
      continue; // CAF built instrumented for the thread sanitizer (scripts/instrumented-caf.sh)
    auto owner = run_to_completion({"/usr/bin/dpkg", {"-S", path}, {}, {}, {}});
    if (owner.status != 0)
      owner = run_to_completion({"/usr/bin/dpkg", {"-S", "/usr" + path}, {}, {}, {}});
    CAPTURE(path);
    REQUIRE(owner.status == 0);
    std::string package = owner.output.substr(0, owner.output.find(':'));
    CAPTURE(package);
    if (sanitized_build && (package.rfind("libasan", 0) == 0 || package.rfind("libubsan", 0) == 0
                            || package.rfind("libtsan", 0) == 0))
      continue; // the sanitizer's runtime, which only scripts/sanitize.sh links in
    ++libraries;
    CHECK((installed.count(package) == 1 || base_packages.count(package) == 1));
  }
  CHECK(libraries >= 6);
  CHECK(named.count("libpq5") == 1); // loaded with dlopen by --target=citus (pq/libpq.cpp)
}

TEST_CASE("the image holds the binary, reload.sh and the healthcheck, with the original's settings") {
  const auto stages = read_stages(read_file(source_path("Dockerfile")).value_or(""));
  REQUIRE(stages.size() == 4);
  const auto runtime = joined(stages[1]) + joined(stages.back());
  CHECK(runtime.find("COPY --from=build /build/bin/dockercloud-workerlistgen /usr/local/bin/") != std::string::npos);
  std::smatch copy;
  REQUIRE(std::regex_search(runtime, copy, std::regex{R"(COPY ((?:\S+ )+)/usr/local/bin/\n)"}));
  const auto copied = words_of(copy[1]);
  CHECK(copied.count("reload.sh") == 1);
  for (const auto& file : copied) {
    CAPTURE(file);
    CHECK(read_file(source_path(file)).has_value()); // it exists in the build context
  }
  std::smatch health;
  REQUIRE(std::regex_search(runtime, health, std::regex{R"x(HEALTHCHECK .*CMD \["([^"]+)")x"}));
  CHECK(copied.count(health[1]) == 1);
  const auto script = read_file(source_path(health[1])).value_or("");
  CHECK(script.rfind("#!/bin/bash\n", 0) == 0); // bash is in the base image
  CHECK(runtime.find("WORKERLISTGEN_LISTEN=127.0.0.1:") != std::string::npos); // what the healthcheck asks
  CHECK(runtime.find("CITUS_CONFDIR=/etc/citus") != std::string::npos);
  CHECK(runtime.find("CITUS_SERVICE_NAME=master") != std::string::npos);
  CHECK(runtime.find("VOLUME /etc/citus\n") != std::string::npos);
  // The binary is the entrypoint, so `docker run IMAGE --once` hands the flag to it.
  CHECK(runtime.find("ENTRYPOINT [\"dockercloud-workerlistgen\"]\n") != std::string::npos);
  CHECK(runtime.find("\nCMD ") == std::string::npos);
  const auto ignore = words_of(read_file(source_path(".dockerignore")).value_or(""));
  CHECK(ignore.count(".git") == 1);
  CHECK(ignore.count("build/") == 1);
}

TEST_CASE("the membership-manager image has membership-manager's defaults and an entrypoint that drops root") {
  const auto stages = read_stages(read_file(source_path("Dockerfile")).value_or(""));
  REQUIRE(stages.size() == 4);
  const auto manager = joined(named(stages, "membership-manager"));
  for (const char* setting : {"WORKERLISTGEN_SOURCE=engine", "WORKERLISTGEN_TARGET=citus", "WORKERLISTGEN_WORKER_NAME=name",
                              "DOCKER_HOST=unix:///var/run/docker.sock",
                              "WORKERLISTGEN_READY_FILE=/healthcheck/manager-ready"}) {
    CAPTURE(setting);
    CHECK(manager.find(setting) != std::string::npos);
  }
  CHECK(manager.find("ENTRYPOINT [\"membership-manager.sh\"]") != std::string::npos);
  CHECK(manager.find("USER ") == std::string::npos); // root until the entrypoint drops it
  const auto entrypoint = read_file(source_path("membership-manager.sh")).value_or("");
  CHECK(entrypoint.find("exec setpriv --reuid=workerlistgen") != std::string::npos);
  CHECK(joined(stages[1]).find("membership-manager.sh") != std::string::npos); // copied into the image
}
