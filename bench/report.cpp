#include "bench/report.hpp"

#include "protocol/json_text.hpp"

#include <cstdio>
#include <fstream>

namespace wlg::bench {

std::string format_number(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  // Thousands separators for the integer part.
  std::string s = text;
  auto dot = s.find('.');
  auto end = dot == std::string::npos ? s.size() : dot;
  for (int i = static_cast<int>(end) - 3; i > (s[0] == '-' ? 1 : 0); i -= 3)
    s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

void report::check(std::string name, std::string target, double value, std::string unit, bool met,
                   std::string measured) {
  if (measured.empty())
    measured = format_number(value) + (unit.empty() ? "" : " " + unit);
  rows_.push_back({std::move(name), std::move(target), std::move(measured),
                   met ? verdict::pass : verdict::fail, value, std::move(unit)});
}

void report::note(std::string name, double value, std::string unit, std::string measured) {
  if (measured.empty())
    measured = format_number(value) + (unit.empty() ? "" : " " + unit);
  rows_.push_back({std::move(name), {}, std::move(measured), verdict::info, value, std::move(unit)});
}

void report::print() const {
  std::printf("\n%-58s %-22s %-34s %s\n", "figure", "target", "measured", "result");
  std::printf("%s\n", std::string(124, '-').c_str());
  for (const auto& r : rows_)
    std::printf("%-58s %-22s %-34s %s\n", r.name.c_str(), r.target.c_str(), r.measured.c_str(),
                r.result == verdict::pass ? "pass" : r.result == verdict::fail ? "FAIL" : "");
  std::fflush(stdout);
}

void report::write_json(const std::string& path) const {
  std::ofstream out{path};
  out << "[\n";
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    const auto& r = rows_[i];
    out << "  {\"figure\": " << protocol::json_quote(r.name) << ", \"target\": "
        << protocol::json_quote(r.target) << ", \"measured\": " << protocol::json_quote(r.measured)
        << ", \"value\": " << r.value << ", \"unit\": " << protocol::json_quote(r.unit)
        << ", \"result\": \""
        << (r.result == verdict::pass ? "pass" : r.result == verdict::fail ? "fail" : "info") << "\"}"
        << (i + 1 < rows_.size() ? ",\n" : "\n");
  }
  out << "]\n";
}

bool report::all_met() const {
  for (const auto& r : rows_)
    if (r.result == verdict::fail)
      return false;
  return true;
}

} // namespace wlg::bench
