# Part M (web): no request fails while the rules are reloaded by the CLI and
# by the panel under 64 connections (tests/e2e/web_recarga.mjs).
find_program(FAT_NODE node)
if(NOT FAT_NODE)
  return()
endif()
add_test(NAME e2e.web_recarga
  COMMAND ${FAT_NODE} ${CMAKE_SOURCE_DIR}/tests/e2e/web_recarga.mjs $<TARGET_FILE:faturo>)
set_tests_properties(e2e.web_recarga PROPERTIES LABELS "e2e;integration" TIMEOUT 600
  ENVIRONMENT "${FAT_TEST_ENV}")
