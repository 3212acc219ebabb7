#include "protocol/json_document.hpp"

#include "protocol/limits.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

namespace wlg::protocol {

std::string_view to_string(parse_error::kind k) {
  switch (k) {
    case parse_error::kind::not_json: return "not JSON";
    case parse_error::kind::wrong_type: return "wrong type";
    case parse_error::kind::too_large: return "too large";
    case parse_error::kind::too_deep: return "nested too deeply";
    case parse_error::kind::out_of_memory: return "out of memory";
  }
  return "unknown";
}

std::string describe(const parse_error& e) {
  std::string text{to_string(e.what)};
  if (!e.detail.empty()) {
    text += ": ";
    text += e.detail;
  }
  return text;
}

namespace {

// Buffers up to this size are kept whatever the document size: shrinking them
// would only churn the allocator.
constexpr std::size_t kept_bytes = 64 * 1024;

bool oversized(std::size_t capacity, std::size_t needed) {
  return capacity > kept_bytes && capacity / 4 > needed;
}

// Buffers grow with a quarter to spare: a set that grows one name at a time
// would otherwise reallocate, and fault in, megabytes on every change
// (measured: 10 ms of a 45 ms sync of 10,000 names).
std::size_t with_headroom(std::size_t needed) {
  return needed + needed / 4;
}

} // namespace

simdjson::padded_string_view json_input::load(std::string_view text) {
  const std::size_t needed = text.size() + simdjson::SIMDJSON_PADDING;
  if (needed > capacity_ || oversized(capacity_, needed)) {
    const std::size_t size = with_headroom(needed);
    bytes_.reset(new char[size]);
    capacity_ = size;
  }
  std::memcpy(bytes_.get(), text.data(), text.size());
  std::memset(bytes_.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);
  return simdjson::padded_string_view{bytes_.get(), text.size(), capacity_};
}

parse_error to_parse_error(simdjson::error_code code, std::string_view where) {
  std::string detail{where};
  detail += ": ";
  detail += simdjson::error_message(code);
  switch (code) {
    case simdjson::INCORRECT_TYPE:
    case simdjson::NUMBER_OUT_OF_RANGE:
    case simdjson::NO_SUCH_FIELD:
      return {parse_error::kind::wrong_type, std::move(detail)};
    case simdjson::DEPTH_ERROR:
      return {parse_error::kind::too_deep, std::move(detail)};
    case simdjson::CAPACITY:
      return {parse_error::kind::too_large, std::move(detail)};
    case simdjson::MEMALLOC:
      return {parse_error::kind::out_of_memory, std::move(detail)};
    default:
      return {parse_error::kind::not_json, std::move(detail)};
  }
}

bool fully_consumed(simdjson::ondemand::document& doc) {
  const char* location = nullptr;
  return doc.current_location().get(location) == simdjson::OUT_OF_BOUNDS;
}

namespace {

// ondemand skips the fields it is not asked for without looking at their depth,
// so a hostile document could hide a million nested arrays in a field we
// ignore. One pass over the bytes, outside strings, bounds it.
bool nests_deeper_than(std::string_view text, std::size_t limit) {
  // Fewer openers than the limit cannot nest deeper than it. This count
  // vectorises, and settles the question for every ordinary document.
  // (Counted in chunks into a byte, which the compiler vectorises.)
  std::size_t openers = 0;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = std::min(text.size(), at + 255);
    unsigned char chunk = 0;
    for (; at < end; ++at)
      chunk += static_cast<unsigned char>(static_cast<int>(text[at] == '[') | static_cast<int>(text[at] == '{'));
    openers += chunk;
  }
  if (openers <= limit)
    return false;
  // Strings are most of a document: each is skipped with memchr to its
  // closing quote (one not preceded by an odd run of backslashes).
  std::size_t depth = 0;
  const char* at = text.data();
  const char* const end = at + text.size();
  while (at < end) {
    const char c = *at++;
    if (c == '"') {
      for (;;) {
        const auto* quote = static_cast<const char*>(std::memchr(at, '"', static_cast<std::size_t>(end - at)));
        if (quote == nullptr)
          return false; // an unterminated string: simdjson reports it
        std::size_t backslashes = 0;
        for (const char* b = quote; b > at && b[-1] == '\\'; --b)
          ++backslashes;
        at = quote + 1;
        if (backslashes % 2 == 0)
          break;
      }
    } else if (c == '[' || c == '{') {
      if (++depth > limit)
        return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

} // namespace

json_reader::json_reader(std::size_t max_bytes) : max_bytes_(max_bytes) {}

result<simdjson::ondemand::document, parse_error>
json_reader::open(std::string_view text) {
  if (text.size() > max_bytes_)
    return fail(parse_error{parse_error::kind::too_large,
                            std::to_string(text.size()) + " bytes, limit "
                              + std::to_string(max_bytes_)});
  if (nests_deeper_than(text, limits::max_json_depth))
    return fail(parse_error{parse_error::kind::too_deep,
                            "more than " + std::to_string(limits::max_json_depth)
                              + " levels"});
  try {
    if (oversized(parser_.capacity(), text.size()))
      parser_ = simdjson::ondemand::parser{};
    if (text.size() > parser_.capacity())
      if (auto err = parser_.allocate(std::min(with_headroom(text.size()), max_bytes_)))
        return fail(to_parse_error(err, "document"));
    simdjson::ondemand::document doc;
    if (auto err = parser_.iterate(input_.load(text)).get(doc))
      return fail(to_parse_error(err, "document"));
    return doc;
  } catch (const std::bad_alloc&) {
    return fail(parse_error{parse_error::kind::out_of_memory, "document"});
  }
}

bool is_null(simdjson::ondemand::value& value) {
  simdjson::ondemand::json_type type;
  return value.type().get(type) == simdjson::SUCCESS && type == simdjson::ondemand::json_type::null;
}

simdjson::error_code read_string(simdjson::ondemand::value value, std::string& out) {
  std::string_view text;
  if (auto err = value.get_string().get(text))
    return err;
  out = text;
  return simdjson::SUCCESS;
}

simdjson::error_code read_string_map(simdjson::ondemand::value value,
                                     std::map<std::string, std::string>& out) {
  if (is_null(value))
    return simdjson::SUCCESS;
  return for_each_field(value, [&](std::string_view key, simdjson::ondemand::value field) {
    std::string_view text;
    if (auto err = field.get_string().get(text))
      return err;
    out.emplace(std::string{key}, std::string{text});
    return simdjson::SUCCESS;
  });
}

} // namespace wlg::protocol
