#!/bin/sh
# e2e (Part M): `glosa listar` prints the glosas as the engine reads them
# (fat_relatorio_glosas_cada, memory flat in their number) and prints the
# same bytes as before, when every page of the listing was gathered into one
# array first: text and --json, with each filter and with none, and an empty
# answer, on the 1,234 glosas of tests/data/glosa_listar/fixture.sql.
# esperado.sha256 holds the digests of what the faturo before the change
# (main at edc1c06) printed.
# usage: m_glosa_listar.sh FATURO_BIN SOURCE_DIR
set -u
FAT="$1"
SRC="$2"
DATA="$SRC/tests/data/glosa_listar"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_e2e_gl.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FATURO_DB="$TMP/clinica.db"
fail() { echo "FALHOU: $*" >&2; exit 1; }

"$FAT" init >/dev/null || fail "init"
sqlite3 "$FATURO_DB" <"$DATA/fixture.sql" || fail "fixture"
cd "$TMP" || fail "cd"
lista() { # name, then the arguments of glosa listar
  n="$1"
  shift
  "$FAT" glosa listar "$@" >"$n.txt" || fail "glosa listar $*"
  "$FAT" --json glosa listar "$@" >"$n.json" || fail "--json glosa listar $*"
}
lista todas
lista aurora --operadora aurora
lista marco --competencia 03/2025
lista abertas --situacao aberta
lista devidas --classificacao devida
lista cobranca --grupo cobranca --operadora aurora
lista vazia --competencia 01/2025
sha256sum todas.txt todas.json aurora.txt aurora.json marco.txt marco.json abertas.txt \
  abertas.json devidas.txt devidas.json cobranca.txt cobranca.json vazia.txt vazia.json \
  >obtido.sha256
diff "$DATA/esperado.sha256" obtido.sha256 >diff.txt || fail "saída diferente da de antes: $(cat diff.txt)"
# the same refusal as before for an unknown operadora, nothing printed
"$FAT" glosa listar --operadora nenhuma >out.txt 2>err.txt && fail "operadora desconhecida aceita"
[ ! -s out.txt ] || fail "operadora desconhecida: algo impresso: $(cat out.txt)"
grep -q "nenhuma" err.txt || fail "operadora desconhecida: $(cat err.txt)"
echo ok
