// TLS is verified: the certificate chain against OpenSSL's default paths
// (SSL_CERT_FILE, SSL_CERT_DIR) and the host name against the certificate.
// Certificates here are made with the openssl command.

#include "test/support/fixtures.hpp"

#include <doctest/doctest.h>


using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

struct test_ca {
  temp_dir dir;
  explicit test_ca(const std::string& host) {
    auto made = run_to_completion({"/bin/bash", {source_path("test/integration/make-test-certs.sh"), dir.path(), host}, {}, {}, {}});
    REQUIRE_MESSAGE(made.status == 0, made.output);
  }
  std::vector<std::string> emulator_args() const {
    return {"--tls-cert", dir.path() + "/server.pem", "--tls-key", dir.path() + "/server.key"};
  }
};

const auto three = worker_file({"worker-1", "worker-2", "worker-3"});

} // namespace

TEST_CASE("a server certificate signed by a CA in SSL_CERT_FILE is accepted") {
  test_ca ca{"localhost"};
  emulator emu{ca.emulator_args()};
  auto env = emu.sidecar_env();
  env["SSL_CERT_FILE"] = ca.dir.path() + "/ca.pem";
  sidecar side{env};
  CHECK_MESSAGE(side.wait_for_list(three, 10s), side.log());
  // The start-up fetch may write the list before the stream's handshake ends.
  CHECK_MESSAGE(wait_until([&] { return emu.state().stream_authorized == 1; }, 10s), side.log());
}

TEST_CASE("SSL_CERT_DIR works as well") {
  test_ca ca{"localhost"};
  emulator emu{ca.emulator_args()};
  auto env = emu.sidecar_env();
  env.erase("SSL_CERT_FILE");
  env["SSL_CERT_DIR"] = ca.dir.path() + "/trusted";
  sidecar side{env};
  CHECK_MESSAGE(side.wait_for_list(three, 10s), side.log());
}

TEST_CASE("a certificate for another host name is refused") {
  test_ca ca{"elsewhere.example"};
  emulator emu{ca.emulator_args()};
  auto env = emu.sidecar_env();
  env["SSL_CERT_FILE"] = ca.dir.path() + "/ca.pem";
  sidecar side{env, with_status_port({"--backoff-initial=100ms"})};
  REQUIRE_MESSAGE(side.metric_reaches("fetch_errors_total", 2), side.log()); // failed, and failed again
  const auto state = emu.state();
  CHECK(state.rest_requests == 0); // no request got past the handshake
  CHECK(state.stream_upgrades == 0);
  CHECK_FALSE(read_file(side.list_path()).has_value());
  CHECK(side.metric_reaches("stream_failures_total{reason=\"tls\"}", 1)); // the stream failed the same way
}

TEST_CASE("a certificate nobody vouches for is refused") {
  emulator emu; // self-signed, written to its ca.pem
  auto env = emu.sidecar_env();
  env.erase("SSL_CERT_FILE"); // only the system's trust store
  sidecar side{env, with_status_port({"--backoff-initial=100ms"})};
  REQUIRE_MESSAGE(side.metric_reaches("fetch_errors_total", 2), side.log());
  CHECK(side.metric_reaches("stream_failures_total{reason=\"tls\"}", 1)); // the stream failed the same way
  CHECK(emu.state().rest_requests == 0);
  CHECK_FALSE(read_file(side.list_path()).has_value());
}
