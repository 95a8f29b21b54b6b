# Part A: end-to-end test of cadastro / importar / exportar / guia mostrar.
add_test(NAME e2e.a_import
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/a_import.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.a_import PROPERTIES LABELS e2e TIMEOUT 120
  ENVIRONMENT "${FAT_TEST_ENV}")

# Part K/J: the CLI answers honestly (missing database, locked database,
# unknown options, file modes, unknown operator).
add_test(NAME e2e.a_cli
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/a_cli.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.a_cli PROPERTIES LABELS e2e TIMEOUT 120
  ENVIRONMENT "${FAT_TEST_ENV}")

# Part J: every verb and action refuses an unknown option in pt-BR (exit 2)
# and a mistyped --db without creating it.
add_test(NAME e2e.a_cli_todos_verbos
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/a_cli_todos_verbos.sh $<TARGET_FILE:faturo>)
set_tests_properties(e2e.a_cli_todos_verbos PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${FAT_TEST_ENV}")
