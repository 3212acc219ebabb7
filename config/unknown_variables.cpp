#include "config/unknown_variables.hpp"

#include "config/setting_table.hpp"

#include <algorithm>
#include <numeric>

namespace wlg::config {

namespace {

constexpr std::string_view prefix = "WORKERLISTGEN_";

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string_view> known_variables() {
  std::vector<std::string_view> known;
  for (const auto& spec : setting_specs())
    if (spec.env.starts_with(prefix))
      known.push_back(spec.env);
  for (const auto& secret : secret_file_variables)
    if (secret.file_variable.starts_with(prefix))
      known.push_back(secret.file_variable);
  return known;
}

} // namespace

std::vector<unknown_variable> unknown_variables(const environment& env) {
  const auto known = known_variables();
  std::vector<unknown_variable> out;
  for (const auto& [name, value] : env) {
    if (!name.starts_with(prefix) || std::find(known.begin(), known.end(), name) != known.end())
      continue;
    unknown_variable unknown{name, {}};
    // Near enough to be a slip: a few letters off, relative to the name's own part.
    std::size_t best = (name.size() - prefix.size()) / 3 + 1;
    for (const auto candidate : known)
      if (const auto d = edit_distance(name, candidate); d <= best && (d < best || unknown.closest.empty())) {
        best = d;
        unknown.closest = candidate;
      }
    out.push_back(std::move(unknown));
  }
  return out;
}

std::string describe(const unknown_variable& unknown) {
  std::string text = unknown.name + " is not a setting and is ignored";
  if (!unknown.closest.empty())
    text += "; did you mean " + unknown.closest + "?";
  return text;
}

} // namespace wlg::config
