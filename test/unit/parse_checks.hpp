#pragma once

// Checking that a parser refuses each of several inputs with the kind of
// error expected, never with a guess.

#include "protocol/parse_error.hpp"

#include <doctest/doctest.h>

#include <initializer_list>

namespace wlg::test {

template <class Parser>
void check_refused_as(Parser& parser, std::initializer_list<const char*> inputs,
                      std::initializer_list<protocol::parse_error::kind> kinds) {
  for (const char* input : inputs) {
    CAPTURE(input);
    const auto parsed = parser.parse(input);
    REQUIRE_FALSE(parsed.has_value());
    bool expected = false;
    for (const auto kind : kinds)
      expected = expected || parsed.error().what == kind;
    CHECK(expected);
  }
}

} // namespace wlg::test
