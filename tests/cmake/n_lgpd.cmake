# Part N: users, access log, masking, the titular's rights, backups.

# On the demo, through the CLI: a faturista's listing masked while the one
# full view is logged; titular export; anonymization refused within retention
# and accepted past it with totals unchanged; backup -> restaurar round trip
# equal by verificar and by row counts, damaged copies refused.
add_test(NAME e2e.n_lgpd
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/n_lgpd.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.n_lgpd PROPERTIES LABELS e2e TIMEOUT 400 ENVIRONMENT "${FAT_TEST_ENV}")

# Browser: the Usuários screen (one-time password changed first, deactivation
# ends the open page's session, the last admin stays admin) and the masked
# CPF column of a faturista's guia list.
find_program(FAT_NODE_N node)
if(FAT_NODE_N AND FAT_BROWSER_TESTS)
  if(EXISTS ${CMAKE_SOURCE_DIR}/tests/browser/node_modules/playwright-core)
    add_test(NAME browser.usuarios
      COMMAND ${FAT_NODE_N} ${CMAKE_SOURCE_DIR}/tests/browser/usuarios.test.mjs $<TARGET_FILE:faturo>
      WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/browser)
    set_tests_properties(browser.usuarios PROPERTIES LABELS browser TIMEOUT 300
      ENVIRONMENT "${FAT_TEST_ENV}")
  else()
    add_test(NAME browser.usuarios COMMAND sh -c
      "echo 'playwright-core ausente em tests/browser/node_modules: rode bash tools/install-deps.sh' >&2; exit 1")
    set_tests_properties(browser.usuarios PROPERTIES LABELS browser)
  endif()
endif()
