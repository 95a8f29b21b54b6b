# Part G: the money side end to end through the CLI (real OFX/CNAB samples).
add_test(NAME e2e.g_financeiro
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/g_financeiro.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.g_financeiro PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${FAT_TEST_ENV}")

find_program(FAT_NODE_G node)
if(FAT_NODE_G)
  # the financeiro API with roles (starts `faturo servidor` on a loopback port)
  add_test(NAME e2e.g_web_financeiro
    COMMAND ${FAT_NODE_G} ${CMAKE_SOURCE_DIR}/tests/e2e/g_web_financeiro.mjs $<TARGET_FILE:faturo>)
  set_tests_properties(e2e.g_web_financeiro PROPERTIES LABELS "e2e;integration" TIMEOUT 300
    ENVIRONMENT "${FAT_TEST_ENV}")
endif()

# the Financeiro screen in Debian's chromium (playwright-core, as browser.painel)
if(FAT_NODE_G AND FAT_BROWSER_TESTS)
  if(EXISTS ${CMAKE_SOURCE_DIR}/tests/browser/node_modules/playwright-core)
    add_test(NAME browser.financeiro
      COMMAND ${FAT_NODE_G} ${CMAKE_SOURCE_DIR}/tests/browser/financeiro.test.mjs $<TARGET_FILE:faturo>
      WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/browser)
    set_tests_properties(browser.financeiro PROPERTIES LABELS browser TIMEOUT 300
      ENVIRONMENT "${FAT_TEST_ENV}")
  else()
    add_test(NAME browser.financeiro COMMAND sh -c
      "echo 'playwright-core ausente em tests/browser/node_modules: rode bash tools/install-deps.sh' >&2; exit 1")
    set_tests_properties(browser.financeiro PROPERTIES LABELS browser)
  endif()
endif()

# the demo's financial month (the whole `faturo demo` cycle)
add_test(NAME e2e.g_demo_financeiro
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/g_demo_financeiro.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.g_demo_financeiro PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${FAT_TEST_ENV}")
