// dockercloud-emulator: a stand-in for the retired Docker Cloud service (REST
// API and event stream, over TLS) and for the Docker Engine API on a unix
// socket, holding one Citus stack. Writes the environment a sidecar needs to
// STATE_DIR/emulator.env once it listens.

#include "emulator/cloud_server.hpp"
#include "emulator/emulator_state.hpp"
#include "emulator/local_servers.hpp"
#include "emulator/self_signed.hpp"
#include "runtime/atomic_file.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

struct emulator_cli {
  std::string state_dir;
  wlg::emulator::emulator_options emulator;
  wlg::emulator::cloud_listen_options cloud;
  unsigned short control_port = 0;
  std::string tls_cert_file, tls_key_file;
};

const char* usage =
  "Usage: dockercloud-emulator --state-dir DIR [OPTION]...\n"
  "Emulates Docker Cloud's REST API and event stream and the Docker Engine API\n"
  "for one Citus stack, and writes the sidecar's environment to DIR/emulator.env.\n\n"
  "  --state-dir=DIR     where the socket, certificate and emulator.env go (required)\n"
  "  --workers=N         worker containers at start (3)\n"
  "  --masters=N         containers labelled as the Citus master (1)\n"
  "  --stack=NAME        stack / compose project name (citus)\n"
  "  --namespace=NAME    serve namespaced URIs (none)\n"
  "  --auth=VALUE        the Authorization value clients must send (random TutumAccessKey)\n"
  "  --host=ADDR         address to listen on (127.0.0.1)\n"
  "  --port=N            Docker Cloud port, REST and stream (any free port)\n"
  "  --control-port=N    control API port (any free port)\n"
  "  --tls-cert=FILE --tls-key=FILE  serve this certificate (default: a self-signed one\n"
  "                      for localhost, written to DIR/ca.pem)\n"
  "  --no-tls            serve http:// and ws:// instead\n"
  "  --seed=N            seed for the generated UUIDs (1)\n";

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return false;
  std::stringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

template <class T>
bool parse_number(const std::string& text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

bool parse_cli(int argc, char** argv, emulator_cli& cli, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    const auto eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    } else if (arg != "--no-tls" && arg != "--help" && i + 1 < argc) {
      value = argv[++i];
    }
    if (arg == "--help") {
      std::fputs(usage, stdout);
      std::exit(0);
    }
    bool ok = true;
    if (arg == "--state-dir") cli.state_dir = value;
    else if (arg == "--workers") ok = parse_number(value, cli.emulator.model.workers) && cli.emulator.model.workers >= 0;
    else if (arg == "--masters") ok = parse_number(value, cli.emulator.masters) && cli.emulator.masters >= 0;
    else if (arg == "--stack") cli.emulator.model.stack_name = value;
    else if (arg == "--namespace") cli.emulator.model.cloud_namespace = value;
    else if (arg == "--auth") cli.emulator.authorization = value;
    else if (arg == "--host") cli.cloud.host = value;
    else if (arg == "--port") ok = parse_number(value, cli.cloud.port);
    else if (arg == "--control-port") ok = parse_number(value, cli.control_port);
    else if (arg == "--tls-cert") cli.tls_cert_file = value;
    else if (arg == "--tls-key") cli.tls_key_file = value;
    else if (arg == "--no-tls") cli.cloud.tls = false;
    else if (arg == "--seed") ok = parse_number(value, cli.emulator.model.seed);
    else {
      error = "unknown option " + arg;
      return false;
    }
    if (!ok) {
      error = "bad value for " + arg + ": '" + value + "'";
      return false;
    }
  }
  if (cli.state_dir.empty()) {
    error = "--state-dir is required";
    return false;
  }
  if (cli.tls_cert_file.empty() != cli.tls_key_file.empty()) {
    error = "--tls-cert and --tls-key go together";
    return false;
  }
  return true;
}

std::string random_token() {
  std::random_device rd;
  std::string hex;
  for (int i = 0; i < 40; ++i)
    hex += "0123456789abcdef"[rd() % 16];
  return hex;
}

} // namespace

int main(int argc, char** argv) {
  using namespace wlg;
  emulator_cli cli;
  std::string error;
  if (!parse_cli(argc, argv, cli, error)) {
    std::fprintf(stderr, "dockercloud-emulator: %s\n%s", error.c_str(), usage);
    return 2;
  }
  ::mkdir(cli.state_dir.c_str(), 0755);
  if (cli.emulator.authorization.empty())
    cli.emulator.authorization = "TutumAccessKey " + random_token();

  std::string ca_file;
  if (cli.cloud.tls) {
    if (!cli.tls_cert_file.empty()) {
      if (!read_file(cli.tls_cert_file, cli.cloud.certificate_pem)
          || !read_file(cli.tls_key_file, cli.cloud.private_key_pem)) {
        std::fprintf(stderr, "dockercloud-emulator: cannot read %s or %s\n", cli.tls_cert_file.c_str(),
                     cli.tls_key_file.c_str());
        return 2;
      }
    } else {
      auto pair = emulator::make_self_signed_certificate();
      if (!pair) {
        std::fprintf(stderr, "dockercloud-emulator: %s\n", pair.error().c_str());
        return 1;
      }
      cli.cloud.certificate_pem = pair->certificate;
      cli.cloud.private_key_pem = pair->private_key;
      ca_file = cli.state_dir + "/ca.pem";
      runtime::replace_file_atomically(ca_file, pair->certificate, true);
    }
  }

  boost::asio::io_context io{1};
  emulator::emulator_state state{cli.emulator};
  const std::string socket_path = cli.state_dir + "/docker.sock";
  unsigned short cloud_port = 0, control_port = 0;
  try {
    cloud_port = emulator::start_cloud_server(io, state, cli.cloud);
    control_port = emulator::start_control_server(io, state, cli.cloud.host, cli.control_port);
    emulator::start_engine_server(io, state, socket_path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dockercloud-emulator: cannot listen: %s\n", e.what());
    return 1;
  }

  // Clients verify the certificate against "localhost" (its SAN).
  const std::string host = cli.cloud.host == "127.0.0.1" ? "localhost" : cli.cloud.host;
  const std::string port = std::to_string(cloud_port);
  std::string env;
  auto line = [&env](const std::string& key, const std::string& value) {
    env += key + "='" + value + "'\n";
  };
  line("DOCKERCLOUD_REST_HOST", (cli.cloud.tls ? "https://" : "http://") + host + ":" + port + "/");
  line("DOCKERCLOUD_STREAM_HOST", (cli.cloud.tls ? "wss://" : "ws://") + host + ":" + port + "/");
  line("DOCKERCLOUD_CONTAINER_API_URI", state.model().sidecar_container_uri());
  line("DOCKERCLOUD_SERVICE_API_URI", state.model().sidecar_service_uri());
  line("DOCKERCLOUD_AUTH", cli.emulator.authorization);
  line("DOCKERCLOUD_STACK_NAME", cli.emulator.model.stack_name);
  if (!cli.emulator.model.cloud_namespace.empty())
    line("DOCKERCLOUD_NAMESPACE", cli.emulator.model.cloud_namespace);
  line("DOCKER_HOST", "unix://" + socket_path);
  if (!ca_file.empty())
    line("SSL_CERT_FILE", ca_file);
  line("EMULATOR_CONTROL_URL", "http://" + cli.cloud.host + ":" + std::to_string(control_port) + "/");
  const std::string env_file = cli.state_dir + "/emulator.env";
  if (auto written = runtime::replace_file_atomically(env_file, env, true); !written) {
    std::fprintf(stderr, "dockercloud-emulator: %s\n", written.error().c_str());
    return 1;
  }
  std::printf("dockercloud-emulator listening: cloud %s:%u (%s), control %s:%u, engine %s\n"
              "environment for the sidecar: %s\n",
              cli.cloud.host.c_str(), cloud_port, cli.cloud.tls ? "TLS" : "plain", cli.cloud.host.c_str(),
              control_port, socket_path.c_str(), env_file.c_str());
  std::fflush(stdout);

  boost::asio::signal_set stop{io, SIGTERM, SIGINT};
  stop.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
  io.run();
  ::unlink(socket_path.c_str());
  return 0;
}
