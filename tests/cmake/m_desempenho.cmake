# Part M: the import benchmark (label bench, not in the default run): a JSON
# file of FAT_BENCH_IMPORTAR_MB (default 200, the size cap) against SQLite's
# json_each over the same file, with the peak RSS. docs/desempenho.md.
set(FAT_BENCH_IMPORTAR_MB 200 CACHE STRING "size in MB of bench_importar's file")
if(TARGET bench_importar)
  add_test(NAME bench.importar COMMAND bench_importar ${FAT_BENCH_IMPORTAR_MB}
    ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(bench.importar PROPERTIES LABELS bench TIMEOUT 3600
    ENVIRONMENT "${FAT_TEST_ENV}")
endif()

# `repasse extrato` streamed: the same bytes as the statement built whole (m5-demo)
add_test(NAME e2e.m_repasse_extrato
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/m_repasse_extrato.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.m_repasse_extrato PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${FAT_TEST_ENV}")

# The CSV import streams (two passes, memory flat in the file's size): a CSV
# file bigger than the 200 MB that the whole-file reader held, with its RSS.
set(FAT_BENCH_IMPORTAR_CSV_MB 210 CACHE STRING "size in MB of bench_importar's CSV file")
if(TARGET bench_importar)
  add_test(NAME bench.importar_csv COMMAND bench_importar ${FAT_BENCH_IMPORTAR_CSV_MB}
    ${CMAKE_CURRENT_BINARY_DIR} csv)
  set_tests_properties(bench.importar_csv PROPERTIES LABELS bench TIMEOUT 3600
    ENVIRONMENT "${FAT_TEST_ENV}")
endif()

# The findings worklist's counters (migration 089) equal a recount after every
# write path that moves findings or their guias (m6-web).
add_test(NAME e2e.m_achado_resumo
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/m_achado_resumo.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.m_achado_resumo PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${FAT_TEST_ENV}")

# conferir keeps the finding counters of its own writes (migration 106): they
# equal a recount after first checks and re-checks on 1 and 2 threads, --guia N,
# a run that fails midway, and other writers still move them through the
# triggers (m12-contadores).
add_test(NAME e2e.m_conferir_contadores
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/m_conferir_contadores.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.m_conferir_contadores PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${FAT_TEST_ENV}")

# The balance of each lote (migration 092) equals a recount after every write
# path that changes it, and the aging equals its per-guia definition (m7-reports).
add_test(NAME e2e.m_lote_saldo
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/m_lote_saldo.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.m_lote_saldo PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${FAT_TEST_ENV}")

# The guia triggers of migration 097 (fast path of lote fechar, slow path of
# guias with glosa, receipt or demonstrativo) keep lote_saldo and the panel
# equal to a recount (m10-lote).
add_test(NAME e2e.m_lote_gatilhos
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/m_lote_gatilhos.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.m_lote_gatilhos PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${FAT_TEST_ENV}")
