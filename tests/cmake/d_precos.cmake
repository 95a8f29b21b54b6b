# Part D (preços, tabelas, demo): end-to-end test of `faturo demo`, `preco`, `tabelas`.
add_test(NAME e2e.d_precos_demo
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/d_precos.sh $<TARGET_FILE:faturo>)
set_tests_properties(e2e.d_precos_demo PROPERTIES LABELS e2e TIMEOUT 120
  ENVIRONMENT "${FAT_TEST_ENV}")
