#include "protocol/container_object.hpp"

#include "protocol/limits.hpp"
#include "protocol/worker_name.hpp"

#include <algorithm>

namespace wlg::protocol {

namespace {

using simdjson::ondemand::json_type;

// One entry of linked_to_container: a name, or a reason it is refused. A
// structural error (entry not an object) fails the whole document.
simdjson::error_code read_link(simdjson::ondemand::value entry, read_links& out) {
  bool seen_name = false;
  auto err = for_each_field(entry, [&](std::string_view key, simdjson::ondemand::value value) {
    if (key != "name")
      return simdjson::SUCCESS;
    seen_name = true;
    json_type type;
    if (auto err = value.type().get(type))
      return err;
    std::string_view name;
    if (type != json_type::string || value.get_string().get(name) != simdjson::SUCCESS)
      out.refused.push_back({"<not a string>", "link name is not a string"});
    else
      out.names.push_back(name);
    return simdjson::SUCCESS;
  });
  if (err)
    return err;
  if (!seen_name)
    out.refused.push_back({"<missing>", "link has no name"});
  return simdjson::SUCCESS;
}

} // namespace

container_parser::container_parser() : reader_(limits::max_container_document_bytes) {}

result<read_links, parse_error> container_parser::read(std::string_view body) {
  read_links out;
  auto error = reader_.read_object(body, "container", [&](std::string_view key, simdjson::ondemand::value value) {
    if (key != "linked_to_container")
      return simdjson::SUCCESS;
    json_type type;
    if (auto err = value.type().get(type))
      return err;
    if (type == json_type::null)
      return simdjson::SUCCESS;
    return for_each_item(value, [&](simdjson::ondemand::value link) { return read_link(link, out); });
  });
  if (error)
    return fail(std::move(*error));
  return out;
}

result<container_links, parse_error> container_parser::parse(std::string_view body) {
  auto links = read(body);
  if (!links)
    return fail(std::move(links.error()));
  return check_links(std::move(*links));
}

container_links check_links(read_links links) {
  container_links out;
  out.refused = std::move(links.refused);
  std::vector<std::string_view> valid;
  valid.reserve(links.names.size());
  for (const auto name : links.names) {
    if (auto problem = worker_name_problem(name))
      out.refused.push_back({printable_excerpt(name), std::move(*problem)});
    else
      valid.push_back(name);
  }
  // Sorted as views, which move cheaper than strings; worker_set then finds
  // them in order.
  std::sort(valid.begin(), valid.end());
  out.workers = worker_set{std::vector<std::string>(valid.begin(), std::unique(valid.begin(), valid.end()))};
  return out;
}

} // namespace wlg::protocol
