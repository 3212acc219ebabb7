#pragma once

// The benchmark's results: a table on stdout and the same rows as JSON.

#include <string>
#include <vector>

namespace wlg::bench {

enum class verdict { pass, fail, info };

struct figure {
  std::string name;
  std::string target; // empty for context figures
  std::string measured;
  verdict result = verdict::info;
  double value = 0;   // the number behind `measured`, for comparing runs
  std::string unit;
};

class report {
public:
  void add(figure f) { rows_.push_back(std::move(f)); }
  void check(std::string name, std::string target, double value, std::string unit, bool met,
             std::string measured = {});
  void note(std::string name, double value, std::string unit, std::string measured = {});
  void print() const;
  void write_json(const std::string& path) const;
  bool all_met() const;

private:
  std::vector<figure> rows_;
};

std::string format_number(double value, int decimals = 1);

} // namespace wlg::bench
