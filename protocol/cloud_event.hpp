#pragma once

// Docker Cloud's event stream (protocols.md section 3): one JSON object per
// text frame, and the original tool's rule for which ones mean "look again".

#include "protocol/json_document.hpp"
#include "protocol/parse_error.hpp"
#include "protocol/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace wlg::protocol {

// Fields of one event. The views point into the parser that produced them and
// are valid until its next parse.
struct cloud_event_view {
  std::string_view type;
  std::string_view action;
  std::string_view state;
  std::string_view resource_uri;
  std::vector<std::string_view> parents;
  bool has_state = false;
};

// Parses event frames; keeps its buffers between calls, so one instance per
// thread of work parses without allocating once warmed up.
class cloud_event_parser {
public:
  cloud_event_parser();

  // Unknown fields are ignored; a known field of the wrong type is an error.
  result<const cloud_event_view*, parse_error> parse(std::string_view frame);

private:
  json_reader reader_;
  cloud_event_view event_;
};

// The part of a resource URI that names the resource: "<type>/<uuid>", with any
// namespace segment and trailing slash dropped, so
// "/api/app/v1/ns/service/ab12/" and "/api/app/v1/service/ab12" compare equal.
std::string_view resource_key(std::string_view uri);
bool same_resource(std::string_view a, std::string_view b);

enum class event_relevance {
  irrelevant,
  resource_changed,       // a container or service reached a settled state
  own_service_succeeded,  // an action on our own service finished
};

// The original's rule: a container or service event whose state is not
// transient, or a "Success" that lists our own service among its parents.
// Types and states compare case-insensitively.
class relevance_rule {
public:
  explicit relevance_rule(std::string own_service_uri);

  event_relevance classify(const cloud_event_view& event) const;

private:
  std::string own_service_uri_;
};

bool is_transient_state(std::string_view state);

// The types Docker Cloud's stream is documented to send (container, service,
// stack, node, nodecluster, action, auth), compared case-insensitively.
bool is_known_cloud_event_type(std::string_view type);

} // namespace wlg::protocol
