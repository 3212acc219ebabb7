#include "test/support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace wlg::test {

int unused_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0
      && ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0)
    port = ntohs(addr.sin_port);
  if (fd >= 0)
    ::close(fd);
  return port;
}

http_answer http_request(const std::string& method, const std::string& url, const std::string& body) {
  const std::string prefix = "http://";
  const auto host_start = url.find(prefix) == 0 ? prefix.size() : 0;
  const auto path_start = url.find('/', host_start);
  const std::string authority = url.substr(host_start, path_start - host_start);
  const std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
  const auto colon = authority.rfind(':');
  const std::string host = authority.substr(0, colon);
  const int port = std::stoi(authority.substr(colon + 1));

  http_answer answer;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return answer;
  timeval timeout{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return answer;
  }
  const std::string request = method + " " + path + " HTTP/1.1\r\nHost: " + authority
                              + "\r\nConnection: close\r\nContent-Length: "
                              + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::size_t sent = 0;
  while (sent < request.size()) {
    const auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      break;
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buffer[65536];
  for (;;) {
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0)
      break;
    raw.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const auto space = raw.find(' ');
  const auto header_end = raw.find("\r\n\r\n");
  if (space == std::string::npos || header_end == std::string::npos)
    return answer;
  answer.status = std::stoi(raw.substr(space + 1, 3));
  const auto first_line_end = raw.find("\r\n");
  answer.headers = raw.substr(first_line_end + 2, header_end - first_line_end);
  answer.body = raw.substr(header_end + 4);
  return answer;
}

} // namespace wlg::test
