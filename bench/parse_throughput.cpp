#include "bench/parse_throughput.hpp"

#include "emulator/stack_model.hpp"
#include "protocol/cloud_event.hpp"

#include <simdjson.h>

#include <string>
#include <vector>

namespace wlg::bench {

namespace {

// Typical Docker Cloud traffic, as the emulator produces it: scale-ups and
// -downs (actions, services, containers in every state), redeploys, and events
// from other stacks.
std::vector<std::string> typical_frames() {
  emulator::stack_model model{{}};
  std::vector<std::string> frames;
  auto add = [&frames](const std::vector<std::string>& events) {
    frames.insert(frames.end(), events.begin(), events.end());
  };
  for (int round = 0; round < 40; ++round) {
    add(model.scale_to(3 + round % 5).events);
    if (round % 8 == 0)
      add(model.redeploy().events);
  }
  add(model.unrelated_events(200));
  add(model.other_type_events(50));
  return frames;
}

template <class Fn>
double per_second(const std::vector<std::string>& frames, std::chrono::milliseconds duration, Fn&& fn) {
  using clock = std::chrono::steady_clock;
  std::size_t done = 0;
  const auto start = clock::now();
  auto now = start;
  while (now - start < duration) {
    for (const auto& frame : frames)
      fn(frame);
    done += frames.size();
    now = clock::now();
  }
  return static_cast<double>(done) / std::chrono::duration<double>(now - start).count();
}

} // namespace

parse_figures measure_parse_throughput(std::chrono::milliseconds duration) {
  const auto frames = typical_frames();
  std::size_t bytes = 0;
  for (const auto& f : frames)
    bytes += f.size();

  protocol::cloud_event_parser parser;
  const protocol::relevance_rule rule{"/api/app/v1/service/91e180b3-64f4-4100-a29e-835c0e448010/"};
  std::size_t relevant = 0, seen = 0;
  // Warm up, and count what share of the mix is relevant.
  for (const auto& frame : frames) {
    auto parsed = parser.parse(frame);
    ++seen;
    relevant += parsed && rule.classify(**parsed) != protocol::event_relevance::irrelevant;
  }

  parse_figures out;
  out.distinct_frames = frames.size();
  out.relevant_share = static_cast<double>(relevant) / static_cast<double>(seen);
  std::size_t sink = 0;
  out.events_per_second = per_second(frames, duration, [&](const std::string& frame) {
    auto parsed = parser.parse(frame);
    sink += parsed && rule.classify(**parsed) != protocol::event_relevance::irrelevant;
  });
  out.megabytes_per_second = out.events_per_second * static_cast<double>(bytes)
                             / static_cast<double>(frames.size()) / 1e6;

  simdjson::ondemand::parser floor_parser;
  std::vector<simdjson::padded_string> padded(frames.begin(), frames.end());
  std::size_t index = 0;
  out.floor_events_per_second = per_second(frames, duration, [&](const std::string&) {
    auto doc = floor_parser.iterate(padded[index++ % padded.size()]);
    simdjson::ondemand::object object;
    if (doc.get_object().get(object) == simdjson::SUCCESS)
      for (auto field : object) {
        std::string_view key;
        if (field.unescaped_key().get(key) == simdjson::SUCCESS)
          sink += key.size();
      }
  });
  asm volatile("" : : "g"(sink) : "memory"); // the loops' results count, so they run
  return out;
}

} // namespace wlg::bench
