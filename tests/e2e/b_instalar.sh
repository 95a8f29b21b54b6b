#!/usr/bin/env bash
# e2e (Part J): `cmake --install` gives a faturo that finds its data beside
# itself (share/faturo), and a copied binary reads no other tree's rules.
set -euo pipefail
FATURO="$1"
SRC="$2"
BUILD="$3"
T="$(mktemp -d /tmp/e2e_instalar_XXXXXX)"
trap 'rm -rf "$T"' EXIT
fail() { echo "FALHOU: $*" >&2; exit 1; }
unset FATURO_REGRAS FATURO_HOME FATURO_XSD_DIR FAT_SOURCE_DIR
cd "$T"

cmake --install "$BUILD" --prefix "$T/pref" > "$T/install.log" || fail "cmake --install"
[ -x "$T/pref/bin/faturo" ] || fail "sem bin/faturo"
[ -f "$T/pref/share/faturo/scripts/faturo/base.lua" ] || fail "sem os módulos"
[ -f "$T/pref/share/faturo/web/static/index.html" ] || fail "sem o painel"

# the installed one uses its own share/faturo, whatever the current folder
"$T/pref/bin/faturo" --json regras listar > "$T/listar" || fail "listar instalado"
grep -q "\"pasta\":\"$T/pref/share/faturo/rules\"" "$T/listar" || fail "pasta: $(cat "$T/listar")"
"$T/pref/bin/faturo" regras testar | grep -q "0 falha(s)" || fail "testar instalado"

# a copy somewhere else does not reach back into the source or build tree
mkdir -p "$T/outro"
cp "$FATURO" "$T/outro/faturo"
if "$T/outro/faturo" regras listar > "$T/out" 2>&1; then fail "cópia achou regras: $(cat "$T/out")"; fi
grep -q "FATURO_HOME" "$T/out" || fail "sem dizer como: $(cat "$T/out")"
FATURO_HOME="$T/pref/share/faturo" "$T/outro/faturo" regras testar | grep -q "0 falha(s)" ||
  fail "FATURO_HOME"
# no data folder of the build tree in the program (source file names that
# assert or UBSan keep for their messages aside)
strings -d "$T/outro/faturo" > "$T/strings"
for d in rules scripts web/static schemas/tiss; do
  if grep -qF "$SRC/$d" "$T/strings"; then fail "caminho $SRC/$d embutido"; fi
done
if grep -qF "$SRC/../shared" "$T/strings"; then fail "caminho dos XSD embutido"; fi
echo "ok"
