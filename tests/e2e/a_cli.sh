#!/bin/sh
# e2e (Part A/K/J): the CLI answers honestly.
#  - a mistyped --db is refused (exit 1), nothing is created; only init creates
#  - a database locked by another process exits 3 with its own message
#  - unknown options and options without their value are named in pt-BR (exit 2)
#  - the database and the exports are created 0600 whatever the shell's umask
# usage: a_cli.sh FATURO_BIN SOURCE_DIR
set -u
FAT="$1"
SRC="$2"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_e2e_cli.XXXXXX")
trap 'kill $LOCKER 2>/dev/null; rm -rf "$TMP"' EXIT
LOCKER=
export FATURO_DB="$TMP/clinica.db"
umask 022

fail() { echo "FALHOU: $*" >&2; exit 1; }
mode() { stat -c %a "$1"; }

# --- a mistyped database path is refused, not created --------------------
"$FAT" --db "$TMP/clinca.db" exportar guias >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] || fail "--db inexistente: saída $rc, esperado 1"
grep -q "clinca.db: banco de dados não encontrado" "$TMP/err" || fail "mensagem: $(cat "$TMP/err")"
grep -q "faturo init" "$TMP/err" || fail "mensagem não diz faturo init: $(cat "$TMP/err")"
[ ! -e "$TMP/clinca.db" ] || fail "--db inexistente criou o arquivo"
"$FAT" --db "$TMP/clinca.db" conferir >/dev/null 2>&1 && fail "conferir num banco inexistente saiu 0"
[ ! -e "$TMP/clinca.db" ] || fail "conferir criou o banco"

# --- init creates it, 0600 ------------------------------------------------
"$FAT" init >/dev/null || fail "init"
[ "$(mode "$FATURO_DB")" = 600 ] || fail "banco criado com modo $(mode "$FATURO_DB")"
"$FAT" cadastro prestador --nome "Clínica Exemplo" --cnpj 11.222.333/0001-81 >/dev/null ||
  fail "cadastro prestador"
"$FAT" cadastro operadora --registro-ans 312347 --nome "Aurora Saúde" --script aurora \
  >/dev/null || fail "cadastro operadora"
"$FAT" importar guias "$SRC/tests/data/import/good.csv" >/dev/null || fail "importar"
"$FAT" exportar guias --formato csv --saida "$TMP/guias.csv" 2>/dev/null || fail "exportar"
[ "$(mode "$TMP/guias.csv")" = 600 ] || fail "exportação criada com modo $(mode "$TMP/guias.csv")"

# --- one resolver: id, registro ANS or script key; unknown refused -------
n_ans=$("$FAT" --json exportar guias --operadora 312347 | grep -c '"numero_prestador"')
n_key=$("$FAT" --json exportar guias --operadora aurora | grep -c '"numero_prestador"')
n_id=$("$FAT" --json exportar guias --operadora 1 | grep -c '"numero_prestador"')
[ "$n_ans" -gt 0 ] || fail "exportar --operadora 312347 não achou guias"
[ "$n_key" = "$n_ans" ] || fail "exportar --operadora aurora: $n_key guias, esperado $n_ans"
[ "$n_id" = "$n_ans" ] || fail "exportar --operadora 1: $n_id guias, esperado $n_ans"
refused() { # verb args...: exit 1, names the text and lists what exists
  "$FAT" "$@" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  [ "$rc" -eq 1 ] || fail "$*: saída $rc, esperado 1 ($(cat "$TMP/err"))"
  grep -q "operadora 'unimed' não cadastrada" "$TMP/err" || fail "$*: $(cat "$TMP/err")"
  grep -q "312347 (aurora, Aurora Saúde)" "$TMP/err" || fail "$*: não lista as cadastradas"
}
refused exportar guias --operadora unimed
refused conferir --operadora unimed --sem-regras
refused guia mostrar --numero S-0002 --operadora unimed
refused glosa listar --operadora unimed
refused lote listar --operadora unimed
refused preco unimed 10101012
refused cadastro plano --operadora unimed --codigo X --nome X --acomodacao enfermaria
"$FAT" guia mostrar --numero CSV-2 --operadora aurora >/dev/null || fail "guia por chave do script"
# six digits are a registro ANS, never an id
"$FAT" exportar guias --operadora 000001 >/dev/null 2>"$TMP/err" && fail "000001 tomado como id"
grep -q "operadora '000001' não cadastrada" "$TMP/err" || fail "000001: $(cat "$TMP/err")"

# --- options: named in pt-BR, never getopt's English ----------------------
"$FAT" exportar guias --formatto csv >/dev/null 2>"$TMP/err"
rc=$?
[ "$rc" -eq 2 ] || fail "opção desconhecida: saída $rc, esperado 2"
grep -q "opção desconhecida '--formatto'" "$TMP/err" || fail "opção desconhecida: $(cat "$TMP/err")"
grep -qi "unrecognized\|invalid option\|requires an argument" "$TMP/err" && fail "inglês: $(cat "$TMP/err")"
"$FAT" exportar guias --competencia >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] || fail "opção sem valor deveria sair com 2"
grep -q "a opção --competencia precisa de um valor" "$TMP/err" || fail "sem valor: $(cat "$TMP/err")"
grep -qi "requires an argument" "$TMP/err" && fail "inglês: $(cat "$TMP/err")"

# --- a locked database: its own exit code and message ---------------------
# sqlite3 holds the write lock until its input ends
mkfifo "$TMP/fifo"
sqlite3 "$FATURO_DB" <"$TMP/fifo" &
LOCKER=$!
exec 3>"$TMP/fifo"
echo "BEGIN IMMEDIATE; INSERT INTO auditoria (usuario, acao) VALUES ('teste', 'trava');" >&3
sleep 1
"$FAT" importar guias "$SRC/tests/data/import/good.json" >/dev/null 2>"$TMP/err"
rc=$?
exec 3>&-
wait $LOCKER 2>/dev/null
LOCKER=
[ "$rc" -eq 3 ] || fail "banco travado: saída $rc, esperado 3 ($(cat "$TMP/err"))"
grep -q "ocupado por outro processo" "$TMP/err" || fail "mensagem de banco ocupado: $(cat "$TMP/err")"
grep -q "tente de novo" "$TMP/err" || fail "mensagem não diz o que fazer: $(cat "$TMP/err")"
"$FAT" importar guias "$SRC/tests/data/import/good.json" >/dev/null || fail "importar depois da trava"
"$FAT" --help | grep -q "3 banco de dados ocupado" || fail "--help não documenta a saída 3"

echo "ok"
