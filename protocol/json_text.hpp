#pragma once

// Writing JSON text by hand, for the few small documents the project renders
// (log lines, Engine API filters, the emulator's answers).

#include <string>
#include <string_view>

namespace wlg::protocol {

// `text` as a JSON string literal, quotes included; control characters escaped.
std::string json_quote(std::string_view text);

} // namespace wlg::protocol
