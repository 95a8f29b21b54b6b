# Part M, round 8: the import against its json_each floor in instructions
# (callgrind; independent of the machine's load). Label bench: never in the
# default run; skipped (77) without valgrind. docs/desempenho.md.
set(FAT_BENCH_IMPORTAR_INSTR_MB 10 CACHE STRING "size in MB of importar_instrucoes' file")
if(TARGET bench_importar)
  add_test(NAME bench.importar_instrucoes
    COMMAND sh ${CMAKE_SOURCE_DIR}/bench/importar_instrucoes.sh ${CMAKE_BINARY_DIR}
      ${FAT_BENCH_IMPORTAR_INSTR_MB} ${CMAKE_CURRENT_BINARY_DIR}/importar_instrucoes)
  set_tests_properties(bench.importar_instrucoes PROPERTIES LABELS bench TIMEOUT 3600
    SKIP_RETURN_CODE 77 ENVIRONMENT "${FAT_TEST_ENV}")
endif()
