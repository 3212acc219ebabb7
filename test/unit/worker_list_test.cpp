#include "protocol/worker_list.hpp"
#include "protocol/worker_name.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace wlg::protocol;

TEST_CASE("the file is the original's header then one NAME PORT line per worker") {
  const worker_set workers{{"worker-1", "worker-2"}};
  CHECK(render_worker_list(workers, 5432)
        == "# this file was auto-generated using workerlistgen\n"
           "worker-1 5432\n"
           "worker-2 5432\n");
}

TEST_CASE("the configured port is written after every name") {
  CHECK(render_worker_list(worker_set{{"a", "b"}}, 6543)
        == "# this file was auto-generated using workerlistgen\na 6543\nb 6543\n");
}

TEST_CASE("no workers gives the header alone") {
  CHECK(render_worker_list(worker_set{}, 5432)
        == "# this file was auto-generated using workerlistgen\n");
}

TEST_CASE("the same set renders to the same bytes in any order, duplicates dropped") {
  const worker_set a{{"w-3", "w-1", "w-2"}};
  const worker_set b{{"w-2", "w-1", "w-3", "w-1", "w-2"}};
  CHECK(a == b);
  CHECK(a.size() == 3);
  CHECK(render_worker_list(a, 5432) == render_worker_list(b, 5432));
  CHECK(render_worker_list(a, 5432)
        == "# this file was auto-generated using workerlistgen\nw-1 5432\nw-2 5432\nw-3 5432\n");
}

TEST_CASE("worker names: letters, digits, '-', '_' and '.' only") {
  for (const char* good : {"worker-1", "WORKER_1", "w.example.com", "10.7.0.4", "a", "9lives"}) {
    CAPTURE(good);
    CHECK_FALSE(worker_name_problem(good).has_value());
  }
  for (const char* bad : {"", "two words", "tab\there", "new\nline", "cr\rhere", "#comment",
                          "a#b", "$(reboot)", "`id`", "a;b", "a|b", "a&b", "a/b", "a:5432",
                          "-flag", ".hidden", "_under", "caf\xc3\xa9", "nul\x01"}) {
    CAPTURE(bad);
    CHECK(worker_name_problem(bad).has_value());
  }
}

TEST_CASE("worker names may be 253 bytes long, not 254") {
  CHECK_FALSE(worker_name_problem(std::string(253, 'a')).has_value());
  CHECK(worker_name_problem(std::string(254, 'a')).has_value());
}

TEST_CASE("refused names are logged as short, printable excerpts") {
  CHECK(printable_excerpt("evil\nline") == "evil\\x0aline");
  CHECK(printable_excerpt("back\\slash") == "back\\x5cslash");
  const auto long_excerpt = printable_excerpt(std::string(10'000, 'x'), 20);
  CHECK(long_excerpt == std::string(20, 'x') + "...(10000 bytes)");
}
