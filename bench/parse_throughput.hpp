#pragma once

// The protocol layer's event parsing and filtering, alone, on one core.

#include <chrono>
#include <cstddef>

namespace wlg::bench {

struct parse_figures {
  double events_per_second = 0;       // parse + relevance rule, as the subscriber does
  double floor_events_per_second = 0; // simdjson on demand visiting every field, nothing else
  double megabytes_per_second = 0;
  std::size_t distinct_frames = 0;
  double relevant_share = 0;
};

parse_figures measure_parse_throughput(std::chrono::milliseconds duration);

} // namespace wlg::bench
