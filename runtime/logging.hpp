#pragma once

// spdlog set-up: one stdout (or stderr) sink shared by every component's logger, a text or
// JSON line format, and redaction of secrets from every line at every level.

#include "policy/warning_repeats.hpp"

#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <vector>

namespace wlg::runtime {

enum class log_format { text, json };

struct log_options {
  log_format format = log_format::text;
  bool debug = false;
  // Strings that must never be printed (DOCKERCLOUD_AUTH and its token).
  std::vector<std::string> secrets;
  // stderr instead of stdout (--dry-run keeps stdout for its report).
  bool to_stderr = false;
};

void configure_logging(const log_options& options);

// While one lives, the lines this thread logs are written but not flushed
// one by one; they reach the stream together when the last one ends (or when
// stdio's buffer fills). For a burst of events judged at once: one write for
// many lines instead of one each, in the same order.
class held_lines {
public:
  held_lines();
  ~held_lines();
  held_lines(const held_lines&) = delete;
  held_lines& operator=(const held_lines&) = delete;
};

// The logger for one component ("state_reconciler", "main", ...).
std::shared_ptr<spdlog::logger> component_logger(const std::string& name);

// Logs `line` at warning level the first time `cause` is seen, then at most
// once a minute with the count of the repeats in between ("... (and 30 more
// times since)"); the rest are dropped (their counters count them).
void warn_repeatable(spdlog::logger& log, policy::warning_repeats& repeats, const std::string& cause,
                     const std::string& line);

// The secrets to redact for an Authorization header value: the whole value,
// and the credential after its scheme ("TutumAccessKey <this>").
std::vector<std::string> secrets_of(const std::string& authorization);

// Replaces every occurrence of each secret in `text`.
void redact(std::string& text, const std::vector<std::string>& secrets);

} // namespace wlg::runtime
