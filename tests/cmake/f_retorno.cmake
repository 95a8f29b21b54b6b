# Part F: retorno -> glosas -> recurso end to end (CLI + xmllint against the XSD).
# About 25 s on a quiet build; the timeout leaves room for the ASan build on a
# loaded 2-core machine (measured: 2 min wall, 11-17 s of CPU).
add_test(NAME e2e.f_retorno
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/f_retorno.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.f_retorno PROPERTIES LABELS e2e TIMEOUT 360
  ENVIRONMENT "${FAT_TEST_ENV}")
