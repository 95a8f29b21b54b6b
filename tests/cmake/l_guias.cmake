# Part L (guias corrected, cancelled; the finding worklist): e2e through the CLI.
add_test(NAME e2e.l_guias
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/l_guias.sh $<TARGET_FILE:faturo>)
set_tests_properties(e2e.l_guias PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${FAT_TEST_ENV}")
