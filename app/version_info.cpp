#include "app/version_info.hpp"

#include "config/settings.hpp"
#include "protocol/version.hpp"

#include <boost/version.hpp>
#include <caf/config.hpp>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <simdjson.h>
#include <spdlog/version.h>

#include <fmt/core.h>

namespace wlg::app {

std::string version_text() {
  return fmt::format(
    "{} {}\n"
    "built with CAF {}.{}.{}, Boost {}.{}.{}, simdjson {}.{}.{}, spdlog {}.{}.{}, fmt {}.{}.{}, {}\n"
    "running with {}\n",
    config::command_name, protocol::version, CAF_VERSION / 10000, CAF_VERSION / 100 % 100,
    CAF_VERSION % 100, BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100,
    int{simdjson::SIMDJSON_VERSION_MAJOR}, int{simdjson::SIMDJSON_VERSION_MINOR},
    int{simdjson::SIMDJSON_VERSION_REVISION}, SPDLOG_VER_MAJOR, SPDLOG_VER_MINOR, SPDLOG_VER_PATCH, FMT_VERSION / 10000,
    FMT_VERSION / 100 % 100, FMT_VERSION % 100, OPENSSL_VERSION_TEXT,
    OpenSSL_version(OPENSSL_VERSION));
}

} // namespace wlg::app
