#pragma once

// Frames the event stream's I/O thread has read and the event_subscriber has
// not yet judged. The I/O thread puts each frame in and, when the stream ends
// a batch, wakes the actor if no wake-up is already on its way; the actor then
// takes every frame there. In a burst (a scale to 10,000 containers is 20,000
// frames) one hand-over between threads carries many frames rather than one
// each. The stream's credit window bounds how many wait here.

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace wlg::actors {

struct inbound_frame {
  bool binary = false;
  std::string text;      // a text frame
  std::size_t bytes = 0; // a binary frame's size (its content is not kept)
};

class frame_inbox {
public:
  // The I/O thread.
  void put(inbound_frame frame) {
    std::lock_guard lock{mutex_};
    frames_.push_back(std::move(frame));
  }

  // The I/O thread, at the end of a batch. True when frames wait and no
  // wake-up has been asked for since the owner last took: wake it now.
  bool needs_wake() {
    std::lock_guard lock{mutex_};
    if (frames_.empty() || wake_asked_)
      return false;
    wake_asked_ = true;
    return true;
  }

  // The owner: every frame put since the last take, oldest first, into
  // `into` (cleared first; the two vectors trade their storage, so neither
  // allocates again once both have grown). A frame put after this needs a
  // wake-up of its own.
  void take(std::vector<inbound_frame>& into) {
    into.clear();
    std::lock_guard lock{mutex_};
    frames_.swap(into);
    wake_asked_ = false;
  }

private:
  std::mutex mutex_;
  std::vector<inbound_frame> frames_;
  bool wake_asked_ = false;
};

} // namespace wlg::actors
