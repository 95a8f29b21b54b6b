# Parts J and M: faults. kill -9 importar, conferir, lote fechar, retorno
# importar, regras recarregar and the money verbs (fatura criar, recebimento
# registrar, conciliacao importar, particular pagar, repasse calcular) at
# random points (100 runs, seed printed; another count with FAT_FAULT_RUNS=N,
# another seed with FAT_FAULT_SEED=S); after each: `faturo verificar`, the
# database exactly as before or as after the verb, and a killed verb that
# left nothing run again to the end.
add_test(NAME fault.kill_verbs
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/fault/kill_verbs.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(fault.kill_verbs PROPERTIES LABELS fault TIMEOUT 1200
  ENVIRONMENT "${FAT_TEST_ENV}")

# Part J: `faturo verificar` through the CLI: --help, --listar, exit 0 on the
# demo clinic, exit 1 naming the invariant after tampering, --json.
add_test(NAME e2e.j_verificar
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/e2e/j_verificar.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.j_verificar PROPERTIES LABELS e2e TIMEOUT 120
  ENVIRONMENT "${FAT_TEST_ENV}")

# Part M: a full disk. Every writing verb of tests/fault/lib.sh on a small
# tmpfs (mounted in a user namespace with `unshare -rm`; skipped without
# one): "disco cheio" in pt-BR, exit 1, integrity_check and verificar ok on
# the full disk, the database exactly as before; the verb fits with more room.
add_test(NAME fault.disco_cheio
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/fault/disco_cheio.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(fault.disco_cheio PROPERTIES LABELS fault TIMEOUT 600 SKIP_RETURN_CODE 77
  ENVIRONMENT "${FAT_TEST_ENV}")

# Part M: a read-only database (file 0444, folder 0555; as root through
# setpriv as nobody, skipped without it): every writing verb refuses in
# pt-BR and the file stays byte for byte; readers work on the 0444 file.
add_test(NAME fault.somente_leitura
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/fault/somente_leitura.sh $<TARGET_FILE:faturo> ${CMAKE_SOURCE_DIR})
set_tests_properties(fault.somente_leitura PROPERTIES LABELS fault TIMEOUT 600 SKIP_RETURN_CODE 77
  ENVIRONMENT "${FAT_TEST_ENV}")
