// libFuzzer target: any bytes as the engine's event stream, cut into chunks
// where the first byte says. Every line that comes out is whole (no newline)
// and within the limit, and parses to an event or an error, never a crash.

#include "protocol/engine_events.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  constexpr std::size_t limit = 4096;
  static wlg::protocol::engine_event_parser parser;
  wlg::protocol::line_splitter splitter{limit};
  std::vector<wlg::protocol::line_splitter::line> lines;
  const std::size_t chunk = 1 + data[0] % 64;
  std::string_view rest{reinterpret_cast<const char*>(data + 1), size - 1};
  while (!rest.empty()) {
    splitter.feed(rest.substr(0, chunk), lines);
    rest.remove_prefix(std::min(chunk, rest.size()));
  }
  for (const auto& line : lines) {
    if (line.text.find('\n') != std::string::npos || line.text.size() > limit)
      __builtin_trap();
    if (auto event = parser.parse(line.text))
      (void)wlg::protocol::is_relevant_engine_event(*event, "citus");
  }
  return 0;
}
