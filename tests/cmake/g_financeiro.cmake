# Part G: the money side end to end through the CLI (real OFX/CNAB samples).
add_test(NAME e2e.g_financeiro
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/g_financeiro.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.g_financeiro PROPERTIES LABELS e2e TIMEOUT 120
  ENVIRONMENT "${FAT_TEST_ENV}")

find_program(FAT_NODE_G node)
if(FAT_NODE_G)
  # the financeiro API with roles (starts `faturo servidor` on a loopback port)
  add_test(NAME e2e.g_web_financeiro
    COMMAND ${FAT_NODE_G} ${CMAKE_SOURCE_DIR}/tests/e2e/g_web_financeiro.mjs $<TARGET_FILE:faturo>)
  set_tests_properties(e2e.g_web_financeiro PROPERTIES LABELS "e2e;integration" TIMEOUT 120
    ENVIRONMENT "${FAT_TEST_ENV}")
endif()
