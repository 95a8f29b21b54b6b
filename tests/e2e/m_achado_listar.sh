#!/bin/sh
# e2e (Part M): the findings worklist printed and exported as it is read,
# page by page (fat_rel_achados_cada), prints the same as before, when the
# whole document was built first: the aligned table (two passes: widths,
# then lines), --json, --csv and --resumo byte for byte, and the XLSX
# (now written in libxlsxwriter's constant-memory mode, text inline) with
# the same cells, on the 1,234 findings of tests/data/achado_listar/
# fixture.sql, with each filter, none and an empty answer.
# esperado.sha256 holds the digests of what the faturo before the change
# (main at daf8458) printed; the XLSX digests are of its cells as
# xlsx_celulas.mjs lists them. Then `achado reconhecer --todos` in pages
# inside its one transaction: more than a page acknowledged at once, and
# all or none when one finding cannot be. Last, memory: the peak of each
# form does not grow with 40 times the findings.
# usage: m_achado_listar.sh FATURO_BIN SOURCE_DIR
set -u
FAT="$1"
SRC="$2"
DATA="$SRC/tests/data/achado_listar"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_e2e_al.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FATURO_DB="$TMP/clinica.db"
fail() { echo "FALHOU: $*" >&2; exit 1; }
q() { sqlite3 "$FATURO_DB" "$1"; }

"$FAT" init >/dev/null || fail "init"
sqlite3 "$FATURO_DB" <"$DATA/fixture.sql" || fail "fixture"
cd "$TMP" || fail "cd"
lista() { # name, then the filters of achado listar
  n="$1"
  shift
  "$FAT" achado listar "$@" >"$n.txt" || fail "achado listar $*"
  "$FAT" --json achado listar "$@" >"$n.json" || fail "--json achado listar $*"
  "$FAT" achado listar "$@" --csv - >"$n.csv" || fail "achado listar $* --csv -"
  "$FAT" achado listar "$@" --xlsx "$n.xlsx" >/dev/null || fail "achado listar $* --xlsx"
  node "$SRC/tests/e2e/xlsx_celulas.mjs" "$n.xlsx" >"$n.xlsx.txt" || fail "$n.xlsx ilegível"
  echo "$n.txt $n.json $n.csv $n.xlsx.txt" >>arquivos
}
: >arquivos
lista todas --todos-os-estados
lista aurora --operadora aurora
lista dois --operadora 419999 --competencia 02/2025
lista bloqueios --severidade bloqueio
lista codigo --codigo duplicidade
lista reconhecidos --reconhecidos
lista jose --profissional Ñandú
lista cpf --profissional 529.982.247-25
lista guia --guia 8
lista resumo --resumo --operadora dois
lista vazia --competencia 01/2025
# shellcheck disable=SC2046
sha256sum $(cat arquivos) >obtido.sha256
diff "$DATA/esperado.sha256" obtido.sha256 >diff.txt || fail "saída diferente da de antes: $(cat diff.txt)"
# the same refusal as before for an unknown operadora, nothing printed
"$FAT" achado listar --operadora nenhuma >out.txt 2>err.txt && fail "operadora desconhecida aceita"
[ ! -s out.txt ] || fail "operadora desconhecida: algo impresso: $(cat out.txt)"
grep -q "nenhuma" err.txt || fail "operadora desconhecida: $(cat err.txt)"

# ---- reconhecer --todos: pages inside one transaction
abertos=$(q "SELECT count(*) FROM achado a JOIN guia g ON g.id = a.guia_id
             WHERE g.status <> 'cancelada' AND a.reconhecido_em IS NULL AND a.severidade = 'alerta'")
[ "$abertos" -gt 500 ] || fail "a fixture devia ter mais de uma página de alertas ($abertos)"
guias=$(q "SELECT count(DISTINCT a.guia_id) FROM achado a JOIN guia g ON g.id = a.guia_id
           WHERE g.status <> 'cancelada' AND a.reconhecido_em IS NULL AND a.severidade = 'alerta'")
# all or none: a bloqueio on a guia without the XML's required fields stops
# the whole (the findings of every code, alertas first in guia order)
antes=$(q "SELECT count(*) FROM achado WHERE reconhecido_em IS NOT NULL")
"$FAT" achado reconhecer --todos --operadora aurora --motivo "lote inteiro" >out.txt 2>err.txt &&
  fail "reconhecer --todos com um bloqueio impossível passou"
grep -q "^.*achado [0-9]*: " err.txt || fail "o erro não diz qual achado: $(cat err.txt)"
[ "$(q "SELECT count(*) FROM achado WHERE reconhecido_em IS NOT NULL")" = "$antes" ] ||
  fail "reconhecer --todos falhou mas gravou parte"
"$FAT" achado reconhecer --todos --severidade alerta --motivo "aceitos em lote" >out.txt 2>err.txt ||
  fail "reconhecer --todos --severidade alerta: $(cat err.txt)"
grep -q "^$abertos achado(s) reconhecido(s) em $guias guia(s), com o mesmo motivo$" out.txt ||
  fail "reconhecer --todos: '$(cat out.txt)', esperado $abertos em $guias guias"
[ "$(q "SELECT count(*) FROM achado WHERE reconhecido_motivo = 'aceitos em lote'")" = "$abertos" ] ||
  fail "nem todos os alertas foram reconhecidos"
[ "$(q "SELECT count(*) FROM auditoria WHERE acao = 'achado.reconhecer'")" = "$abertos" ] ||
  fail "cada achado reconhecido devia ter sua linha na auditoria"
"$FAT" achado reconhecer --todos --severidade alerta --motivo "de novo" >out.txt 2>err.txt ||
  fail "reconhecer --todos sem achados: $(cat err.txt)"
grep -q "^nenhum achado em aberto com esses filtros$" out.txt || fail "sem achados: '$(cat out.txt)'"

# ---- memory: the peak does not grow with the findings (40 times as many):
# at most by what SQLite's own caches take as the database grows (pages,
# FAT_STORE_PAGINAS_MB = 16 MB, and the sorter of the per-code totals),
# where the whole document of 25 thousand findings took 50 to 90 MB more. Not
# under the sanitizers (their quarantine is the peak).
if [ -x /usr/bin/time ] && [ -z "${FAT_E2E_SANITIZER:-}" ]; then
  pico() { # the peak RSS (KB) of faturo with these arguments
    /usr/bin/time -f '%M' -o pico.txt "$FAT" "$@" >/dev/null 2>&1 || fail "$*"
    cat pico.txt
  }
  medir() {
    echo "$(pico achado listar --todos-os-estados) $(pico --json achado listar --todos-os-estados)" \
      "$(pico achado listar --todos-os-estados --xlsx m.xlsx)" \
      "$(pico achado listar --todos-os-estados --csv m.csv)"
  }
  q "UPDATE achado SET reconhecido_em = NULL, reconhecido_por = NULL, reconhecido_motivo = NULL
     WHERE reconhecido_motivo = 'aceitos em lote'" || fail "desfazer"
  pequeno=$(medir)
  q "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 24000)
     INSERT INTO achado (guia_id, codigo, severidade, campo, mensagem, valor_risco, regra,
                         guia_revisao, criado_em)
     SELECT 1 + (i % 300), 'CARTEIRA_VENCIDA', 'alerta', 'beneficiario.carteira',
            'uma mensagem de tamanho médio para cada achado da lista: ' || i, i, 'builtin:teste',
            1, '2025-03-10T10:00:00Z' FROM n" || fail "mais achados"
  grande=$(medir)
  n=$(q "SELECT count(*) FROM achado")
  echo "pico (KB) texto, json, xlsx, csv: $pequeno com 1.234 achados; $grande com $n"
  set -- $pequeno $grande
  for k in 1 2 3 4; do
    eval "a=\${$k} b=\${$((k + 4))}"
    [ $((b - a)) -lt 32768 ] || fail "o pico cresceu de $a para $b KB com $n achados (forma $k)"
  done
  # and the acknowledgement of every one of them, page by page
  a=$(pico achado reconhecer --todos --codigo carteira_vencida --motivo "todos de uma vez")
  echo "pico (KB) reconhecer --todos de $(q "SELECT count(*) FROM achado WHERE reconhecido_motivo = 'todos de uma vez'") achados: $a"
  [ "$a" -lt $((${5} + 32768)) ] || fail "reconhecer --todos: pico $a KB"
fi
echo ok
