#!/bin/sh
# e2e (Part G): the demo's financial month, the whole cycle of `faturo demo`.
# The demo writes an OFX statement and a CNAB retorno beside the database,
# matches them, pays particulares, and computes the repasse of the payment
# month (closed, holding glosas) and of the next (releasing the held part after
# the deferred recurso). Checks: the files exist and import again as "já
# importado", the short and the late payments show in the mapa, one credit
# stays unmatched, the closed repasse refuses changes, the invariants hold.
# usage: g_demo_financeiro.sh FATURO_BIN SOURCE_DIR
set -u
FAT="$1"
SRC="$2"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_e2e_gd.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FATURO_DB="$TMP/demo.db"
export FATURO_REGRAS="$SRC/rules"
fail() { echo "FALHOU: $*" >&2; exit 1; }

"$FAT" demo --guias 150 --competencia 2025-03 >"$TMP/out" 2>&1 || fail "demo: $(tail -5 "$TMP/out")"
grep -q "financeiro: faturas, extrato, particulares e repasse" "$TMP/out" || fail "etapa financeiro"
grep -q "pago a menor: Aurora Saúde" "$TMP/out" || fail "pagamento a menor: $(grep -A4 financeiro "$TMP/out")"
grep -q "1 sem conciliação" "$TMP/out" || fail "crédito sem conciliação"
ofx=$(ls "$TMP"/extrato-*.ofx 2>/dev/null | head -1)
ret=$(ls "$TMP"/CB*.RET 2>/dev/null | head -1)
[ -n "$ofx" ] && [ -n "$ret" ] || fail "arquivos do banco não gravados: $(ls "$TMP")"
"$FAT" conciliacao importar "$ofx" | grep -q "já importado" || fail "OFX de novo"
"$FAT" conciliacao importar "$ret" | grep -q "já importado" || fail "CNAB de novo"
"$FAT" conciliacao pendentes | grep -q "PIX RECEBIDO JOSE DA SILVA" || fail "PIX pendente"
"$FAT" fatura mapa --hoje 2025-06-30 >"$TMP/mapa" || fail "mapa"
grep -q "recebido com atraso" "$TMP/mapa" || fail "pagamento atrasado: $(cat "$TMP/mapa")"
grep -q "recebido em parte" "$TMP/mapa" || fail "pagamento a menor no mapa: $(cat "$TMP/mapa")"
per=$(sed -n 's/.*repasse de \([0-9-]*\) fechado.*/\1/p' "$TMP/out")
[ -n "$per" ] || fail "período do repasse"
"$FAT" repasse calcular --periodo "$per" 2>"$TMP/err" && fail "repasse fechado recalculado"
grep -q "fechado" "$TMP/err" || fail "motivo: $(cat "$TMP/err")"
"$FAT" repasse extrato --periodo "$per" | grep -q "RETIDO: glosa" || fail "retido no extrato"
grep -q "libera R\$ [1-9]" "$TMP/out" || fail "liberação: $(grep libera "$TMP/out")"
"$FAT" fatura verificar >"$TMP/ver" || fail "invariantes: $(cat "$TMP/ver")"
echo ok
