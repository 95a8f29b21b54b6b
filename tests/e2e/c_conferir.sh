#!/bin/sh
# e2e (Part C): how `faturo conferir` and `faturo regras simular` answer what
# is not a finding: an unknown operadora is refused (exit 1, naming it), an
# invalid guia id is a usage error (exit 2), a store locked by another
# process gets its own message and exit 3 (and no hint to skip the rules),
# and an operadora is named the same way (registro ANS, script key or id).
# usage: c_conferir.sh FATURO_BIN
set -eu
F="$1"
DIR="$(mktemp -d "${TMPDIR:-/tmp}/faturo-conferir-op-XXXXXX")"
LOCK_PID=
cleanup() {
  if [ -n "$LOCK_PID" ]; then kill "$LOCK_PID" 2>/dev/null || true; fi
  rm -rf "$DIR"
}
trap cleanup EXIT
DB="$DIR/demo.db"
fail() { echo "FALHA: $*" >&2; exit 1; }
run() { # run CMD...: sets rc, out and err
  set +e
  "$@" > "$DIR/out" 2> "$DIR/err"
  rc=$?
  set -e
}

"$F" --db "$DB" demo --guias 120 --competencia 2026-10 --ate-etapa precos > /dev/null

# an unknown operadora is refused, not "nothing to do"
run "$F" --db "$DB" conferir --operadora unimed --hoje 2026-11-05
[ "$rc" -eq 1 ] || fail "conferir --operadora unimed saiu com $rc (esperava 1)"
grep -q "operadora 'unimed' não cadastrada" "$DIR/err" || fail "mensagem: $(cat "$DIR/err")"
run "$F" --db "$DB" regras simular unimed --script /dev/null
[ "$rc" -eq 1 ] || fail "regras simular unimed saiu com $rc (esperava 1)"
grep -q "operadora 'unimed' não cadastrada" "$DIR/err" || fail "simular: $(cat "$DIR/err")"

# the same operadora by registro ANS, script key and id
for op in 312347 aurora "$(sqlite3 "$DB" "SELECT id FROM operadora WHERE script = 'aurora'")"; do
  run "$F" --db "$DB" --json conferir --operadora "$op" --hoje 2026-11-05 --todas
  [ "$rc" -le 1 ] || fail "conferir --operadora $op saiu com $rc"
  tail -n 1 "$DIR/out" | grep -q '"selecionadas":[1-9]' || fail "--operadora $op: $(tail -n 1 "$DIR/out")"
done

# a guia id that is not a positive number is a usage error
for g in 0 -1 1e999 abc; do
  run "$F" --db "$DB" conferir --guia "$g"
  [ "$rc" -eq 2 ] || fail "conferir --guia $g saiu com $rc (esperava 2)"
done

# a store locked by another process: exit 3, its own message, nothing written
before=$(sqlite3 "$DB" "SELECT count(*) FROM conferencia")
# the lock holder reads its commands from a FIFO and keeps the lock until
# the FIFO is closed
mkfifo "$DIR/fifo"
sqlite3 "$DB" < "$DIR/fifo" > /dev/null 2>&1 &
LOCK_PID=$!
exec 3> "$DIR/fifo"
echo "BEGIN IMMEDIATE;" >&3
sleep 1
run "$F" --db "$DB" conferir --hoje 2026-11-05
echo "ROLLBACK;" >&3
exec 3>&-
wait "$LOCK_PID" 2>/dev/null || true
LOCK_PID=
[ "$rc" -eq 3 ] || fail "conferir com o banco travado saiu com $rc (esperava 3): $(cat "$DIR/err")"
grep -q "ocupado por outro processo" "$DIR/err" || fail "mensagem: $(cat "$DIR/err")"
if grep -q -- "--sem-regras" "$DIR/err"; then fail "sugeriu --sem-regras para um banco travado"; fi
after=$(sqlite3 "$DB" "SELECT count(*) FROM conferencia")
[ "$before" = "$after" ] || fail "o banco mudou ($before -> $after)"
echo "ok"
