# Part J: faults. kill -9 importar, conferir, lote fechar, retorno importar and
# regras recarregar at random points (50 runs, seed printed; more with
# FAT_FAULT_RUNS=N, another seed with FAT_FAULT_SEED=S) and run `faturo
# verificar` after each; the verb run again must succeed.
add_test(NAME fault.kill_verbs
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/fault/kill_verbs.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(fault.kill_verbs PROPERTIES LABELS fault TIMEOUT 1200
  ENVIRONMENT "${FAT_TEST_ENV}")

# Part J: `faturo verificar` through the CLI: --help, --listar, exit 0 on the
# demo clinic, exit 1 naming the invariant after tampering, --json.
add_test(NAME e2e.j_verificar
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/j_verificar.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.j_verificar PROPERTIES LABELS e2e TIMEOUT 120
  ENVIRONMENT "${FAT_TEST_ENV}")
