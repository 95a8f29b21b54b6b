#!/bin/sh
# e2e (Part M, round 12): conferir keeps the finding counters of its own
# writes (migration 106: a gate row inside its transaction turns the triggers
# on achado and guia_aberto off; conferir writes the changes of achado_resumo,
# guia_aberto and painel_operadora before each commit). After each step
# `faturo verificar` must find the counters equal to a recount
# (achado_resumo_recontado, guia_aberto_recontado, painel_achados_recontado)
# and no gate row left behind (conferir_contando_vazia): a first check on 1
# and on 2 threads, re-checks where findings disappear, come back, change
# severity and keep their acknowledgement, `--guia N` of a guia in a lote and
# of a cancelled one, a run that fails midway (rolled back whole), and other
# writers (achado reconhecer, a guia deleted, plain SQL in the sqlite3 shell),
# whose writes must still move the counters through the triggers.
# usage: m_conferir_contadores.sh FATURO_BIN SOURCE_DIR
set -u
FAT="$1"
SRC="$2"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_e2e_cc.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FATURO_DB="$TMP/clinica.db"
export FATURO_REGRAS="${FATURO_REGRAS:-$SRC/rules}"
fail() { echo "FALHOU: $*" >&2; exit 1; }
q() { sqlite3 "$FATURO_DB" "$1"; }

confere() {
  "$FAT" verificar >"$TMP/v.txt" 2>&1
  for inv in achado_resumo_recontado guia_aberto_recontado painel_achados_recontado \
             conferir_contando_vazia; do
    grep -q "^  ok     $inv\$" "$TMP/v.txt" ||
      fail "depois de $1: $inv: $(grep -A3 "$inv" "$TMP/v.txt" | head -5)"
  done
  echo "ok: $1"
}
# the open totals, as kept (achado_resumo and the panel)
totais() {
  q "SELECT (SELECT sum(achados) || '/' || sum(guias) || '/' || sum(valor_risco)
               FROM achado_resumo WHERE codigo = '' AND severidade = '' AND reconhecido = 0)
       || ' ' || (SELECT sum(guias_com_bloqueio) || '/' || sum(valor_em_risco)
                  FROM painel_operadora)"
}
# back to "digitada", never checked (the deletes go through the triggers)
desfaz() {
  q "DELETE FROM achado; DELETE FROM conferencia;
     UPDATE guia SET status = 'digitada' WHERE status IN ('conferida', 'pendente')"
}

"$FAT" demo --guias 200 --competencia 2019-03 --ate-etapa conferir >"$TMP/demo.txt" 2>&1 ||
  fail "demo: $(tail -5 "$TMP/demo.txt")"
confere "a demo"

# first check, one thread and two
desfaz
confere "achados apagados"
"$FAT" conferir --todas --threads 1 --hoje 2019-04-10 >/dev/null 2>&1
[ "$(q "SELECT count(*) FROM achado")" -gt 0 ] || fail "a primeira conferência não achou nada"
confere "primeira conferência (1 thread)"
t1=$(totais)
desfaz
"$FAT" conferir --todas --threads 2 --hoje 2019-04-10 >/dev/null 2>&1
confere "primeira conferência (2 threads)"
[ "$(totais)" = "$t1" ] || fail "1 thread '$t1', 2 threads '$(totais)'"

# acknowledged findings keep their acknowledgement on a re-check; a finding
# whose severity was changed by hand goes back to the rule's severity
id=$(q "SELECT min(id) FROM achado WHERE severidade = 'bloqueio' AND reconhecido_em IS NULL")
"$FAT" achado reconhecer "$id" --motivo "conferido com a operadora" >/dev/null ||
  fail "reconhecer $id"
confere "reconhecer o achado $id"
id2=$(q "SELECT max(id) FROM achado WHERE reconhecido_em IS NULL")
sev=$(q "SELECT severidade FROM achado WHERE id = $id2")
q "UPDATE achado SET severidade = CASE severidade WHEN 'bloqueio' THEN 'alerta'
   ELSE 'bloqueio' END, valor_risco = valor_risco + 1234 WHERE id = $id2"
confere "severidade mudada no sqlite3"
"$FAT" conferir --todas --threads 2 --hoje 2019-04-11 >/dev/null 2>&1
confere "reconferência (2 threads)"
[ -n "$(q "SELECT reconhecido_em FROM achado WHERE id = $id")" ] ||
  fail "o achado $id perdeu o reconhecimento"
[ "$(q "SELECT severidade FROM achado WHERE id = $id2")" = "$sev" ] ||
  fail "o achado $id2 não voltou a $sev"

# findings that disappear (no scripts) and come back
"$FAT" conferir --todas --sem-regras --threads 1 --hoje 2019-04-12 >/dev/null 2>&1
confere "reconferência sem os scripts (achados somem)"
"$FAT" conferir --todas --threads 1 --hoje 2019-04-13 >/dev/null 2>&1
confere "reconferência com os scripts (achados voltam)"

# --guia N of a cancelled guia and of a guia in a lote
g=$(q "SELECT min(g.id) FROM guia g JOIN achado a ON a.guia_id = g.id
       WHERE g.lote_id IS NULL AND g.status <> 'cancelada'")
"$FAT" guia cancelar "$g" --motivo "atendimento não realizado" >/dev/null || fail "cancelar $g"
confere "cancelar a guia $g"
q "DELETE FROM achado WHERE guia_id = $g"
"$FAT" conferir --guia "$g" --hoje 2019-04-14 >/dev/null 2>&1
confere "conferir --guia $g (cancelada)"
"$FAT" lote fechar --todas >"$TMP/lote.txt" 2>&1 || "$FAT" lote fechar >"$TMP/lote.txt" 2>&1
g=$(q "SELECT min(id) FROM guia WHERE lote_id IS NOT NULL")
if [ -n "$g" ]; then
  q "DELETE FROM achado WHERE guia_id = $g"
  "$FAT" conferir --guia "$g" --hoje 2019-04-14 >/dev/null 2>&1
  confere "conferir --guia $g (num lote)"
fi

# a run that fails midway: a trigger refuses the findings of one guia late in
# the run; the run is rolled back whole (no gate row left, counters exact)
desfaz
before=$(totais)
late=$(q "SELECT id FROM guia WHERE status = 'digitada' ORDER BY id DESC LIMIT 1 OFFSET 3")
q "CREATE TRIGGER e2e_recusa BEFORE INSERT ON achado WHEN NEW.guia_id = $late
   BEGIN SELECT RAISE(ABORT, 'recusado pelo teste'); END"
for t in 1 2; do
  if "$FAT" conferir --todas --threads $t --hoje 2019-04-15 >"$TMP/falha.txt" 2>&1; then
    grep -q "recusado pelo teste" "$TMP/falha.txt" ||
      echo "aviso: a guia $late não teve achado (a falha não aconteceu)"
  fi
  confere "conferência que falha no meio ($t thread(s))"
done
q "DROP TRIGGER e2e_recusa"
"$FAT" conferir --todas --threads 2 --hoje 2019-04-15 >/dev/null 2>&1
confere "a mesma conferência sem a falha"
[ "$(totais)" != "$before" ] || fail "os contadores não mudaram com a conferência"

# other writers still move the counters through the triggers
t0=$(totais)
q "UPDATE achado SET reconhecido_em = '2019-04-20T10:00:00Z', reconhecido_por = 'e2e',
   reconhecido_motivo = 'sqlite3' WHERE id = (SELECT min(id) FROM achado
   WHERE reconhecido_em IS NULL AND severidade = 'bloqueio' AND valor_risco > 0)"
confere "reconhecer no sqlite3"
[ "$(totais)" != "$t0" ] || fail "reconhecer no sqlite3 não mexeu nos contadores ($t0)"
t0=$(totais)
g=$(q "SELECT min(g.id) FROM guia g JOIN achado a ON a.guia_id = g.id
       WHERE g.lote_id IS NULL AND a.reconhecido_em IS NULL AND a.severidade = 'bloqueio'")
q "INSERT INTO achado (guia_id, codigo, severidade, mensagem, valor_risco, regra, guia_revisao)
   SELECT id, 'E2E_MANUAL', 'bloqueio', 'achado posto à mão', 500, 'builtin:e2e', revisao
   FROM guia WHERE id = $g"
confere "achado inserido no sqlite3"
[ "$(totais)" != "$t0" ] || fail "o achado inserido não mexeu nos contadores ($t0)"
t0=$(totais)
q "PRAGMA foreign_keys = ON; DELETE FROM guia WHERE id = $g"
confere "guia apagada no sqlite3"
[ "$(totais)" != "$t0" ] || fail "apagar a guia $g não mexeu nos contadores ($t0)"
[ "$(q "SELECT count(*) FROM conferir_contando")" = 0 ] || fail "marca do conferir no banco"

# a gate row left committed by hand is reported
q "INSERT INTO conferir_contando (id) VALUES (1)"
"$FAT" verificar >"$TMP/v.txt" 2>&1 && fail "verificar aceitou a marca do conferir no banco"
grep -q "conferir_contando" "$TMP/v.txt" || fail "verificar não nomeia conferir_contando"
echo ok
