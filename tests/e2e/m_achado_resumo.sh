#!/bin/sh
# e2e (Part M, web): the findings worklist's counters (achado_resumo,
# migration 089, kept by triggers) equal a recount of the findings after each
# write path that moves findings or their guias: the demo cycle (import,
# conferir, lotes, retorno, recursos), acknowledging findings (one and --todos
# with a filter), editing a guia (re-checked), cancelling a guia, a conferir
# without the operators' scripts (their findings deleted) and again with them
# after `regras recarregar` (inserted again), the LGPD anonymization, and
# `relatorio recontar`. The recount is `faturo verificar`'s invariant
# achado_resumo_recontado, plus the open total compared here with SQL.
# usage: m_achado_resumo.sh FATURO_BIN SOURCE_DIR
set -u
FAT="$1"
SRC="$2"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_e2e_ar.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FATURO_DB="$TMP/clinica.db"
export FATURO_REGRAS="${FATURO_REGRAS:-$SRC/rules}"
fail() { echo "FALHOU: $*" >&2; exit 1; }
q() { sqlite3 "$FATURO_DB" "$1"; }

confere() {
  "$FAT" verificar >"$TMP/v.txt" 2>&1
  grep -q '^  ok     achado_resumo_recontado' "$TMP/v.txt" ||
    fail "depois de $1: $(grep -A3 achado_resumo "$TMP/v.txt" | head -5)"
  # the totals as counted by the triggers and as the findings give them
  t_cont=$(q "SELECT sum(achados) || ' ' || sum(guias) || ' ' || sum(valor_risco)
              FROM achado_resumo WHERE codigo = '' AND severidade = '' AND reconhecido = 0")
  t_real=$(q "SELECT count(*) || ' ' || count(DISTINCT a.guia_id) || ' ' || sum(a.valor_risco)
              FROM achado a JOIN guia g ON g.id = a.guia_id
              WHERE g.status <> 'cancelada' AND a.reconhecido_em IS NULL")
  [ "$t_cont" = "$t_real" ] || fail "depois de $1: contadores '$t_cont', achados '$t_real'"
  echo "ok: $1 ($t_cont)"
}

"$FAT" demo --guias 300 --competencia 2019-03 >"$TMP/demo.txt" 2>&1 || fail "demo: $(tail -5 "$TMP/demo.txt")"
confere "a demo"

# one finding acknowledged, then every open alerta of one code
id=$(q "SELECT min(id) FROM achado WHERE reconhecido_em IS NULL")
"$FAT" achado reconhecer "$id" --motivo "conferido com o médico" >/dev/null || fail "reconhecer $id"
confere "reconhecer um achado"
cod=$(q "SELECT codigo FROM achado WHERE reconhecido_em IS NULL AND severidade = 'alerta'
         GROUP BY codigo ORDER BY count(*) DESC LIMIT 1")
"$FAT" achado reconhecer --todos --codigo "$cod" --motivo "aceito pela operadora" >/dev/null ||
  fail "reconhecer --todos $cod"
confere "reconhecer todos os $cod"

# a guia not in a lote, with findings, edited (re-checked) and another cancelled
g=$(q "SELECT min(g.id) FROM guia g JOIN achado a ON a.guia_id = g.id
       WHERE g.lote_id IS NULL AND g.status <> 'cancelada' AND a.reconhecido_em IS NULL")
"$FAT" guia editar "$g" --campo senha=E2E12345 >/dev/null 2>&1
confere "editar a guia $g"
g=$(q "SELECT max(g.id) FROM guia g JOIN achado a ON a.guia_id = g.id
       WHERE g.lote_id IS NULL AND g.status <> 'cancelada'")
"$FAT" guia cancelar "$g" --motivo "atendimento não realizado" >/dev/null || fail "cancelar $g"
[ "$(q "SELECT status FROM guia WHERE id = $g")" = cancelada ] || fail "guia $g não cancelada"
confere "cancelar a guia $g"

# the scripts' findings deleted by a conferir without them, then back
"$FAT" conferir --todas --sem-regras >/dev/null 2>&1
confere "conferir --sem-regras"
"$FAT" regras recarregar >/dev/null 2>&1 || fail "regras recarregar"
"$FAT" conferir --todas >/dev/null 2>&1
confere "recarregar e reconferir"

# LGPD: a patient with guias anonymized
# (a demo of 2019: past the retention period)
cpf=$(q "SELECT b.cpf FROM beneficiario b JOIN guia g ON g.beneficiario_id = b.id
         JOIN achado a ON a.guia_id = g.id WHERE length(b.cpf) = 11
         GROUP BY b.cpf ORDER BY count(*) DESC, b.cpf LIMIT 1")
"$FAT" titular anonimizar "$cpf" --confirmar >"$TMP/anon.txt" 2>&1 ||
  fail "anonimizar: $(cat "$TMP/anon.txt")"
confere "anonimizar um titular"

"$FAT" relatorio recontar >/dev/null || fail "relatorio recontar"
confere "relatorio recontar"

# the worklist's first page reads its totals from the counters
"$FAT" --json achado listar --resumo >"$TMP/a.json" 2>&1 || fail "achado listar"
grep -q '"total"' "$TMP/a.json" || fail "achado listar sem total: $(head -c 300 "$TMP/a.json")"
echo ok
