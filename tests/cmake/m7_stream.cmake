# Part M, round 7 (m7-stream): lists and files written as they are read.

# `glosa listar` streamed: the same bytes as the list gathered whole
add_test(NAME e2e.m_glosa_listar
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/m_glosa_listar.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.m_glosa_listar PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${FAT_TEST_ENV}")
