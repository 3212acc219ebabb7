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
  simdjson::ondemand::object link;
  if (auto err = entry.get_object().get(link))
    return err;
  bool seen_name = false;
  for (auto field : link) {
    std::string_view key;
    if (auto err = field.unescaped_key().get(key))
      return err;
    if (key != "name")
      continue;
    seen_name = true;
    simdjson::ondemand::value value;
    if (auto err = field.value().get(value))
      return err;
    json_type type;
    if (auto err = value.type().get(type))
      return err;
    std::string_view name;
    if (type != json_type::string || value.get_string().get(name) != simdjson::SUCCESS) {
      refused.push_back({"<not a string>", "link name is not a string"});
      continue;
    }
    if (auto problem = worker_name_problem(name))
      refused.push_back({printable_excerpt(name), std::move(*problem)});
    else
      names.emplace_back(name);
  }
  if (!seen_name)
    refused.push_back({"<missing>", "link has no name"});
  return simdjson::SUCCESS;
}

} // namespace

container_parser::container_parser() : reader_(limits::max_container_document_bytes) {}

result<container_links, parse_error> container_parser::parse(std::string_view body) {
  auto doc = reader_.open(body);
  if (!doc)
    return fail(doc.error());
  std::vector<std::string> names;
  container_links out;
  simdjson::ondemand::object object;
  if (auto err = doc->get_object().get(object))
    return fail(to_parse_error(err, "container"));
  for (auto field : object) {
    std::string_view key;
    if (auto err = field.unescaped_key().get(key))
      return fail(to_parse_error(err, "container key"));
    if (key != "linked_to_container")
      continue;
    simdjson::ondemand::value value;
    if (auto err = field.value().get(value))
      return fail(to_parse_error(err, key));
    json_type type;
    if (auto err = value.type().get(type))
      return fail(to_parse_error(err, key));
    if (type == json_type::null)
      continue;
    simdjson::ondemand::array links;
    if (auto err = value.get_array().get(links))
      return fail(to_parse_error(err, key));
    for (auto entry : links) {
      simdjson::ondemand::value link;
      if (auto err = entry.get(link))
        return fail(to_parse_error(err, key));
      if (auto err = read_link(link, names, out.refused))
        return fail(to_parse_error(err, "linked_to_container entry"));
    }
  }
  if (!fully_consumed(*doc))
    return fail(parse_error{parse_error::kind::not_json, "trailing content after the container"});
  out.workers = worker_set{std::move(names)};
  return out;
}

} // namespace wlg::protocol
