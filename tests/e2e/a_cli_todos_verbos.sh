#!/bin/sh
# e2e (Part J): every verb and action answers the same way to
#  - an option it does not have: exit 2, "opção desconhecida '--...'" in
#    pt-BR, never getopt's English, never read as a file, operadora or number;
#  - a mistyped --db: exit 1, "banco de dados não encontrado", and no file
#    created (only init and demo create a database).
# usage: a_cli_todos_verbos.sh FATURO_BIN
set -u
FAT="$1"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_e2e_verbos.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FATURO_DB="$TMP/clinica.db"
fail() { echo "FALHOU: $*" >&2; exit 1; }
"$FAT" init >/dev/null || fail "init"

# every action, with the arguments it needs to get past its own checks
cat >"$TMP/acoes" <<'EOF'
init
importar guias x.csv
exportar guias
guia mostrar 1
cadastro prestador
cadastro operadora
cadastro plano
cadastro listar
demo
regras listar
regras testar
regras versoes
regras recarregar
regras reverter 1
regras mostrar aurora
regras simular aurora
conferir
achado listar
achado reconhecer 1
auditoria agenda x.csv
tabelas importar tuss x.csv
tabelas listar
preco aurora 10101012
lote fechar
lote listar
lote xml 1
lote enviado 1
lote protocolo 1 2
lote reabrir 1
lote mapa
lote relacao 1
lote status 1
lote cancelar 1
lote mensagens 1
retorno importar x.xml
retorno ler x.xml
retorno listar
retorno pendencias
retorno conflitos
retorno aceitar-correcao 1
retorno simular-operadora 1
glosa registrar
glosa classificar 1
glosa listar
glosa resumo
recurso criar
recurso editar 1
recurso xml 1
recurso relatorio 1
recurso enviar 1
recurso protocolo 1 2
recurso resposta 1
recurso listar
verificar
servidor
usuario criar x
usuario listar
usuario senha x
usuario desbloquear x
fatura criar
fatura nf 1
fatura listar
fatura mostrar 1
fatura mapa
fatura notas
fatura feriado
recebimento registrar
recebimento listar
recebimento demonstrativos
conciliacao conta adicionar
conciliacao conta listar
conciliacao importar x.ofx
conciliacao extratos
conciliacao propor
conciliacao pendentes
conciliacao confirmar 1
conciliacao vincular 1
particular registrar
particular pagar 1
caixa abrir
repasse calcular
repasse extrato
repasse fechar
relatorio painel
relatorio guias
EOF

n=0
while read -r acao; do
  n=$((n + 1))
  # shellcheck disable=SC2086 # the action is words on purpose
  "$FAT" $acao --opcao-xyz </dev/null >"$TMP/out" 2>"$TMP/err"
  rc=$?
  [ "$rc" -eq 2 ] || fail "$acao --opcao-xyz: saída $rc, esperado 2 ($(head -c 300 "$TMP/err"))"
  grep -q "opção desconhecida '--opcao-xyz'" "$TMP/err" ||
    fail "$acao --opcao-xyz: $(head -c 300 "$TMP/err")"
  grep -qi "unrecognized\|invalid option\|requires an argument" "$TMP/err" &&
    fail "$acao: inglês do getopt: $(cat "$TMP/err")"
done <"$TMP/acoes"
[ "$n" -gt 80 ] || fail "só $n ações conferidas"

# a mistyped --db: refused by every action that reads the database (init and
# demo create one; the rules' own listing, tests and contract and `retorno
# ler` work on files alone, with or without a database)
echo "uma senha longa o bastante" >"$TMP/senha" # usuario criar/senha read it first
while read -r acao; do
  case "$acao" in init* | demo* | "regras listar" | "regras testar" | "regras mostrar"* | "retorno ler"*) continue ;; esac
  # shellcheck disable=SC2086
  "$FAT" --db "$TMP/clinca.db" $acao <"$TMP/senha" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  [ ! -e "$TMP/clinca.db" ] && [ ! -e "$TMP/clinca.db-wal" ] ||
    fail "$acao: --db inexistente criou o banco"
  [ "$rc" -ne 0 ] || fail "$acao: --db inexistente saiu 0"
  if [ "$rc" -eq 1 ]; then
    grep -q "clinca.db: banco de dados não encontrado" "$TMP/err" ||
      fail "$acao: --db inexistente: $(head -c 300 "$TMP/err")"
  fi
done <"$TMP/acoes"
echo "ok ($n ações)"
