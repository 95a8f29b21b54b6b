#!/bin/sh
# e2e (Part J): `faturo verificar` through the CLI.
# usage: j_verificar.sh FATURO_BIN SOURCE_DIR
set -u
FAT="$1"
SRC="$2"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_e2e_j.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FATURO_DB="$TMP/j.db"
export FATURO_REGRAS="$SRC/rules"

fail() { echo "FALHOU: $*" >&2; exit 1; }

"$FAT" verificar --help | grep -q "invariantes" || fail "verificar --help"
"$FAT" verificar --listar | grep -q "^lote_total_guias " || fail "verificar --listar"
"$FAT" verificar --listar --json | grep -q '"nome":"glosa_de_lote_enviado"' ||
  fail "verificar --listar --json"
"$FAT" verificar --bobagem >/dev/null 2>&1
[ $? -eq 2 ] || fail "opção inválida deveria sair com 2"
"$FAT" verificar --invariante nao_existe >/dev/null 2>&1
[ $? -eq 2 ] || fail "invariante desconhecida deveria sair com 2"
"$FAT" --db "$TMP/nao_existe.db" verificar >/dev/null 2>&1
[ $? -eq 1 ] || fail "banco inexistente deveria sair com 1"
[ ! -e "$TMP/nao_existe.db" ] || fail "verificar criou um banco"

"$FAT" demo --guias 100 --competencia 2026-05 >"$TMP/demo.log" 2>&1 || fail "demo"
"$FAT" verificar >"$TMP/out" 2>&1 || fail "verificar na demo: $(grep -v '  ok' "$TMP/out")"
grep -q "tudo certo" "$TMP/out" || fail "verificar não disse que está tudo certo"
"$FAT" verificar --json | grep -q '^{"ok":true,"violacoes":0,' || fail "verificar --json"

# a sent lote whose total no longer matches its guias, and a deleted audit row
sqlite3 "$FATURO_DB" "DROP TRIGGER lote_enviado_imutavel;
  UPDATE lote SET valor_informado = valor_informado + 1 WHERE id = 1;
  DELETE FROM auditoria WHERE id = 3;" || fail "sqlite3"
"$FAT" verificar >"$TMP/out" 2>&1
[ $? -eq 1 ] || fail "verificar deveria sair com 1 depois da adulteração"
grep -q "lote_total_guias \[lote 1\]: lote 1 de .*R\$ " "$TMP/out" ||
  fail "a violação do total do lote não foi nomeada: $(cat "$TMP/out")"
grep -q "auditoria_continua \[auditoria 4\]" "$TMP/out" ||
  fail "o buraco na auditoria não foi nomeado: $(cat "$TMP/out")"
grep -q "^2 violação(ões) em 2 de " "$TMP/out" || fail "resumo: $(tail -1 "$TMP/out")"
"$FAT" verificar --json --invariante lote_total_guias >"$TMP/json"
[ $? -eq 1 ] || fail "verificar --json deveria sair com 1"
grep -q '"ok":false,"violacoes":1,' "$TMP/json" || fail "json: $(cat "$TMP/json")"
grep -q '"objeto":"lote","id":1,' "$TMP/json" || fail "json sem a violação: $(cat "$TMP/json")"
echo "ok"
