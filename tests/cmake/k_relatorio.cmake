# Part K: the web calls the engine; reports and listings (7_relatorio).

# The layering rule on the source tree, and proof that it catches a violation.
add_test(NAME lint.camadas
  COMMAND sh ${CMAKE_SOURCE_DIR}/tools/check_camadas.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(lint.camadas PROPERTIES LABELS "unit;lint" TIMEOUT 180)
add_test(NAME lint.camadas_violacao COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/k_camadas.sh)
set_tests_properties(lint.camadas_violacao PROPERTIES LABELS "unit;lint" TIMEOUT 180
  ENVIRONMENT "${FAT_TEST_ENV}")

# The panel's counters equal a recount after the demo cycle and every kind of
# write; the dashboard equals the former per-request definitions; keyset pages.
add_test(NAME e2e.relatorio
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/k_relatorio.sh $<TARGET_FILE:faturo>)
set_tests_properties(e2e.relatorio PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${FAT_TEST_ENV}")

# Benchmark (label bench, not run by default): the panel's routes under wrk on
# a demo database, and /api/painel while the rules reload every second.
find_program(FAT_WRK wrk)
if(FAT_WRK)
  add_test(NAME bench.web_wrk COMMAND sh -c
    "d=$(mktemp -d) && FATURO_DB=$d/b.db $<TARGET_FILE:faturo> demo --guias 3000 --ate-etapa conferir > /dev/null && sh ${CMAKE_SOURCE_DIR}/bench/web_wrk.sh $<TARGET_FILE:faturo> $d/b.db 5; r=$?; rm -rf $d; exit $r")
  set_tests_properties(bench.web_wrk PROPERTIES LABELS bench TIMEOUT 900 ENVIRONMENT "${FAT_TEST_ENV}")
endif()
