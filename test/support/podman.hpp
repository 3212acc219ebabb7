#pragma once

// A real Docker-compatible engine for tests: podman's API service, started
// and stopped through scripts/podman-engine.sh in a directory of its own.

#include "test/support/files.hpp"

#include <string>
#include <vector>

namespace wlg::test {

class podman_engine {
public:
  // Starts the service with a master container labelled PROJECT/SERVICE.
  explicit podman_engine(const std::string& project = "citus", const std::string& service = "master");
  ~podman_engine();

  const std::string& socket() const { return socket_; }
  std::string docker_host() const { return "unix://" + socket_; }
  // SIGHUPs container NAME has recorded.
  std::size_t hups_of(const std::string& name) const;

  // `labels` are KEY=VALUE; an entry --hostname=H sets the container's hostname.
  void run(const std::string& name, const std::vector<std::string>& labels);
  void stop_container(const std::string& name);
  // The API service alone; the containers keep running without it.
  void stop_service();
  void start_service();

private:
  void script(const std::vector<std::string>& args) const;
  temp_dir dir_;
  std::string socket_;
};

} // namespace wlg::test
