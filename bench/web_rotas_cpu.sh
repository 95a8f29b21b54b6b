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
. "$(dirname "$0")/servidor_bench.sh"
servidor_bench_subir web_rotas_cpu
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
