#!/bin/sh
# Part K: the layering check (tools/check_camadas.sh) fails on a deliberate
# violation, names the file and line, and passes again once it is gone.
# Works on a copy of the tree, never on the source.
set -eu
src=${FAT_SOURCE_DIR:?FAT_SOURCE_DIR}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/faturo-camadas-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/engine"
cp -r "$src/web" "$src/bench" "$src/tools" "$tmp/"
cp -r "$src/engine/cli" "$tmp/engine/"
check="$tmp/tools/check_camadas.sh"

sh "$check" "$tmp" || { echo "FALHA: a cópia limpa da árvore não passou"; exit 1; }
echo "ok   árvore limpa passa"

# 1. the web calling SQLite through the store's internal header
cat > "$tmp/web/web_api_violacao.c" <<'C'
/* deliberate violation */
#include "fat_store_int.h"
#include "web_int.h"
int web_violacao(web_req *rq);
int web_violacao(web_req *rq)
{
  return sqlite3_exec(fat_store_db(rq->st), "DELETE FROM guia", 0, 0, 0);
}
C
if out=$(sh "$check" "$tmp" 2>&1); then
  echo "FALHA: a verificação aceitou SQL no web: $out"; exit 1
fi
echo "$out" | grep -q 'web_api_violacao.c:2: inclui um cabeçalho interno' ||
  { echo "FALHA: não apontou o include interno: $out"; exit 1; }
echo "$out" | grep -q 'web_api_violacao.c:7: usa a API do SQLite' ||
  { echo "FALHA: não apontou a chamada sqlite3_exec: $out"; exit 1; }
echo "ok   violação no web reprovada (include interno e sqlite3_exec apontados)"
rm "$tmp/web/web_api_violacao.c"

# 2. the CLI including sqlite3.h (engine/cli is checked although under engine/)
printf '#include <sqlite3.h>\n' > "$tmp/engine/cli/cmd_violacao.c"
if sh "$check" "$tmp" > /dev/null 2>&1; then
  echo "FALHA: a verificação aceitou sqlite3.h na CLI"; exit 1
fi
echo "ok   sqlite3.h na CLI reprovado"
rm "$tmp/engine/cli/cmd_violacao.c"

# 4. an engine module calling SQLite instead of the store's statement API is
#    refused; the store itself may (one run for both)
mkdir -p "$tmp/engine/4_lote" "$tmp/engine/base"
printf '#include "fat_store_int.h"\nint f(void *s);\nint f(void *s) { return sqlite3_step(s); }\n' \
  > "$tmp/engine/4_lote/fat_violacao.c"
printf '#include <sqlite3.h>\nint f(sqlite3_stmt *s);\nint f(sqlite3_stmt *s) { return sqlite3_step(s); }\n' \
  > "$tmp/engine/base/fat_store.c"
if out=$(sh "$check" "$tmp" 2>&1); then
  echo "FALHA: a verificação aceitou SQLite num módulo do motor: $out"; exit 1
fi
echo "$out" | grep -q 'fat_violacao.c:3: usa a API do SQLite: só o store' ||
  { echo "FALHA: não apontou o sqlite3_step do módulo: $out"; exit 1; }
if echo "$out" | grep -q 'engine/base/fat_store.c:'; then
  echo "FALHA: o store não pode usar o SQLite? $out"; exit 1
fi
rm "$tmp/engine/4_lote/fat_violacao.c" "$tmp/engine/base/fat_store.c"
echo "ok   SQLite num módulo do motor reprovado; no store, aceito"

# 3. comments and strings that mention the API are not violations
printf '/* sqlite3_exec is for the engine */\nconst char *x = "sqlite3_step";\n' \
  > "$tmp/web/web_comentario.c"
sh "$check" "$tmp" || { echo "FALHA: comentário ou texto contou como violação"; exit 1; }
echo "ok   comentários e textos não contam"
