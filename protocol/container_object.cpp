#include "protocol/container_object.hpp"

#include "protocol/limits.hpp"
#include "protocol/worker_name.hpp"

namespace wlg::protocol {

namespace {

using simdjson::ondemand::json_type;

// One entry of linked_to_container: either a name to keep or a reason it is
// refused. A structural error (entry not an object) fails the whole document.
simdjson::error_code read_link(simdjson::ondemand::value entry, std::vector<std::string>& names,
                               std::vector<refused_name>& refused) {
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
      refused.push_back({"<not a string>", "link name is not a string"});
    else if (auto problem = worker_name_problem(name))
      refused.push_back({printable_excerpt(name), std::move(*problem)});
    else
      names.emplace_back(name);
    return simdjson::SUCCESS;
  });
  if (err)
    return err;
  if (!seen_name)
    refused.push_back({"<missing>", "link has no name"});
  return simdjson::SUCCESS;
}

} // namespace

container_parser::container_parser() : reader_(limits::max_container_document_bytes) {}

result<container_links, parse_error> container_parser::parse(std::string_view body) {
  std::vector<std::string> names;
  container_links out;
  auto error = reader_.read_object(body, "container", [&](std::string_view key, simdjson::ondemand::value value) {
    if (key != "linked_to_container")
      return simdjson::SUCCESS;
    json_type type;
    if (auto err = value.type().get(type))
      return err;
    if (type == json_type::null)
      return simdjson::SUCCESS;
    return for_each_item(value, [&](simdjson::ondemand::value link) { return read_link(link, names, out.refused); });
  });
  if (error)
    return fail(std::move(*error));
  out.workers = worker_set{std::move(names)};
  return out;
}

} // namespace wlg::protocol
