#include "config/configuration.hpp"
#include "test/support/bad_setting.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace wlg::config;
using namespace wlg::protocol;
using namespace std::chrono_literals;

namespace {

// What Docker Cloud gives a sidecar with an API role, and `extra`.
environment cloud_env(environment extra = {}) {
  extra.merge(environment{{"DOCKERCLOUD_CONTAINER_API_URI", "/api/app/v1/container/c1dd/"},
                          {"DOCKERCLOUD_SERVICE_API_URI", "/api/app/v1/service/adee/"},
                          {"DOCKERCLOUD_AUTH", "TutumAccessKey 0123abcd"}});
  return extra;
}

settings parse_ok(const environment& env, const std::vector<std::string>& args = {}) {
  auto parsed = parse_configuration(env, args);
  if (!parsed)
    FAIL(describe(parsed.error()));
  REQUIRE(parsed->what == command_line::action::run);
  return parsed->config;
}

config_error parse_error_of(const environment& env, const std::vector<std::string>& args = {}) {
  auto parsed = parse_configuration(env, args);
  REQUIRE_FALSE(parsed.has_value());
  return parsed.error();
}

} // namespace

TEST_CASE("an empty environment is not running in Docker Cloud") {
  const auto error = parse_error_of({});
  CHECK(describe(error).find("is not running in Docker Cloud") != std::string::npos);
  CHECK(describe(error).find('\n') == std::string::npos);
}

TEST_CASE("either URI alone is still not running in Docker Cloud") {
  auto env = cloud_env();
  env.erase("DOCKERCLOUD_SERVICE_API_URI");
  CHECK(describe(parse_error_of(env)).find("is not running in Docker Cloud") != std::string::npos);
  env = cloud_env();
  env["DOCKERCLOUD_CONTAINER_API_URI"] = "";
  CHECK(describe(parse_error_of(env)).find("is not running in Docker Cloud") != std::string::npos);
}

TEST_CASE("URIs without DOCKERCLOUD_AUTH ask for an API role") {
  auto env = cloud_env();
  env.erase("DOCKERCLOUD_AUTH");
  const auto text = describe(parse_error_of(env));
  CHECK(text.find("API role") != std::string::npos);
  CHECK(text.find("DOCKERCLOUD_AUTH") != std::string::npos);
}

TEST_CASE("every setting has the original's default") {
  const auto s = parse_ok(cloud_env());
  CHECK(s.container_api_uri == "/api/app/v1/container/c1dd/");
  CHECK(s.service_api_uri == "/api/app/v1/service/adee/");
  CHECK(s.auth.reveal() == "TutumAccessKey 0123abcd");
  CHECK(s.rest_host.host == "cloud.docker.com");
  CHECK(s.rest_host.tls);
  CHECK(s.stream_host.host == "ws.cloud.docker.com");
  CHECK(s.stream_host.tls);
  CHECK(s.cloud_namespace.empty());
  CHECK(s.stack_name.empty());
  CHECK(s.citus_confdir == "/etc/citus");
  CHECK(s.citus_service_name == "master");
  CHECK_FALSE(s.debug);
  CHECK(s.docker_socket == "/tmp/docker.sock");
  CHECK(s.source == event_source::cloud);
  CHECK(s.pid_file == "/tmp/dockercloud-workerlistgen.pid");
  CHECK(s.worker_port == 5432);
  CHECK(s.signal == "SIGHUP");
  CHECK(s.poll_interval == 60s);
  CHECK(s.ping_interval == 10s);
  CHECK(s.pong_timeout == 5s);
  CHECK(s.worker_list_path() == "/etc/citus/pg_worker_list.conf");
  CHECK(s.events_path() == "/api/audit/v1/events/");
  CHECK_FALSE(s.listen.enabled());
  CHECK(s.log_format == log_style::text);
  CHECK_FALSE(s.once);
  CHECK_FALSE(s.dry_run);
  CHECK(s.worker_label_key == "com.citusdata.role");
  CHECK(s.worker_label_value == "Worker");
  CHECK(s.worker_name.what == worker_name_source::kind::container_name);
}

TEST_CASE("the operating settings: listen address, log format, once, dry run") {
  auto s = parse_ok(cloud_env({{"WORKERLISTGEN_LISTEN", "127.0.0.1:9090"},
                                {"WORKERLISTGEN_LOG_FORMAT", "json"},
                                {"WORKERLISTGEN_ONCE", "1"}}),
                     {"--dry-run"});
  CHECK(s.listen.host == "127.0.0.1");
  CHECK(s.listen.port == 9090);
  CHECK(s.log_format == log_style::json);
  CHECK(s.once);
  CHECK(s.dry_run);
  s = parse_ok(cloud_env(), {"--listen=[::1]:8080"});
  CHECK(s.listen.host == "::1");
  CHECK(s.listen.port == 8080);
  s = parse_ok(cloud_env(), {"--listen", "localhost:1"});
  CHECK(s.listen.host == "localhost");
}

TEST_CASE("engine mode's worker label and name source") {
  auto s = parse_ok({{"WORKERLISTGEN_SOURCE", "engine"}},
                    {"--worker-label=app.role=citus-worker", "--worker-name=label:com.example.host"});
  CHECK(s.worker_label_key == "app.role");
  CHECK(s.worker_label_value == "citus-worker");
  CHECK(s.worker_name.what == worker_name_source::kind::label);
  CHECK(s.worker_name.label_key == "com.example.host");
  s = parse_ok({{"WORKERLISTGEN_SOURCE", "engine"}, {"WORKERLISTGEN_WORKER_NAME", "hostname"}});
  CHECK(s.worker_name.what == worker_name_source::kind::hostname);
}

TEST_CASE("swarm mode names tasks by their DNS name unless --worker-name says otherwise") {
  auto s = parse_ok({{"WORKERLISTGEN_SOURCE", "swarm"}});
  CHECK(s.source == event_source::swarm);
  CHECK(s.worker_name.what == worker_name_source::kind::task);
  s = parse_ok({{"WORKERLISTGEN_SOURCE", "swarm"}, {"WORKERLISTGEN_WORKER_NAME", "address:citus"}});
  CHECK(s.worker_name.what == worker_name_source::kind::address);
  CHECK(s.worker_name.network == "citus");
  s = parse_ok({{"WORKERLISTGEN_SOURCE", "swarm"}}, {"--worker-name=service"});
  CHECK(s.worker_name.what == worker_name_source::kind::service);
  s = parse_ok({{"WORKERLISTGEN_SOURCE", "engine"}});
  CHECK(s.worker_name.what == worker_name_source::kind::container_name);
}

TEST_CASE("the rebalance is off by default, and its transfer mode is Citus's default unless set") {
  auto s = parse_ok({{"WORKERLISTGEN_SOURCE", "engine"}});
  CHECK_FALSE(s.rebalance_after_add);
  CHECK(s.rebalance_transfer_mode == "auto");
  s = parse_ok({{"WORKERLISTGEN_SOURCE", "engine"}}, {"--rebalance=after-add", "--rebalance-transfer-mode=block_writes"});
  CHECK(s.rebalance_after_add);
  CHECK(s.rebalance_transfer_mode == "block_writes");
}

TEST_CASE("a silent node is disabled after 30 s by default, after the duration given, or never") {
  auto s = parse_ok({{"WORKERLISTGEN_SOURCE", "engine"}});
  CHECK(s.disable_unreachable_after == std::chrono::milliseconds(30'000));
  s = parse_ok({{"WORKERLISTGEN_SOURCE", "engine"}}, {"--disable-unreachable-after=2s"});
  CHECK(s.disable_unreachable_after == std::chrono::milliseconds(2'000));
  s = parse_ok({{"WORKERLISTGEN_SOURCE", "engine"}, {"WORKERLISTGEN_DISABLE_UNREACHABLE_AFTER", "never"}});
  CHECK_FALSE(s.disable_unreachable_after.has_value());
}

TEST_CASE("a naming of the other mode is refused, naming the setting and the fix") {
  const auto swarm = describe(parse_error_of({{"WORKERLISTGEN_SOURCE", "swarm"}, {"WORKERLISTGEN_WORKER_NAME", "hostname"}}));
  CHECK(swarm.find("WORKERLISTGEN_WORKER_NAME (--worker-name)") != std::string::npos);
  CHECK(swarm.find("service, task or address:NETWORK") != std::string::npos);
  const auto engine = describe(parse_error_of({{"WORKERLISTGEN_SOURCE", "engine"}, {"WORKERLISTGEN_WORKER_NAME", "task"}}));
  CHECK(engine.find("--source=swarm") != std::string::npos);
  CHECK(describe(parse_error_of({{"WORKERLISTGEN_SOURCE", "swarm"}, {"WORKERLISTGEN_WORKER_NAME", "address:"}}))
          .find("WORKERLISTGEN_WORKER_NAME") != std::string::npos);
}

TEST_CASE("environment variables set every setting") {
  const auto s = parse_ok(cloud_env({{"DOCKERCLOUD_REST_HOST", "http://127.0.0.1:8080/"},
                                      {"DOCKERCLOUD_STREAM_HOST", "ws://127.0.0.1:8081/"},
                                      {"DOCKERCLOUD_NAMESPACE", "myorg"},
                                      {"DOCKERCLOUD_STACK_NAME", "citus"},
                                      {"CITUS_CONFDIR", "/srv/citus/"},
                                      {"CITUS_SERVICE_NAME", "coordinator"},
                                      {"DEBUG", "true"},
                                      {"DOCKER_HOST", "unix:///var/run/docker.sock"},
                                      {"WORKERLISTGEN_PID_FILE", "/run/wlg.pid"},
                                      {"WORKERLISTGEN_WORKER_PORT", "6432"},
                                      {"WORKERLISTGEN_SIGNAL", "usr1"},
                                      {"WORKERLISTGEN_POLL_INTERVAL", "0"}}));
  CHECK_FALSE(s.rest_host.tls);
  CHECK(s.rest_host.port == "8080");
  CHECK_FALSE(s.stream_host.tls);
  CHECK(s.cloud_namespace == "myorg");
  CHECK(s.events_path() == "/api/audit/v1/myorg/events/");
  CHECK(s.stack_name == "citus");
  CHECK(s.worker_list_path() == "/srv/citus/pg_worker_list.conf");
  CHECK(s.citus_service_name == "coordinator");
  CHECK(s.debug);
  CHECK(s.docker_socket == "/var/run/docker.sock");
  CHECK(s.pid_file == "/run/wlg.pid");
  CHECK(s.worker_port == 6432);
  CHECK(s.signal == "SIGUSR1");
  CHECK(s.poll_interval == 0ms);
}

TEST_CASE("a flag overrides the environment, in both --flag=value and --flag value forms") {
  auto env = cloud_env();
  env["CITUS_CONFDIR"] = "/from/env";
  env["WORKERLISTGEN_WORKER_PORT"] = "1111";
  const auto s = parse_ok(env, {"--citus-confdir=/from/flag", "--worker-port", "2222", "--debug"});
  CHECK(s.citus_confdir == "/from/flag");
  CHECK(s.worker_port == 2222);
  CHECK(s.debug);
}

TEST_CASE("flags alone can configure cloud mode") {
  const auto s = parse_ok({}, {"--container-api-uri=/api/app/v1/container/a/",
                               "--service-api-uri=/api/app/v1/service/b/", "--auth=Basic eDp5"});
  CHECK(s.auth.reveal() == "Basic eDp5");
}

TEST_CASE("an empty environment variable counts as unset") {
  auto env = cloud_env();
  env["CITUS_CONFDIR"] = "";
  env["DOCKERCLOUD_STACK_NAME"] = "";
  const auto s = parse_ok(env);
  CHECK(s.citus_confdir == "/etc/citus");
  CHECK(s.stack_name.empty());
}

TEST_CASE("DEBUG is on for any value but 0, false, no and off") {
  for (const char* on : {"1", "true", "yes", "TRUE", "anything"}) {
    auto env = cloud_env();
    env["DEBUG"] = on;
    CAPTURE(on);
    CHECK(parse_ok(env).debug);
  }
  for (const char* off : {"0", "false", "no", "off", "False"}) {
    auto env = cloud_env();
    env["DEBUG"] = off;
    CAPTURE(off);
    CHECK_FALSE(parse_ok(env).debug);
  }
}

TEST_CASE("each bad value is refused with a message naming its setting") {
  const wlg::test::bad_setting cases[] = {
    {"WORKERLISTGEN_WORKER_PORT", "0", "WORKERLISTGEN_WORKER_PORT (--worker-port)"},
    {"WORKERLISTGEN_WORKER_PORT", "65536", "WORKERLISTGEN_WORKER_PORT"},
    {"WORKERLISTGEN_WORKER_PORT", "54x", "WORKERLISTGEN_WORKER_PORT"},
    {"WORKERLISTGEN_SIGNAL", "SIGFOO", "WORKERLISTGEN_SIGNAL (--signal)"},
    {"DOCKERCLOUD_CONTAINER_API_URI", "not a uri", "DOCKERCLOUD_CONTAINER_API_URI"},
    {"DOCKERCLOUD_SERVICE_API_URI", "https://x/api/", "DOCKERCLOUD_SERVICE_API_URI"},
    {"DOCKERCLOUD_REST_HOST", "ftp://cloud.docker.com/", "DOCKERCLOUD_REST_HOST (--rest-host)"},
    {"DOCKERCLOUD_STREAM_HOST", "https://ws.cloud.docker.com/", "DOCKERCLOUD_STREAM_HOST"},
    {"DOCKER_HOST", "tcp://127.0.0.1:2375", "DOCKER_HOST (--docker-host)"},
    {"DOCKERCLOUD_NAMESPACE", "a/b", "DOCKERCLOUD_NAMESPACE"},
    {"DOCKERCLOUD_STACK_NAME", "two words", "DOCKERCLOUD_STACK_NAME"},
    {"CITUS_SERVICE_NAME", "a\nb", "CITUS_SERVICE_NAME"},
    {"DOCKERCLOUD_AUTH", "Basic x\r\nX-Evil: 1", "DOCKERCLOUD_AUTH"},
    {"WORKERLISTGEN_POLL_INTERVAL", "soon", "WORKERLISTGEN_POLL_INTERVAL"},
    {"WORKERLISTGEN_REQUEST_TIMEOUT", "0", "WORKERLISTGEN_REQUEST_TIMEOUT"},
    {"WORKERLISTGEN_SOURCE", "kubernetes", "WORKERLISTGEN_SOURCE"},
    {"WORKERLISTGEN_MAX_RESTARTS", "-1", "WORKERLISTGEN_MAX_RESTARTS"},
    {"WORKERLISTGEN_LISTEN", "9090", "WORKERLISTGEN_LISTEN (--listen)"},
    {"WORKERLISTGEN_LISTEN", "example.com:9090", "WORKERLISTGEN_LISTEN"},
    {"WORKERLISTGEN_LISTEN", "127.0.0.1:99999", "WORKERLISTGEN_LISTEN"},
    {"WORKERLISTGEN_LOG_FORMAT", "xml", "WORKERLISTGEN_LOG_FORMAT (--log-format)"},
    {"WORKERLISTGEN_WORKER_LABEL", "com.citusdata.role", "WORKERLISTGEN_WORKER_LABEL"},
    {"WORKERLISTGEN_WORKER_LABEL", "=Worker", "WORKERLISTGEN_WORKER_LABEL"},
    {"WORKERLISTGEN_WORKER_NAME", "id", "WORKERLISTGEN_WORKER_NAME (--worker-name)"},
    {"WORKERLISTGEN_WORKER_NAME", "label:", "WORKERLISTGEN_WORKER_NAME"},
    {"WORKERLISTGEN_TARGET", "sql", "WORKERLISTGEN_TARGET (--target)"},
    {"WORKERLISTGEN_REMOVE_WORKERS", "always", "WORKERLISTGEN_REMOVE_WORKERS (--remove-workers)"},
    {"WORKERLISTGEN_REBALANCE", "always", "WORKERLISTGEN_REBALANCE (--rebalance)"},
    {"WORKERLISTGEN_DISABLE_UNREACHABLE_AFTER", "soon", "WORKERLISTGEN_DISABLE_UNREACHABLE_AFTER (--disable-unreachable-after)"},
    {"WORKERLISTGEN_REBALANCE_TRANSFER_MODE", "logical", "WORKERLISTGEN_REBALANCE_TRANSFER_MODE"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.env);
    CAPTURE(c.value);
    const auto text = describe(parse_error_of(cloud_env({{c.env, c.value}})));
    CHECK(text.find(c.expected) != std::string::npos);
    CHECK(text.find('\n') == std::string::npos);
  }
}

TEST_CASE("a bad value for a setting is reported even when cloud variables are missing") {
  const auto text = describe(parse_error_of({{"WORKERLISTGEN_WORKER_PORT", "99999"}}));
  CHECK(text.find("WORKERLISTGEN_WORKER_PORT") != std::string::npos);
}

TEST_CASE("the secret never shows in an error about it") {
  auto env = cloud_env();
  env["DOCKERCLOUD_AUTH"] = "TutumAccessKey secret123\n";
  const auto text = describe(parse_error_of(env));
  CHECK(text.find("secret123") == std::string::npos);
}

TEST_CASE("unknown flags, positionals and missing values are usage errors") {
  CHECK(describe(parse_error_of(cloud_env(), {"--no-such-flag"})).find("--no-such-flag")
        != std::string::npos);
  CHECK(describe(parse_error_of(cloud_env(), {"positional"})).find("positional")
        != std::string::npos);
  CHECK(describe(parse_error_of(cloud_env(), {"--worker-port"})).find("needs a value")
        != std::string::npos);
  CHECK(describe(parse_error_of(cloud_env(), {"-x"})).find("-x") != std::string::npos);
}

TEST_CASE("--help and --version win over everything else") {
  auto help = parse_configuration({}, {"--bogus", "--help"});
  REQUIRE(help.has_value());
  CHECK(help->what == command_line::action::help);
  auto version = parse_configuration({}, {"--version"});
  REQUIRE(version.has_value());
  CHECK(version->what == command_line::action::version);
}

TEST_CASE("--help lists every setting with its variable and default") {
  const auto text = help_text();
  for (const auto& doc : setting_docs()) {
    CAPTURE(doc.flag);
    CHECK(text.find(doc.flag) != std::string::npos);
    CHECK(text.find(doc.env) != std::string::npos);
    if (!doc.fallback.empty())
      CHECK(text.find("default " + doc.fallback) != std::string::npos);
  }
  for (const char* env : {"DOCKERCLOUD_CONTAINER_API_URI", "DOCKERCLOUD_SERVICE_API_URI",
                          "DOCKERCLOUD_AUTH", "DOCKERCLOUD_REST_HOST", "DOCKERCLOUD_STREAM_HOST",
                          "DOCKERCLOUD_NAMESPACE", "DOCKERCLOUD_STACK_NAME", "CITUS_CONFDIR",
                          "CITUS_SERVICE_NAME", "DEBUG", "DOCKER_HOST", "WORKERLISTGEN_PID_FILE",
                          "WORKERLISTGEN_WORKER_PORT", "WORKERLISTGEN_SIGNAL"}) {
    CAPTURE(env);
    CHECK(text.find(env) != std::string::npos);
  }
}

TEST_CASE("engine mode does not need the Docker Cloud variables") {
  const auto s = parse_ok({{"WORKERLISTGEN_SOURCE", "engine"}});
  CHECK(s.source == event_source::engine);
}

TEST_CASE("the backoff cap cannot be below its start") {
  auto env = cloud_env();
  env["WORKERLISTGEN_BACKOFF_INITIAL"] = "10s";
  env["WORKERLISTGEN_BACKOFF_MAX"] = "1s";
  CHECK(describe(parse_error_of(env)).find("WORKERLISTGEN_BACKOFF_MAX") != std::string::npos);
}

TEST_CASE("--target=citus and its coordinator") {
  auto s = parse_ok(cloud_env());
  CHECK(s.target == output_target::file);
  CHECK(s.coordinator.reveal() == "host=master port=5432 user=postgres dbname=postgres");
  CHECK(s.remove_workers == worker_removal::if_empty);
  s = parse_ok(cloud_env(), {"--target=citus", "--coordinator=postgresql://postgres@db:6432/app?sslmode=require",
                             "--remove-workers=never"});
  CHECK(s.target == output_target::citus);
  CHECK(s.coordinator.reveal() == "postgresql://postgres@db:6432/app?sslmode=require");
  CHECK(s.remove_workers == worker_removal::never);
}


TEST_CASE("a first argument names a command, which reads the same settings and needs none of the sidecar's") {
  auto parsed = parse_configuration({{"WORKERLISTGEN_COORDINATOR", "host=c1 port=5433"}},
                                    {"status", "--log-format=json"});
  REQUIRE_MESSAGE(parsed.has_value(), describe(parsed.error()));
  CHECK(parsed->command == subcommand::status);
  CHECK(parsed->config.coordinator.reveal() == "host=c1 port=5433");
  CHECK(parsed->config.log_format == log_style::json);
  // Without a command the same environment is the sidecar's, which is not in Docker Cloud.
  CHECK(parse_configuration({}, {}).has_value() == false);
  CHECK(parse_configuration({}, {"status"})->command == subcommand::status);
}

TEST_CASE("an unknown command, or a command's unknown option, is a usage error naming it") {
  CHECK(describe(parse_error_of({}, {"stauts"})) == "dockercloud-workerlistgen: unknown command 'stauts' (see --help)");
  CHECK(describe(parse_error_of({}, {"status", "--no-such-flag"})).find("--no-such-flag") != std::string::npos);
  CHECK(describe(parse_error_of({}, {"status", "extra"})) == "dockercloud-workerlistgen: status takes no argument (see --help)");
  CHECK(describe(parse_error_of({}, {"drain"})) == "dockercloud-workerlistgen: drain needs NODE... (see --help)");
  CHECK(describe(parse_error_of({}, {"drain", "-x"})).find("'-x'") != std::string::npos);
}

TEST_CASE("--help lists the commands and their exit status") {
  const auto text = help_text();
  for (const auto& doc : subcommand_docs())
    CHECK(text.find("  " + std::string{doc.name}) != std::string::npos);
  CHECK(text.find("A command's exit status: 0 done; 1 the coordinator cannot be used, or a job failed; 2") != std::string::npos);
  auto help = parse_configuration({}, {"status", "--help"});
  REQUIRE(help.has_value());
  CHECK(help->what == command_line::action::help);
}

TEST_CASE("drain and undrain take their nodes as operands, among the options") {
  auto parsed = parse_configuration({}, {"drain", "w3", "--dry-run", "w4:6432", "--rebalance-transfer-mode", "block_writes"});
  REQUIRE_MESSAGE(parsed.has_value(), describe(parsed.error()));
  CHECK(parsed->command == subcommand::drain);
  CHECK(parsed->operands == std::vector<std::string>{"w3", "w4:6432"});
  CHECK(parsed->config.dry_run);
  CHECK(parsed->config.rebalance_transfer_mode == "block_writes");
  CHECK(parse_configuration({}, {"undrain", "w3"})->command == subcommand::undrain);
}
