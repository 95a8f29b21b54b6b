#!/bin/sh
# importar_instrucoes.sh BUILD_DIR [MB] [DIR]: the import against its floor in
# instructions, which do not depend on the machine's load (docs/desempenho.md,
# "importar, rodada 8").
#
# Runs bench_importar MB DIR (default 10 MB, in a new folder under TMPDIR)
# under `valgrind --tool=callgrind --trace-children=yes`, so that the sqlite3
# shell that bench_importar starts for the floor is counted too, and prints:
#   - the instructions of fat_import_guias_file (inclusive) in bench_importar;
#   - the instructions of the sqlite3 shell running the floor
#     (`SELECT count(*) FROM json_each(readfile(F), '$.guias')`, the whole
#     process, its start included);
#   - the ratio of the two, and per guia.
# The last line is for scripts:
#   RESULT importar_instrucoes guias=N importar_ir=.. piso_ir=.. razao=..
# Needs valgrind and the Debian sqlite3 shell. Under callgrind a 10 MB file
# takes ~2 min on a quiet machine (the import runs ~50x slower).
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
valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$DIR/cg.%p" \
  "$BENCH" "$MB" "$DIR" > "$DIR/bench.log" 2> "$DIR/valgrind.log" || {
  echo "importar_instrucoes: bench_importar falhou (ver $DIR)" >&2
  exit 1
}
guias=$(sed -n 's/^RESULT importar guias=\([0-9]*\).*/\1/p' "$DIR/bench.log")
imp=""
piso=""
for f in "$DIR"/cg.*; do
  cmd=$(sed -n 's/^cmd: //p' "$f" | head -1)
  case "$cmd" in
    */bin/sh*) ;; # the shell that popen starts
    *sqlite3\ :memory:*json_each*) # the floor (not the informative table write)
      piso=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p; s/^totals: *\([0-9]*\).*/\1/p' "$f" | head -1) ;;
    *sqlite3*) ;;
    *bench_importar*)
      imp=$(callgrind_annotate --inclusive=yes "$f" 2>/dev/null |
        awk '/:fat_import_guias_file / { gsub(",", "", $1); print $1; exit }') ;;
  esac
done
if [ -z "$imp" ] || [ -z "$piso" ] || [ -z "$guias" ]; then
  echo "importar_instrucoes: contagens não encontradas (ver $DIR)" >&2
  exit 1
fi
awk -v g="$guias" -v i="$imp" -v p="$piso" -v mb="$MB" 'BEGIN {
  printf "importar_instrucoes: %d guias (arquivo de ~%d MB), instruções (callgrind)\n", g, mb
  printf "  importar (fat_import_guias_file): %15.0f  (%.1f mil por guia)\n", i, i / g / 1000
  printf "  piso (sqlite3 com json_each):     %15.0f  (%.1f mil por guia)\n", p, p / g / 1000
  printf "  importar / piso: %.2fx em instruções\n", i / p
  printf "RESULT importar_instrucoes guias=%d importar_ir=%.0f piso_ir=%.0f razao=%.2f\n", g, i, p, i / p
}'
