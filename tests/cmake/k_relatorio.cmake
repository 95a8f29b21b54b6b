# Part K: the web calls the engine; reports and listings (7_relatorio).

# The layering rule on the source tree, and proof that it catches a violation.
add_test(NAME lint.camadas
  COMMAND sh ${CMAKE_SOURCE_DIR}/tools/check_camadas.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(lint.camadas PROPERTIES LABELS "unit;lint" TIMEOUT 60)
add_test(NAME lint.camadas_violacao COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/k_camadas.sh)
set_tests_properties(lint.camadas_violacao PROPERTIES LABELS "unit;lint" TIMEOUT 60
  ENVIRONMENT "${FAT_TEST_ENV}")
