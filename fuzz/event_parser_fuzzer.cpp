// libFuzzer target: any bytes as an event frame. The parser must return a
// value or an error, never crash; an accepted event must classify.

#include "protocol/cloud_event.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static wlg::protocol::cloud_event_parser parser;
  static const wlg::protocol::relevance_rule rule{"/api/app/v1/service/adeebc1b/"};
  auto parsed = parser.parse(std::string_view{reinterpret_cast<const char*>(data), size});
  if (parsed) {
    const auto relevance = rule.classify(**parsed);
    if (relevance != wlg::protocol::event_relevance::irrelevant && (*parsed)->type.empty()
        && !(*parsed)->has_state)
      __builtin_trap(); // nothing without a type or state can be relevant
  }
  return 0;
}
