# lib.sh: what the fault tests share (sourced, not run): the demo bases, the
# signature of what the verbs write, and the ten writing verbs.
# The caller sets FAT, SRC, TMP, GUIAS, OFX, COMP, HOJE and defines fail().

# what the verbs write, as counts (and a fingerprint of the guias' status):
# equal signatures = the same committed state for this test's purpose
sig() {
  sqlite3 "$1" "SELECT (SELECT count(*) || ':' || total(length(status) * id) FROM guia) || '/' ||
    (SELECT count(*) FROM achado) || '/' || (SELECT count(*) FROM conferencia) || '/' ||
    (SELECT count(*) FROM lote) || '/' || (SELECT count(*) FROM lote_evento) || '/' ||
    (SELECT count(*) FROM retorno) || '/' || (SELECT count(*) FROM glosa) || '/' ||
    (SELECT count(*) FROM regra_geracao) || '/' || (SELECT count(*) FROM fatura) || '/' ||
    (SELECT count(*) FROM recebimento_guia) || '/' || (SELECT count(*) FROM extrato_linha) || '/' ||
    (SELECT count(*) FROM particular_pagamento) || '/' || (SELECT count(*) FROM repasse_item) ||
    '/' || (SELECT count(*) FROM auditoria)" 2>&1
}

# the signature without the rules generations and the audit count: a verb
# that evaluates rules first records the generation it runs on (its own
# transaction, before the verb's; conferir on a database that has none), so
# "nothing of the verb written" may still have one generation more
sig_core() { echo "$1" | awk -F/ -v OFS=/ '{ $8 = ""; $14 = ""; print }'; }

# fault_bases: the bases, built once in $TMP
fault_bases() {
  for etapa in precos conferir lotes recurso; do
    "$FAT" --db "$TMP/base_$etapa.db" demo --guias "$GUIAS" --competencia $COMP \
      --ate-etapa $etapa >"$TMP/demo_$etapa.log" 2>&1 || fail "demo --ate-etapa $etapa: $(tail -3 "$TMP/demo_$etapa.log")"
  done
  "$FAT" --db "$TMP/base_precos.db" exportar guias --saida "$TMP/guias.json" >/dev/null 2>&1 ||
    fail "exportar guias"
  "$FAT" --db "$TMP/base_lotes.db" retorno simular-operadora 1 --data 2026-06-10 \
    --saida "$TMP/retorno.xml" >/dev/null 2>&1 || fail "retorno simular-operadora"
  mkdir "$TMP/regras" && cp -r "$SRC/rules/operators" "$SRC/scripts" "$TMP/regras/" ||
    fail "cópia das regras"
  echo "-- mudança da recarga do teste de falhas" >>"$TMP/regras/operators/aurora.lua"
  # the money base: after the recurso stage, a fatura of Aurora, the clinic's
  # bank account, a repasse rule, a particular and a first receipt
  cp "$TMP/base_recurso.db" "$TMP/base_fin.db"
  B="$TMP/base_fin.db"
  {
    "$FAT" --db "$B" fatura criar --operadora aurora --competencia $COMP &&
      "$FAT" --db "$B" conciliacao conta adicionar --banco 001 --conta 455000-5 &&
      "$FAT" --db "$B" repasse regra --profissional 1 --percentual 60 --origem convenio &&
      "$FAT" --db "$B" particular registrar --paciente "Maria da Silva" --data 2026-06-01 \
        --codigo 10101012 --valor 300,00 &&
      "$FAT" --db "$B" recebimento registrar --fatura 1 --valor 1.000,00 --data 2026-06-10
  } >"$TMP/fin.log" 2>&1 || fail "preparo do financeiro: $(tail -3 "$TMP/fin.log")"
}

# verb i: its base, its arguments and the exit codes that mean success
verb_name() {
  case $1 in
    0) echo "importar" ;; 1) echo "conferir" ;; 2) echo "lote fechar" ;;
    3) echo "retorno importar" ;; 4) echo "regras recarregar" ;;
    5) echo "fatura criar" ;; 6) echo "recebimento registrar" ;;
    7) echo "conciliacao importar" ;; 8) echo "particular pagar" ;;
    9) echo "repasse calcular" ;;
  esac
}
verb_base() {
  case $1 in
    0 | 2 | 4) echo "$TMP/base_conferir.db" ;; 1) echo "$TMP/base_precos.db" ;;
    3) echo "$TMP/base_lotes.db" ;; *) echo "$TMP/base_fin.db" ;;
  esac
}
run_verb() { # run_verb I DB: the verb in the foreground of this subshell
  db="$2"
  case $1 in
    0) exec "$FAT" --db "$db" importar guias "$TMP/guias.json" ;;
    1) exec "$FAT" --db "$db" conferir --hoje $HOJE ;;
    2) exec "$FAT" --db "$db" lote fechar --operadora aurora --hoje $HOJE ;;
    3) exec "$FAT" --db "$db" retorno importar "$TMP/retorno.xml" ;;
    4) exec "$FAT" --db "$db" --regras "$TMP/regras" regras recarregar ;;
    5) exec "$FAT" --db "$db" fatura criar --operadora vitalis --competencia $COMP ;;
    6) exec "$FAT" --db "$db" recebimento registrar --fatura 1 --valor 2.000,00 --data 2026-06-15 ;;
    7) exec "$FAT" --db "$db" conciliacao importar "$OFX" ;;
    8) exec "$FAT" --db "$db" particular pagar 1 --forma pix --data 2026-06-01 --valor 100,00 ;;
    9) exec "$FAT" --db "$db" repasse calcular --periodo 2026-06 ;;
  esac
}
verb_ok() { # verb_ok I RC: conferir exits 1 when it finds bloqueios
  [ "$2" -eq 0 ] || { [ "$1" -eq 1 ] && [ "$2" -eq 1 ]; }
}

