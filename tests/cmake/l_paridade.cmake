# Part L, panel parity (the faturista's daily cycle in the panel): browser test.
if(FAT_BROWSER_TESTS)
  if(EXISTS ${CMAKE_SOURCE_DIR}/tests/browser/node_modules/playwright-core)
    add_test(NAME browser.paridade
      COMMAND ${FAT_NODE} ${CMAKE_SOURCE_DIR}/tests/browser/paridade.test.mjs $<TARGET_FILE:faturo>
      WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/browser)
    set_tests_properties(browser.paridade PROPERTIES LABELS browser TIMEOUT 600
      ENVIRONMENT "${FAT_TEST_ENV}")
  else()
    # fail loudly rather than skip: a missing browser test must not look green
    add_test(NAME browser.paridade COMMAND sh -c
      "echo 'playwright-core ausente em tests/browser/node_modules: rode bash tools/install-deps.sh' >&2; exit 1")
    set_tests_properties(browser.paridade PROPERTIES LABELS browser)
  endif()
endif()

# `faturo preco` through the engine look-up the panel uses: formats and refusals.
add_test(NAME e2e.l_paridade
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/l_paridade.sh $<TARGET_FILE:faturo>)
set_tests_properties(e2e.l_paridade PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${FAT_TEST_ENV}")
