// The actor tests' runner: CAF's unit test framework, whose deterministic
// scheduler fixture and expect() DSL the suites use. `actor_tests -s SUITE`
// runs one suite; CTest registers each.
#include <caf/test/unit_test_impl.hpp>
