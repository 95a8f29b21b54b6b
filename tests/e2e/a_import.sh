#!/bin/sh
# e2e (Part A): init, cadastro, import a CSV with one bad row (refused, nothing
# stored), then good imports, guia mostrar, export/import round trip.
# usage: a_import.sh FATURO_BIN SOURCE_DIR
set -u
FAT="$1"
SRC="$2"
DATA="$SRC/tests/data/import"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_e2e_a.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FATURO_DB="$TMP/e2e.db"

fail() { echo "FALHOU: $*" >&2; exit 1; }

"$FAT" init >/dev/null || fail "init"
"$FAT" cadastro prestador --nome "Clínica Exemplo" --cnpj 11.222.333/0001-81 --cnes 1234567 \
  >/dev/null || fail "cadastro prestador"
"$FAT" cadastro prestador --nome X --cnpj 11.222.333/0001-82 2>"$TMP/err" && fail "CNPJ inválido aceito"
grep -q "CNPJ inválido" "$TMP/err" || fail "mensagem de CNPJ inválido"
"$FAT" cadastro operadora --registro-ans 312347 --nome "Aurora Saúde" --script aurora \
  --codigo-prestador A-10234 >/dev/null || fail "cadastro operadora"
"$FAT" cadastro plano --operadora 312347 --codigo OURO --nome "Aurora Ouro" \
  --acomodacao apartamento >/dev/null || fail "cadastro plano"
"$FAT" --json cadastro listar | grep -q '"registro_ans":"312347"' || fail "cadastro listar"

# a file with one bad row: exit 1, the message names row and field, nothing stored
"$FAT" importar guias "$DATA/bad_row7.csv" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] || fail "importar arquivo ruim: saída $rc, esperado 1"
grep -q "linha 7" "$TMP/err" || fail "erro não diz a linha 7: $(cat "$TMP/err")"
grep -q "data_inicio" "$TMP/err" || fail "erro não diz o campo data_inicio: $(cat "$TMP/err")"
"$FAT" --json exportar guias >"$TMP/vazio.json" || fail "exportar"
grep -q '"guias":[[:space:]]*\[\]' "$TMP/vazio.json" || fail "algo foi gravado: $(cat "$TMP/vazio.json")"

# data that must not be accepted: exit 1, row and field named, nothing stored
H='tipo;operadora.registro_ans;prestador.cnpj;numero_prestador;beneficiario.nome;item.codigo_tabela;item.codigo;item.quantidade;item.valor_unitario'
printf '%s\nconsulta;312347;11222333000181;U1;Jos\303\251;22;10101012;1;10,00\nconsulta;312347;11222333000181;U2;Jo\343o;22;10101012;1;10,00\n' "$H" >"$TMP/misto.csv"
"$FAT" importar guias "$TMP/misto.csv" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ] || fail "UTF-8 com um byte ruim aceito (saída 0)"
grep -q "linha 3: byte 0xE3 inválido em UTF-8" "$TMP/err" || fail "UTF-8 ruim: $(cat "$TMP/err")"
printf '%s\nconsulta;312347;11222333000181;U1;Ana;22;10101012;1;-10,00\n' "$H" >"$TMP/neg.csv"
"$FAT" importar guias "$TMP/neg.csv" >/dev/null 2>"$TMP/err" && fail "valor negativo aceito"
grep -q "linha 2, campo item.valor_unitario: .*valor negativo" "$TMP/err" || fail "negativo: $(cat "$TMP/err")"
"$FAT" --json exportar guias >"$TMP/vazio2.json" || fail "exportar"
grep -q '"guias":[[:space:]]*\[\]' "$TMP/vazio2.json" || fail "algo foi gravado: $(cat "$TMP/vazio2.json")"

# usage errors exit 2
"$FAT" importar 2>/dev/null
[ $? -eq 2 ] || fail "uso incorreto deveria sair com 2"

# good imports
"$FAT" importar guias "$DATA/good.csv" >"$TMP/out" || fail "importar good.csv"
grep -q "4 guia(s) importada(s)" "$TMP/out" || fail "resumo: $(cat "$TMP/out")"
"$FAT" importar guias "$DATA/good.json" >/dev/null || fail "importar good.json"
"$FAT" --json importar guias "$DATA/good.csv" | grep -q '"atualizadas":4' || fail "reimportar"

"$FAT" guia mostrar 1 >"$TMP/g1" || fail "guia mostrar 1"
grep -q "Guia 1" "$TMP/g1" || fail "cabeçalho"
grep -q "José da Silva" "$TMP/g1" || fail "beneficiário"
grep -q "R\$ 120,00" "$TMP/g1" || fail "valor em R$"
"$FAT" guia mostrar --numero S-0002 --operadora 312347 | grep -q "Gel condutor" || fail "guia por número"
"$FAT" --json guia mostrar 2 | grep -q '"numero_prestador"' || fail "guia --json"
"$FAT" guia mostrar 999 2>/dev/null && fail "guia inexistente"

# export -> import into a new database -> export: the same guias
"$FAT" exportar guias --formato csv --saida "$TMP/a.csv" 2>/dev/null || fail "exportar csv"
"$FAT" exportar guias --competencia 2024-05 --operadora 312347 >"$TMP/a.json" || fail "exportar json"
export FATURO_DB="$TMP/e2e2.db"
"$FAT" init >/dev/null
"$FAT" cadastro prestador --nome "Clínica Exemplo" --cnpj 11222333000181 --cnes 1234567 >/dev/null
"$FAT" cadastro operadora --registro-ans 312347 --nome "Aurora Saúde" --script aurora >/dev/null
"$FAT" importar guias "$TMP/a.csv" >/dev/null || fail "reimportar csv exportado"
"$FAT" exportar guias --formato csv --saida "$TMP/b.csv" 2>/dev/null
cmp -s "$TMP/a.csv" "$TMP/b.csv" || fail "CSV exportado difere depois de importar de volta"

# the export streams into ARQUIVO.tmp, renamed when complete: a write that
# fails at the end (here the final name is a folder; a full disk midway is
# unit.export) is a clear error and leaves no .tmp behind; the access is
# recorded (LGPD) as before, once per export
mkdir "$TMP/pasta.csv"
n_antes=$("$FAT" --json auditoria acessos 2>/dev/null | grep -o '"acao":"exportar"' | wc -l)
"$FAT" exportar guias --formato csv --saida "$TMP/pasta.csv" 2>"$TMP/err"
[ $? -eq 1 ] || fail "exportar sobre uma pasta: saída diferente de 1"
grep -q "não foi possível gravar $TMP/pasta.csv: é uma pasta, não um arquivo" "$TMP/err" ||
  fail "erro de gravação: $(cat "$TMP/err")"
[ ! -e "$TMP/pasta.csv.tmp" ] || fail ".tmp deixado para trás"
n_depois=$("$FAT" --json auditoria acessos 2>/dev/null | grep -o '"acao":"exportar"' | wc -l)
[ "$n_depois" -eq $((n_antes + 1)) ] || fail "acesso da exportação não registrado ($n_antes -> $n_depois)"
# a reader that closes the screen output early: an error in Portuguese, not a
# silent death by SIGPIPE
(sleep 1; "$FAT" exportar guias --formato csv 2>"$TMP/err"; echo $? >"$TMP/rc") | true
[ "$(cat "$TMP/rc")" = 1 ] || fail "saída fechada: código $(cat "$TMP/rc"), esperado 1"
grep -q "quem lia a saída a fechou antes do fim" "$TMP/err" || fail "saída fechada: $(cat "$TMP/err")"
echo "ok"
