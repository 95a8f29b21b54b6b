# Part H: the management reports end to end on the demo clinic (identities
# against plain SQL, CSV/XLSX read back, the contract what-if, productivity).
add_test(NAME e2e.h_relatorios
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/h_relatorios.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.h_relatorios PROPERTIES LABELS e2e TIMEOUT 240
  ENVIRONMENT "${FAT_TEST_ENV}")
