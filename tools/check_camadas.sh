#!/bin/sh
# check_camadas.sh [RAIZ]: the engine owns every SQL statement (ARCHITECTURE.md).
# Fails (exit 1, one line per violation) when a C file that is not the engine
# includes an internal header (*_int.h) or sqlite3.h, or calls the SQLite API
# (sqlite3_* / SQLITE_*). Checked: web/, bench/ and the CLI (engine/cli/), and
# any other C file outside engine/, except tests/ (white-box unit tests may look
# inside the store) and build folders. Inside engine/, only the store
# (engine/base/fat_store.c, fat_store_sqlite.h) may use SQLite: every other
# module goes through fat_store_int.h (docs/dev/store.md), so a second backend
# stays one file. Run by the build (target check_camadas)
# and by ctest (lint.camadas); lint.camadas_violacao proves that it fails on a
# deliberate violation.
set -u
raiz=${1:-$(dirname "$0")/..}
cd "$raiz" || { echo "check_camadas: pasta '$raiz' não encontrada" >&2; exit 2; }

files=$(find . \( -path './build*' -o -path './tests' -o -path './.git' -o -name node_modules \) -prune \
          -o \( -name '*.c' -o -name '*.h' \) -print | sort | while read -r f; do
          case "$f" in
            ./engine/cli/*) echo "$f" ;;
            ./engine/base/fat_store.c | ./engine/base/fat_store_sqlite.h) ;;
            ./engine/*) echo "motor:$f" ;;
            *) echo "$f" ;;
          esac
        done)

status=0
for f in $files; do
  motor=0
  case "$f" in
    motor:*) motor=1; f=${f#motor:} ;;
  esac
  # comments and string literals do not count; only code
  out=$(sed -e 's://.*$::' "$f" | awk -v f="$f" -v motor=$motor '
    { line = $0
      gsub(/"([^"\\]|\\.)*"/, "\"\"", line)          # string literals
      if (incomment) { if (sub(/.*\*\//, "", line)) incomment = 0; else next }
      while (match(line, /\/\*/)) {
        rest = substr(line, RSTART + 2)
        if (match(rest, /\*\//)) line = substr(line, 1, index(line, "/*") - 1) substr(rest, RSTART + 2)
        else { line = substr(line, 1, index(line, "/*") - 1); incomment = 1 }
      }
      orig = $0
      if (!motor && orig ~ /^[ \t]*#[ \t]*include[ \t]*[<"]([^>"]*\/)?fat_[A-Za-z0-9_]*_int\.h[>"]/)
        printf "%s:%d: inclui um cabeçalho interno do motor: %s\n", f, NR, orig
      else if (orig ~ /^[ \t]*#[ \t]*include[ \t]*[<"](sqlite3|fat_store_sqlite)\.h[>"]/)
        printf "%s:%d: inclui %s: só %s fala com o banco\n", f, NR,
               orig ~ /sqlite3\.h/ ? "sqlite3.h" : "fat_store_sqlite.h",
               motor ? "o store (fat_store.c)" : "o motor"
      else if (line ~ /(^|[^A-Za-z0-9_])(sqlite3_[A-Za-z0-9_]+|SQLITE_[A-Z0-9_]+)/)
        printf "%s:%d: usa a API do SQLite: só %s fala com o banco\n", f, NR,
               motor ? "o store (fat_store.c; use fat_store_int.h)" : "o motor"
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
