#!/bin/sh
# web_wrk.sh FATURO BANCO [SEGUNDOS]: the panel's list and dashboard routes
# under wrk (Debian package wrk), 64 connections, 2 threads, SEGUNDOS each
# (default 15), on an existing database (e.g. one made by `faturo demo`).
# Then the reload test: /api/painel and /api/guias under the same load while
# FAT_WRK_RECARGAS (default 100) `faturo regras recarregar` run one after the
# other AND as many POST /api/regras/recarregar of the panel, at the same time;
# before each reload a comment is appended to an operator script of the rules
# copy, so every reload compiles and publishes a new generation.
# Prints, per route: requests/s, latency p50/p99, the server's CPU time per
# request (user + system of the server process over the run, /proc; steadier
# than requests/s on a shared machine), answers that were not 2xx, socket
# errors; for the reloads, how many failed. Each figure is also a line
#   RESULT web rota=... req_s=... p50_ms=... p99_ms=... cpu_ms_req=... nao_2xx=... erros_socket=...
# (bench/run_all.sh collects them). Exit 1 when the reload test lost any
# request or any reload failed (goal of Part M: none).
# The database is used in place (the server reads it, plus one user, its
# session and the rule generations); the rules are a copy, so the reloads
# never touch the tree.
set -eu
FATURO=${1:?uso: web_wrk.sh FATURO BANCO [SEGUNDOS]}
BANCO=${2:?uso: web_wrk.sh FATURO BANCO [SEGUNDOS]}
DUR=${3:-15}
RECARGAS=${FAT_WRK_RECARGAS:-100}
command -v wrk > /dev/null || { echo "web_wrk: instale o pacote Debian wrk" >&2; exit 2; }
src=${FAT_SOURCE_DIR:-$(dirname "$0")/..}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/faturo-wrk-XXXXXX")
mkdir -p "$tmp/regras"
cp -r "$src/rules/operators" "$tmp/regras/" && cp -r "$src/scripts" "$tmp/regras/scripts"
export FATURO_DB="$BANCO" FATURO_REGRAS="$tmp/regras"
"$FATURO" regras recarregar > /dev/null 2>&1 || true
. "$(dirname "$0")/servidor_bench.sh"
servidor_bench_subir web_wrk
guias=$(curl -s -H "Cookie: $cookie" "$base/api/painel" | sed -n 's/.*"guias_total":\([0-9]*\).*/\1/p')
# the competência with the most guias (the demo's month)
comp=$(curl -s -H "Cookie: $cookie" "$base/api/guias?limite=1" |
  sed -n 's/.*"competencia":"\([0-9-]*\)".*/\1/p' | head -1)
echo "banco: $BANCO ($guias guias; competência $comp); wrk -t2 -c64 -d${DUR}s; servidor $(basename "$FATURO")"
printf '%-52s %9s %9s %9s %8s %8s %s\n' rota req/s p50 p99 cpu-ms/req nao-2xx erros-de-socket
cpu() { # CPU ticks (user + system) of the server so far
  awk '{ print $14 + $15 }' "/proc/$srv/stat" 2>/dev/null || echo 0
}
hz=$(getconf CLK_TCK)

ms() { # wrk latency (850.00us, 12.3ms, 1.2s) in ms
  echo "$1" | head -1 | tr -d ' \r\t' | awk '/us$/ { sub(/us/, ""); printf "%.2f", $0 / 1000; next }
                   /ms$/ { sub(/ms/, ""); printf "%.2f", $0; next }
                   /s$/ { sub(/s/, ""); printf "%.2f", $0 * 1000; next } { print "" }'
}
# wrk on a route: rota rótulo duração → prints the table row and the RESULT line
roda() {
  c0=$(cpu)
  out=$(wrk -t2 -c64 -d"${3}s" --latency -H "Cookie: $cookie" "$base$1" 2>&1)
  c1=$(cpu)
  nreq=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
  cms=$(awk -v a="$c0" -v b="$c1" -v n="${nreq:-0}" -v hz="$hz" \
        'BEGIN { if (n > 0) printf "%.3f", (b - a) * 1000 / hz / n }')
  rps=$(echo "$out" | sed -n 's/^Requests\/sec: *//p')
  p50=$(echo "$out" | sed -n 's/^ *50% *//p')
  p99=$(echo "$out" | sed -n 's/^ *99% *//p')
  n2=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: *//p')
  se=$(echo "$out" | sed -n 's/.*Socket errors: *//p' | awk -F'[ ,]+' '{ print $2 + $4 + $6 + $8 }')
  printf '%-52s %9s %9s %9s %8s %8s %s\n' "$2" "$rps" "$p50" "$p99" "$cms" "${n2:-0}" "${se:-0}"
  echo "RESULT web rota=$2 req_s=$rps p50_ms=$(ms "$p50") p99_ms=$(ms "$p99") cpu_ms_req=$cms nao_2xx=${n2:-0} erros_socket=${se:-0}"
}
for r in /api/painel /api/guias '/api/guias?com_bloqueio=1' '/api/guias?status=conferida' \
         "/api/guias?competencia=$comp" '/api/guias?operadora=aurora' /api/lotes \
         '/api/lotes?status=fechado' /api/glosas '/api/glosas?situacao=aberta' \
         "/api/glosas?competencia=$comp" /api/retornos /api/recursos /api/financeiro/faturas; do
  roda "$r" "$r" "$DUR"
done

# ---- reloads under load: CLI and panel at the same time ----
script=$(ls "$tmp/regras/operators"/*.lua | head -1)
( n=0; f=0
  while [ $n -lt "$RECARGAS" ]; do
    echo "-- recarga cli $n" >> "$script"
    "$FATURO" regras recarregar > /dev/null 2>> "$tmp/rec-cli.err" || f=$((f + 1))
    n=$((n + 1))
  done
  echo "$f" > "$tmp/rec-cli" ) &
cli=$!
( n=0; f=0
  while [ $n -lt "$RECARGAS" ]; do
    echo "-- recarga painel $n" >> "$script"
    c=$(curl -s -o "$tmp/rec-painel.last" -w '%{http_code}' -X POST -H "Cookie: $cookie" \
        -H "X-CSRF-Token: $csrf" "$base/api/regras/recarregar") || c=000
    case "$c" in 2*) ;; *) f=$((f + 1)); cat "$tmp/rec-painel.last" >> "$tmp/rec-painel.err" ;; esac
    n=$((n + 1))
  done
  echo "$f" > "$tmp/rec-painel" ) &
pnl=$!
tot_req=0; tot_n2=0; tot_se=0; rodadas=0
while [ ! -f "$tmp/rec-cli" ] || [ ! -f "$tmp/rec-painel" ]; do
  for r in /api/painel /api/guias; do
    l=$(roda "$r" "$r+recargas" 3 | tail -1)
    tot_n2=$((tot_n2 + $(echo "$l" | sed -n 's/.* nao_2xx=\([0-9]*\).*/\1/p')))
    tot_se=$((tot_se + $(echo "$l" | sed -n 's/.* erros_socket=\([0-9]*\).*/\1/p')))
    rps=$(echo "$l" | sed -n 's/.* req_s=\([0-9.]*\).*/\1/p')
    tot_req=$(awk -v a="$tot_req" -v b="${rps:-0}" 'BEGIN { printf "%.0f", a + b * 3 }')
    rodadas=$((rodadas + 1))
  done
done
wait $cli $pnl
fcli=$(cat "$tmp/rec-cli"); fpnl=$(cat "$tmp/rec-painel")
printf '%-52s %9s %9s %9s %8s %8s %s\n' "/api/painel e /api/guias + $RECARGAS+$RECARGAS recargas" \
  "~$tot_req req" "" "" "" "$tot_n2" "$tot_se"
echo "RESULT web rota=recargas_${RECARGAS}cli+${RECARGAS}painel req_s= p50_ms= p99_ms= nao_2xx=$tot_n2 erros_socket=$tot_se requisicoes=$tot_req recargas_falhas_cli=$fcli recargas_falhas_painel=$fpnl"
# the month's summaries and reports last: a slow one keeps the server busy
# after wrk stops (the answers still owed), which would weigh on what follows;
# FAT_WRK_LENTAS=0 skips them
[ "${FAT_WRK_LENTAS:-1}" = 0 ] ||
for r in "/api/glosas/resumo?competencia=$comp" "/api/lotes/mapa?competencia=$comp" \
         /api/relatorios/painel "/api/financeiro/mapa?competencia=$comp"; do
  roda "$r" "$r" "$DUR"
done
ger=$(curl -s -m 30 -H "Cookie: $cookie" "$base/api/regras" | sed -n 's/.*"geracao":\([0-9]*\).*/\1/p' | head -1)
echo "recargas: $RECARGAS pela linha de comando ($fcli falharam) e $RECARGAS pelo painel ($fpnl falharam)," \
  "ao mesmo tempo, sob carga ($rodadas medidas de 3 s); geração ativa no fim: ${ger:-?};" \
  "conexões recusadas pelo limite: $(grep -c 'connection limit' "$tmp/srv.err" || true)"
[ -s "$tmp/rec-cli.err" ] && { echo "falhas da linha de comando:"; sort "$tmp/rec-cli.err" | uniq -c | head -5; }
[ -s "$tmp/rec-painel.err" ] && { echo "falhas do painel:"; head -c 600 "$tmp/rec-painel.err"; echo; }
[ "$tot_n2" -eq 0 ] && [ "$tot_se" -eq 0 ] && [ "$fcli" -eq 0 ] && [ "$fpnl" -eq 0 ]
