# Part F: retorno -> glosas -> recurso end to end (CLI + xmllint against the XSD).
# About 25 s on a quiet build; the timeout leaves room for the ASan build on a
# loaded 2-core machine (measured: 2 min wall, 11-17 s of CPU; over 5 min under
# ASan with the load average near 20).
add_test(NAME e2e.f_retorno
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/f_retorno.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.f_retorno PROPERTIES LABELS e2e TIMEOUT 600
  ENVIRONMENT "${FAT_TEST_ENV}")

# Part M: lote fechar and retorno importar against `xmllint --schema` on the
# same files, at 2,000 and 40,000 guias (import time per returned guia must
# not grow with the database). Label bench: not in the default run.
if(TARGET bench_retorno)
  add_test(NAME bench.retorno COMMAND bench_retorno $<TARGET_FILE:faturo> 2000 40000)
  set_tests_properties(bench.retorno PROPERTIES LABELS bench TIMEOUT 1800
    ENVIRONMENT "${FAT_TEST_ENV}")
endif()
