# Configures, builds and runs the unit + e2e tests of a second build tree with
# -fsanitize=address,undefined. Any sanitizer report aborts the test binary
# (halt_on_error / -fno-sanitize-recover), which fails this test.
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SRC} -B ${BIN}
  -DFAT_SANITIZE=address,undefined -DFAT_SANITIZER_SUITE=OFF -DFAT_BROWSER_TESTS=OFF
  -DCMAKE_BUILD_TYPE=Debug RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "configure of the sanitizer build failed")
endif()
include(ProcessorCount)
ProcessorCount(n)
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BIN} -j ${n} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "sanitizer build failed")
endif()
execute_process(COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${BIN} --output-on-failure
  -L "unit|e2e" -LE "bench|browser" RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "tests failed under ASan+UBSan")
endif()
