#pragma once

// A blocking HTTP/1.1 client for loopback test peers (the emulator's control
// API, the sidecar's health endpoint). Plain sockets; no TLS.

#include <string>

namespace wlg::test {

struct http_answer {
  int status = 0; // 0: no answer (connection failed)
  std::string headers; // the raw header lines, status line excluded
  std::string body;
};

// A loopback TCP port nobody listens on right now.
int unused_tcp_port();

// `url`: http://HOST:PORT/path?query
http_answer http_request(const std::string& method, const std::string& url,
                         const std::string& body = {});

} // namespace wlg::test
