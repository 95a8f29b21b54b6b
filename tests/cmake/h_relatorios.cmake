# Part H: the management reports end to end on the demo clinic (identities
# against plain SQL, CSV/XLSX read back, the contract what-if, productivity).
add_test(NAME e2e.h_relatorios
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/h_relatorios.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.h_relatorios PROPERTIES LABELS e2e TIMEOUT 420
  ENVIRONMENT "${FAT_TEST_ENV}")

# the Relatórios screen in Debian's chromium (playwright-core, as browser.painel)
find_program(FAT_NODE_H node)
if(FAT_NODE_H AND FAT_BROWSER_TESTS)
  if(EXISTS ${CMAKE_SOURCE_DIR}/tests/browser/node_modules/playwright-core)
    add_test(NAME browser.relatorios
      COMMAND ${FAT_NODE_H} ${CMAKE_SOURCE_DIR}/tests/browser/relatorios.test.mjs $<TARGET_FILE:faturo>
      WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/browser)
    set_tests_properties(browser.relatorios PROPERTIES LABELS browser TIMEOUT 300
      ENVIRONMENT "${FAT_TEST_ENV}")
  else()
    add_test(NAME browser.relatorios COMMAND sh -c
      "echo 'playwright-core ausente em tests/browser/node_modules: rode bash tools/install-deps.sh' >&2; exit 1")
    set_tests_properties(browser.relatorios PROPERTIES LABELS browser)
  endif()
endif()
