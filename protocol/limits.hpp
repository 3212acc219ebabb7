#pragma once

#include <cstddef>

// Size limits shared by the parsers and the network clients, so a document the
// network layer accepts is one the parser will look at, and nothing larger is
// ever buffered.
namespace wlg::protocol::limits {

// A Docker Cloud event is about 400 bytes.
inline constexpr std::size_t max_event_frame_bytes = 256 * 1024;

// A container object with 10,000 links is about 2 MB.
inline constexpr std::size_t max_container_document_bytes = 4 * 1024 * 1024;

// Docker Engine answers: container lists, /version, one event line.
inline constexpr std::size_t max_engine_document_bytes = 4 * 1024 * 1024;
inline constexpr std::size_t max_engine_event_line_bytes = 256 * 1024;

// No document we accept nests deeper than a handful of levels.
inline constexpr std::size_t max_json_depth = 64;

// Hostnames: RFC 1035 limit on the presentation form.
inline constexpr std::size_t max_worker_name_bytes = 253;

} // namespace wlg::protocol::limits
