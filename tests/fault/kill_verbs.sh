#!/bin/sh
# fault (Parts J and M): kill -9 the verbs that write, at random points, and
# check that the database keeps every invariant, that a write is all or
# nothing, and that nothing committed is lost.
#
# Ten verbs, each one user action (one transaction): importar, conferir, lote
# fechar, retorno importar, regras recarregar, and the money side (Part G):
# fatura criar, recebimento registrar (baixa of a fatura), conciliacao
# importar (a bank statement), particular pagar (baixa of a particular) and
# repasse calcular. A small demo clinic is built once at its stages (plus a
# money prelude: a fatura, a bank account, a repasse rule, a particular, a
# first receipt); each run copies the right base, starts a verb, kills it with
# SIGKILL after a random delay (0 to 1.2 times the verb's measured duration,
# so some runs finish first), then
#   1. `faturo verificar` must pass (exit 0: no invariant broken);
#   2. the database must be exactly as before the verb or exactly as after a
#      run to the end (a signature of counts over every table the verbs
#      write, measured by the calibration run): never half-written; a verb
#      that exited 0 before the kill must have left the "after" state (what
#      it reported as saved is there);
#      (a verb that evaluates rules may have recorded the rules generation it
#      runs on, in its own transaction before the verb's: that alone counts as
#      "before");
#   3. when the kill left the "before" state, the same verb run again to the
#      end must succeed and reach the "after" state (no lock left, nothing
#      half-written blocks it), and `faturo verificar` must pass again.
#
# usage: kill_verbs.sh FATURO_BIN SOURCE_DIR
# env:   FAT_FAULT_RUNS (default 100), FAT_FAULT_SEED (default 20260501; printed,
#        rerun with it to repeat a failure), FAT_FAULT_GUIAS (default 300),
#        FAT_FAULT_KEEP=1 keeps the work folder of a failed run,
#        FAT_SHARED_DIR (the bank statement sample of ../shared/financeiro).
set -u
FAT="$1"
SRC="$2"
RUNS="${FAT_FAULT_RUNS:-100}"
SEED="${FAT_FAULT_SEED:-20260501}"
GUIAS="${FAT_FAULT_GUIAS:-300}"
OFX="${FAT_SHARED_DIR:?FAT_SHARED_DIR}/financeiro/samples/ofx/bb_asgrim_sgml102_mktginfo.ofx"
NVERBS=10
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_fault.XXXXXX")
trap 'if [ "${FAT_FAULT_KEEP:-0}" = 1 ] && [ -n "${failed:-}" ]; then echo "pasta mantida: $TMP" >&2; else rm -rf "$TMP"; fi' EXIT
export FATURO_REGRAS="$SRC/rules"
unset FATURO_DB
COMP=2026-05
HOJE=2026-06-05

echo "fault: $RUNS execuções, semente $SEED (repita com FAT_FAULT_SEED=$SEED FAT_FAULT_RUNS=$RUNS)"

fail() {
  failed=1
  echo "FALHOU: $*" >&2
  exit 1
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

. "$SRC/tests/fault/lib.sh"
fault_bases

# ---- calibration: each verb once, to the end, on a fresh copy ----
v=0
while [ $v -lt $NVERBS ]; do
  cp "$(verb_base $v)" "$TMP/cal.db"
  pre=$(sig "$TMP/cal.db")
  t0=$(now_ms)
  (run_verb $v "$TMP/cal.db") >"$TMP/cal.out" 2>&1
  rc=$?
  t1=$(now_ms)
  verb_ok $v $rc || fail "$(verb_name $v) sem interrupção saiu com $rc: $(tail -3 "$TMP/cal.out")"
  "$FAT" --db "$TMP/cal.db" verificar >"$TMP/cal.ver" 2>&1 ||
    fail "verificar depois de $(verb_name $v) sem interrupção: $(grep -v '  ok' "$TMP/cal.ver" | head -8)"
  post=$(sig "$TMP/cal.db")
  [ "$pre" != "$post" ] || fail "$(verb_name $v) não mudou a assinatura do banco ($pre): o teste não vê o que ele grava"
  eval "dur_$v=$((t1 - t0)); pre_$v='$pre'; post_$v='$post'"
  echo "  $(verb_name $v): $((t1 - t0)) ms sem interrupção"
  rm -f "$TMP"/cal.db*
  v=$((v + 1))
done

# ---- the schedule: verb and delay of each run, from the seed ----
awk -v seed="$SEED" -v runs="$RUNS" -v n=$NVERBS 'BEGIN {
  srand(seed)
  for (i = 0; i < runs; i++) printf "%d %.6f\n", i % n, rand()
}' >"$TMP/plano"

killed=0
finished=0
kept_before=0
i=0
while read -r v frac; do
  i=$((i + 1))
  eval "dur=\$dur_$v; pre=\$pre_$v; post=\$post_$v"
  delay_ms=$(awk -v f="$frac" -v d="$dur" 'BEGIN { printf "%d", f * d * 1.2 }')
  db="$TMP/run.db"
  rm -f "$db" "$db-wal" "$db-shm"
  cp "$(verb_base $v)" "$db"
  (run_verb $v "$db") >"$TMP/run.out" 2>&1 &
  pid=$!
  sleep "$(awk -v ms="$delay_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  rc=$?
  if [ $rc -eq 137 ]; then
    what="morto aos $delay_ms ms"
    killed=$((killed + 1))
  else
    what="terminou antes de $delay_ms ms"
    finished=$((finished + 1))
    verb_ok $v $rc || fail "execução $i, $(verb_name $v) ($what) saiu com $rc: $(tail -3 "$TMP/run.out")"
  fi
  "$FAT" --db "$db" verificar >"$TMP/run.ver" 2>&1 ||
    fail "execução $i, $(verb_name $v) $what: verificar achou violações:
$(grep -v '  ok' "$TMP/run.ver" | head -12)"
  now=$(sig "$db")
  if [ "$now" = "$post" ]; then
    state="gravado inteiro"
  elif [ $rc -eq 137 ] && { [ "$now" = "$pre" ] ||
    { [ "$v" != 4 ] && [ "$(sig_core "$now")" = "$(sig_core "$pre")" ]; }; }; then
    state="nada gravado"
    kept_before=$((kept_before + 1))
    (run_verb $v "$db") >"$TMP/rerun.out" 2>&1
    rc=$?
    verb_ok $v $rc ||
      fail "execução $i, $(verb_name $v) $what: de novo até o fim saiu com $rc: $(tail -3 "$TMP/rerun.out")"
    [ "$(sig "$db")" = "$post" ] ||
      fail "execução $i, $(verb_name $v) $what: de novo até o fim não chegou ao estado esperado ($(sig "$db"), esperado $post)"
    "$FAT" --db "$db" verificar >"$TMP/run.ver" 2>&1 ||
      fail "execução $i, $(verb_name $v) $what e de novo: verificar achou violações:
$(grep -v '  ok' "$TMP/run.ver" | head -12)"
    state="$state; de novo ok"
  elif [ $rc -ne 137 ]; then
    fail "execução $i, $(verb_name $v) $what (saída $rc, sucesso) mas o que gravou não está no banco: $now (esperado $post)"
  else
    fail "execução $i, $(verb_name $v) $what: banco gravado pela metade: $now (antes $pre, depois $post)"
  fi
  echo "  $i: $(verb_name $v) $what: verificar ok, $state"
done <"$TMP/plano"

echo "fault: $RUNS execuções de $NVERBS verbos ($killed mortas com SIGKILL no meio, $finished terminaram antes; $kept_before sem nada gravado e refeitas até o fim), semente $SEED: invariantes mantidas, nada pela metade, nada confirmado perdido"
[ "$killed" -gt 0 ] || fail "nenhuma execução foi interrompida: a calibração não serve"
