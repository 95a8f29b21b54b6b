#!/bin/sh
# web_wrk.sh FATURO BANCO [SEGUNDOS]: the panel's routes under wrk (Debian
# package wrk), 64 connections, 2 threads, on an existing database (e.g. one
# made by `faturo demo --guias 100000 --ate-etapa conferir`); then /api/painel
# again while `faturo regras recarregar` runs every second. Prints, per route:
# requests/s, latency p50/p99, answers that were not 2xx, socket errors.
# The database is used in place (the server only reads it, plus one user and
# its session); the rules are a copy, so recarregar never touches the tree.
set -eu
FATURO=${1:?uso: web_wrk.sh FATURO BANCO [SEGUNDOS]}
BANCO=${2:?uso: web_wrk.sh FATURO BANCO [SEGUNDOS]}
DUR=${3:-15}
command -v wrk > /dev/null || { echo "web_wrk: instale o pacote Debian wrk" >&2; exit 2; }
src=${FAT_SOURCE_DIR:-$(dirname "$0")/..}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/faturo-wrk-XXXXXX")
mkdir -p "$tmp/regras"
cp -r "$src/rules/operators" "$tmp/regras/" && cp -r "$src/scripts" "$tmp/regras/scripts"
export FATURO_DB="$BANCO" FATURO_REGRAS="$tmp/regras"
printf 'senha-bench-1\n' | "$FATURO" usuario criar bench --papel admin > /dev/null 2>&1 || true
"$FATURO" usuario desbloquear bench > /dev/null 2>&1 || true
"$FATURO" servidor --porta 0 --silencioso > "$tmp/srv.out" 2> "$tmp/srv.err" &
srv=$!
trap 'kill $srv 2>/dev/null; wait $srv 2>/dev/null; rm -rf "$tmp"' EXIT
i=0
until porta=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$tmp/srv.out") && [ -n "$porta" ]; do
  i=$((i + 1)); [ $i -lt 300 ] || { cat "$tmp/srv.err"; exit 1; }; sleep 0.1
done
base="http://127.0.0.1:$porta"
cookie=$(curl -s -i -H 'Content-Type: application/json' \
  -d '{"usuario":"bench","senha":"senha-bench-1"}' "$base/api/sessao" |
  sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p')
[ -n "$cookie" ] || { echo "web_wrk: login falhou" >&2; exit 1; }
guias=$(curl -s -H "Cookie: $cookie" "$base/api/painel" | sed -n 's/.*"guias_total":\([0-9]*\).*/\1/p')
echo "banco: $BANCO ($guias guias); wrk -t2 -c64 -d${DUR}s; servidor $(basename "$FATURO")"
printf '%-44s %9s %9s %9s %8s %s\n' rota req/s p50 p99 nao-2xx erros-de-socket
roda() { # rota [rótulo]
  out=$(wrk -t2 -c64 -d"${DUR}s" --latency -H "Cookie: $cookie" "$base$1" 2>&1)
  rps=$(echo "$out" | sed -n 's/^Requests\/sec: *//p')
  p50=$(echo "$out" | sed -n 's/^ *50% *//p')
  p99=$(echo "$out" | sed -n 's/^ *99% *//p')
  n2=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: *//p')
  se=$(echo "$out" | sed -n 's/.*Socket errors: *//p')
  printf '%-44s %9s %9s %9s %8s %s\n' "${2:-$1}" "$rps" "$p50" "$p99" "${n2:-0}" "${se:-0}"
}
for r in /api/painel /api/guias '/api/guias?com_bloqueio=1' '/api/guias?status=conferida' \
         /api/lotes /api/glosas /api/retornos /api/recursos; do
  roda "$r"
done
( end=$(( $(date +%s) + DUR )); n=0
  while [ "$(date +%s)" -lt "$end" ]; do "$FATURO" regras recarregar > /dev/null 2>&1 || true; n=$((n + 1)); sleep 1; done
  echo "$n" > "$tmp/recargas" ) &
rec=$!
roda /api/painel "/api/painel + regras recarregar a cada 1 s"
wait $rec
echo "recargas durante a medida: $(cat "$tmp/recargas"); conexões recusadas pelo limite: $(grep -c 'connection limit' "$tmp/srv.err" || true)"
