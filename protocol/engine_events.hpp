#pragma once

// Engine mode (protocols.md section 4): the Docker Engine's GET /events stream
// (a chunked HTTP body of JSON lines), which of its events mean "look again",
// and which running containers are the workers and under what name.

#include "protocol/container_object.hpp"
#include "protocol/engine_api.hpp"
#include "protocol/json_document.hpp"
#include "protocol/parse_error.hpp"
#include "protocol/result.hpp"
#include "protocol/worker_name.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace wlg::protocol {

// Cuts a byte stream into lines, whatever the chunk boundaries. A line over
// `max_line_bytes` is dropped (reported once, as too_long) and reading goes on
// at the next newline, so memory stays bounded.
class line_splitter {
public:
  struct line {
    std::string text;
    bool too_long = false;
  };

  explicit line_splitter(std::size_t max_line_bytes);
  // Appends the complete lines in `bytes` to `out`; empty lines are skipped.
  void feed(std::string_view bytes, std::vector<line>& out);

private:
  std::size_t max_line_bytes_;
  std::string partial_;
  bool discarding_ = false;
};

struct engine_event {
  std::string type;   // "container"
  std::string action; // "start", "health_status: healthy", ...
  std::string id;
  std::map<std::string, std::string> attributes; // Actor.Attributes: name and labels
};

class engine_event_parser {
public:
  engine_event_parser();
  // Unknown fields are ignored; a known field of the wrong type is an error.
  result<engine_event, parse_error> parse(std::string_view line);

private:
  json_reader reader_;
};

// A container event that can change the worker set (start, die, stop, destroy
// or remove, rename, health_status), of a container in `project` when one is
// set and the event names its project.
bool is_relevant_engine_event(const engine_event& event, std::string_view project);

// The events query: container events only.
std::string engine_events_target(const std::string& version_prefix);

// The labels a worker container carries: the worker label (key=value), and
// the compose project when one is set.
std::vector<std::string> worker_labels(std::string_view label_key, std::string_view label_value,
                                       std::string_view project);

// The labels of the Citus master's containers, which --target=file signals:
// of the compose service `service` (in the compose project `stack`, when set);
// in swarm mode, of the swarm service `service` (`STACK_service` in a stack).
std::vector<std::string> master_labels(bool swarm, std::string_view stack, std::string_view service);

// The names to write for the listed worker containers, by `source`; a
// container whose name is missing or invalid is refused on its own. A
// container whose healthcheck has not passed yet (`starting`) is not a
// worker yet; an unhealthy one still is (it holds data).
container_links engine_worker_names(const std::vector<engine_container>& containers,
                                    const worker_name_source& source);

// Config.Hostname from GET /containers/{id}/json.
result<std::string, parse_error> parse_container_hostname(std::string_view body);
std::string container_inspect_target(const std::string& version_prefix, std::string_view id);

} // namespace wlg::protocol
