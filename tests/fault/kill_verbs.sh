#!/bin/sh
# fault (Part J): kill -9 the verbs that write, at random points, and check
# that the database keeps every invariant and stays usable.
#
# Five verbs, each one transaction: importar, conferir, lote fechar, retorno
# importar, regras recarregar. A small demo clinic is built once at three
# stages; each run copies the right one, starts a verb, kills it with SIGKILL
# after a random delay (0 to 1.2 times the verb's measured duration, so some
# runs finish first), then
#   1. `faturo verificar` must pass (exit 0: no invariant broken);
#   2. the same verb, run again to the end, must succeed (the store is usable:
#      no lock left, nothing half-written blocks it);
#   3. `faturo verificar` must pass again.
#
# usage: kill_verbs.sh FATURO_BIN SOURCE_DIR
# env:   FAT_FAULT_RUNS (default 50), FAT_FAULT_SEED (default 20260501; printed,
#        rerun with it to repeat a failure), FAT_FAULT_GUIAS (default 300),
#        FAT_FAULT_KEEP=1 keeps the work folder of a failed run.
set -u
FAT="$1"
SRC="$2"
RUNS="${FAT_FAULT_RUNS:-50}"
SEED="${FAT_FAULT_SEED:-20260501}"
GUIAS="${FAT_FAULT_GUIAS:-300}"
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

# ---- the bases, built once ----
for etapa in precos conferir lotes; do
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

# verb i: its base, its arguments and the exit codes that mean success
verb_name() {
  case $1 in
    0) echo "importar" ;; 1) echo "conferir" ;; 2) echo "lote fechar" ;;
    3) echo "retorno importar" ;; 4) echo "regras recarregar" ;;
  esac
}
verb_base() {
  case $1 in
    0 | 2 | 4) echo "$TMP/base_conferir.db" ;; 1) echo "$TMP/base_precos.db" ;;
    3) echo "$TMP/base_lotes.db" ;;
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
  esac
}
verb_ok() { # verb_ok I RC: conferir exits 1 when it finds bloqueios
  [ "$2" -eq 0 ] || { [ "$1" -eq 1 ] && [ "$2" -eq 1 ]; }
}

# ---- calibration: each verb once, to the end, on a fresh copy ----
for v in 0 1 2 3 4; do
  cp "$(verb_base $v)" "$TMP/cal.db"
  t0=$(now_ms)
  (run_verb $v "$TMP/cal.db") >"$TMP/cal.out" 2>&1
  rc=$?
  t1=$(now_ms)
  verb_ok $v $rc || fail "$(verb_name $v) sem interrupção saiu com $rc: $(tail -3 "$TMP/cal.out")"
  "$FAT" --db "$TMP/cal.db" verificar >"$TMP/cal.ver" 2>&1 ||
    fail "verificar depois de $(verb_name $v) sem interrupção: $(grep -v '  ok' "$TMP/cal.ver" | head -8)"
  eval "dur_$v=$((t1 - t0))"
  echo "  $(verb_name $v): $((t1 - t0)) ms sem interrupção"
  rm -f "$TMP"/cal.db*
done

# ---- the schedule: verb and delay of each run, from the seed ----
awk -v seed="$SEED" -v runs="$RUNS" 'BEGIN {
  srand(seed)
  for (i = 0; i < runs; i++) printf "%d %.6f\n", i % 5, rand()
}' >"$TMP/plano"

killed=0
finished=0
i=0
while read -r v frac; do
  i=$((i + 1))
  eval "dur=\$dur_$v"
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
  (run_verb $v "$db") >"$TMP/rerun.out" 2>&1
  rc=$?
  verb_ok $v $rc ||
    fail "execução $i, $(verb_name $v) $what: de novo até o fim saiu com $rc: $(tail -3 "$TMP/rerun.out")"
  "$FAT" --db "$db" verificar >"$TMP/run.ver" 2>&1 ||
    fail "execução $i, $(verb_name $v) $what e de novo: verificar achou violações:
$(grep -v '  ok' "$TMP/run.ver" | head -12)"
  echo "  $i: $(verb_name $v) $what: verificar ok, de novo ok"
done <"$TMP/plano"

echo "fault: $RUNS execuções ($killed mortas com SIGKILL no meio, $finished terminaram antes), semente $SEED: invariantes mantidas e banco utilizável em todas"
[ "$killed" -gt 0 ] || fail "nenhuma execução foi interrompida: a calibração não serve"
