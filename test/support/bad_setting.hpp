#pragma once

// A setting given a value it must refuse, and what the refusal must say:
// shared by the parser's unit tests and the start-up tests of the process.

namespace wlg::test {

struct bad_setting {
  const char* env;      // the environment variable
  const char* value;    // what it is set to
  const char* expected; // a part of the one-line message
};

} // namespace wlg::test
