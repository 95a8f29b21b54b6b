# Part B (rules engine): end-to-end CLI tests and the benchmark.
add_test(NAME e2e.regras_testar
  COMMAND $<TARGET_FILE:faturo> regras testar)
set_tests_properties(e2e.regras_testar PROPERTIES LABELS e2e TIMEOUT 60
  ENVIRONMENT "${FAT_TEST_ENV}")

add_test(NAME e2e.regras_ciclo
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/b_regras.sh $<TARGET_FILE:faturo>
          ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.regras_ciclo PROPERTIES LABELS e2e TIMEOUT 120
  ENVIRONMENT "${FAT_TEST_ENV}")

if(TARGET bench_rules)
  add_test(NAME bench.regras COMMAND bench_rules ${CMAKE_SOURCE_DIR}/rules)
  set_tests_properties(bench.regras PROPERTIES LABELS bench TIMEOUT 600
    ENVIRONMENT "${FAT_TEST_ENV}")
  # the 9 rules of ../shared/bench/peers, counts checked against its reference
  # and ratios to json-rules-engine / Zen when their node_modules are there
  add_test(NAME bench.regras_pares
    COMMAND bash ${CMAKE_SOURCE_DIR}/bench/bench_pares.sh $<TARGET_FILE:bench_rules>
            ${CMAKE_SOURCE_DIR} 20000)
  set_tests_properties(bench.regras_pares PROPERTIES LABELS bench TIMEOUT 900
    ENVIRONMENT "${FAT_TEST_ENV}")
endif()

# Part J: the server's signals while a reload runs; cmake --install layout.
add_test(NAME e2e.regras_servidor
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/b_regras_servidor.sh $<TARGET_FILE:faturo>
          ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.regras_servidor PROPERTIES LABELS e2e TIMEOUT 120
  ENVIRONMENT "${FAT_TEST_ENV}")

add_test(NAME e2e.instalar
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/b_instalar.sh $<TARGET_FILE:faturo>
          ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR})
set_tests_properties(e2e.instalar PROPERTIES LABELS e2e TIMEOUT 120
  ENVIRONMENT "${FAT_TEST_ENV}")
