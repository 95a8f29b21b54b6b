# Part N: users, access log, masking, the titular's rights, backups.

# On the demo, through the CLI: a faturista's listing masked while the one
# full view is logged; titular export; anonymization refused within retention
# and accepted past it with totals unchanged; backup -> restaurar round trip
# equal by verificar and by row counts, damaged copies refused.
add_test(NAME e2e.n_lgpd
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/n_lgpd.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.n_lgpd PROPERTIES LABELS e2e TIMEOUT 400 ENVIRONMENT "${FAT_TEST_ENV}")
