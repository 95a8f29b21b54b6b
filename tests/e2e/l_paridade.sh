#!/bin/sh
# e2e (Part L, panel parity) through the CLI: `faturo preco` goes through the
# same engine look-up as the panel's GET /api/preco (fat_price_consultar) and
# prints quantities and dates as users read them (no "1,0000", no
# AAAA-MM-DD); its refusals name the field.
# usage: l_paridade.sh FATURO_BIN
set -eu
F="$1"
DIR="$(mktemp -d "${TMPDIR:-/tmp}/faturo-lp-XXXXXX")"
trap 'rm -rf "$DIR"' EXIT
DB="$DIR/demo.db"
fail() { echo "FALHOU: $*" >&2; exit 1; }
fat() { "$F" --db "$DB" "$@"; }

fat demo --guias 100 --ate-etapa precos > /dev/null

fat preco aurora 10101012 --data 05/11/2026 > "$DIR/p.txt"
grep -q '^data 05/11/2026' "$DIR/p.txt" || fail "data do preço em DD/MM/AAAA"
grep -q 'quantidade 1 × fator' "$DIR/p.txt" || fail "quantidade 1 sem casas: $(cat "$DIR/p.txt")"
grep -q ',0000' "$DIR/p.txt" && fail "quantidade ou fração com ,0000: $(cat "$DIR/p.txt")"
grep -Eq '[0-9]{4}-[0-9]{2}-[0-9]{2}' "$DIR/p.txt" && fail "data AAAA-MM-DD no cálculo: $(cat "$DIR/p.txt")"

fat --json preco aurora 10101012 --quantidade 2,5 --data 2026-11-05 > "$DIR/p.json"
[ "$(jq -r .quantidade "$DIR/p.json")" = "2,5" ] || fail "quantidade 2,5 no JSON"
[ "$(jq -r .data "$DIR/p.json")" = "2026-11-05" ] || fail "data no JSON"
[ "$(jq -r .operadora_nome "$DIR/p.json")" = "Aurora Saúde" ] || fail "nome da operadora no JSON"
u=$(jq .valor_unitario "$DIR/p.json")
t=$(jq .valor_total "$DIR/p.json")
# 2,5 × unitário, rounded half-up once
[ "$t" = "$(( (u * 25 + 5) / 10 ))" ] || fail "total $t para unitário $u × 2,5"
jq -r '.passos[].passo' "$DIR/p.json" | grep -qx porte || fail "passo do porte"
jq -r '.passos[].passo' "$DIR/p.json" | grep -qx total || fail "passo do total"

# refusals: unknown operadora lists the registered ones; unknown code names the table
if fat preco nenhuma 10101012 > /dev/null 2> "$DIR/e1.txt"; then fail "operadora desconhecida aceita"; fi
grep -q 'aurora' "$DIR/e1.txt" || fail "a recusa não lista as operadoras: $(cat "$DIR/e1.txt")"
if fat preco aurora 99999999 --data 05/11/2026 > /dev/null 2> "$DIR/e2.txt"; then fail "código desconhecido aceito"; fi
grep -q "vigente em 05/11/2026" "$DIR/e2.txt" || fail "a recusa não diz a data em DD/MM/AAAA: $(cat "$DIR/e2.txt")"
echo "ok: preco"
