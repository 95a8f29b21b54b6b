#!/usr/bin/env bash
# e2e (Part J): the server's signal thread never runs a reload. A reload that
# takes seconds (forty scripts, each spinning until its instruction limit)
# goes on in the background while SIGTERM stops the server at once; a second
# server on the same database is refused (the pid file is held).
set -euo pipefail
FATURO="$1"
SRC="$2"
T="$(mktemp -d /tmp/e2e_regras_srv_XXXXXX)"
SRV=""
cleanup() { [ -n "$SRV" ] && kill -9 "$SRV" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FALHOU: $*" >&2; [ -f "$T/log" ] && cat "$T/log" >&2; exit 1; }
mkdir -p "$T/regras/operators"
cp "$SRC"/rules/operators/*.lua "$T/regras/operators/"
cp -r "$SRC"/scripts "$T/regras/"
export FATURO_REGRAS="$T/regras" FATURO_DB="$T/faturo.db"
"$FATURO" init > /dev/null || fail "init"

"$FATURO" servidor --porta 0 --silencioso > "$T/url" 2> "$T/log" &
SRV=$!
for _ in $(seq 1 100); do grep -q "ouvindo" "$T/url" 2>/dev/null && break; sleep 0.1; done
grep -q "ouvindo" "$T/url" || fail "servidor não subiu"
[ "$(cat "$T/faturo.db" >/dev/null; cat "$T/faturo-servidor.pid")" = "$SRV" ] || fail "pid file"

# a second server on the same database is refused, naming the first
if "$FATURO" servidor --porta 0 --silencioso > /dev/null 2> "$T/err2"; then
  fail "segundo servidor aceito"
fi
grep -q "pid $SRV" "$T/err2" || fail "recusa sem o pid: $(cat "$T/err2")"

# `regras recarregar` reaches the live server
"$FATURO" regras recarregar | grep -q "servidor avisado (SIGHUP, pid $SRV)" || fail "aviso"
for _ in $(seq 1 50); do grep -q "regras recarregadas" "$T/log" && break; sleep 0.1; done
grep -q "regras recarregadas" "$T/log" || fail "recarga por SIGHUP"

# a slow reload, then SIGTERM: the server stops now, not after the reload
for i in $(seq 1 40); do
  printf 'local base = require "faturo.base"\nwhile true do end\n' > "$T/regras/operators/lenta$i.lua"
done
kill -HUP "$SRV"
sleep 0.3
t0=$(date +%s%N)
kill -TERM "$SRV"
for _ in $(seq 1 100); do kill -0 "$SRV" 2>/dev/null || break; sleep 0.02; done
if kill -0 "$SRV" 2>/dev/null; then fail "SIGTERM esperou a recarga"; fi
wait "$SRV" || true
SRV=""
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
grep -q "encerrando (SIGTERM)" "$T/log" || fail "sem encerramento"
# what proves it, whatever the load: the slow reload never reported (its
# result, success or error naming the lentaN scripts, would be in the log
# had the server waited for it); the time is only a sanity bound
[ "$(grep -c "regras recarregadas" "$T/log")" = 1 ] || fail "a recarga lenta terminou antes"
if grep -q "lenta" "$T/log"; then fail "a recarga lenta terminou antes"; fi
[ "$ms" -lt 10000 ] || fail "encerrou em $ms ms"
[ ! -e "$T/faturo-servidor.pid" ] || fail "pid file ficou"
echo "ok ($ms ms)"
