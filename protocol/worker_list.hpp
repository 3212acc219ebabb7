#pragma once

#include <cstdint>
#include <map>
#include <utility>
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
//
// A source may say more than the names (swarm mode does):
// - which former names a worker takes over from: a replaced task keeps its
//   slot but gets a new name, and the Citus output updates the node in place
//   rather than adding a new one;
// - that it is still settling (swarm tasks starting or stopping, engine
//   containers whose healthcheck has not passed), so the reconciler looks
//   again soon;
// - which workers are held back (engine mode: their healthcheck fails): not
//   added to the coordinator, but one already registered stays. The file
//   target lists them, as it always has;
// - the container behind each name (engine mode), so that the Citus output
//   sees a name taken by another container (one that may have come back
//   empty).
// Two sets are equal when their names and held-back names are: the other notes
// do not change the workers.
class worker_set {
public:
  using successions = std::map<std::string, std::vector<std::string>>; // name -> former names

  worker_set() = default;
  explicit worker_set(std::vector<std::string> names);
  worker_set(std::vector<std::string> names, successions formers, bool settling);
  worker_set(std::vector<std::string> names, std::vector<std::string> held_back);

  const std::vector<std::string>& names() const noexcept { return names_; }
  std::size_t size() const noexcept { return names_.size(); }
  bool empty() const noexcept { return names_.empty(); }
  const successions& formers() const noexcept { return formers_; }
  bool settling() const noexcept { return settling_; }
  void set_settling(bool settling) noexcept { settling_ = settling; }
  const std::vector<std::string>& held_back() const noexcept { return held_back_; }
  // name -> container id, for the names whose container is known.
  const std::map<std::string, std::string>& containers() const noexcept { return containers_; }
  void set_containers(std::map<std::string, std::string> containers) { containers_ = std::move(containers); }

  friend bool operator==(const worker_set& a, const worker_set& b) {
    return a.names_ == b.names_ && a.held_back_ == b.held_back_;
  }

  template <class Inspector>
  friend auto inspect(Inspector& f, worker_set& x) {
    return f(x.names_, x.formers_, x.settling_, x.held_back_, x.containers_);
  }

private:
  std::vector<std::string> names_;
  successions formers_;
  bool settling_ = false;
  std::vector<std::string> held_back_; // sorted, none of names_
  std::map<std::string, std::string> containers_;
};

// The header, then one "NAME PORT" line per worker, held-back ones included.
std::string render_worker_list(const worker_set& workers, std::uint16_t port);

} // namespace wlg::protocol
