#!/bin/sh
# check_camadas.sh [RAIZ]: the engine owns every SQL statement (ARCHITECTURE.md).
# Fails (exit 1, one line per violation) when a C file that is not the engine
# includes an internal header of the engine (fat_*_int.h) or sqlite3.h, or
# calls the SQLite API (sqlite3_* / SQLITE_*). Checked: web/, bench/ and the CLI
# (engine/cli/), and any other C file outside engine/, except tests/ (white-box
# unit tests may look inside the store) and build folders. Comments and string
# literals do not count. Run by the build (target check_camadas) and by ctest
# (lint.camadas); lint.camadas_violacao proves that it fails on a deliberate
# violation.
set -u
raiz=${1:-$(dirname "$0")/..}
cd "$raiz" || { echo "check_camadas: pasta '$raiz' não encontrada" >&2; exit 2; }

files=$( { find . \( -path './build*' -o -path './tests' -o -path './.git' -o -name node_modules \) -prune \
             -o \( -name '*.c' -o -name '*.h' \) -print | grep -v '^\./engine/'
           [ -d ./engine/cli ] && find ./engine/cli \( -name '*.c' -o -name '*.h' \) -print
         } | sort)
[ -n "$files" ] || exit 0

# shellcheck disable=SC2086
awk '
  FNR == 1 { incomment = 0 }
  {
    orig = $0
    line = $0
    gsub(/"([^"\\]|\\.)*"/, "\"\"", line)             # string literals
    if (incomment) {
      if (match(line, /\*\//)) { line = substr(line, RSTART + 2); incomment = 0 }
      else next
    }
    while (match(line, /\/\*/)) {
      head = substr(line, 1, RSTART - 1)
      rest = substr(line, RSTART + 2)
      if (match(rest, /\*\//)) line = head substr(rest, RSTART + 2)
      else { line = head; incomment = 1 }
    }
    sub(/\/\/.*$/, "", line)
    if (orig ~ /^[ \t]*#[ \t]*include[ \t]*[<"]([^>"]*\/)?fat_[A-Za-z0-9_]*_int\.h[>"]/)
      { printf "%s:%d: inclui um cabeçalho interno do motor: %s\n", FILENAME, FNR, orig; bad = 1 }
    else if (orig ~ /^[ \t]*#[ \t]*include[ \t]*[<"]sqlite3\.h[>"]/)
      { printf "%s:%d: inclui sqlite3.h: só o motor fala com o banco\n", FILENAME, FNR; bad = 1 }
    else if (line ~ /(^|[^A-Za-z0-9_])(sqlite3_[A-Za-z0-9_]+|SQLITE_[A-Z0-9_]+)/)
      { printf "%s:%d: usa a API do SQLite: só o motor fala com o banco\n", FILENAME, FNR; bad = 1 }
  }
  END {
    if (bad) {
      print "check_camadas: SQL e cabeçalhos fat_*_int.h são do motor (engine/); chame uma função pública dele" > "/dev/stderr"
      exit 1
    }
  }' $files
