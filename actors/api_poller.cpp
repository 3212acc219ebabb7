#include "actors/api_poller.hpp"

#include "actors/errors.hpp"
#include "actors/exchanges.hpp"
#include "actors/guarded.hpp"
#include "net/rest_client.hpp"
#include "protocol/container_object.hpp"
#include "protocol/limits.hpp"
#include "protocol/worker_name.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

namespace wlg::actors {

namespace {

constexpr auto role = config::actor_role::api_poller;

class container_fetch {
public:
  container_fetch(poller_actor::pointer self, context_ptr ctx)
    : self_(self), ctx_(std::move(ctx)),
      log_(runtime::component_logger(std::string{config::name_of(role)})),
      client_(*ctx_->io, ctx_->tls, ctx_->config.rest_host,
              net::rest_options{ctx_->config.request_timeout,
                                protocol::limits::max_container_document_bytes, ctx_->user_agent,
                                ctx_->config.auth.reveal()}) {}

  void fetch(caf::typed_response_promise<protocol::worker_set> promise) {
    if (!waiting_.add(std::move(promise)))
      return; // the request in flight answers them all
    const auto exchange = ++exchange_;
    ++ctx_->metrics->fetches;
    log_->debug("GET {}", ctx_->config.container_api_uri);
    client_.get(ctx_->config.container_api_uri, forward_outcome(caf::actor_cast<http_outcome_handlers>(self_), exchange));
  }

  void on_reply(std::uint64_t exchange, const net::http_reply& reply) {
    if (exchange != exchange_)
      return;
    auto& metrics = *ctx_->metrics;
    auto lap = std::chrono::steady_clock::now();
    const auto took = [&lap] {
      const auto before = std::exchange(lap, std::chrono::steady_clock::now());
      return lap - before;
    };
    metrics.record(runtime::sync_phase::transfer, std::chrono::nanoseconds{reply.exchange_ns});
    log_->debug("GET {} answered HTTP {} ({} bytes)", ctx_->config.container_api_uri, reply.status,
                reply.body.size());
    const std::string where = "GET " + ctx_->config.container_api_uri;
    if (reply.status == 401)
      return answer(make_error(sync_error::unauthorized,
                               where + " answered HTTP 401: the API refused the credentials"));
    if (reply.status < 200 || reply.status > 299)
      return answer(make_error(sync_error::http_status,
                               where + " answered HTTP " + std::to_string(reply.status)));
    auto read = parser_.read(reply.body);
    metrics.record(runtime::sync_phase::parse, took());
    if (!read)
      return answer(make_error(sync_error::malformed_body,
                               where + ": " + protocol::describe(read.error())));
    auto links = protocol::check_links(std::move(*read));
    metrics.record(runtime::sync_phase::validate, took());
    ctx_->metrics->names_refused += links.refused.size();
    for (const auto& refused : links.refused) {
      const auto line = "ignoring link '" + refused.excerpt + "': " + refused.reason;
      runtime::warn_repeatable(*log_, refusals_, line, line);
    }
    if (protocol::every_name_refused(links))
      return answer(make_error(sync_error::names_refused,
                               where + ": all " + std::to_string(links.refused.size())
                                 + " linked name(s) were refused"));
    answer(std::move(links.workers));
  }

  void on_failure(std::uint64_t exchange, const net::transport_error& error) {
    if (exchange != exchange_)
      return;
    const auto code = error.what == net::transport_error::kind::timeout ? sync_error::timeout
                                                                         : sync_error::transport;
    answer(make_error(code, ctx_->config.rest_host.host_header() + ": " + net::describe(error)));
  }

  void close() { client_.close(); }

private:
  template <class T>
  void answer(T&& outcome) {
    waiting_.answer(std::forward<T>(outcome), *ctx_->metrics);
  }

  poller_actor::pointer self_;
  context_ptr ctx_;
  std::shared_ptr<spdlog::logger> log_;
  net::rest_client client_;
  protocol::container_parser parser_;
  policy::warning_repeats refusals_; // the same refused link on every fetch: logged once a minute
  fetch_waiters waiting_;
  std::uint64_t exchange_ = 0;
};

} // namespace

poller_actor::behavior_type api_poller(poller_actor::pointer self, context_ptr ctx) {
  end_on_exception(self, role);
  auto fetcher = std::make_shared<container_fetch>(self, ctx);
  self->attach_functor([fetcher] { fetcher->close(); });
  return guarded_behavior<poller_actor>(
    ctx->faults, role,
    fetch_handler(self, fetcher),
    [=](internal_atom, reply_atom, std::uint64_t exchange, const net::http_reply& reply) {
      fetcher->on_reply(exchange, reply);
    },
    [=](internal_atom, reply_atom, std::uint64_t exchange, const net::transport_error& error) {
      fetcher->on_failure(exchange, error);
    });
}

} // namespace wlg::actors
