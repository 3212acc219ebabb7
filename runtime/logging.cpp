#include "runtime/logging.hpp"

#include "protocol/json_text.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <ctime>
#include <mutex>

namespace wlg::runtime {

namespace {

constexpr const char* redacted = "[REDACTED]";

// {"time":"...","level":"info","component":"...","message":"..."}
class json_line_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    const auto since_epoch = msg.time.time_since_epoch();
    const auto secs = duration_cast<seconds>(since_epoch);
    const auto millis = duration_cast<milliseconds>(since_epoch - secs).count();
    const std::time_t t = secs.count();
    std::tm utc{};
    gmtime_r(&t, &utc);
    char stamp[96];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  static_cast<int>(millis));
    const auto level = spdlog::level::to_string_view(msg.level);
    std::string line = "{\"time\":\"";
    line += stamp;
    line += "\",\"level\":\"";
    line.append(level.data(), level.size());
    line += "\",\"component\":";
    line += protocol::json_quote({msg.logger_name.data(), msg.logger_name.size()});
    line += ",\"message\":";
    line += protocol::json_quote({msg.payload.data(), msg.payload.size()});
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_line_formatter>();
  }
};

// Nesting depth of held_lines on this thread.
thread_local int lines_held = 0;

// Writes each line to its stream and flushes it (unless this thread holds
// its lines), after taking every secret out of the message.
class redacting_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  redacting_sink(std::vector<std::string> secrets, std::FILE* stream)
    : secrets_(std::move(secrets)), stream_(stream) {}

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string payload(msg.payload.data(), msg.payload.size());
    redact(payload, secrets_);
    spdlog::details::log_msg clean = msg;
    clean.payload = payload;
    spdlog::memory_buf_t line;
    formatter_->format(clean, line);
    std::fwrite(line.data(), 1, line.size(), stream_);
    if (lines_held == 0)
      std::fflush(stream_);
  }
  void flush_() override { std::fflush(stream_); }

private:
  std::vector<std::string> secrets_;
  std::FILE* stream_;
};

std::mutex registry_mutex;
std::shared_ptr<spdlog::sinks::sink> shared_sink;
spdlog::level::level_enum shared_level = spdlog::level::info;

} // namespace

std::vector<std::string> secrets_of(const std::string& authorization) {
  std::vector<std::string> out;
  if (authorization.empty())
    return out;
  out.push_back(authorization);
  const auto space = authorization.find(' ');
  if (space != std::string::npos && authorization.size() - space - 1 >= 4)
    out.push_back(authorization.substr(space + 1));
  return out;
}

void redact(std::string& text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty())
      continue;
    for (auto at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + std::char_traits<char>::length(redacted)))
      text.replace(at, secret.size(), redacted);
  }
}

void configure_logging(const log_options& options) {
  std::lock_guard lock{registry_mutex};
  auto sink = std::make_shared<redacting_sink>(options.secrets, options.to_stderr ? stderr : stdout);
  if (options.format == log_format::json)
    sink->set_formatter(std::make_unique<json_line_formatter>());
  else
    sink->set_formatter(
      std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%e%z %-5l [%n] %v"));
  shared_sink = sink;
  shared_level = options.debug ? spdlog::level::debug : spdlog::level::info;
  spdlog::drop_all();
}

held_lines::held_lines() {
  ++lines_held;
}

held_lines::~held_lines() {
  if (--lines_held > 0)
    return;
  std::shared_ptr<spdlog::sinks::sink> sink;
  {
    std::lock_guard lock{registry_mutex};
    sink = shared_sink;
  }
  if (sink)
    sink->flush();
}

std::shared_ptr<spdlog::logger> component_logger(const std::string& name) {
  std::lock_guard lock{registry_mutex};
  if (auto existing = spdlog::get(name))
    return existing;
  if (!shared_sink)
    shared_sink = std::make_shared<redacting_sink>(std::vector<std::string>{}, stdout);
  auto logger = std::make_shared<spdlog::logger>(name, shared_sink);
  logger->set_level(shared_level);
  spdlog::register_logger(logger);
  return logger;
}

void warn_repeatable(spdlog::logger& log, policy::warning_repeats& repeats, const std::string& cause,
                     const std::string& line) {
  const auto verdict = repeats.on_warning(cause, std::chrono::steady_clock::now());
  if (!verdict.log)
    return;
  if (verdict.repeats == 0)
    log.warn("{}", line);
  else
    log.warn("{} (and {} more times since it was last logged)", line, verdict.repeats);
}

} // namespace wlg::runtime
