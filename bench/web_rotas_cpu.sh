#!/bin/sh
# web_rotas_cpu.sh FATURO BANCO N ROTA...: the server's CPU time per request
# (user + system of the server process, /proc, over N requests made one after
# the other with curl) for each route, on an existing database (a copy: the
# server adds a user and its session). One request at a time, so that on a
# shared machine the figure is the route's own cost, not queueing. Prints
#   RESULT web_cpu rota=... n=... cpu_ms_req=... bytes=...
# (bytes: the size of the last answer).
set -eu
FATURO=${1:?uso: web_rotas_cpu.sh FATURO BANCO N ROTA...}
BANCO=${2:?uso: web_rotas_cpu.sh FATURO BANCO N ROTA...}
N=${3:?uso: web_rotas_cpu.sh FATURO BANCO N ROTA...}
shift 3
src=${FAT_SOURCE_DIR:-$(dirname "$0")/..}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/faturo-cpu-XXXXXX")
export FATURO_DB="$BANCO" FATURO_REGRAS="$src/rules"
printf 'senha-bench-1\n' | "$FATURO" usuario criar bench --papel admin > /dev/null 2>&1 || true
"$FATURO" usuario desbloquear bench > /dev/null 2>&1 || true
"$FATURO" servidor --porta 0 --silencioso > "$tmp/srv.out" 2> "$tmp/srv.err" &
srv=$!
trap 'kill $srv 2>/dev/null; wait $srv 2>/dev/null; rm -rf "$tmp"' EXIT
i=0
until porta=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$tmp/srv.out") && [ -n "$porta" ]; do
  i=$((i + 1)); [ $i -lt 600 ] || { cat "$tmp/srv.err"; exit 1; }; sleep 0.1
done
base="http://127.0.0.1:$porta"
curl -s -i -H 'Content-Type: application/json' -d '{"usuario":"bench","senha":"senha-bench-1"}' \
  "$base/api/sessao" > "$tmp/login"
cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' "$tmp/login")
[ -n "$cookie" ] || { echo "web_rotas_cpu: login falhou" >&2; exit 1; }
hz=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$srv/stat"; }
for r in "$@"; do
  curl -s -o /dev/null -H "Cookie: $cookie" "$base$r" # warm the cache once
  c0=$(cpu); k=0
  while [ $k -lt "$N" ]; do
    code=$(curl -s -o "$tmp/resp" -w '%{http_code}' -H "Cookie: $cookie" "$base$r")
    case "$code" in 2*) ;; *) echo "web_rotas_cpu: $r respondeu $code" >&2; head -c 300 "$tmp/resp" >&2; exit 1 ;; esac
    k=$((k + 1))
  done
  c1=$(cpu)
  echo "RESULT web_cpu rota=$r n=$N cpu_ms_req=$(awk -v a="$c0" -v b="$c1" -v n="$N" -v hz="$hz" \
    'BEGIN { printf "%.2f", (b - a) * 1000 / hz / n }') bytes=$(wc -c < "$tmp/resp")"
done
