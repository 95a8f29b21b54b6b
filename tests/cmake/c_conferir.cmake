# Part C (conferir): e2e against the demo's injected defects, and the benchmark.
# Timeouts leave headroom for the sanitizer build on a loaded 2-core machine.
add_test(NAME e2e.conferir_demo
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/conferir_demo.sh $<TARGET_FILE:faturo> 1000)
set_tests_properties(e2e.conferir_demo PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${FAT_TEST_ENV}")

if(TARGET bench_conferir)
  add_test(NAME bench.conferir COMMAND bench_conferir 100000 bench_conferir.db
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(bench.conferir PROPERTIES LABELS bench TIMEOUT 1800
    ENVIRONMENT "${FAT_TEST_ENV}")
endif()

add_test(NAME e2e.agenda COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/c_agenda.sh $<TARGET_FILE:faturo>)
set_tests_properties(e2e.agenda PROPERTIES LABELS e2e TIMEOUT 300 ENVIRONMENT "${FAT_TEST_ENV}")

add_test(NAME e2e.conferir_operadora
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/c_conferir.sh $<TARGET_FILE:faturo>)
set_tests_properties(e2e.conferir_operadora PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${FAT_TEST_ENV}")
