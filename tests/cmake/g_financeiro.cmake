# Part G: the money side end to end through the CLI (real OFX/CNAB samples).
add_test(NAME e2e.g_financeiro
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/g_financeiro.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.g_financeiro PROPERTIES LABELS e2e TIMEOUT 120
  ENVIRONMENT "${FAT_TEST_ENV}")
