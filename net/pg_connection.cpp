#include "net/pg_connection.hpp"

#include "pq/libpq.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <unistd.h>

namespace wlg::net {

namespace asio = boost::asio;

namespace {

std::string first_line(const char* message) {
  std::string text = message ? message : "";
  if (const auto end = text.find('\n'); end != std::string::npos)
    text.erase(end);
  return text.empty() ? "unknown error" : text;
}

// Every line, joined: with several hosts, libpq says why each failed.
std::string all_lines(const char* message) {
  std::string text;
  std::string_view rest = message ? message : "";
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    auto line = rest.substr(0, end);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
      line.remove_prefix(1);
    if (!line.empty())
      text += (text.empty() ? "" : "; ") + std::string{line};
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  }
  return text.empty() ? "unknown error" : text;
}

class pg_session final : public pg_connection, public std::enable_shared_from_this<pg_session> {
public:
  pg_session(asio::io_context& io, std::string conninfo, std::chrono::milliseconds timeout,
             pg_notice_handler on_notice)
    : io_(io), pq_(pq::libpq().api), conninfo_(std::move(conninfo)), timeout_(timeout), timer_(io),
      on_notice_(std::move(on_notice)) {}

  ~pg_session() override { finish(); }

  void connect(std::function<void(std::optional<pg_error>)> done) override {
    asio::post(io_, [self = shared_from_this(), done = std::move(done)]() mutable { self->start_connect(std::move(done)); });
  }

  void execute(std::string sql, std::vector<std::string> params, std::function<void(pg_outcome)> done) override {
    asio::post(io_, [self = shared_from_this(), job = statement{std::move(sql), std::move(params), std::move(done)}]() mutable {
      self->queue_.push_back(std::move(job));
      if (self->queue_.size() == 1)
        self->send_statement();
    });
  }

  void close() override {
    asio::post(io_, [self = shared_from_this()] {
      self->queue_.clear();
      self->connect_done_ = nullptr;
      self->finish();
    });
  }

private:
  struct statement {
    std::string sql;
    std::vector<std::string> params;
    std::function<void(pg_outcome)> done;
  };

  enum class wait_for { read, write };

  // --- connecting ------------------------------------------------------------

  void start_connect(std::function<void(std::optional<pg_error>)> done) {
    finish();
    connect_done_ = std::move(done);
    if (!pq_)
      return connect_failed(pq::libpq().error);
    conn_ = pq_->PQconnectStart(conninfo_.c_str());
    if (!conn_)
      return connect_failed("out of memory");
    if (pq_->PQstatus(conn_) == CONNECTION_BAD)
      return connect_failed(first_line(pq_->PQerrorMessage(conn_)));
    pq_->PQsetNoticeProcessor(conn_, &pg_session::notice, this);
    pq_->PQsetnonblocking(conn_, 1);
    arm_timeout("connecting");
    poll_connect(PGRES_POLLING_WRITING);
  }

  void poll_connect(PostgresPollingStatusType status) {
    switch (status) {
      case PGRES_POLLING_READING: return wait(wait_for::read, [this] { poll_connect(pq_->PQconnectPoll(conn_)); });
      case PGRES_POLLING_WRITING: return wait(wait_for::write, [this] { poll_connect(pq_->PQconnectPoll(conn_)); });
      case PGRES_POLLING_OK: return connected();
      default: return connect_failed(all_lines(pq_->PQerrorMessage(conn_)));
    }
  }

  void connected() {
    timer_.cancel();
    if (auto done = std::exchange(connect_done_, nullptr))
      done(std::nullopt);
    if (!queue_.empty())
      send_statement();
  }

  void connect_failed(const std::string& why) {
    finish();
    if (auto done = std::exchange(connect_done_, nullptr))
      done(pg_error{pg_error::kind::connect, why, {}});
    fail_queue({pg_error::kind::connect, why, {}});
  }

  // --- a statement -------------------------------------------------------------

  void send_statement() {
    if (queue_.empty() || connect_done_)
      return; // still connecting: sent once connected
    if (!conn_ || pq_->PQstatus(conn_) != CONNECTION_OK)
      return lost("not connected");
    const auto& job = queue_.front();
    std::vector<const char*> values;
    for (const auto& p : job.params)
      values.push_back(p.c_str());
    if (!pq_->PQsendQueryParams(conn_, job.sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                           nullptr, nullptr, 0))
      return lost(first_line(pq_->PQerrorMessage(conn_)));
    result_.reset();
    arm_timeout("waiting for the coordinator");
    flush();
  }

  void flush() {
    const int pending = pq_->PQflush(conn_);
    if (pending < 0)
      return lost(first_line(pq_->PQerrorMessage(conn_)));
    if (pending > 0)
      return wait(wait_for::write, [this] { flush(); });
    read_results();
  }

  void read_results() {
    if (!pq_->PQconsumeInput(conn_))
      return lost(first_line(pq_->PQerrorMessage(conn_)));
    while (!pq_->PQisBusy(conn_)) {
      PGresult* res = pq_->PQgetResult(conn_);
      if (!res)
        return statement_done();
      if (!result_)
        result_ = take(res);
      pq_->PQclear(res);
    }
    wait(wait_for::read, [this] { read_results(); });
  }

  pg_outcome take(PGresult* res) const {
    const auto status = pq_->PQresultStatus(res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      const char* sqlstate = pq_->PQresultErrorField(res, PG_DIAG_SQLSTATE);
      return {std::nullopt,
              {pg_error::kind::statement, first_line(pq_->PQresultErrorMessage(res)), sqlstate ? sqlstate : ""}};
    }
    pg_rows rows;
    for (int r = 0; r < pq_->PQntuples(res); ++r) {
      auto& row = rows.emplace_back();
      for (int c = 0; c < pq_->PQnfields(res); ++c)
        row.push_back(pq_->PQgetisnull(res, r, c) ? std::nullopt : std::optional<std::string>{pq_->PQgetvalue(res, r, c)});
    }
    return {std::move(rows), {}};
  }

  void statement_done() {
    timer_.cancel();
    auto job = std::move(queue_.front());
    queue_.pop_front();
    auto outcome = result_ ? std::move(*result_) : pg_outcome{pg_rows{}, {}};
    if (job.done)
      job.done(std::move(outcome));
    send_statement();
  }

  void lost(const std::string& why) {
    finish();
    fail_queue({pg_error::kind::lost, why, {}});
  }

  void fail_queue(const pg_error& error) {
    auto jobs = std::move(queue_);
    queue_.clear();
    for (auto& job : jobs)
      if (job.done)
        job.done({std::nullopt, error});
  }

  // libpq's notice processor: "WARNING:  text\n" becomes ("WARNING", "text").
  static void notice(void* arg, const char* message) {
    auto* self = static_cast<pg_session*>(arg);
    if (!self->on_notice_)
      return;
    std::string text = first_line(message);
    std::string severity;
    if (const auto colon = text.find(':'); colon != std::string::npos && colon < 16) {
      severity = text.substr(0, colon);
      text.erase(0, text.find_first_not_of(' ', colon + 1));
    }
    self->on_notice_(std::move(severity), std::move(text));
  }

  // --- waiting on libpq's socket -------------------------------------------------

  // libpq may change its socket while connecting (another address of the
  // host), so each wait watches a duplicate of the socket of the moment.
  template <class Next>
  void wait(wait_for what, Next next) {
    const int fd = pq_->PQsocket(conn_);
    if (fd < 0)
      return connect_done_ ? connect_failed("no socket") : lost("no socket");
    socket_.emplace(io_, ::dup(fd));
    socket_->async_wait(what == wait_for::read ? asio::posix::descriptor_base::wait_read
                                               : asio::posix::descriptor_base::wait_write,
                        [self = shared_from_this(), generation = generation_, next](boost::system::error_code ec) {
                          if (ec || generation != self->generation_ || !self->conn_)
                            return;
                          next();
                        });
  }

  void arm_timeout(const char* doing) {
    timer_.expires_after(timeout_);
    timer_.async_wait([self = shared_from_this(), generation = generation_, doing](boost::system::error_code ec) {
      if (ec || generation != self->generation_ || !self->conn_)
        return;
      const std::string why = std::string{"timed out "} + doing;
      self->connect_done_ ? self->connect_failed(why) : self->lost(why);
    });
  }

  // Drops the connection; pending waits and timers see a new generation.
  void finish() {
    ++generation_;
    timer_.cancel();
    if (socket_) {
      boost::system::error_code ignored;
      socket_->close(ignored);
      socket_.reset();
    }
    if (conn_) {
      pq_->PQfinish(conn_);
      conn_ = nullptr;
    }
  }

  asio::io_context& io_;
  const pq::functions* pq_; // null when libpq could not be loaded
  std::string conninfo_;
  std::chrono::milliseconds timeout_;
  asio::steady_timer timer_;
  std::optional<asio::posix::stream_descriptor> socket_;
  PGconn* conn_ = nullptr;
  std::uint64_t generation_ = 0;
  std::function<void(std::optional<pg_error>)> connect_done_;
  std::deque<statement> queue_;
  std::optional<pg_outcome> result_;
  pg_notice_handler on_notice_;
};

} // namespace

std::shared_ptr<pg_connection> make_pg_connection(asio::io_context& io, std::string conninfo,
                                                  std::chrono::milliseconds timeout, pg_notice_handler on_notice) {
  return std::make_shared<pg_session>(io, std::move(conninfo), timeout, std::move(on_notice));
}

} // namespace wlg::net
