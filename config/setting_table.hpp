#pragma once

// Every setting, once: its --flag, its environment variable, its default, its
// help text and how its value is read. config/configuration.cpp reads the
// environment and the command line through this table; --help and the
// README's table are made from it.

#include "config/settings.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace wlg::config {

// Reads one value into the settings; a problem is described in words.
using apply_fn = std::optional<std::string> (*)(settings&, std::string_view);

// A flag with a value, a flag alone (true), or one given many times.
enum class shape { value, boolean, repeated };

struct setting_spec {
  std::string_view flag;
  std::string_view metavar;
  std::string_view env;
  std::string_view fallback;
  std::string_view help;
  shape form;
  apply_fn apply;
};

std::span<const setting_spec> setting_specs();

} // namespace wlg::config
