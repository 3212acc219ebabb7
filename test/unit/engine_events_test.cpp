#include "protocol/engine_events.hpp"
#include "protocol/worker_list.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace wlg::protocol;

namespace {

const std::string docker_start =
  R"({"status":"start","id":"4f2a","from":"citus","Type":"container","Action":"start",)"
  R"("Actor":{"ID":"4f2a","Attributes":{"com.citusdata.role":"Worker","com.docker.compose.project":"citus",)"
  R"("name":"citus-worker-1"}},"scope":"local","time":1700000000,"timeNano":1700000000000000000})";

std::vector<std::string> texts(const std::vector<line_splitter::line>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines)
    out.push_back(l.too_long ? "<too long>" : l.text);
  return out;
}

engine_container container(std::string id, std::string name, std::map<std::string, std::string> labels = {}) {
  return {std::move(id), {std::move(name)}, std::move(labels), "running", "Up 1 second"};
}

} // namespace

TEST_CASE("lines come out whole wherever the chunks split them") {
  const std::string stream = docker_start + "\n" + R"({"Type":"container","Action":"die","id":"x"})" + "\n";
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    for (std::size_t cut2 = cut; cut2 <= stream.size(); cut2 += 7) {
      line_splitter splitter{1024};
      std::vector<line_splitter::line> lines;
      splitter.feed(std::string_view{stream}.substr(0, cut), lines);
      splitter.feed(std::string_view{stream}.substr(cut, cut2 - cut), lines);
      splitter.feed(std::string_view{stream}.substr(cut2), lines);
      CAPTURE(cut);
      REQUIRE(texts(lines) == std::vector<std::string>{docker_start, R"({"Type":"container","Action":"die","id":"x"})"});
    }
  }
}

TEST_CASE("an unfinished line waits for its newline, empty and CR-only lines are skipped") {
  line_splitter splitter{1024};
  std::vector<line_splitter::line> lines;
  splitter.feed("{\"a\":1}\n\n\r\n{\"b\"", lines);
  CHECK(texts(lines) == std::vector<std::string>{"{\"a\":1}"});
  splitter.feed(":2}\n", lines);
  CHECK(texts(lines) == std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"});
}

TEST_CASE("a line over the limit is dropped once, and the next line is read") {
  line_splitter splitter{16};
  std::vector<line_splitter::line> lines;
  splitter.feed(std::string(10, 'x'), lines);
  splitter.feed(std::string(10, 'y'), lines); // 20 bytes: over
  splitter.feed(std::string(1000, 'z'), lines);
  splitter.feed("\n{\"ok\":true}\n", lines);
  CHECK(texts(lines) == std::vector<std::string>{"<too long>", "{\"ok\":true}"});
}

TEST_CASE("engine events parse from Docker's and podman's shapes") {
  engine_event_parser parser;
  auto event = parser.parse(docker_start);
  REQUIRE(event.has_value());
  CHECK(event->type == "container");
  CHECK(event->action == "start");
  CHECK(event->id == "4f2a");
  CHECK(event->attributes.at("name") == "citus-worker-1");
  CHECK(event->attributes.at("com.citusdata.role") == "Worker");

  // Before API 1.22: only status and id.
  event = parser.parse(R"({"status":"die","id":"77","from":"citus","time":1})");
  REQUIRE(event.has_value());
  CHECK(event->type == "container");
  CHECK(event->action == "die");
}

TEST_CASE("malformed engine events are errors, not crashes") {
  engine_event_parser parser;
  for (const char* bad : {"", "not json", "[1,2]", R"({"Type":5})", R"({"Action":["start"]})",
                          R"({"Actor":{"Attributes":{"name":7}}})", R"({"Type":"container"} trailing)",
                          R"({"Type":"container","Action":"st)"}) {
    CAPTURE(bad);
    CHECK_FALSE(parser.parse(bad).has_value());
  }
}

TEST_CASE("container starts, stops, deaths, removals, renames and health changes are relevant") {
  engine_event e{"container", "", "id", {}};
  for (const char* action : {"start", "die", "stop", "destroy", "remove", "rename", "health_status: healthy",
                             "health_status: unhealthy"}) {
    e.action = action;
    CAPTURE(action);
    CHECK(is_relevant_engine_event(e, ""));
  }
  for (const char* action : {"create", "attach", "exec_start: sh", "kill", "pause", "cleanup", "top", ""}) {
    e.action = action;
    CAPTURE(action);
    CHECK_FALSE(is_relevant_engine_event(e, ""));
  }
  CHECK_FALSE(is_relevant_engine_event({"network", "connect", "n", {}}, ""));
  CHECK_FALSE(is_relevant_engine_event({"image", "remove", "i", {}}, ""));
}

TEST_CASE("another compose project's events are not relevant when the project is set") {
  engine_event e{"container", "start", "id", {{"com.docker.compose.project", "other"}}};
  CHECK_FALSE(is_relevant_engine_event(e, "citus"));
  CHECK(is_relevant_engine_event(e, ""));
  e.attributes["com.docker.compose.project"] = "citus";
  CHECK(is_relevant_engine_event(e, "citus"));
  e.attributes.clear(); // an engine that does not report labels: look anyway
  CHECK(is_relevant_engine_event(e, "citus"));
}

TEST_CASE("the events query asks for container events only") {
  CHECK(engine_events_target("/v1.41") == "/v1.41/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D");
}

TEST_CASE("worker labels: the worker label, and the project when set") {
  CHECK(worker_labels("com.citusdata.role", "Worker", "") == std::vector<std::string>{"com.citusdata.role=Worker"});
  CHECK(worker_labels("com.citusdata.role", "Worker", "citus")
        == std::vector<std::string>{"com.citusdata.role=Worker", "com.docker.compose.project=citus"});
}

TEST_CASE("workers are named by container name without the slash, or by a label") {
  const std::vector<engine_container> listed = {
    container("a1", "/citus-worker-2", {{"host", "db-2"}}),
    container("b2", "/citus-worker-1", {{"host", "db-1"}}),
    container("c3", "/bad name", {{"host", "db 3"}}),
    container("d4", "/citus-worker-3", {}),
  };
  auto by_name = engine_worker_names(listed, {});
  CHECK(by_name.workers.names() == std::vector<std::string>{"citus-worker-1", "citus-worker-2", "citus-worker-3"});
  REQUIRE(by_name.refused.size() == 1);
  CHECK(by_name.refused[0].excerpt == "bad name");

  auto by_label = engine_worker_names(listed, {worker_name_source::kind::label, "host", {}});
  CHECK(by_label.workers.names() == std::vector<std::string>{"db-1", "db-2"});
  CHECK(by_label.refused.size() == 2); // "db 3", and d4 without the label
  CHECK(by_label.refused[1].reason.find("d4") != std::string::npos);
}

TEST_CASE("a container's hostname comes from Config.Hostname") {
  auto hostname = parse_container_hostname(R"({"Id":"x","Config":{"Hostname":"db-7","Env":[]},"Name":"/w"})");
  REQUIRE(hostname.has_value());
  CHECK(*hostname == "db-7");
  CHECK_FALSE(parse_container_hostname(R"({"Id":"x","Config":{}})").has_value());
  CHECK_FALSE(parse_container_hostname(R"({"Config":{"Hostname":3}})").has_value());
  CHECK_FALSE(parse_container_hostname("nope").has_value());
  CHECK(container_inspect_target("/v1.41", "ab/c") == "/v1.41/containers/ab%2Fc/json");
}

TEST_CASE("the master to signal is found by its compose labels, or in swarm mode by its swarm service") {
  CHECK(master_labels(false, "citus", "master")
        == std::vector<std::string>{"com.docker.compose.project=citus", "com.docker.compose.service=master"});
  CHECK(master_labels(false, "", "master") == std::vector<std::string>{"com.docker.compose.service=master"});
  CHECK(master_labels(true, "citus", "master")
        == std::vector<std::string>{"com.docker.stack.namespace=citus", "com.docker.swarm.service.name=citus_master"});
  CHECK(master_labels(true, "", "master") == std::vector<std::string>{"com.docker.swarm.service.name=master"});
}

TEST_CASE("a container whose healthcheck has not passed yet is not a worker yet, whatever its status text says") {
  auto starting = container("c1", "/w1");
  auto healthy = container("c3", "/w3");
  healthy.status = "Up 9 seconds (health: starting)"; // the text is not read: the health filter is
  auto unhealthy = container("c4", "/w4");
  unhealthy.status = "Up 40 seconds (unhealthy)";
  auto plain = container("c5", "/w5");
  std::vector<engine_container> listed{starting, healthy, unhealthy, plain};
  mark_listed(listed, {container("c1", "/w1")}, &engine_container::starting);
  CHECK(listed[0].starting);
  CHECK_FALSE(listed[1].starting);
  const auto named = engine_worker_names(listed, {});
  CHECK(named.workers.names() == std::vector<std::string>{"w3", "w4", "w5"});
  CHECK(named.refused.empty());
}

TEST_CASE("a container whose healthcheck fails is held back, not dropped: the file lists it, the coordinator keeps it only if registered") {
  auto failing = container("c1", "/w1");
  auto fine = container("c2", "/w2");
  std::vector<engine_container> listed{failing, fine};
  mark_listed(listed, {container("c1", "/w1")}, &engine_container::unhealthy);
  const auto named = engine_worker_names(listed, {});
  CHECK(named.workers.names() == std::vector<std::string>{"w2"});
  CHECK(named.workers.held_back() == std::vector<std::string>{"w1"});
  CHECK(render_worker_list(named.workers, 5432) == std::string{worker_list_header} + "w1 5432\nw2 5432\n");
  // Held back or not is a change of the set: a worker turning unhealthy is applied again.
  CHECK_FALSE(named.workers == worker_set{{"w2"}});
  CHECK(named.workers == worker_set({"w2"}, {"w1"}));
}

TEST_CASE("each worker carries its container's id, and a name two containers share carries none") {
  auto with_label = [](const char* id, const char* label) {
    auto c = container(id, std::string{"/"} + id);
    c.labels["host"] = label;
    return c;
  };
  const std::vector<engine_container> listed{with_label("c1", "db-1"), with_label("c2", "db-2"),
                                             with_label("c3", "db-2")};
  const auto named = engine_worker_names(listed, {worker_name_source::kind::label, "host", {}});
  CHECK(named.workers.containers() == std::map<std::string, std::string>{{"db-1", "c1"}, {"db-2", ""}});
  // Not part of the set's identity: the same names under other containers are the same set.
  auto other = named.workers;
  other.set_containers({{"db-1", "c9"}});
  CHECK(other == named.workers);
}

TEST_CASE("a set with a worker whose healthcheck has not passed is settling, so it is fetched again shortly") {
  // (Podman reports health_status before it records the check's result.)
  std::vector<engine_container> listed{container("c1", "/w1"), container("c2", "/w2")};
  CHECK_FALSE(engine_worker_names(listed, {}).workers.settling());
  mark_listed(listed, {container("c1", "/w1")}, &engine_container::starting);
  CHECK(engine_worker_names(listed, {}).workers.settling());
  listed[0].starting = false;
  mark_listed(listed, {container("c2", "/w2")}, &engine_container::unhealthy);
  CHECK(engine_worker_names(listed, {}).workers.settling());
}

TEST_CASE("the starting and the unhealthy containers are listed by the health filter, with the same labels") {
  CHECK(health_container_list_target("/v1.41", {"a=b"}, "starting")
        == "/v1.41/containers/json?filters=" + url_encode(R"({"label":["a=b"],"health":["starting"]})"));
  CHECK(health_container_list_target("/v1.41", {"a=b"}, "unhealthy")
        == "/v1.41/containers/json?filters=" + url_encode(R"({"label":["a=b"],"health":["unhealthy"]})"));
  CHECK(container_list_target("/v1.41", {"a=b"}) == "/v1.41/containers/json?filters=" + url_encode(R"({"label":["a=b"]})"));
}
