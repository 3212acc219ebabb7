#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wlg::protocol {

// The first line of every file we write, byte for byte the original's.
inline constexpr std::string_view worker_list_header =
  "# this file was auto-generated using workerlistgen\n";

inline constexpr std::string_view worker_list_file_name = "pg_worker_list.conf";

// The set of worker host names, sorted and without duplicates, so the same set
// always renders to the same bytes. Names must already be valid
// (worker_name_problem): this type does not check them again.
class worker_set {
public:
  worker_set() = default;
  explicit worker_set(std::vector<std::string> names);

  const std::vector<std::string>& names() const noexcept { return names_; }
  std::size_t size() const noexcept { return names_.size(); }
  bool empty() const noexcept { return names_.empty(); }

  friend bool operator==(const worker_set&, const worker_set&) = default;

  template <class Inspector>
  friend auto inspect(Inspector& f, worker_set& x) {
    return f(x.names_);
  }

private:
  std::vector<std::string> names_;
};

// The header, then one "NAME PORT" line per worker.
std::string render_worker_list(const worker_set& workers, std::uint16_t port);

} // namespace wlg::protocol
