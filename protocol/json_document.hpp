#pragma once

// Shared plumbing for the simdjson ondemand parsers: a reusable padded copy of
// the input and the mapping of simdjson's error codes to parse_error.

#include "protocol/parse_error.hpp"
#include "protocol/result.hpp"

#include <simdjson.h>

#include <cstddef>
#include <map>
#include <string>
#include <vector>
#include <memory>
#include <optional>
#include <string_view>

namespace wlg::protocol {

// simdjson reads up to SIMDJSON_PADDING bytes past the end of its input; frames
// from the network carry no such slack, so they are copied here first. The
// buffer grows to the largest document seen and is then reused, until a
// document needs less than a quarter of it: then it shrinks, so that one large
// document does not hold its memory for the life of the process.
class json_input {
public:
  simdjson::padded_string_view load(std::string_view text);
  std::size_t capacity() const { return capacity_; }

private:
  std::unique_ptr<char[]> bytes_;
  std::size_t capacity_ = 0;
};

parse_error to_parse_error(simdjson::error_code code, std::string_view where);

// True once the document has been read to its end: ondemand validates lazily,
// so whatever follows the value we read has to be checked for explicitly.
bool fully_consumed(simdjson::ondemand::document& doc);

// A parser with its input buffer, limited to `max_bytes` per document.
class json_reader {
public:
  explicit json_reader(std::size_t max_bytes);

  // Starts reading `text`. The returned document refers to this reader's
  // buffers and is valid until the next call.
  result<simdjson::ondemand::document, parse_error> open(std::string_view text);

  // Reads `text` as one JSON object: visit(key, value) for each field, then
  // checks that nothing follows the object. `what` names the object in errors;
  // a field's error names its key. Returns the first error, if any.
  template <class Visit>
  std::optional<parse_error> read_object(std::string_view text, std::string_view what, Visit&& visit);

  // The bytes its buffers hold now (input copy and parser).
  std::size_t buffer_bytes() const { return input_.capacity() + parser_.capacity(); }

private:
  std::size_t max_bytes_;
  json_input input_;
  simdjson::ondemand::parser parser_;
};

// Calls visit(key, value) for each field of the object `source` (a value or
// a document), up to the first error, which it returns.
template <class Source, class Visit>
simdjson::error_code for_each_field(Source&& source, Visit&& visit) {
  simdjson::ondemand::object object;
  if (auto err = source.get_object().get(object))
    return err;
  for (auto field : object) {
    std::string_view key;
    if (auto err = field.unescaped_key().get(key))
      return err;
    if (auto err = visit(key, field.value()))
      return err;
  }
  return simdjson::SUCCESS;
}

template <class Visit>
std::optional<parse_error> json_reader::read_object(std::string_view text, std::string_view what,
                                                    Visit&& visit) {
  auto doc = open(text);
  if (!doc)
    return doc.error();
  std::string_view failed_field;
  auto err = for_each_field(*doc, [&](std::string_view key, simdjson::ondemand::value value) {
    auto field_err = visit(key, value);
    if (field_err)
      failed_field = key;
    return field_err;
  });
  if (err)
    return to_parse_error(err, failed_field.empty() ? what : failed_field);
  if (!fully_consumed(*doc))
    return parse_error{parse_error::kind::not_json, "trailing content after the " + std::string{what}};
  return std::nullopt;
}

bool is_null(simdjson::ondemand::value& value);

// Field readers for the parsers: a string, an array of strings (into a vector
// of std::string, or of std::string_view into the parser's buffer), an object
// of strings (null counts as empty for the last two).
simdjson::error_code read_string(simdjson::ondemand::value value, std::string& out);

// Calls visit(item) for each item of the array `value`, up to the first
// error, which it returns.
template <class Visit>
simdjson::error_code for_each_item(simdjson::ondemand::value value, Visit&& visit) {
  simdjson::ondemand::array items;
  if (auto err = value.get_array().get(items))
    return err;
  for (auto entry : items) {
    simdjson::ondemand::value item;
    if (auto err = entry.get(item); err || (err = visit(item)))
      return err;
  }
  return simdjson::SUCCESS;
}

template <class Strings>
simdjson::error_code read_string_array(simdjson::ondemand::value value, Strings& out) {
  if (is_null(value))
    return simdjson::SUCCESS;
  return for_each_item(value, [&](simdjson::ondemand::value item) {
    std::string_view text;
    auto err = item.get_string().get(text);
    if (!err)
      out.emplace_back(text);
    return err;
  });
}

simdjson::error_code read_string_map(simdjson::ondemand::value value, std::map<std::string, std::string>& out);

} // namespace wlg::protocol
