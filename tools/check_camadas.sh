#!/bin/sh
# check_camadas.sh [RAIZ]: the engine owns every SQL statement (ARCHITECTURE.md).
# Fails (exit 1, one line per violation) when a C file that is not the engine
# includes an internal header (*_int.h) or sqlite3.h, or calls the SQLite API
# (sqlite3_* / SQLITE_*). Checked: web/, bench/ and the CLI (engine/cli/), and
# any other C file outside engine/, except tests/ (white-box unit tests may look
# inside the store) and build folders. Run by the build (target check_camadas)
# and by ctest (lint.camadas); lint.camadas_violacao proves that it fails on a
# deliberate violation.
set -u
raiz=${1:-$(dirname "$0")/..}
cd "$raiz" || { echo "check_camadas: pasta '$raiz' não encontrada" >&2; exit 2; }

files=$(find . \( -path './build*' -o -path './tests' -o -path './.git' -o -name node_modules \) -prune \
          -o \( -name '*.c' -o -name '*.h' \) -print | sort | while read -r f; do
          case "$f" in
            ./engine/cli/*) echo "$f" ;;
            ./engine/*) ;;
            *) echo "$f" ;;
          esac
        done)

status=0
for f in $files; do
  # comments and string literals do not count; only code
  out=$(sed -e 's://.*$::' "$f" | awk -v f="$f" '
    { line = $0
      gsub(/"([^"\\]|\\.)*"/, "\"\"", line)          # string literals
      if (incomment) { if (sub(/.*\*\//, "", line)) incomment = 0; else next }
      while (match(line, /\/\*/)) {
        rest = substr(line, RSTART + 2)
        if (match(rest, /\*\//)) line = substr(line, 1, index(line, "/*") - 1) substr(rest, RSTART + 2)
        else { line = substr(line, 1, index(line, "/*") - 1); incomment = 1 }
      }
      orig = $0
      if (orig ~ /^[ \t]*#[ \t]*include[ \t]*[<"]([^>"]*\/)?fat_[A-Za-z0-9_]*_int\.h[>"]/)
        printf "%s:%d: inclui um cabeçalho interno do motor: %s\n", f, NR, orig
      else if (orig ~ /^[ \t]*#[ \t]*include[ \t]*[<"]sqlite3\.h[>"]/)
        printf "%s:%d: inclui sqlite3.h: só o motor fala com o banco\n", f, NR
      else if (line ~ /(^|[^A-Za-z0-9_])(sqlite3_[A-Za-z0-9_]+|SQLITE_[A-Z0-9_]+)/)
        printf "%s:%d: usa a API do SQLite: só o motor fala com o banco\n", f, NR
    }')
  if [ -n "$out" ]; then
    echo "$out"
    status=1
  fi
done
if [ $status -ne 0 ]; then
  echo "check_camadas: SQL e cabeçalhos *_int.h são do motor (engine/); chame uma função pública dele" >&2
fi
exit $status
