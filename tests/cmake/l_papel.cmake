# Part L (digitação of the four types, contract attachments and sessions,
# printing, papers of a lote): e2e through the CLI.
add_test(NAME e2e.l_papel
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/l_papel.sh $<TARGET_FILE:faturo>)
set_tests_properties(e2e.l_papel PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${FAT_TEST_ENV}")
