# Part M, round 8 (m8-memoria): every verb under 150 MB at a million guias.

# the findings worklist printed and exported page by page: the same output as
# the whole document's (XLSX: the same cells), reconhecer --todos in pages,
# memory flat in the number of findings
add_test(NAME e2e.m_achado_listar
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/m_achado_listar.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set(M8_AL_ENV ${FAT_TEST_ENV})
if(FAT_SANITIZE)
  list(APPEND M8_AL_ENV FAT_E2E_SANITIZER=1)
endif()
set_tests_properties(e2e.m_achado_listar PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${M8_AL_ENV}")
