#pragma once

// The sidecar's /metrics page (--listen), read the way Prometheus would, so
// that integration tests assert on counters rather than on log wording.

#include <chrono>
#include <map>
#include <string>

namespace wlg::test {

// workerlistgen_* samples: "name{labels}" -> value; empty while nobody answers.
std::map<std::string, double> scrape(int port);

// The sample "workerlistgen_" + name, or -1 when the page does not have it.
double metric(int port, const std::string& name);

// Waits until the metric reaches at least `value`.
bool metric_reaches(int port, const std::string& name, double value,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

// "--listen=127.0.0.1:PORT"
std::string listen_flag(int port);

} // namespace wlg::test
