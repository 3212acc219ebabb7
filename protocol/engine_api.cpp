#include "protocol/engine_api.hpp"

#include <algorithm>

#include "protocol/json_text.hpp"

#include "protocol/limits.hpp"

#include <charconv>
#include <cstdio>

namespace wlg::protocol {

namespace {

simdjson::error_code read_container(simdjson::ondemand::value container, engine_container& out) {
  auto err = for_each_field(container, [&](std::string_view key, simdjson::ondemand::value value) {
    if (key == "Id")
      return read_string(value, out.id);
    if (key == "State")
      return read_string(value, out.state);
    if (key == "Status")
      return read_string(value, out.status);
    if (key == "Names")
      return read_string_array(value, out.names);
    if (key == "Labels")
      return read_string_map(value, out.labels);
    return simdjson::SUCCESS;
  });
  if (err)
    return err;
  return out.id.empty() ? simdjson::NO_SUCH_FIELD : simdjson::SUCCESS;
}

} // namespace

std::optional<api_version> parse_api_version(std::string_view text) {
  api_version v;
  const char* const end = text.data() + text.size();
  auto [dot, ec] = std::from_chars(text.data(), end, v.major);
  if (ec != std::errc{} || dot == end || *dot != '.')
    return std::nullopt;
  auto [last, ec2] = std::from_chars(dot + 1, end, v.minor);
  if (ec2 != std::errc{} || last != end || v.major < 0 || v.minor < 0)
    return std::nullopt;
  return v;
}

std::string to_string(api_version v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor);
}

result<engine_version, parse_error> parse_engine_version(std::string_view body) {
  json_reader reader{limits::max_engine_document_bytes};
  std::optional<api_version> api;
  std::optional<api_version> min_api;
  std::optional<parse_error> not_a_version;
  auto error = reader.read_object(body, "version", [&](std::string_view key, simdjson::ondemand::value value) {
    if (key != "ApiVersion" && key != "MinAPIVersion")
      return simdjson::SUCCESS;
    std::string_view text;
    if (auto err = value.get_string().get(text))
      return err;
    auto parsed = parse_api_version(text);
    if (!parsed && !not_a_version)
      not_a_version = parse_error{parse_error::kind::wrong_type,
                                  std::string{key} + " is not a version: " + std::string{text}};
    (key == "ApiVersion" ? api : min_api) = parsed;
    return simdjson::SUCCESS;
  });
  if (error)
    return fail(std::move(*error));
  if (not_a_version)
    return fail(std::move(*not_a_version));
  if (!api)
    return fail(parse_error{parse_error::kind::wrong_type, "ApiVersion missing"});
  return engine_version{*api, min_api};
}

result<api_version, std::string> negotiate_api_version(const engine_version& engine) {
  const api_version chosen = engine.api < client_max_api_version ? engine.api
                                                                 : client_max_api_version;
  if (chosen < client_min_api_version)
    return fail("the engine speaks API " + to_string(engine.api) + ", older than the "
                + to_string(client_min_api_version) + " this client needs");
  if (engine.min_api && chosen < *engine.min_api)
    return fail("the engine needs API " + to_string(*engine.min_api) + " or newer, this client"
                + " speaks up to " + to_string(client_max_api_version));
  return chosen;
}

container_list_parser::container_list_parser() : reader_(limits::max_engine_document_bytes) {}

result<std::vector<engine_container>, parse_error>
container_list_parser::parse(std::string_view body) {
  auto doc = reader_.open(body);
  if (!doc)
    return fail(doc.error());
  std::vector<engine_container> out;
  simdjson::ondemand::value list;
  auto err = doc->get_value().get(list);
  if (!err)
    err = for_each_item(list, [&](simdjson::ondemand::value item) { return read_container(item, out.emplace_back()); });
  if (err)
    return fail(to_parse_error(err, "container list"));
  if (!fully_consumed(*doc))
    return fail(parse_error{parse_error::kind::not_json, "trailing content after the list"});
  return out;
}

result<std::string, std::string> version_prefix_from(unsigned status, std::string_view body) {
  if (status != 200)
    return fail("GET /version answered HTTP " + std::to_string(status));
  auto engine = parse_engine_version(body);
  if (!engine)
    return fail("GET /version: " + describe(engine.error()));
  auto chosen = negotiate_api_version(*engine);
  if (!chosen)
    return fail(chosen.error());
  return "/v" + to_string(*chosen);
}

void mark_listed(std::vector<engine_container>& containers, const std::vector<engine_container>& listed,
                 bool engine_container::*flag) {
  for (auto& container : containers)
    container.*flag = std::ranges::any_of(listed, [&](const engine_container& l) { return l.id == container.id; });
}

std::string url_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                            || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
                            || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      char esc[4];
      std::snprintf(esc, sizeof esc, "%%%02X", c);
      out += esc;
    }
  }
  return out;
}

namespace {

// {"label":[...]} and, with `health`, "health":[HEALTH], percent-encoded.
std::string filter_query(const std::vector<std::string>& labels, std::string_view health) {
  std::string json = "{\"label\":[";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0)
      json += ',';
    json += json_quote(labels[i]);
  }
  json += "]";
  if (!health.empty())
    json += ",\"health\":[" + json_quote(health) + "]";
  json += "}";
  return url_encode(json);
}

} // namespace

std::string label_filter_query(const std::vector<std::string>& labels) {
  return filter_query(labels, {});
}

std::string health_container_list_target(const std::string& version_prefix, const std::vector<std::string>& labels,
                                         std::string_view health) {
  return version_prefix + "/containers/json?filters=" + filter_query(labels, health);
}

std::string container_list_target(const std::string& version_prefix,
                                  const std::vector<std::string>& labels) {
  return version_prefix + "/containers/json?filters=" + label_filter_query(labels);
}

std::string container_by_id_target(const std::string& version_prefix, std::string_view id) {
  return version_prefix + "/containers/json?filters=" + url_encode("{\"id\":[" + json_quote(id) + "]}");
}

bool is_container_id(std::string_view hostname) {
  if (hostname.size() != 12 && hostname.size() != 64)
    return false;
  for (char c : hostname)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

std::string container_kill_target(const std::string& version_prefix, std::string_view id,
                                  std::string_view signal) {
  return version_prefix + "/containers/" + url_encode(id) + "/kill?signal=" + url_encode(signal);
}

} // namespace wlg::protocol
