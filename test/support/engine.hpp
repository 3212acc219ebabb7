#pragma once

// A real Docker-compatible engine for tests, started and stopped in a
// directory of its own: podman's API service (scripts/podman-engine.sh) or
// Debian's dockerd (scripts/docker-engine.sh, without networking, so several
// can run at once). Both run the same busybox containers.

#include "test/support/files.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace wlg::test {

enum class engine_kind { podman, docker };

// The engines as doctest template parameters: each engine-mode test runs, and
// is reported, once per engine.
struct podman_kind {
  static constexpr engine_kind kind = engine_kind::podman;
};
struct docker_kind {
  static constexpr engine_kind kind = engine_kind::docker;
};

class container_engine {
public:
  // Starts the engine with a master container labelled PROJECT/SERVICE.
  explicit container_engine(engine_kind kind = engine_kind::podman, const std::string& project = "citus",
                            const std::string& service = "master");
  ~container_engine();

  const std::string& socket() const { return socket_; }
  std::string docker_host() const { return "unix://" + socket_; }
  // SIGHUPs container NAME has recorded.
  std::size_t hups_of(const std::string& name) const;

  // `labels` are KEY=VALUE; an entry --hostname=H sets the container's
  // hostname, and --health-cmd=..., --health-interval=... its healthcheck.
  void run(const std::string& name, const std::vector<std::string>& labels);
  void stop_container(const std::string& name);
  // Removes container NAME, as a scale-down does; its name can be used again.
  void remove_container(const std::string& name);
  // Runs container NAME's healthcheck once where the engine does not run it
  // on its own (podman without systemd); dockerd runs it on its interval.
  void run_healthcheck(const std::string& name);
  // What the engine says of container NAME's health: starting, healthy, unhealthy.
  std::string health_of(const std::string& name) const;
  // Runs `command` in container NAME.
  void exec(const std::string& name, const std::vector<std::string>& command);
  // The PID, on the host, of container NAME's main process.
  int pid_of(const std::string& name) const;
  // Container NAME's full id (HOSTNAME in it is the first 12 digits).
  std::string id_of(const std::string& name) const;
  // The API service alone (dockerd runs with live-restore); the containers keep running without it.
  void stop_service();
  void start_service();

private:
  void script(const std::vector<std::string>& args) const;
  std::string script_;
  temp_dir dir_;
  std::string socket_;
};

} // namespace wlg::test

DOCTEST_TYPE_TO_STRING_AS("podman", wlg::test::podman_kind);
DOCTEST_TYPE_TO_STRING_AS("docker", wlg::test::docker_kind);
