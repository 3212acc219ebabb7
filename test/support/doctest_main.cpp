// The doctest binaries' main. CTest runs one test case per process, by its
// name; a name doctest cannot match (CMake splits a name at ';') would pass
// by running nothing. Here a run in which no test case passed the filters
// fails instead.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

namespace {

bool nothing_ran = false;

struct empty_run_listener : doctest::IReporter {
  explicit empty_run_listener(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats& stats) override {
    nothing_ran = stats.numTestCasesPassingFilters == 0;
  }
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

} // namespace

REGISTER_LISTENER("empty_run", 1, empty_run_listener);

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int failures = context.run();
  if (context.shouldExit() || failures != 0)
    return failures;
  if (nothing_ran) {
    std::fputs("no test case matched the filters: nothing was tested\n", stderr);
    return 1;
  }
  return 0;
}
