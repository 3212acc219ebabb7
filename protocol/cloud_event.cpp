#include "protocol/cloud_event.hpp"

#include "protocol/limits.hpp"
#include "protocol/text.hpp"

#include <array>

namespace wlg::protocol {

namespace {

using simdjson::ondemand::json_type;

// Reads a string field; JSON null counts as absent.
simdjson::error_code read_optional_string(simdjson::ondemand::value value,
                                          std::string_view& out, bool* present = nullptr) {
  json_type type;
  if (auto err = value.type().get(type))
    return err;
  if (type == json_type::null) {
    out = {};
    if (present)
      *present = false;
    return simdjson::SUCCESS;
  }
  if (present)
    *present = true;
  return value.get_string().get(out);
}

} // namespace

cloud_event_parser::cloud_event_parser() : reader_(limits::max_event_frame_bytes) {}

result<const cloud_event_view*, parse_error>
cloud_event_parser::parse(std::string_view frame) {
  event_.type = event_.action = event_.state = event_.resource_uri = {};
  event_.parents.clear();
  event_.has_state = false;
  auto error = reader_.read_object(frame, "event", [&](std::string_view key, simdjson::ondemand::value value) {
    if (key == "type")
      return read_optional_string(value, event_.type);
    if (key == "action")
      return read_optional_string(value, event_.action);
    if (key == "state")
      return read_optional_string(value, event_.state, &event_.has_state);
    if (key == "resource_uri")
      return read_optional_string(value, event_.resource_uri);
    if (key == "parents")
      return read_string_array(value, event_.parents);
    return simdjson::SUCCESS;
  });
  if (error)
    return fail(std::move(*error));
  return &event_;
}

std::string_view resource_key(std::string_view uri) {
  while (!uri.empty() && uri.back() == '/')
    uri.remove_suffix(1);
  const auto last = uri.rfind('/');
  if (last == std::string_view::npos)
    return uri;
  const auto before = uri.rfind('/', last == 0 ? 0 : last - 1);
  if (before == std::string_view::npos || last == 0)
    return uri;
  return uri.substr(before + 1);
}

bool same_resource(std::string_view a, std::string_view b) {
  return !a.empty() && !b.empty() && resource_key(a) == resource_key(b);
}

bool is_transient_state(std::string_view state) {
  static constexpr std::array<std::string_view, 6> transient = {
    "In progress", "Pending", "Terminating", "Starting", "Scaling", "Stopping"};
  for (auto t : transient)
    if (iequals(state, t))
      return true;
  return false;
}

bool is_known_cloud_event_type(std::string_view type) {
  static constexpr std::array<std::string_view, 7> known = {"container", "service", "stack", "node",
                                                            "nodecluster", "action", "auth"};
  for (auto k : known)
    if (iequals(type, k))
      return true;
  return false;
}

relevance_rule::relevance_rule(std::string own_service_uri)
  : own_service_uri_(std::move(own_service_uri)) {}

event_relevance relevance_rule::classify(const cloud_event_view& event) const {
  const bool resource_type = iequals(event.type, "container") || iequals(event.type, "service");
  // The original compared `state not in [...]`, so an event without a state
  // counts as settled.
  if (resource_type && !(event.has_state && is_transient_state(event.state)))
    return event_relevance::resource_changed;
  if (event.has_state && iequals(event.state, "Success"))
    for (auto parent : event.parents)
      if (same_resource(parent, own_service_uri_))
        return event_relevance::own_service_succeeded;
  return event_relevance::irrelevant;
}

} // namespace wlg::protocol
