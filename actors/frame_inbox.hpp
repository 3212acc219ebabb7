#pragma once

// Frames the event stream's I/O thread has read and the event_subscriber has
// not yet judged. The I/O thread wakes the actor only when it puts a frame
// into an empty inbox, and the actor then takes every frame there: in a burst
// (a scale to 10,000 containers is 20,000 frames) one hand-over between
// threads carries many frames rather than one each. The stream's credit
// window bounds how many wait here.

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
  // The I/O thread. True when the inbox was empty: the owner must be woken.
  bool put(inbound_frame frame) {
    std::lock_guard lock{mutex_};
    frames_.push_back(std::move(frame));
    return frames_.size() == 1;
  }

  // The owner: every frame put since the last take, oldest first, into
  // `into` (cleared first; the two vectors trade their storage, so neither
  // allocates again once both have grown).
  void take(std::vector<inbound_frame>& into) {
    into.clear();
    std::lock_guard lock{mutex_};
    frames_.swap(into);
  }

private:
  std::mutex mutex_;
  std::vector<inbound_frame> frames_;
};

} // namespace wlg::actors
