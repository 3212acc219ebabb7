#include "app/engine_calls.hpp"

#include "protocol/engine_api.hpp"
#include "protocol/limits.hpp"
#include "protocol/version.hpp"

#include <boost/asio/io_context.hpp>

#include <optional>

namespace wlg::app {

blocking_engine::blocking_engine(const config::settings& config)
  : options_{config.docker_socket, config.request_timeout, protocol::limits::max_engine_document_bytes,
             std::string{config::command_name} + "/" + std::string{protocol::version}} {}

std::optional<engine_call_failure> blocking_engine::negotiate() {
  auto answer = call("GET", "/version");
  if (!answer)
    return answer.error();
  auto prefix = protocol::version_prefix_from(200, *answer);
  if (!prefix)
    return engine_call_failure{true, "the engine cannot be used: " + prefix.error()};
  prefix_ = *prefix;
  return std::nullopt;
}

result<std::string, engine_call_failure> blocking_engine::call(const std::string& method, const std::string& target,
                                                               std::string body, unsigned expected) {
  boost::asio::io_context io;
  std::optional<net::http_outcome> answer;
  net::send_engine_request(io, options_, {method, prefix_ + target, std::move(body)},
                           [&answer](net::http_outcome outcome) { answer = std::move(outcome); });
  io.run();
  if (!answer || !*answer)
    return fail(engine_call_failure{false, "cannot reach the engine at unix://" + options_.socket_path + ": "
                                             + (answer ? net::describe(answer->error()) : std::string{"no answer"})});
  if ((*answer)->status != expected)
    return fail(engine_call_failure{true, method + " " + target + " answered " + std::to_string((*answer)->status)
                                            + ": " + (*answer)->body.substr(0, 300)});
  return std::move((*answer)->body);
}

} // namespace wlg::app
