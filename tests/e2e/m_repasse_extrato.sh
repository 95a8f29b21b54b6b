#!/bin/sh
# e2e (Part M): `repasse extrato` is printed as the engine reads the lines (in
# pages of 512, memory flat in the number of lines) and prints the same bytes
# as before, when the whole statement was built as JSON first: texto, --json
# and html (stdout and --saida), everyone and one professional, on the
# statement of tests/data/repasse_extrato/fixture.sql. esperado.sha256 holds
# the digests of what the faturo before the change (a3e40b6) printed.
# usage: m_repasse_extrato.sh FATURO_BIN SOURCE_DIR
set -u
FAT="$1"
SRC="$2"
DATA="$SRC/tests/data/repasse_extrato"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_e2e_rx.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FATURO_DB="$TMP/clinica.db"
fail() { echo "FALHOU: $*" >&2; exit 1; }

"$FAT" init >/dev/null || fail "init"
sqlite3 "$FATURO_DB" <"$DATA/fixture.sql" || fail "fixture"
cd "$TMP" || fail "cd"
"$FAT" repasse extrato --periodo 2025-05 >texto.txt || fail "texto"
"$FAT" repasse extrato --periodo 2025-05 --profissional 3 >texto_prof3.txt || fail "texto prof 3"
"$FAT" --json repasse extrato --periodo 2025-05 >json.txt || fail "json"
"$FAT" --json repasse extrato --periodo 2025-05 --profissional 1 >json_prof1.txt || fail "json prof 1"
"$FAT" repasse extrato --periodo 2025-05 --formato html >html.txt || fail "html"
"$FAT" repasse extrato --periodo 2025-05 --formato html --saida html_saida.txt >/dev/null ||
  fail "html --saida"
[ ! -e html_saida.txt.tmp ] || fail "arquivo temporário ficou"
[ "$(stat -c %a html_saida.txt)" = 600 ] || fail "extrato gravado com modo $(stat -c %a html_saida.txt)"
sha256sum texto.txt texto_prof3.txt json.txt json_prof1.txt html.txt html_saida.txt >obtido.sha256
diff "$DATA/esperado.sha256" obtido.sha256 >diff.txt || fail "saída diferente da de antes: $(cat diff.txt)"
# no statement: the same error, nothing written
"$FAT" repasse extrato --periodo 2025-06 --formato html --saida nada.html 2>err.txt && fail "sem repasse"
grep -q "não há repasse de 2025-06" err.txt || fail "mensagem: $(cat err.txt)"
[ ! -e nada.html ] && [ ! -e nada.html.tmp ] || fail "arquivo gravado sem repasse"
echo ok
