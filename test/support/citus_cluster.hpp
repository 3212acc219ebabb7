#pragma once

// A real Citus cluster for tests: a coordinator on 127.0.0.1 and workers on
// 127.0.0.2, 127.0.0.3, ..., all PostgreSQL 15 with Citus, on one port. Its
// instances are copies of ones made once with the Citus kit's
// citus-cluster.sh (test/support/citus-from-template.sh; the kit is
// $WLG_CITUS_KIT, by default ../shared/citus beside the checkout, and
// test/support/citus_kit.hpp says whether one can run here).

#include "test/support/files.hpp"

#include <optional>
#include <set>
#include <string>

namespace wlg::test {

class citus_cluster {
public:
  explicit citus_cluster(int workers);
  ~citus_cluster();
  citus_cluster(const citus_cluster&) = delete;
  citus_cluster& operator=(const citus_cluster&) = delete;

  int port() const { return port_; }
  // Worker i (1-based): its address, which is its name in pg_dist_node.
  static std::string worker(int i) { return "127.0.0." + std::to_string(i + 1); }
  std::string conninfo() const;

  // Runs `statement` on the coordinator (or on worker i); psql's unaligned
  // output, or nothing when it fails.
  std::optional<std::string> sql(const std::string& statement, int node = 0) const;
  // nodename of every primary worker row in pg_dist_node.
  std::set<std::string> worker_nodes() const;

  // A role `user` with `password`, which the coordinator then asks for
  // (scram-sha-256) from 127.0.0.1; everyone else is still trusted.
  void require_password(const std::string& user, const std::string& password);

  // "coord", "w1", "w2", ...
  void stop_node(const std::string& name);
  void start_node(const std::string& name);
  // Worker i comes back empty: its PostgreSQL stopped, its data directory
  // put aside and replaced by a fresh one with Citus (same port and
  // address), and started again. restore_worker puts the old one back.
  void empty_worker(int i);
  void restore_worker(int i);

private:
  temp_dir dir_;
  int port_ = 0;
};

} // namespace wlg::test
