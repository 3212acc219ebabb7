#include "test/support/citus_kit.hpp"

#include <cstdlib>
#include <sys/stat.h>

namespace wlg::test {

std::string citus_kit() {
  const char* configured = std::getenv("WLG_CITUS_KIT");
  return configured && *configured ? configured : std::string{WLG_SOURCE_DIR} + "/../shared/citus";
}

std::optional<std::string> citus_unavailable() {
  struct stat info {};
  if (::stat("/usr/lib/postgresql/15/lib/citus.so", &info) != 0)
    return "Citus is not installed: skipped. Run scripts/install-citus.sh with the Citus kit in ../shared/citus "
           "(or WLG_CITUS_KIT), or install Citus 13 for PostgreSQL 15 from the Citus packages.";
  if (::stat((citus_kit() + "/citus-cluster.sh").c_str(), &info) != 0)
    return "no citus-cluster.sh in " + citus_kit() + " (set WLG_CITUS_KIT): the Citus tests are skipped.";
  return std::nullopt;
}

run_result citus_cluster_script(std::vector<std::string> args, std::chrono::milliseconds timeout) {
  args.insert(args.begin(), citus_kit() + "/citus-cluster.sh");
  return run_to_completion({"/bin/bash", std::move(args), {}, {}, {}}, timeout);
}

} // namespace wlg::test
