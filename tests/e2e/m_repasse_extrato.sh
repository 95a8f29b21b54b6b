#!/bin/sh
# e2e (Part M): `repasse extrato` is printed as the engine reads the lines (in
# pages of 512, memory flat in the number of lines) and prints the same bytes
# as before, when the whole statement was built as JSON first: texto, --json
# and html (stdout and --saida), everyone and one professional, on the
# statement of tests/data/repasse_extrato/fixture.sql. esperado.sha256 holds
# the digests of what the faturo before the change (a3e40b6) printed.
# The file of --saida is written through fat_file_out (round 7): a disk that
# fills up and a reader that goes away are clear errors.
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
# a disk that fills up midway (a file size limit of 80 KB, past the 32 KB of
# the database's -shm and short of the statement's 270 KB: the write fails
# with EFBIG; SIGXFSZ ignored so that the error comes back to faturo): exit 1,
# the error names the file and why, nothing left under the name or beside it
(trap '' XFSZ; ulimit -f 160; "$FAT" repasse extrato --periodo 2025-05 --formato html \
  --saida cheio.html >out.txt 2>err.txt; echo $? >rc.txt)
[ "$(cat rc.txt)" = 1 ] || fail "disco cheio: código $(cat rc.txt), esperado 1"
grep -q "não foi possível gravar cheio.html: arquivo grande demais" err.txt ||
  fail "disco cheio: $(cat err.txt)"
[ ! -e cheio.html ] && [ ! -e cheio.html.tmp ] || fail "disco cheio: arquivo pela metade ficou"
# a reader that closes the screen output early: an error in Portuguese, not a
# silent death by SIGPIPE
for fmt in html texto; do
  (sleep 1; "$FAT" repasse extrato --periodo 2025-05 --formato $fmt 2>err.txt; echo $? >rc.txt) |
    true
  [ "$(cat rc.txt)" = 1 ] || fail "saída fechada ($fmt): código $(cat rc.txt), esperado 1"
  grep -q "quem lia a saída a fechou antes do fim" err.txt || fail "saída fechada ($fmt): $(cat err.txt)"
done
echo ok
