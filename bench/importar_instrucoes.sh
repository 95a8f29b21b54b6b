#!/bin/sh
# importar_instrucoes.sh BUILD_DIR [MB] [DIR]: the import against its floors in
# instructions, which do not depend on the machine's load (docs/desempenho.md,
# "importar, rodada 8").
#
# Runs bench_importar MB DIR (default 10 MB, in a new folder under TMPDIR)
# under `valgrind --tool=callgrind --trace-children=yes`, so that the sqlite3
# shells that bench_importar starts are counted too (each process in its own
# file, told apart by its command line), and prints:
#   - the instructions of fat_import_guias_file (inclusive) in bench_importar;
#   - the instructions of the sqlite3 shell running the floor
#     (`SELECT count(*) FROM json_each(readfile(F), '$.guias')`, the whole
#     process, its start included);
#   - the write floor: the sqlite3 shell writing the same rows into a store
#     faturo made, from plain SQL (bench_importar_gravacao.sql; the whole
#     process, its start and the loading of faturo's schema included);
#   - writing alone: the shell that fills TEMP tables and then writes from
#     them (bench_importar_so_gravacao.sql) minus the one that only fills
#     them (bench_importar_preparo.sql);
#   - the ratios of importar to each, and per guia.
# bench_importar's own RESULT line says whether the shells wrote as many guias
# and items as importar; when not, the write figures are -1.
# The last line is for scripts:
#   RESULT importar_instrucoes guias=N importar_ir=.. piso_ir=.. razao=..
#          gravacao_ir=.. razao_gravacao=.. so_gravacao_ir=.. razao_so_gravacao=..
# Needs valgrind and the Debian sqlite3 shell. Under callgrind a 10 MB file
# takes ~3 min on a quiet machine (5 MB: 78 s; the import runs ~50x slower,
# and the write floor's three shells take longer than the import).
set -u
BUILD=${1:?uso: importar_instrucoes.sh PASTA_DO_BUILD [MB] [PASTA]}
MB=${2:-10}
DIR=${3:-$(mktemp -d "${TMPDIR:-/tmp}/faturo-instr-XXXXXX")}
BENCH=$BUILD/bench_importar
[ -x "$BENCH" ] || { echo "importar_instrucoes: $BENCH não existe (compile antes)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "importar_instrucoes: falta o valgrind" >&2; exit 77; }
command -v callgrind_annotate >/dev/null || { echo "importar_instrucoes: falta o callgrind_annotate" >&2; exit 77; }
mkdir -p "$DIR"
rm -f "$DIR"/cg.*
FAT_BENCH_PREPARO=1 valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$DIR/cg.%p" \
  "$BENCH" "$MB" "$DIR" > "$DIR/bench.log" 2> "$DIR/valgrind.log" || {
  echo "importar_instrucoes: bench_importar falhou (ver $DIR)" >&2
  exit 1
}
guias=$(sed -n 's/^RESULT importar guias=\([0-9]*\).*/\1/p' "$DIR/bench.log")
# -1.00 when the write floor's counts differed from importar's (or no shell)
gravou=$(sed -n 's/^RESULT importar .* write_floor_cpu_s=\([-0-9.]*\).*/\1/p' "$DIR/bench.log")
# The total instructions of one callgrind file (a whole process).
total() {
  sed -n 's/^summary: *\([0-9]*\).*/\1/p; s/^totals: *\([0-9]*\).*/\1/p' "$1" | head -1
}
imp=""
piso=""
grav=""
prep=""
so=""
for f in "$DIR"/cg.*; do
  cmd=$(sed -n 's/^cmd: //p' "$f" | head -1)
  case "$cmd" in
    */bin/sh*) ;; # the shell that popen and system start
    *sqlite3\ :memory:*json_each*) # the floor (not the informative table write)
      piso=$(total "$f") ;;
    *sqlite3*/bench_importar_gravacao.sql*) grav=$(total "$f") ;;
    *sqlite3*/bench_importar_preparo.sql*) prep=$(total "$f") ;;
    *sqlite3*/bench_importar_so_gravacao.sql*) so=$(total "$f") ;;
    *sqlite3*) ;; # the informative table write, the cadastro, the counts
    *bench_importar*)
      imp=$(callgrind_annotate --inclusive=yes "$f" 2>/dev/null |
        awk '/:fat_import_guias_file / { gsub(",", "", $1); print $1; exit }') ;;
  esac
done
if [ -z "$imp" ] || [ -z "$piso" ] || [ -z "$guias" ]; then
  echo "importar_instrucoes: contagens não encontradas (ver $DIR)" >&2
  exit 1
fi
if [ -z "$grav" ] || [ -z "$prep" ] || [ -z "$so" ] || [ "$gravou" = "-1.00" ] || [ -z "$gravou" ]; then
  echo "importar_instrucoes: AVISO: piso de gravação não medido (ver $DIR/bench.log)" >&2
  grav=-1
  prep=-1
  so=-1
fi
awk -v g="$guias" -v i="$imp" -v p="$piso" -v w="$grav" -v pr="$prep" -v s="$so" -v mb="$MB" 'BEGIN {
  wo = (w < 0) ? -1 : s - pr
  printf "importar_instrucoes: %d guias (arquivo de ~%d MB), instruções (callgrind)\n", g, mb
  printf "  importar (fat_import_guias_file): %15.0f  (%.1f mil por guia)\n", i, i / g / 1000
  printf "  piso (sqlite3 com json_each):     %15.0f  (%.1f mil por guia)\n", p, p / g / 1000
  if (w >= 0) {
    printf "  piso de gravação (SQL puro):      %15.0f  (%.1f mil por guia)\n", w, w / g / 1000
    printf "  só a gravação (de tabela pronta): %15.0f  (%.1f mil por guia)\n", wo, wo / g / 1000
  } else
    printf "  piso de gravação: não medido\n"
  printf "  importar / piso: %.2fx em instruções\n", i / p
  if (w >= 0)
    printf "  importar / piso de gravação: %.2fx; importar / só a gravação: %.2fx\n", i / w, i / wo
  printf "RESULT importar_instrucoes guias=%d importar_ir=%.0f piso_ir=%.0f razao=%.2f", g, i, p, i / p
  printf " gravacao_ir=%.0f razao_gravacao=%.2f so_gravacao_ir=%.0f razao_so_gravacao=%.2f\n",
    w, (w > 0) ? i / w : -1, wo, (wo > 0) ? i / wo : -1
}'
