# Part I: web server, JSON API and panel tests.

find_program(FAT_NODE node)
if(NOT FAT_NODE)
  message(WARNING "node não encontrado: testes da API web e do painel desativados")
  return()
endif()

# API integration: sessions, roles, CSRF, throttling, limits, static files,
# rule drafts/publish/revert, SIGHUP/SIGTERM (starts `faturo servidor` on an
# ephemeral loopback port with a temporary database and a copy of the rules).
add_test(NAME e2e.web_api
  COMMAND ${FAT_NODE} ${CMAKE_SOURCE_DIR}/tests/e2e/web_api.mjs $<TARGET_FILE:faturo>)
set_tests_properties(e2e.web_api PROPERTIES LABELS "e2e;integration" TIMEOUT 400
  ENVIRONMENT "${FAT_TEST_ENV}")

# Browser: the panel in Debian's chromium (headless) via playwright-core.
if(FAT_BROWSER_TESTS)
  if(EXISTS ${CMAKE_SOURCE_DIR}/tests/browser/node_modules/playwright-core)
    add_test(NAME browser.painel
      COMMAND ${FAT_NODE} ${CMAKE_SOURCE_DIR}/tests/browser/painel.test.mjs $<TARGET_FILE:faturo>
      WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/browser)
    set_tests_properties(browser.painel PROPERTIES LABELS browser TIMEOUT 600
      ENVIRONMENT "${FAT_TEST_ENV}")
  else()
    # fail loudly rather than skip: a missing browser test must not look green
    add_test(NAME browser.painel COMMAND sh -c
      "echo 'playwright-core ausente em tests/browser/node_modules: rode bash tools/install-deps.sh' >&2; exit 1")
    set_tests_properties(browser.painel PROPERTIES LABELS browser)
  endif()
endif()
