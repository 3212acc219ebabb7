#pragma once

// Lets the event streams give way to a sync under way. The reconciler closes
// the gate while the first sync after a pause (its fetch, then the apply of
// its set) is under way; a stream that finds it closed leaves its next read
// until it opens again, or until the stream's own limit has passed. Events
// read during that sync could only ask for one more fetch after it, which they
// still do once they are read; meanwhile the fetch, the parse and the write
// have the CPU to themselves (measured in docs/performance.md: a 10,000-name
// sync in the middle of a 20,000-frame burst). The limit keeps pings answered
// and a stuck sync from stopping the events.

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace wlg::net {

class read_gate {
public:
  // Thread-safe, as are the others. Closing a closed gate, or opening an
  // open one, changes nothing.
  void close();
  // Calls, on this thread, every `on_open` kept while it was closed, with
  // the number of the closing that ends.
  void open();

  using opened = std::function<void(std::uint64_t closing)>;

  // Open: returns 0. Closed: keeps `on_open` for open() and returns the
  // closing's number (1, 2, ...), unless that number is `waited_out` (a
  // closing the caller has already waited for as long as it waits): then
  // returns 0 and keeps nothing.
  std::uint64_t wait(std::uint64_t waited_out, opened on_open);

  bool closed() const;

private:
  mutable std::mutex mutex_;
  bool closed_ = false;
  std::uint64_t closings_ = 0;
  std::vector<opened> waiting_;
};

} // namespace wlg::net
