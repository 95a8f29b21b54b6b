#!/bin/sh
# Part D end-to-end: `faturo demo --guias 300` in an empty temp dir, the
# summary it prints, price explanations, whole-db pricing, table import
# errors. Usage: d_precos.sh FATURO_BIN
set -u
FATURO=$1
DIR=$(mktemp -d "${TMPDIR:-/tmp}/faturo-d-XXXXXX")
trap 'rm -rf "$DIR"' EXIT
cd "$DIR" || exit 1
fail() { echo "FALHOU: $*" >&2; exit 1; }

"$FATURO" demo --guias 300 --competencia 2026-10 > demo.out 2> demo.err ||
  { cat demo.out demo.err; fail "faturo demo saiu com erro"; }
cat demo.out
grep -q "guias: 300 " demo.out || fail "resumo sem 'guias: 300'"
for c in CARTEIRA_AUSENTE CARTEIRA_VENCIDA SENHA_AUSENTE SENHA_VENCIDA DATA_ANTES_AUTORIZACAO \
         CID_AUSENTE ASSINATURA_AUSENTE PEDIDO_MEDICO_AUSENTE DUPLICIDADE PRECO_ACIMA_CONTRATO \
         TOTAL_DIVERGENTE CPF_INVALIDO CNS_INVALIDO PROFISSIONAL_INCOMPLETO CODIGO_INVALIDO \
         QUANTIDADE_INVALIDA ITEM_FORA_PERIODO PRAZO_EXCEDIDO SEXO_INCOMPATIVEL CONSULTA_RETORNO; do
  grep -Eq "^ +$c +[1-9][0-9]* " demo.out || fail "classe $c ausente do resumo"
done
grep -q "guias com algum defeito" demo.out || fail "resumo sem total de guias com defeito"
grep -q "faturo conferir" demo.out || fail "sem próximos passos"

# FAT_DEMO_IO=1: each step also shows the memory it kept, before and after the
# free heap is handed back (never more after than before)
mkdir io && (cd io && FAT_DEMO_IO=1 "$FATURO" demo --guias 300 --competencia 2026-10 \
  --ate-etapa precos > ../io.out 2>&1) || { cat io.out; fail "demo com FAT_DEMO_IO=1"; }
if grep -q "E/S: sistema" io.out && ! grep -q "indisponíveis" io.out; then
  n=$(grep -c "MB antes de devolver o livre; heap em uso [0-9]* MB, livre retido [0-9]* MB" io.out)
  [ "$n" -eq 3 ] || { cat io.out; fail "linhas E/S sem a memória devolvida ($n de 3)"; }
  sed -n 's/.*memória agora \([0-9]*\) MB (\([0-9]*\) MB antes.*/\1 \2/p' io.out |
    while read -r depois antes; do
      [ "$depois" -le "$antes" ] || fail "memória depois de devolver ($depois MB) > antes ($antes MB)"
    done || exit 1
fi

# the same again refuses (not an empty database)
"$FATURO" demo --guias 300 > again.out 2>&1 && fail "segunda demo no mesmo banco foi aceita"
grep -q "pasta vazia" again.out || fail "mensagem de banco não vazio"

# aurora consulta: porte 2B R$ 76,40 - 20% = R$ 61,12
"$FATURO" preco aurora 10101012 --data 2026-10-05 > p1.out || fail "preco aurora"
grep -q "total R\$ 61,12" p1.out || { cat p1.out; fail "preço aurora 10101012"; }
grep -q "deflator" p1.out || fail "explicação sem deflator"
# vitalis negotiated consulta R$ 120,00
"$FATURO" --json preco vitalis 10101012 --data 2026-10-05 > p2.out || fail "preco vitalis"
grep -q '"valor_total":12000' p2.out || { cat p2.out; fail "preço vitalis negociado"; }
# unknown code: exit 1 with a message
"$FATURO" preco aurora 99999999 --data 2026-10-05 > p3.out 2>&1 && fail "código inexistente aceito"
grep -q "99999999" p3.out || fail "mensagem do código inexistente"

# every item of the db: only the injected CODIGO_INVALIDO items are unpriced (exit 1)
"$FATURO" preco --todos > todos.out; rc=$?
[ "$rc" = 1 ] || fail "preco --todos deveria sair 1 (itens com código inválido injetado)"
grep -q "sem preço" todos.out || fail "preco --todos sem contagem"

# table import: a bad row rejects the file naming line and column
printf 'codigo;descricao;valor\n10101012;Consulta;120,00\n40304361;Hemograma;-12,50\n' > neg.csv
"$FATURO" tabelas importar negociada neg.csv --operadora 312347 > imp.out 2>&1 &&
  fail "arquivo com linha ruim aceito"
grep -q "linha 3, coluna valor" imp.out || { cat imp.out; fail "erro sem linha/coluna"; }
"$FATURO" tabelas listar > list.out || fail "tabelas listar"
grep -q "negociada" list.out || fail "listar sem negociada"
echo "ok"
