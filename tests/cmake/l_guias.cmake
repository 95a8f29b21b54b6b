# Part L (guias corrected, cancelled; the finding worklist): e2e through the CLI.
add_test(NAME e2e.l_guias
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/l_guias.sh $<TARGET_FILE:faturo>)
set_tests_properties(e2e.l_guias PROPERTIES LABELS e2e TIMEOUT 300
  ENVIRONMENT "${FAT_TEST_ENV}")

# Part L in the panel: the four guia types typed by hand, a bloqueio fixed, a
# duplicate cancelled, a laudo attached, a guia printed (Debian's chromium via
# playwright-core, as browser.painel)
find_program(FAT_NODE_L node)
# the digitação API (avaliar, rascunhos, gravar, buscas and their access log)
if(FAT_NODE_L)
  add_test(NAME e2e.l_digitacao_api
    COMMAND ${FAT_NODE_L} ${CMAKE_SOURCE_DIR}/tests/e2e/l_digitacao_api.mjs $<TARGET_FILE:faturo>)
  set_tests_properties(e2e.l_digitacao_api PROPERTIES LABELS e2e TIMEOUT 180
    ENVIRONMENT "${FAT_TEST_ENV}")
endif()
if(FAT_NODE_L AND FAT_BROWSER_TESTS)
  if(EXISTS ${CMAKE_SOURCE_DIR}/tests/browser/node_modules/playwright-core)
    add_test(NAME browser.guias
      COMMAND ${FAT_NODE_L} ${CMAKE_SOURCE_DIR}/tests/browser/guias.test.mjs $<TARGET_FILE:faturo>
      WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/browser)
    set_tests_properties(browser.guias PROPERTIES LABELS browser TIMEOUT 300
      ENVIRONMENT "${FAT_TEST_ENV}")
  else()
    add_test(NAME browser.guias COMMAND sh -c
      "echo 'playwright-core ausente em tests/browser/node_modules: rode bash tools/install-deps.sh' >&2; exit 1")
    set_tests_properties(browser.guias PROPERTIES LABELS browser)
  endif()
endif()
