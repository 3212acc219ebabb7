#include "bench/floor.hpp"

#include "net/engine_client.hpp"
#include "net/rest_client.hpp"
#include "net/tls_client.hpp"
#include "config/configuration.hpp"
#include "protocol/container_object.hpp"
#include "protocol/engine_api.hpp"
#include "runtime/atomic_file.hpp"
#include "runtime/io_runtime.hpp"

#include <future>
#include <stdexcept>

namespace wlg::bench {

namespace {

template <class Start>
net::http_reply await(Start&& start) {
  std::promise<net::http_outcome> done;
  auto answer = done.get_future();
  start([&done](net::http_outcome outcome) { done.set_value(std::move(outcome)); });
  auto outcome = answer.get();
  if (!outcome)
    throw std::runtime_error("floor request failed: " + net::describe(outcome.error()));
  return std::move(*outcome);
}

config::settings settings_from(const std::map<std::string, std::string>& env, const std::string& dir) {
  config::environment config_env(env.begin(), env.end());
  config_env["CITUS_CONFDIR"] = dir;
  auto parsed = config::parse_configuration(config_env, {});
  if (!parsed)
    throw std::runtime_error(config::describe(parsed.error()));
  return parsed->config;
}

} // namespace

struct floor_runner::clients {
  config::settings config;
  runtime::io_runtime io;
  net::rest_client rest;
  net::engine_options engine;
  std::vector<std::string> labels;
  std::string prefix;
  protocol::container_parser containers;
  protocol::container_list_parser lists;

  clients(const std::map<std::string, std::string>& env, const std::string& dir)
    : config(settings_from(env, dir)),
      rest(io.context(), std::make_shared<net::tls_client_context>(), config.rest_host,
           net::rest_options{config.request_timeout, 4 * 1024 * 1024, "bench", config.auth.reveal()}),
      engine{config.docker_socket, config.request_timeout, 4 * 1024 * 1024, "bench"},
      labels{"com.docker.compose.project=" + config.stack_name,
             "com.docker.compose.service=" + config.citus_service_name} {
    const auto version = protocol::parse_engine_version(engine_call("GET", "/version").body);
    prefix = "/v" + protocol::to_string(*protocol::negotiate_api_version(*version));
    fetch(); // warm the connection, as the sidecar's is
  }

  net::http_reply engine_call(const std::string& method, const std::string& target) {
    return await([&](auto done) { net::send_engine_request(io.context(), engine, {method, target}, done); });
  }
  net::http_reply fetch() {
    return await([&](auto done) { rest.get(config.container_api_uri, done); });
  }
};

floor_runner::floor_runner(const std::map<std::string, std::string>& env, const std::string& scratch_dir)
  : clients_(std::make_unique<clients>(env, scratch_dir)) {}

floor_runner::~floor_runner() = default;

double floor_runner::run_once() {
  auto& c = *clients_;
  const auto start = std::chrono::steady_clock::now();
  auto links = c.containers.parse(c.fetch().body);
  const auto content = protocol::render_worker_list(links->workers, 5432);
  runtime::replace_file_atomically(c.config.worker_list_path(), content, true);
  auto masters = c.lists.parse(c.engine_call("GET", protocol::container_list_target(c.prefix, c.labels)).body);
  for (const auto& master : *masters)
    c.engine_call("POST", protocol::container_kill_target(c.prefix, master.id, "SIGHUP"));
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

} // namespace wlg::bench
