#pragma once

// Requests and responses as the emulator's routes see them, free of Beast.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace wlg::emulator {

struct request {
  std::string method;
  std::string target;
  std::string path;
  std::map<std::string, std::string> query; // percent-decoded
  std::string authorization;
  std::string body;
};

// Splits "/p/a?x=1&y=%2F" into path and decoded query.
void split_target(const std::string& target, std::string& path,
                  std::map<std::string, std::string>& query);
std::string percent_decode(const std::string& text);

struct response {
  enum class delivery {
    normal,
    truncated, // promise the whole body, send half, close
    hang,      // never answer; keep the connection open
  };
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  delivery how = delivery::normal;
  std::chrono::milliseconds delay{0};
};

response json_response(unsigned status, std::string body);

// A connected event-stream client, as the routes can act on it.
class event_channel {
public:
  enum class drop_mode {
    close,     // close the TCP connection
    midframe,  // send half a frame, then close
    silent,    // stop answering pings and sending events; keep the socket open
  };
  struct frame {
    std::shared_ptr<const std::string> text;
    bool binary = false;
    // Called when the frame starts going out on this channel.
    std::function<void()> on_write_start;
  };
  virtual ~event_channel() = default;
  virtual void send(frame f) = 0;
  virtual void drop(drop_mode mode) = 0;
};

} // namespace wlg::emulator
