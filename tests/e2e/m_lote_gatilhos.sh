#!/bin/sh
# e2e (Part M, lote fechar): the guia triggers of migration 097 keep the
# counters they kept before, on both of their paths. lote_saldo (092) and
# painel_operadora (027/086) equal a recount (`relatorio recontar`, and
# `faturo verificar`'s lote_saldo_recontado) after:
#  - the fast path: `lote fechar` puts guias with no glosa, receipt or
#    demonstrativo line into lotes (the test checks that they have none) and
#    changes their status with the operadora unchanged, some of them with
#    blocking findings acknowledged (guia_aberto read on the old side);
#  - the slow path: guias with a glosa, a receipt and a demonstrativo line
#    (each alone, and all three) leave their lote and come back, are
#    cancelled and restored and re-valued; a guia moves to another
#    operadora (painel_guia_operadora, the two UPDATEs of 086);
#  - the guard lote_enviado_guias: a guia of a sent lote cannot leave it, and
#    the statement is undone whole.
# usage: m_lote_gatilhos.sh FATURO_BIN SOURCE_DIR
set -u
FAT="$1"
SRC="$2"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_e2e_lg.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FATURO_DB="$TMP/clinica.db"
export FATURO_REGRAS="${FATURO_REGRAS:-$SRC/rules}"
fail() { echo "FALHOU: $*" >&2; exit 1; }
q() { sqlite3 "$FATURO_DB" "$1"; }

snap() {
  q "SELECT * FROM lote_saldo ORDER BY lote_id;
     SELECT * FROM lote_recebimento WHERE valor <> 0 OR guias <> 0
       ORDER BY lote_id, recebimento_id;
     SELECT * FROM painel_operadora ORDER BY operadora_id;"
}
# counters kept by the triggers == counters rebuilt from the rows (a
# lote_recebimento row left at zero by a guia that moved on is not recounted)
confere() {
  "$FAT" verificar --invariante lote_saldo_recontado >"$TMP/v.txt" 2>&1
  grep -q '^  ok     lote_saldo_recontado' "$TMP/v.txt" ||
    fail "depois de $1: $(grep -A4 lote_saldo "$TMP/v.txt" | head -6)"
  a=$(snap)
  cp "$FATURO_DB" "$TMP/copia.db"
  FATURO_DB="$TMP/copia.db" "$FAT" relatorio recontar >"$TMP/r.txt" 2>&1 ||
    fail "recontar: $(cat "$TMP/r.txt")"
  b=$(FATURO_DB="$TMP/copia.db" snap)
  rm -f "$TMP/copia.db" "$TMP/copia.db-wal" "$TMP/copia.db-shm"
  if [ "$a" != "$b" ]; then
    printf '%s\n' "$a" >"$TMP/a"
    printf '%s\n' "$b" >"$TMP/b"
    fail "depois de $1: contadores diferem da recontagem
$(diff "$TMP/a" "$TMP/b" | head -20)"
  fi
  echo "ok: $1"
}

# fast path: guias conferidas, some blocked and acknowledged so that they are
# ready with guia_aberto counters, closed into lotes
"$FAT" demo --guias 200 --competencia 2019-03 --ate-etapa conferir >"$TMP/demo.txt" 2>&1 ||
  fail "demo até o conferir: $(tail -5 "$TMP/demo.txt")"
confere "conferir"
q "UPDATE achado SET reconhecido_em = '2019-04-01 10:00:00', reconhecido_por = 'teste'
   WHERE severidade = 'bloqueio' AND reconhecido_em IS NULL
     AND guia_id IN (SELECT id FROM guia WHERE status = 'conferida' ORDER BY id LIMIT 5)"
hist=$(q "SELECT count(*) FROM guia g WHERE g.status = 'conferida' AND g.lote_id IS NULL
          AND (EXISTS (SELECT 1 FROM glosa x WHERE x.guia_id = g.id)
               OR EXISTS (SELECT 1 FROM recebimento_guia x WHERE x.guia_id = g.id)
               OR EXISTS (SELECT 1 FROM retorno_guia x WHERE x.guia_id = g.id))")
[ "$hist" = 0 ] || fail "$hist guias prontas já têm glosa, recebimento ou demonstrativo"
"$FAT" lote fechar --todas --hoje 2019-04-05 >"$TMP/r.txt" 2>&1 || fail "fechar: $(cat "$TMP/r.txt")"
n=$(q "SELECT count(*) FROM guia WHERE lote_id IS NOT NULL")
[ "$n" -gt 0 ] || fail "nenhuma guia entrou em lote"
confere "lote fechar ($n guias sem histórico, caminho rápido)"

# slow path: history rows added by SQL to guias of a closed lote; each guia
# leaves the lote and comes back (and is cancelled, restored, re-valued)
set -- $(q "SELECT id FROM guia WHERE lote_id IS NOT NULL ORDER BY id LIMIT 4")
[ $# -eq 4 ] || fail "poucas guias em lote"
g_glosa=$1 g_rec=$2 g_ret=$3 g_tudo=$4
op=$(q "SELECT operadora_id FROM guia WHERE id = $g_tudo")
q "INSERT INTO retorno (operadora_id, tipo, arquivo, sha256)
   VALUES ($op, 'DEMONSTRATIVO_ANALISE_CONTA', 'teste.xml', 'teste')" \
  2>"$TMP/e.txt" || fail "retorno: $(cat "$TMP/e.txt")"
ret=$(q "SELECT max(id) FROM retorno")
it() { q "SELECT id FROM item WHERE guia_id = $1 ORDER BY id LIMIT 1"; }
for g in $g_glosa $g_tudo; do
  q "INSERT INTO glosa (guia_id, item_id, retorno_id, codigo, valor, situacao, valor_recuperado)
     VALUES ($g, $(it "$g"), $ret, '1001', 500, 'recuperada_parcial', 200)" 2>"$TMP/e.txt" ||
    fail "glosa: $(cat "$TMP/e.txt")"
done
for g in $g_ret $g_tudo; do
  q "INSERT INTO retorno_guia (retorno_id, guia_id, valor_liberado) VALUES ($ret, $g, 1234)" \
    2>"$TMP/e.txt" || fail "retorno_guia: $(cat "$TMP/e.txt")"
done
q "INSERT INTO recebimento (operadora_id, origem, data, valor, valor_bruto)
   VALUES ($op, 'manual', '2019-05-10', 700, 700)" \
  2>"$TMP/e.txt" || fail "recebimento: $(cat "$TMP/e.txt")"
rc=$(q "SELECT max(id) FROM recebimento")
for g in $g_rec $g_tudo; do
  q "INSERT INTO recebimento_guia (recebimento_id, guia_id, valor) VALUES ($rc, $g, 350)" \
    2>"$TMP/e.txt" || fail "recebimento_guia: $(cat "$TMP/e.txt")"
done
confere "glosa, demonstrativo e recebimento em guias de lote"
for g in $g_glosa $g_rec $g_ret $g_tudo; do
  l=$(q "SELECT lote_id FROM guia WHERE id = $g")
  q "UPDATE guia SET lote_id = NULL, status = 'conferida' WHERE id = $g"
  confere "guia $g fora do lote $l (caminho lento)"
  q "UPDATE guia SET lote_id = $l, status = 'em_lote' WHERE id = $g"
  confere "guia $g de volta ao lote $l"
  q "UPDATE guia SET status = 'cancelada' WHERE id = $g"
  confere "guia $g cancelada"
  q "UPDATE guia SET status = 'em_lote', valor_total = valor_total + 99 WHERE id = $g"
  confere "guia $g restaurada com outro valor"
done

# the guard (an AFTER trigger since 097): a guia of a sent lote cannot leave
# it; the whole statement is undone, counters included
l=$(q "SELECT lote_id FROM guia WHERE id = $g_tudo")
q "UPDATE lote SET status = 'enviado' WHERE id = $l"
confere "lote $l enviado"
if q "UPDATE guia SET lote_id = NULL, status = 'conferida' WHERE lote_id = $l" 2>"$TMP/e.txt"; then
  fail "guias saíram do lote enviado $l"
fi
grep -q "guia de lote já enviado não pode sair do lote" "$TMP/e.txt" ||
  fail "mensagem da trava: $(cat "$TMP/e.txt")"
[ "$(q "SELECT count(*) FROM guia WHERE lote_id = $l AND status = 'em_lote'")" = \
  "$(q "SELECT qtd_guias FROM lote WHERE id = $l")" ] || fail "guias do lote $l mudaram"
confere "guias do lote enviado $l continuam nele"
q "UPDATE lote SET status = 'fechado' WHERE id = $l"

# painel: a guia a faturar (one left out of the lotes, else one put back to
# conferida) re-valued, and moved to another operadora (a guia without
# glosas: no trigger moves valor_glosado with the guia)
g=$(q "SELECT id FROM guia g WHERE status IN ('digitada', 'conferida', 'pendente')
       AND NOT EXISTS (SELECT 1 FROM glosa x WHERE x.guia_id = g.id) ORDER BY id LIMIT 1")
if [ -z "$g" ]; then
  g=$(q "SELECT max(id) FROM guia g WHERE NOT EXISTS (SELECT 1 FROM glosa x WHERE x.guia_id = g.id)")
  q "UPDATE guia SET lote_id = NULL, status = 'conferida' WHERE id = $g"
  confere "guia $g de volta a conferida"
fi
q "UPDATE guia SET valor_total = valor_total + 1 WHERE id = $g"
confere "valor da guia $g a faturar"
o2=$(q "SELECT id FROM operadora WHERE id <> (SELECT operadora_id FROM guia WHERE id = $g) LIMIT 1")
[ -n "$o2" ] || fail "uma operadora só"
q "UPDATE guia SET operadora_id = $o2 WHERE id = $g"
confere "guia $g levada à operadora $o2"
q "UPDATE guia SET operadora_id = $o2, status = 'pendente' WHERE id = $g"
confere "guia $g pendente"
echo "ok: gatilhos da migração 097"
