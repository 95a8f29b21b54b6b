# Part M (web): a read-only database reaches the panel as the store's pt-BR
# message with 503, not as "erro interno" (Debian's chromium, playwright-core).
find_program(FAT_NODE_MW node)
if(FAT_NODE_MW AND FAT_BROWSER_TESTS)
  if(EXISTS ${CMAKE_SOURCE_DIR}/tests/browser/node_modules/playwright-core)
    add_test(NAME browser.falha_disco
      COMMAND ${FAT_NODE_MW} ${CMAKE_SOURCE_DIR}/tests/browser/falha_disco.test.mjs $<TARGET_FILE:faturo>
      WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/browser)
    set_tests_properties(browser.falha_disco PROPERTIES LABELS browser TIMEOUT 300
      SKIP_RETURN_CODE 77 ENVIRONMENT "${FAT_TEST_ENV}")
  else()
    add_test(NAME browser.falha_disco COMMAND sh -c
      "echo 'playwright-core ausente em tests/browser/node_modules: rode bash tools/install-deps.sh' >&2; exit 1")
    set_tests_properties(browser.falha_disco PROPERTIES LABELS browser)
  endif()
endif()
