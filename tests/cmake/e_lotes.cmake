# Part E: lotes end to end (CLI + xmllint against the official XSD).
# About 25 s on a quiet build; the timeout leaves room for the ASan build on a
# loaded 2-core machine (measured: 2 min wall, 11-17 s of CPU; over 5 min under
# ASan with the load average near 20).
add_test(NAME e2e.e_lotes
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/e_lotes.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.e_lotes PROPERTIES LABELS e2e TIMEOUT 600
  ENVIRONMENT "${FAT_TEST_ENV}")

# Part E: benchmark of writing + hashing + validating a lote vs xmllint.
if(TARGET bench_tiss)
  add_test(NAME bench.tiss COMMAND bench_tiss)
  set_tests_properties(bench.tiss PROPERTIES LABELS bench TIMEOUT 300
    ENVIRONMENT "${FAT_TEST_ENV}")
endif()

# Part M: `faturo lote fechar --todas --saida DIR` end to end against
# `xmllint --schema` over the files it wrote (demo database, 10,000 guias);
# last line `RESULT lote_fechar ...` for harnesses. Label bench.
if(TARGET bench_lote)
  add_test(NAME bench.lote_fechar COMMAND bench_lote $<TARGET_FILE:faturo> 10000 2)
  set_tests_properties(bench.lote_fechar PROPERTIES LABELS bench TIMEOUT 1800
    ENVIRONMENT "${FAT_TEST_ENV}")
endif()
