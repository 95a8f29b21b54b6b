#!/bin/sh
# multiplicar_guias.sh BANCO FATOR — BENCHMARK ONLY, never on a clinic's data.
#
# Makes a big database for the web benchmarks (bench/web_wrk.sh) out of a
# demo one quickly: every guia of BANCO, with its items, findings,
# conferência and glosas, is copied FATOR - 1 times (new ids; the guia's
# número no prestador gets "-cKxM", M the largest guia id before), in one transaction per copy, through the
# sqlite3 shell (Debian package sqlite3). The store's triggers run for every
# copied row, so the dashboard counters (painel_operadora, guia_aberto,
# rel_mes) stay what they would be. The copies keep their lote and status:
# the lotes' own totals and `faturo verificar` no longer agree with them, so
# the result is good for measuring reads only. With FAT_MULT_RAPIDO (below)
# the triggers do not run during the copy and the counters are recounted. docs/desempenho.md says how
# the big database of the measured table was made.
set -eu
BANCO=${1:?uso: multiplicar_guias.sh BANCO FATOR}
FATOR=${2:?uso: multiplicar_guias.sh BANCO FATOR}
command -v sqlite3 > /dev/null || { echo "multiplicar_guias: instale o pacote Debian sqlite3" >&2; exit 2; }
q() { sqlite3 -batch -bail "$BANCO" "$1"; }
og=$(q "SELECT max(id) FROM guia"); oi=$(q "SELECT coalesce(max(id), 0) FROM item")
oa=$(q "SELECT coalesce(max(id), 0) FROM achado"); ol=$(q "SELECT coalesce(max(id), 0) FROM glosa")

# the column list of a table and, for the copy k, the expression of each
cols() { q "SELECT group_concat(name, ', ') FROM pragma_table_info('$1')"; }
exprs() { # tabela k
  q "SELECT group_concat(CASE name
       WHEN 'id' THEN 'id + $2 * ' || CASE '$1' WHEN 'guia' THEN $og WHEN 'item' THEN $oi
                                               WHEN 'achado' THEN $oa ELSE $ol END
       WHEN 'guia_id' THEN 'guia_id + $2 * $og'
       WHEN 'item_id' THEN 'item_id + $2 * $oi'
       WHEN 'numero_prestador' THEN 'numero_prestador || ''-c$2x$og'''
       ELSE name END, ', ') FROM pragma_table_info('$1')"
}
# FAT_MULT_RAPIDO=FATURO: the triggers of the copied tables are dropped while
# copying and created again after; then `FATURO relatorio recontar` rebuilds
# the counters they keep (several times faster for a million guias)
gat=""
if [ -n "${FAT_MULT_RAPIDO:-}" ]; then
  gat=$(mktemp)
  q "SELECT sql || ';' FROM sqlite_master WHERE type = 'trigger'
      AND tbl_name IN ('guia', 'item', 'achado', 'conferencia', 'glosa')" > "$gat"
  # whatever happens, the triggers come back
  trap 'sqlite3 -batch "$BANCO" < "$gat"; rm -f "$gat"' EXIT
  q "SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_master WHERE type = 'trigger'
      AND tbl_name IN ('guia', 'item', 'achado', 'conferencia', 'glosa')" | sqlite3 -batch "$BANCO"
fi
k=1
while [ "$k" -lt "$FATOR" ]; do
  sql="BEGIN;"
  for t in guia item achado conferencia glosa; do
    case $t in
      guia) w="id <= $og" ;; item) w="id <= $oi" ;; achado) w="id <= $oa" ;;
      glosa) w="id <= $ol" ;; conferencia) w="guia_id <= $og" ;;
    esac
    sql="$sql INSERT INTO $t ($(cols $t)) SELECT $(exprs $t $k) FROM $t WHERE $w;"
  done
  # a scratch database: no fsync per copy
  q "PRAGMA synchronous = OFF; $sql COMMIT;"
  echo "multiplicar_guias: cópia $k de $((FATOR - 1)): $(q 'SELECT count(*) FROM guia') guias" >&2
  k=$((k + 1))
done
if [ -n "$gat" ]; then
  sqlite3 -batch -bail "$BANCO" < "$gat"
  rm -f "$gat"
  trap - EXIT
  FATURO_DB="$BANCO" "$FAT_MULT_RAPIDO" relatorio recontar
fi
