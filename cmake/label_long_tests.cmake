# Read by ctest after the integration tests are defined (CMakeLists.txt makes
# the file that sets `tests` to the executable): each test in the doctest
# suite "long" gets the label long.
if(EXISTS "${tests}")
  execute_process(COMMAND "${tests}" --test-suite=long --list-test-cases --no-version
                  OUTPUT_VARIABLE listed RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(WARNING "${tests} --list-test-cases failed: the long tests are not labelled")
    return()
  endif()
  string(REPLACE "\n" ";" lines "${listed}")
  foreach(line IN LISTS lines)
    if(line STREQUAL "" OR line MATCHES "^\\[doctest\\]" OR line MATCHES "^=+$")
      continue()
    endif()
    set_tests_properties("integration:${line}" PROPERTIES LABELS long)
  endforeach()
endif()
