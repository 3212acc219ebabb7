#include "config/setting_table.hpp"

#include "config/fault_spec.hpp"
#include "config/values.hpp"
#include "protocol/text.hpp"

#include <array>
#include <charconv>

namespace wlg::config {

using protocol::parse_docker_host;
using protocol::parse_resource_uri;
using protocol::parse_web_endpoint;
using protocol::to_lower;
using protocol::web_scheme;
using protocol::worker_name_source;

namespace {

template <class T, class E>
std::optional<std::string> store(result<T, E> parsed, T& field) {
  if (!parsed)
    return parsed.error();
  field = std::move(*parsed);
  return std::nullopt;
}

template <settings::duration settings::*Field, bool AllowZero>
std::optional<std::string> apply_duration(settings& s, std::string_view text) {
  auto parsed = parse_duration(text);
  if (!parsed)
    return parsed.error();
  if (!AllowZero && parsed->count() == 0)
    return std::string{"must be longer than zero"};
  s.*Field = *parsed;
  return std::nullopt;
}

std::optional<std::string> apply_bool(bool& field, std::string_view text) {
  const std::string lower = to_lower(text);
  if (lower == "" || lower == "0" || lower == "false" || lower == "no" || lower == "off")
    field = false;
  else
    field = true;
  return std::nullopt;
}

std::optional<std::string> apply_int(int& field, std::string_view text, int lo, int hi) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < lo || value > hi)
    return "'" + std::string{text} + "' is not a whole number from " + std::to_string(lo)
           + " to " + std::to_string(hi);
  field = value;
  return std::nullopt;
}

std::optional<std::string> apply_name(std::string& field, std::string_view text,
                                      std::string_view what) {
  for (unsigned char c : text)
    if (c < 0x21 || c == 0x7f)
      return std::string{what} + " must not contain spaces or control characters";
  field = text;
  return std::nullopt;
}

// A path may be empty here; the caller says when that is wrong.
std::optional<std::string> apply_path(std::string& field, std::string_view text) {
  if (text.find('\0') != std::string_view::npos)
    return std::string{"contains a NUL byte"};
  field = text;
  return std::nullopt;
}

// clang-format off
constexpr std::array specs = {
  setting_spec{"container-api-uri", "URI", "DOCKERCLOUD_CONTAINER_API_URI", "",
    "Resource URI of this sidecar's own container (injected by Docker Cloud).", shape::value,
    [](settings& s, std::string_view v) { return store(parse_resource_uri(v), s.container_api_uri); }},
  setting_spec{"service-api-uri", "URI", "DOCKERCLOUD_SERVICE_API_URI", "",
    "Resource URI of this sidecar's own service (injected by Docker Cloud).", shape::value,
    [](settings& s, std::string_view v) { return store(parse_resource_uri(v), s.service_api_uri); }},
  setting_spec{"auth", "VALUE", "DOCKERCLOUD_AUTH", "",
    "Authorization header value for the API (injected for services with an API role). "
    "Prefer the environment: flags show in ps.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      for (unsigned char c : v)
        if (c == '\r' || c == '\n' || c == 0)
          return std::string{"must not contain line breaks or NUL bytes"};
      s.auth = secret{std::string{v}};
      return std::nullopt; }},
  setting_spec{"rest-host", "URL", "DOCKERCLOUD_REST_HOST", "https://cloud.docker.com/",
    "Docker Cloud REST API base URL.", shape::value,
    [](settings& s, std::string_view v) { return store(parse_web_endpoint(v, web_scheme::http), s.rest_host); }},
  setting_spec{"stream-host", "URL", "DOCKERCLOUD_STREAM_HOST", "wss://ws.cloud.docker.com/",
    "Docker Cloud event stream base URL.", shape::value,
    [](settings& s, std::string_view v) { return store(parse_web_endpoint(v, web_scheme::websocket), s.stream_host); }},
  setting_spec{"namespace", "NAME", "DOCKERCLOUD_NAMESPACE", "",
    "Namespace (organisation) whose events to follow; empty for your own.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      for (unsigned char c : v)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
          return "'" + std::string{v} + "' is not a namespace name (letters, digits, '-', '_', '.')";
      s.cloud_namespace = v;
      return std::nullopt; }},
  setting_spec{"stack-name", "NAME", "DOCKERCLOUD_STACK_NAME", "",
    "Stack (compose project) of the Citus master to signal; unset: match the service label alone.", shape::value,
    [](settings& s, std::string_view v) { return apply_name(s.stack_name, v, "the stack name"); }},
  setting_spec{"citus-confdir", "DIR", "CITUS_CONFDIR", "/etc/citus",
    "Directory of pg_worker_list.conf; must exist and be writable.", shape::value,
    [](settings& s, std::string_view v) { return apply_path(s.citus_confdir, v); }},
  setting_spec{"citus-service-name", "NAME", "CITUS_SERVICE_NAME", "master",
    "Service (compose service label) of the Citus master to signal.", shape::value,
    [](settings& s, std::string_view v) { return apply_name(s.citus_service_name, v, "the service name"); }},
  setting_spec{"debug", "", "DEBUG", "",
    "Log every frame and request. Any value but 0/false/no/off turns it on.", shape::boolean,
    [](settings& s, std::string_view v) { return apply_bool(s.debug, v); }},
  setting_spec{"docker-host", "unix:///PATH", "DOCKER_HOST", "unix:///tmp/docker.sock",
    "Docker Engine API socket used to signal the master.", shape::value,
    [](settings& s, std::string_view v) { return store(parse_docker_host(v), s.docker_socket); }},
  // Before worker-name, whose default depends on the source.
  setting_spec{"source", "cloud|engine|swarm", "WORKERLISTGEN_SOURCE", "cloud",
    "Where the worker list comes from: Docker Cloud, the local engine's containers, or a swarm manager's tasks.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      if (v == "cloud") s.source = event_source::cloud;
      else if (v == "engine") s.source = event_source::engine;
      else if (v == "swarm") s.source = event_source::swarm;
      else return "'" + std::string{v} + "' is not cloud, engine or swarm";
      s.worker_name = {s.source == event_source::swarm ? worker_name_source::kind::task
                                                       : worker_name_source::kind::container_name, {}, {}};
      return std::nullopt; }},
  setting_spec{"pid-file", "PATH", "WORKERLISTGEN_PID_FILE", "/tmp/dockercloud-workerlistgen.pid",
    "Where to write the process id (reload.sh reads it).", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      if (v.empty() || v.find('\0') != std::string_view::npos)
        return std::string{"must be a file path"};
      s.pid_file = v;
      return std::nullopt; }},
  setting_spec{"ready-file", "PATH", "WORKERLISTGEN_READY_FILE", "",
    "A file removed at start and created once the output is first reached (the coordinator connected, "
    "or the first worker list written); Citus's compose file starts its workers once it exists.", shape::value,
    [](settings& s, std::string_view v) { return apply_path(s.ready_file, v); }},
  setting_spec{"worker-port", "PORT", "WORKERLISTGEN_WORKER_PORT", "5432",
    "Port written after each worker name.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      int port = 0;
      if (auto err = apply_int(port, v, 1, 65535))
        return err;
      s.worker_port = static_cast<std::uint16_t>(port);
      return std::nullopt; }},
  setting_spec{"signal", "NAME", "WORKERLISTGEN_SIGNAL", "SIGHUP",
    "Signal sent to the master after the file changes.", shape::value,
    [](settings& s, std::string_view v) { return store(parse_signal_name(v), s.signal); }},
  setting_spec{"poll-interval", "DURATION", "WORKERLISTGEN_POLL_INTERVAL", "60s",
    "Fetch the worker list this often even without events (0 turns it off).", shape::value,
    apply_duration<&settings::poll_interval, true>},
  setting_spec{"request-timeout", "DURATION", "WORKERLISTGEN_REQUEST_TIMEOUT", "15s",
    "Time limit for one API request, connection included.", shape::value,
    apply_duration<&settings::request_timeout, false>},
  setting_spec{"ping-interval", "DURATION", "WORKERLISTGEN_PING_INTERVAL", "10s",
    "How often to ping the event stream.", shape::value,
    apply_duration<&settings::ping_interval, false>},
  setting_spec{"pong-timeout", "DURATION", "WORKERLISTGEN_PONG_TIMEOUT", "5s",
    "Reconnect when a ping is not answered within this time.", shape::value,
    apply_duration<&settings::pong_timeout, false>},
  setting_spec{"backoff-initial", "DURATION", "WORKERLISTGEN_BACKOFF_INITIAL", "500ms",
    "First wait before retrying a failed connection, fetch or signal; doubles on each failure.", shape::value,
    apply_duration<&settings::backoff_initial, false>},
  setting_spec{"backoff-max", "DURATION", "WORKERLISTGEN_BACKOFF_MAX", "30s",
    "Longest wait between retries.", shape::value,
    apply_duration<&settings::backoff_max, false>},
  setting_spec{"auth-retry", "DURATION", "WORKERLISTGEN_AUTH_RETRY", "1m",
    "Wait after the API refuses the credentials (401) before trying again; doubles up to 10 times this.", shape::value,
    apply_duration<&settings::auth_retry, false>},
  setting_spec{"max-restarts", "N", "WORKERLISTGEN_MAX_RESTARTS", "10",
    "Exit when one actor has to be restarted more than N times within the restart window.", shape::value,
    [](settings& s, std::string_view v) { return apply_int(s.max_restarts, v, 0, 1'000'000); }},
  setting_spec{"restart-window", "DURATION", "WORKERLISTGEN_RESTART_WINDOW", "1m",
    "Window in which actor restarts are counted.", shape::value,
    apply_duration<&settings::restart_window, false>},
  setting_spec{"min-interval", "DURATION", "WORKERLISTGEN_MIN_INTERVAL", "0",
    "Wait until events have paused this long before fetching; 0 fetches on the first event at once.", shape::value,
    apply_duration<&settings::min_interval, true>},
  setting_spec{"max-wait", "DURATION", "WORKERLISTGEN_MAX_WAIT", "1s",
    "Longest a stream of events may put a fetch off.", shape::value,
    apply_duration<&settings::max_wait, false>},
  setting_spec{"listen", "ADDR:PORT", "WORKERLISTGEN_LISTEN", "",
    "Serve GET /healthz and GET /metrics (Prometheus) on this address; off when empty.", shape::value,
    [](settings& s, std::string_view v) { return store(parse_listen_address(v), s.listen); }},
  setting_spec{"listen-connections", "N", "WORKERLISTGEN_LISTEN_CONNECTIONS", "64",
    "At most N connections on --listen at once; at the cap the oldest one still waiting for its request is closed.",
    shape::value, [](settings& s, std::string_view v) { return apply_int(s.listen_connections, v, 1, 4096); }},
  setting_spec{"log-format", "text|json", "WORKERLISTGEN_LOG_FORMAT", "text",
    "Log lines as text, or as one JSON object per line for log collectors.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      if (v == "text") s.log_format = log_style::text;
      else if (v == "json") s.log_format = log_style::json;
      else return "'" + std::string{v} + "' is neither text nor json";
      return std::nullopt; }},
  setting_spec{"once", "", "WORKERLISTGEN_ONCE", "",
    "One full sync (fetch, write if changed, signal if changed), then exit 0, or 1 if it failed.", shape::boolean,
    [](settings& s, std::string_view v) { return apply_bool(s.once, v); }},
  setting_spec{"dry-run", "", "WORKERLISTGEN_DRY_RUN", "",
    "Write nothing and signal nobody: print the file it would write and the containers it would signal.", shape::boolean,
    [](settings& s, std::string_view v) { return apply_bool(s.dry_run, v); }},
  setting_spec{"worker-label", "KEY=VALUE", "WORKERLISTGEN_WORKER_LABEL", "com.citusdata.role=Worker",
    "Engine mode: the label that marks a worker container.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      const auto eq = v.find('=');
      if (eq == 0 || eq == std::string_view::npos || eq + 1 == v.size())
        return "'" + std::string{v} + "' is not KEY=VALUE";
      if (auto err = apply_name(s.worker_label_key, v.substr(0, eq), "the label key"))
        return err;
      return apply_name(s.worker_label_value, v.substr(eq + 1), "the label value"); }},
  setting_spec{"worker-name", "name|hostname|label:KEY|service|task|address:NETWORK", "WORKERLISTGEN_WORKER_NAME", "",
    "How the coordinator reaches each worker. Engine mode: its container name (default), hostname, or the value of "
    "one of its labels. Swarm mode: its service's name, its task's DNS name (default), or its task's address on NETWORK.",
    shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      using kind = worker_name_source::kind;
      if (v == "name") s.worker_name = {kind::container_name, {}, {}};
      else if (v == "hostname") s.worker_name = {kind::hostname, {}, {}};
      else if (v == "service") s.worker_name = {kind::service, {}, {}};
      else if (v == "task") s.worker_name = {kind::task, {}, {}};
      else if (v.substr(0, 6) == "label:" && v.size() > 6) {
        s.worker_name = {kind::label, {}, {}};
        if (auto err = apply_name(s.worker_name.label_key, v.substr(6), "the label key"))
          return err;
      } else if (v.substr(0, 8) == "address:" && v.size() > 8) {
        s.worker_name = {kind::address, {}, {}};
        if (auto err = apply_name(s.worker_name.network, v.substr(8), "the network name"))
          return err;
      } else return "'" + std::string{v} + "' is not name, hostname, label:KEY, service, task or address:NETWORK";
      const bool swarm = s.source == event_source::swarm;
      if (s.worker_name.for_swarm() != swarm)
        return "'" + std::string{v} + "' " + (swarm ? "is for engine mode; with --source=swarm use service, task or address:NETWORK"
                                                     : "is for --source=swarm; engine mode uses name, hostname or label:KEY");
      return std::nullopt; }},
  setting_spec{"target", "file|citus", "WORKERLISTGEN_TARGET", "file",
    "What to keep in sync: the file and the master's signal, or the Citus coordinator's worker nodes.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      if (v == "file") s.target = output_target::file;
      else if (v == "citus") s.target = output_target::citus;
      else return "'" + std::string{v} + "' is not file or citus";
      return std::nullopt; }},
  setting_spec{"coordinator", "CONNINFO", "WORKERLISTGEN_COORDINATOR", "host=master port=5432 user=postgres dbname=postgres",
    "--target=citus: the coordinator, as a libpq connection string or URI; libpq's PG* variables apply.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      s.coordinator = secret{std::string{v}}; // checked by libpq at start-up (app/startup_checks)
      return std::nullopt; }},
  setting_spec{"remove-workers", "if-empty|never", "WORKERLISTGEN_REMOVE_WORKERS", "if-empty",
    "--target=citus: remove a node that is no longer wanted when it holds no shard placements, or never.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      if (v == "if-empty") s.remove_workers = worker_removal::if_empty;
      else if (v == "never") s.remove_workers = worker_removal::never;
      else return "'" + std::string{v} + "' is not if-empty or never";
      return std::nullopt; }},
  setting_spec{"disable-unreachable-after", "DURATION|never", "WORKERLISTGEN_DISABLE_UNREACHABLE_AFTER", "30s",
    "--target=citus: disable (citus_disable_node) a node no longer wanted that has not answered for this long, so it "
    "blocks no add; or never.", shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      if (v == "never") {
        s.disable_unreachable_after.reset();
        return std::nullopt;
      }
      auto parsed = parse_duration(v);
      if (!parsed)
        return parsed.error() + " (or never)";
      s.disable_unreachable_after = *parsed;
      return std::nullopt; }},
  setting_spec{"rebalance", "never|after-add", "WORKERLISTGEN_REBALANCE", "never",
    "--target=citus: start citus_rebalance_start() once after a sync that added nodes (never while one runs).",
    shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      if (v == "never") s.rebalance_after_add = false;
      else if (v == "after-add") s.rebalance_after_add = true;
      else return "'" + std::string{v} + "' is not never or after-add";
      return std::nullopt; }},
  setting_spec{"rebalance-transfer-mode", "auto|force_logical|block_writes", "WORKERLISTGEN_REBALANCE_TRANSFER_MODE",
    "auto", "--rebalance=after-add: how Citus moves shards (auto needs wal_level=logical for tables with a replica identity).",
    shape::value,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      if (v != "auto" && v != "force_logical" && v != "block_writes")
        return "'" + std::string{v} + "' is not auto, force_logical or block_writes";
      s.rebalance_transfer_mode = v;
      return std::nullopt; }},
  setting_spec{"inject-fault", "SPEC", "WORKERLISTGEN_INJECT_FAULT", "",
    "Testing: ACTOR:crash:every=N or ACTOR:stall:ms=M[,every=N]; repeatable (space-separated in the environment).", shape::repeated,
    [](settings& s, std::string_view v) -> std::optional<std::string> {
      auto spec = parse_fault_spec(v);
      if (!spec)
        return spec.error();
      s.faults.push_back(*spec);
      return std::nullopt; }},
};
// clang-format on

} // namespace

std::span<const setting_spec> setting_specs() {
  return specs;
}

} // namespace wlg::config
