#include "test/support/metrics_page.hpp"

#include "test/support/files.hpp"
#include "test/support/http_client.hpp"

#include <sstream>

namespace wlg::test {

std::map<std::string, double> scrape(int port) {
  const auto answer = http_request("GET", "http://127.0.0.1:" + std::to_string(port) + "/metrics");
  if (answer.status != 200)
    return {};
  std::map<std::string, double> samples;
  std::istringstream lines{answer.body};
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#')
      continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos)
      continue;
    samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return samples;
}

double metric(int port, const std::string& name) {
  const auto samples = scrape(port);
  const auto it = samples.find("workerlistgen_" + name);
  return it == samples.end() ? -1 : it->second;
}

bool metric_reaches(int port, const std::string& name, double value, std::chrono::milliseconds timeout) {
  return wait_until([&] { return metric(port, name) >= value; }, timeout);
}

std::string listen_flag(int port) {
  return "--listen=127.0.0.1:" + std::to_string(port);
}

} // namespace wlg::test
