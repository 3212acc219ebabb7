#include "protocol/endpoint.hpp"

#include <doctest/doctest.h>

using namespace wlg::protocol;

TEST_CASE("the default REST and stream hosts parse to TLS on port 443") {
  auto rest = parse_web_endpoint("https://cloud.docker.com/", web_scheme::http);
  REQUIRE(rest.has_value());
  CHECK(rest->tls);
  CHECK(rest->host == "cloud.docker.com");
  CHECK(rest->port == "443");
  CHECK(rest->base_path.empty());
  CHECK(rest->host_header() == "cloud.docker.com");
  CHECK(rest->target("/api/app/v1/container/x/") == "/api/app/v1/container/x/");
  CHECK_FALSE(rest->host_is_ip);

  auto stream = parse_web_endpoint("wss://ws.cloud.docker.com/", web_scheme::websocket);
  REQUIRE(stream.has_value());
  CHECK(stream->tls);
  CHECK(stream->port == "443");
}

TEST_CASE("plain schemes, ports, IP literals and path prefixes are kept") {
  auto plain = parse_web_endpoint("http://127.0.0.1:8080/prefix/", web_scheme::http);
  REQUIRE(plain.has_value());
  CHECK_FALSE(plain->tls);
  CHECK(plain->host_is_ip);
  CHECK(plain->port == "8080");
  CHECK(plain->host_header() == "127.0.0.1:8080");
  CHECK(plain->target("/api/x/") == "/prefix/api/x/");

  auto v6 = parse_web_endpoint("wss://[::1]:8443", web_scheme::websocket);
  REQUIRE(v6.has_value());
  CHECK(v6->host == "::1");
  CHECK(v6->host_header() == "[::1]:8443");
  CHECK(v6->host_is_ip);

  auto ws = parse_web_endpoint("ws://localhost", web_scheme::websocket);
  REQUIRE(ws.has_value());
  CHECK(ws->port == "80");
}

TEST_CASE("addresses that cannot be used are refused with a reason") {
  for (const char* bad : {"", "cloud.docker.com", "https://", "https://a b/", "ftp://h/",
                          "https://h:0/", "https://h:70000/", "https://user:pw@h/",
                          "https://h/?x=1", "https://h/#f"}) {
    CAPTURE(bad);
    auto parsed = parse_web_endpoint(bad, web_scheme::http);
    REQUIRE_FALSE(parsed.has_value());
    CHECK_FALSE(parsed.error().empty());
  }
  CHECK_FALSE(parse_web_endpoint("https://h/", web_scheme::websocket).has_value());
  CHECK_FALSE(parse_web_endpoint("wss://h/", web_scheme::http).has_value());
}

TEST_CASE("DOCKER_HOST must be a unix socket with an absolute path") {
  auto ok = parse_docker_host("unix:///tmp/docker.sock");
  REQUIRE(ok.has_value());
  CHECK(*ok == "/tmp/docker.sock");
  CHECK_FALSE(parse_docker_host("tcp://127.0.0.1:2375").has_value());
  CHECK_FALSE(parse_docker_host("unix://relative.sock").has_value());
  CHECK_FALSE(parse_docker_host("/tmp/docker.sock").has_value());
  CHECK_FALSE(parse_docker_host("unix://").has_value());
}

TEST_CASE("resource URIs are absolute paths without query or fragment") {
  CHECK(parse_resource_uri("/api/app/v1/container/c1dd/").has_value());
  CHECK(parse_resource_uri("/api/app/v1/myorg/container/c1dd/").has_value());
  for (const char* bad : {"", "api/app/v1/container/x/", "https://cloud.docker.com/api/x/",
                          "/api/x/?a=b", "/api/x/#f", "/api x/", "/api/\n"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_resource_uri(bad).has_value());
  }
}
