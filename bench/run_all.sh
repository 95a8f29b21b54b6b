#!/bin/sh
# run_all.sh BUILD_DIR: every benchmark of Part M at each size, one table and
# one JSON file (`make bench`, `cmake --build build --target bench`; never in
# the default test run). docs/desempenho.md, "make bench".
#
# Sizes: FAT_BENCH_SIZES (default "10000 100000 1000000" guias). For each size:
#   demo           `faturo demo --guias N` (time and peak RSS), whose database
#                  then serves the web routes
#   conferir       bench_conferir N            (floor: fat_guia_load)
#   importar       bench_importar with a file of ~N guias (floor: json_each)
#   regras_pares   bench_pares.sh N            (peer: json-rules-engine)
#   lote_fechar,   bench_retorno FATURO 2000 min(N, FAT_BENCH_RETORNO_MAX)
#   retorno        (floor: xmllint --schema on the same files)
#   web            bench/web_wrk.sh on the demo database (wrk, 64 connections,
#                  FAT_BENCH_WRK_SEGUNDOS per route, default 10), with reloads
# and once: lote_tiss (bench_tiss, 100 guias, against xmllint).
#
# Every benchmark prints its figures as lines
#   RESULT <verbo> chave=valor ...
# (keys: guias, guias_s, piso, piso_guias_s, razao, meta, cpu_s, rss_kb; web:
# rota, req_s, p50_ms, p99_ms, nao_2xx, erros_socket); for a benchmark that
# does not print them yet its usual output is read here instead. The peak RSS
# of the whole benchmark process (/usr/bin/time) is added when the line has
# none. Output: a pt-BR table on stdout, FAT_BENCH_OUT (default
# ./bench-results.json) with every line as a JSON object, and the logs in
# FAT_BENCH_DIR (default a new folder under TMPDIR, kept and named at the end).
# FAT_PEERS_DIR: the peers' folder with node_modules (docs/desempenho.md);
# without it the peers are not run and their columns stay empty.
set -u
BUILD=${1:?uso: run_all.sh PASTA_DO_BUILD}
BUILD=$(cd "$BUILD" && pwd)
export FAT_WRK_RECARGAS="${FAT_WRK_RECARGAS:-100}"
SRC=${FAT_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
SIZES=${FAT_BENCH_SIZES:-10000 100000 1000000}
OUT=${FAT_BENCH_OUT:-$PWD/bench-results.json}
WRK_S=${FAT_BENCH_WRK_SEGUNDOS:-10}
RET_MAX=${FAT_BENCH_RETORNO_MAX:-100000}
DIR=${FAT_BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/faturo-bench-XXXXXX")}
mkdir -p "$DIR"
RES=$DIR/resultados.txt
: > "$RES"
FATURO=$BUILD/faturo
export FATURO_REGRAS="${FATURO_REGRAS:-$SRC/rules}"
export FATURO_XSD_DIR="${FATURO_XSD_DIR:-$SRC/../shared/tiss/4.01.00}"
export FAT_SOURCE_DIR="$SRC"
[ -x "$FATURO" ] || { echo "run_all: $FATURO não existe (compile antes)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "run_all: instale o pacote Debian time" >&2; exit 2; }

# The RESULT lines of a log, with tamanho=N in front and rss_kb when absent.
coleta() { # N log
  rss=$(sed -n 's/^RSS_KB=\([0-9]*\).*/\1/p' "$2.time" 2>/dev/null | tail -1)
  grep '^RESULT ' "$2" | while IFS= read -r l; do
    case "$l" in
      *" rss_kb="*) echo "$l tamanho=$1" ;;
      *) echo "$l tamanho=$1 rss_kb=${rss:-0}" ;;
    esac
  done >> "$RES"
}

# Run a benchmark: N nome log comando...; keeps its output in the log.
mede() {
  n=$1 nome=$2 log=$3
  shift 3
  echo "run_all: $nome ($n guias)..." >&2
  /usr/bin/time -f 'RSS_KB=%M CPU_S=%U+%S WALL_S=%e' -o "$log.time" "$@" > "$log" 2>&1
  rc=$?
  [ $rc -eq 0 ] || echo "run_all: $nome saiu com $rc (veja $log)" >&2
  if ! grep -q '^RESULT ' "$log"; then
    le_$nome "$n" "$log" >> "$log"
  fi
  coleta "$n" "$log"
}

num() { sed -n "s#$1#\\1#p" "$2" | head -1; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "" }'; }

# ---- readers of the usual output of benchmarks without RESULT lines ----
le_conferir() { # N log
  piso=$(num '.*só ler.*( *\([0-9.]*\) guias/s).*' "$2")
  conf=$(num '.*conferir (--todas): .*( *\([0-9.]*\) guias/s).*' "$2")
  cpu=$(num '.*CPU: ler [0-9.]* s, conferir \([0-9.]*\) s.*' "$2")
  [ -n "$conf" ] && echo "RESULT conferir guias=$1 guias_s=$conf piso=fat_guia_load" \
    "piso_guias_s=$piso razao=$(div "$piso" "$conf") meta=<=3x cpu_s=$cpu"
}
le_importar() {
  piso=$(num '.*piso (json_each do SQLite): .*( *\([0-9.]*\) guias/s;.*' "$2")
  imp=$(num '.*importar: .*( *\([0-9.]*\) guias/s;.*' "$2")
  g=$(num '^bench_importar: \([0-9]*\) guias.*' "$2")
  rss=$(num '.*pico de memória (RSS): *\([0-9.]*\) MB.*' "$2")
  rsskb=$(awk -v m="$rss" 'BEGIN { if (m != "") printf "%d", m * 1024 }')
  [ -n "$imp" ] && echo "RESULT importar guias=${g:-$1} guias_s=$imp piso=json_each" \
    "piso_guias_s=$piso razao=$(div "$piso" "$imp") meta=<=2x ${rsskb:+rss_kb=$rsskb}"
}
le_regras_pares() {
  awk -v n="$1" '
    /^pares: / { em = 1; next }
    em && /guias\/s \(relógio\), .* guias por segundo de CPU/ && fat == "" {
      fat = $0; sub(/.*relógio\), */, "", fat); sub(/ guias por segundo.*/, "", fat) }
    em && /^  json-rules-engine .*faturo\/par/ {
      p = $0; sub(/^  json-rules-engine */, "", p); sub(/ guias\/s.*/, "", p)
      r = $0; sub(/.*faturo\/par = /, "", r); sub(/x.*/, "", r) }
    END { if (fat != "") printf "RESULT regras_pares guias=%s guias_s=%s piso=json-rules-engine piso_guias_s=%s razao=%s meta=>=100000/s,>=5x\n", n, fat, p, r }
  ' "$2"
}
le_lote_retorno() { # N log: the last size of bench_retorno
  # a figure line: "<rótulo> W ms (CPU C ms)  razão R (CPU RC)"
  lote=0
  [ -x "$BUILD/bench_lote" ] && lote=1 # then bench_lote says lote_fechar
  awk -v lote="$lote" '
    function ms() { for (i = 1; i <= NF; i++) if ($i == "ms") return $(i - 1); return 0 }
    function rc() { v = $NF; sub(/\)/, "", v); return v }
    /^banco com [0-9]+ guias:/ { n = $3 }
    /lote fechar de uma operadora:/ { lg = $(NF - 1) }
    /xmllint --schema nos mesmos lotes/ { xl = ms() }
    /lote fechar no processo/ { fl = ms(); rl = rc() }
    /retorno importar: [0-9]+ demonstrativos/ { rg = $(NF - 1) }
    /xmllint --schema nos mesmos arquivos/ { xr = ms() }
    /importação no processo/ { ir = ms(); rr = rc() }
    END {
      if (!lote && fl > 0 && xl > 0) printf "RESULT lote_fechar guias=%s guias_s=%.0f piso=xmllint piso_guias_s=%.0f razao=%s meta=<=1,5x\n", n, lg / (fl / 1000), lg / (xl / 1000), rl
      if (ir > 0 && xr > 0) printf "RESULT retorno guias=%s guias_s=%.0f piso=xmllint piso_guias_s=%.0f razao=%s meta=<=3x\n", n, rg / (ir / 1000), rg / (xr / 1000), rr
    }' "$2"
}
le_lote_tiss() {
  r=$(num '^razão faturo / xmllint: \([0-9.]*\) (médias).*' "$2")
  f=$(num '^faturo escrita + hash + validação (média): \([0-9.]*\) ms.*' "$2")
  x=$(num '^xmllint --noout --schema sozinho (média): \([0-9.]*\) ms.*' "$2")
  [ -n "$r" ] && echo "RESULT lote_tiss guias=100 guias_s=$(div 100000 "$f") piso=xmllint" \
    "piso_guias_s=$(div 100000 "$x") razao=$r meta=<=1,5x"
}
le_demo() {
  w=$(sed -n 's/.*WALL_S=\([0-9.]*\).*/\1/p' "$2.time")
  c=$(sed -n 's/.*CPU_S=\([0-9.+]*\) .*/\1/p' "$2.time" | awk -F+ '{ print $1 + $2 }')
  echo "RESULT demo guias=$1 guias_s=$(div "$1" "$w") piso= piso_guias_s= razao=" \
    "meta=1M<600s cpu_s=$c"
}
le_web() { :; }
le_lote() { :; }

for n in $SIZES; do
  d=$DIR/$n
  mkdir -p "$d"
  rm -f "$d/demo.db" "$d/demo.db-wal" "$d/demo.db-shm"
  FATURO_DB=$d/demo.db mede "$n" demo "$d/demo.log" "$FATURO" demo --guias "$n"
  mede "$n" conferir "$d/conferir.log" "$BUILD/bench_conferir" "$n" "$d/conferir.db"
  rm -f "$d/conferir.db"*
  mb=$(awk -v n="$n" 'BEGIN { m = int(n * 1.62 / 1000 + 0.5); print m < 1 ? 1 : m }')
  mede "$n" importar "$d/importar.log" "$BUILD/bench_importar" "$mb" "$d"
  rm -f "$d"/*.json "$d"/*.db-* 2>/dev/null
  mede "$n" regras_pares "$d/pares.log" bash "$SRC/bench/bench_pares.sh" \
    "$BUILD/bench_rules" "$SRC" "$n"
  m=$n
  [ "$m" -le "$RET_MAX" ] || m=$RET_MAX
  p=2000
  [ "$p" -le "$m" ] || p=$m
  mede "$n" lote_retorno "$d/retorno.log" "$BUILD/bench_retorno" "$FATURO" "$p" "$m"
  if [ -x "$BUILD/bench_lote" ]; then # lote fechar end to end (prints its RESULT line)
    mede "$n" lote "$d/lote.log" "$BUILD/bench_lote" "$FATURO" "$n" 2
  fi
  if [ -f "$d/demo.db" ]; then
    mede "$n" web "$d/web.log" \
      sh "$SRC/bench/web_wrk.sh" "$FATURO" "$d/demo.db" "$WRK_S"
  fi
  [ -n "${FAT_BENCH_MANTER:-}" ] || rm -f "$d/demo.db" "$d/demo.db-wal" "$d/demo.db-shm"
done
mede 100 lote_tiss "$DIR/tiss.log" "$BUILD/bench_tiss"

# ---- the table ----
campo() { # linha chave
  echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1
}
echo
echo "faturo: benchmarks da Parte M ($(date '+%d/%m/%Y %H:%M'), carga $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-9s %-13s %12s %-18s %12s %8s %-18s %9s\n' guias verbo guias/s piso 'piso guias/s' razão meta 'RSS (MB)'
# the benchmarks name their figures in two dialects (razao/ratio, piso/floor,
# guias_s/guias_por_cpu_s...): one column each; the goal by verb when absent
grep -v '^RESULT web ' "$RES" | awk '
  {
    delete k
    for (i = 3; i <= NF; i++) { c = $i; sub(/=.*/, "", c); k[c] = substr($i, length(c) + 2) }
    v = $2
    gs = k["guias_s"] != "" ? k["guias_s"] : (k["guias_por_cpu_s"] != "" ? k["guias_por_cpu_s"] : \
         (k["cpu_s"] > 0 ? sprintf("%.0f", k["guias"] / k["cpu_s"]) : ""))
    pi = k["piso"] != "" ? k["piso"] : (v == "conferir" || v == "regras_pares" ? "json-rules-engine" : \
         (k["floor_cpu_s"] != "" ? (v == "importar" ? "json_each" : "xmllint") : ""))
    pg = k["piso_guias_s"] != "" ? k["piso_guias_s"] : (k["floor_cpu_s"] > 0 ? \
         sprintf("%.0f", k["guias"] / k["floor_cpu_s"]) : (k["jre_guias_por_cpu_s"] != "" ? k["jre_guias_por_cpu_s"] : ""))
    r = k["razao"] != "" ? k["razao"] : (k["ratio"] != "" ? k["ratio"] : k["ratio_1t"])
    m = k["meta"]
    if (m == "") m = v == "conferir" ? ">=1x jre (CPU)" : v == "importar" ? "<=2x" : \
                     v == "lote_fechar" ? "<=1,5x" : v == "retorno" ? "<=3x" : v == "regras_pares" ? ">=5x, 100k/s" : ""
    rss = k["rss_kb"] != "" ? sprintf("%.1f", k["rss_kb"] / 1024) : ""
    printf "%-9s %-13s %12s %-18s %12s %8s %-18s %9s\n", k["tamanho"], v, gs, pi, pg, r, m, rss
  }'
if grep -q '^RESULT web ' "$RES"; then
  echo
  printf '%-9s %-52s %9s %9s %9s %10s %8s %s\n' guias rota req/s 'p50 (ms)' 'p99 (ms)' \
    'CPU ms/req' 'não-2xx' 'erros de socket'
  grep '^RESULT web ' "$RES" | while IFS= read -r l; do
    printf '%-9s %-52s %9s %9s %9s %10s %8s %s\n' "$(campo "$l" tamanho)" "$(campo "$l" rota)" \
      "$(campo "$l" req_s)" "$(campo "$l" p50_ms)" "$(campo "$l" p99_ms)" \
      "$(campo "$l" cpu_ms_req)" "$(campo "$l" nao_2xx)" "$(campo "$l" erros_socket)"
  done
fi

# ---- the JSON file: one object per RESULT line ----
awk '
  function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
  BEGIN { printf "{\n  \"resultados\": [" }
  {
    printf "%s\n    {\"verbo\": %s", (NR > 1 ? "," : ""), q($2)
    for (i = 3; i <= NF; i++) {
      k = $i; sub(/=.*/, "", k); v = substr($i, length(k) + 2)
      if (v ~ /^-?[0-9]+(\.[0-9]+)?$/) printf ", %s: %s", q(k), v
      else printf ", %s: %s", q(k), q(v)
    }
    printf "}"
  }
  END { printf "\n  ]\n}\n" }' "$RES" > "$OUT"
echo
echo "JSON: $OUT; registros de cada benchmark: $DIR"
