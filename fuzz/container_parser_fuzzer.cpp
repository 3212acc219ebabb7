// libFuzzer target: any bytes as a container object. Whatever is accepted
// must yield only valid, sorted, distinct names, and render to lines of
// exactly "NAME PORT".

#include "protocol/container_object.hpp"
#include "protocol/worker_name.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static wlg::protocol::container_parser parser;
  auto parsed = parser.parse(std::string_view{reinterpret_cast<const char*>(data), size});
  if (!parsed)
    return 0;
  const auto& names = parsed->workers.names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (wlg::protocol::worker_name_problem(names[i]))
      __builtin_trap();
    if (i > 0 && !(names[i - 1] < names[i]))
      __builtin_trap();
  }
  const auto text = wlg::protocol::render_worker_list(parsed->workers, 5432);
  std::size_t lines = 0;
  for (char c : text)
    lines += c == '\n';
  if (lines != names.size() + 1)
    __builtin_trap();
  return 0;
}
