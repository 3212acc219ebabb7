// The README's configuration table is what users read: it must name every
// setting, with its flag and its real default.

#include "config/configuration.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace wlg::config;
using namespace wlg::protocol;

TEST_CASE("the README's configuration table lists every setting with its flag and default") {
  std::ifstream in{std::string{WLG_SOURCE_DIR} + "/README.md"};
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  for (const auto& doc : setting_docs()) {
    const std::string flag = doc.flag.substr(0, doc.flag.find('='));
    CAPTURE(doc.env);
    const auto row_start = readme.find("| `" + doc.env + "` |");
    REQUIRE(row_start != std::string::npos);
    const std::string row = readme.substr(row_start, readme.find('\n', row_start) - row_start);
    CHECK(row.find("`" + flag + "`") != std::string::npos);
    if (!doc.fallback.empty())
      CHECK(row.find("`" + doc.fallback + "`") != std::string::npos);
  }
}
