#!/bin/sh
# e2e (Part E): lotes through the CLI.
#  1. a hand-made clinic (cadastro + guias inserted with sqlite3, marked
#     'conferida'): lote fechar with the real aurora contract, every file
#     checked with `xmllint --noout --schema`, then listar / enviado /
#     reabrir refused / protocolo / status / cancelar / mapa / relacao / xml;
#     a guia the XSD cannot carry held back;
#  2. when `faturo demo` and `faturo conferir` work: close the lotes of every
#     demo operator and validate every file with xmllint.
# usage: e_lotes.sh FATURO_BIN SOURCE_DIR   (env: FATURO_XSD_DIR)
set -u
FAT="$1"
SRC="$2"
XSD="${FATURO_XSD_DIR:?FATURO_XSD_DIR}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_e2e_e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FATURO_DB="$TMP/e2e.db"
export FATURO_REGRAS="$SRC/rules"

fail() { echo "FALHOU: $*" >&2; exit 1; }
xsd_ok() { # every XML in $1 valid against the official schema
  n=0
  for f in "$1"/*.xml; do
    [ -e "$f" ] || continue
    xmllint --noout --nonet --schema "$XSD/tissV4_01_00.xsd" "$f" 2>"$TMP/xmllint" ||
      fail "xmllint recusou $f: $(head -5 "$TMP/xmllint")"
    n=$((n + 1))
  done
  echo "$n"
}

"$FAT" init >/dev/null || fail "init"
"$FAT" lote --help | grep -q "lote fechar\|fechar --operadora" || fail "lote --help"
"$FAT" cadastro prestador --nome "Clínica São João" --cnpj 11.222.333/0001-81 --cnes 1234567 \
  >/dev/null || fail "cadastro prestador"
"$FAT" cadastro operadora --registro-ans 312347 --nome "Aurora Saúde" --script aurora \
  --codigo-prestador A-10234 >/dev/null || fail "cadastro operadora"

# ten SP/SADT guias in March 2025 (aurora closes on the 25th: two periods) and
# one consulta; one guia with an open bloqueio stays out
sqlite3 "$FATURO_DB" <<'SQL' || fail "sqlite3"
INSERT INTO profissional (nome, cpf, conselho, numero_conselho, uf, cbo)
  VALUES ('Dra. Inês Araújo', '52998224725', 'CRM', '123456', 'SP', '225125');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 11)
INSERT INTO guia (prestador_id, operadora_id, tipo, numero_prestador, beneficiario_nome,
  carteira_numero, senha, data_autorizacao, validade_senha, carater_atendimento,
  tipo_atendimento, tipo_consulta, cid, data_inicio, executante_id, solicitante_id,
  valor_total, competencia, status)
SELECT 1, 1, CASE WHEN i = 11 THEN 'consulta' ELSE 'sp-sadt' END, 'G' || i,
  'João da Conceição ' || i, '00123456' || i, 'S' || i, '2025-03-01', '2025-04-30', '1', '03',
  '1', 'J069', printf('2025-03-%02d', i * 2 + 6), 1, 1, 15000, '2025-03', 'conferida' FROM n;
INSERT INTO item (guia_id, sequencial, tipo, codigo_tabela, codigo, descricao, quantidade_e4,
  valor_unitario, valor_total, data)
SELECT id, 1, 'procedimento', '22', CASE tipo WHEN 'consulta' THEN '10101012' ELSE '40301010' END,
  'Procedimento de teste', 10000, 15000, 15000, data_inicio FROM guia;
INSERT INTO achado (guia_id, codigo, severidade, mensagem, regra, guia_revisao)
  VALUES (3, 'SENHA_VENCIDA', 'bloqueio', 'senha vencida', 'builtin:teste', 1);
SQL

mkdir -p "$TMP/lotes"
"$FAT" lote fechar --operadora aurora --ate 2025-03-31 --hoje 2025-04-01 --saida "$TMP/lotes" \
  >"$TMP/out" 2>"$TMP/err" || fail "lote fechar: $(cat "$TMP/err")"
grep -q "3 lotes fechados com 10 guias; XML validado" "$TMP/out" ||
  fail "lote fechar, saída inesperada: $(cat "$TMP/out")"
n=$(xsd_ok "$TMP/lotes") || exit 1
[ "$n" -eq 3 ] || fail "esperados 3 arquivos, há $n"
ls "$TMP/lotes" | grep -Eq '^0{19}1_[0-9a-f]{32}\.xml$' || fail "nome do arquivo do lote 1"

# the bloqueada guia is not in any lote
[ "$(sqlite3 "$FATURO_DB" 'SELECT lote_id IS NULL FROM guia WHERE id = 3')" = 1 ] ||
  fail "guia com bloqueio entrou em lote"

# without an XSD folder: it says validation was skipped and how to enable it
"$FAT" --xsd= lote fechar --operadora aurora --hoje 2025-04-01 2>"$TMP/err" \
  >/dev/null || fail "lote fechar sem XSD"
grep -q "FATURO_XSD_DIR" "$TMP/err" || fail "não avisou da validação pulada"

"$FAT" lote listar --hoje 2025-04-10 >"$TMP/out" || fail "lote listar"
grep -q "ATRASADO" "$TMP/out" || fail "lote listar não mostra atraso: $(cat "$TMP/out")"
# what users read: competência MM/AAAA, dates DD/MM/AAAA, labels, never ISO or keys
grep -Eq '[0-9]{4}-[0-9]{2}|_' "$TMP/out" && fail "lote listar com data ISO ou chave interna: $(cat "$TMP/out")"
"$FAT" --json lote listar | grep -q '"prazo_envio"' || fail "lote listar --json"
"$FAT" lote enviado 1 --data 2025-04-02 >/dev/null || fail "lote enviado"
"$FAT" lote reabrir 1 --motivo teste 2>"$TMP/err" && fail "reabriu lote enviado"
grep -q "não pode ser" "$TMP/err" || fail "mensagem de lote enviado imutável"
"$FAT" lote protocolo 1 PRT-77 --data 2025-04-03 >/dev/null || fail "lote protocolo"
# status of the protocolo and a cancellation at the operadora: XSD-valid files, kept
mkdir -p "$TMP/msg"
"$FAT" lote status 1 --saida "$TMP/msg" >"$TMP/out" 2>&1 || fail "lote status: $(cat "$TMP/out")"
grep -q "validada no XSD" "$TMP/out" || fail "lote status sem validação: $(cat "$TMP/out")"
"$FAT" lote cancelar 1 --guia G1 2>/dev/null; [ $? -eq 2 ] || fail "cancelar sem motivo"
"$FAT" lote cancelar 1 --guia G1 --motivo "guia em duplicidade" --saida "$TMP/msg" >/dev/null ||
  fail "lote cancelar"
[ "$(xsd_ok "$TMP/msg")" -eq 2 ] || fail "mensagens de status/cancelamento"
grep -q "SOLIC_STATUS_PROTOCOLO" "$TMP"/msg/status_*.xml || fail "arquivo de status"
grep -q "<ans:numeroGuiaPrestador>G1<" "$TMP"/msg/cancela_*.xml || fail "arquivo de cancelamento"
[ "$("$FAT" lote mensagens 1 | grep -c "solicitação de situação do protocolo\|cancelamento de guia")" = 2 ] ||
  fail "lote mensagens"
"$FAT" lote reabrir 2 --motivo "guia errada" >/dev/null || fail "reabrir lote fechado"
# aurora pays 30 days after the protocolo (03/04/2025): 03/05/2025 is a Saturday -> 05/05/2025
"$FAT" --json lote mapa --operadora aurora | grep -q '"previsao_pagamento":.*"2025-05-05"' ||
  fail "mapa sem previsão de pagamento"
"$FAT" lote relacao 1 --saida "$TMP/rel.html" >/dev/null || fail "lote relacao"
grep -q "Jo&atilde;o\|João da Conceição" "$TMP/rel.html" || fail "relação sem beneficiário"
mkdir -p "$TMP/x"
"$FAT" lote xml 1 --saida "$TMP/x" >/dev/null || fail "lote xml"
cmp -s "$TMP/x"/*.xml "$(ls "$TMP/lotes"/00000000000000000001_*.xml)" ||
  fail "lote xml difere do arquivo fechado"
"$FAT" lote enviado 99 --data 2025-04-02 2>/dev/null && fail "lote inexistente aceito"
"$FAT" lote enviado 2>/dev/null; [ $? -eq 2 ] || fail "uso incorreto deve sair com 2"

# a guia the TISS XSD cannot carry (no carteira; its bloqueio acknowledged) is
# held back with the reason; the other guia of the period closes (exit 1)
sqlite3 "$FATURO_DB" <<'SQL' || fail "sqlite3 retida"
INSERT INTO guia (prestador_id, operadora_id, tipo, numero_prestador, beneficiario_nome,
  carteira_numero, senha, data_autorizacao, validade_senha, carater_atendimento,
  tipo_atendimento, cid, data_inicio, executante_id, solicitante_id, valor_total, competencia,
  status)
SELECT 1, 1, 'sp-sadt', 'G' || i, 'Maria ' || i, CASE WHEN i = 20 THEN NULL ELSE '0099' || i END,
  'S' || i, '2025-04-01', '2025-05-30', '1', '03', 'J069', '2025-04-10', 1, 1, 15000, '2025-04',
  'conferida' FROM (SELECT 20 AS i UNION ALL SELECT 21);
INSERT INTO item (guia_id, sequencial, tipo, codigo_tabela, codigo, descricao, quantidade_e4,
  valor_unitario, valor_total, data)
SELECT id, 1, 'procedimento', '22', '40301010', 'Procedimento de teste', 10000, 15000, 15000,
  data_inicio FROM guia WHERE numero_prestador IN ('G20', 'G21');
INSERT INTO achado (guia_id, codigo, severidade, mensagem, regra, guia_revisao, reconhecido_em,
  reconhecido_por, reconhecido_motivo)
SELECT id, 'CARTEIRA_AUSENTE', 'bloqueio', 'sem carteira', 'builtin:teste', 1,
  '2025-04-20T10:00:00Z', 'ana', 'carteira pedida' FROM guia WHERE numero_prestador = 'G20';
SQL
"$FAT" lote fechar --operadora aurora --competencia 2025-04 --ate 2025-04-30 --hoje 2025-05-01 \
  >"$TMP/out" 2>"$TMP/err" && fail "guia retida sem saída 1"
grep -q "guia G20 (id [0-9]*): falta número da carteira" "$TMP/out" ||
  fail "retida sem motivo: $(cat "$TMP/out" "$TMP/err")"
[ "$(sqlite3 "$FATURO_DB" "SELECT group_concat(numero_prestador || ':' || status || ':' ||
      (lote_id IS NULL)) FROM guia WHERE numero_prestador IN ('G20', 'G21')
      ORDER BY numero_prestador")" = "G20:conferida:1,G21:em_lote:0" ] ||
  fail "retida: $(sqlite3 "$FATURO_DB" "SELECT numero_prestador, status, lote_id FROM guia WHERE
      numero_prestador IN ('G20', 'G21')")"

# 2. the demo clinic: generated and checked by `faturo demo` (up to conferir),
#    then every operator's lotes closed here and each file checked by xmllint
export FATURO_DB="$TMP/demo.db"
"$FAT" demo --guias 600 --ate-etapa conferir >"$TMP/demo.out" 2>&1 ||
  fail "faturo demo: $(tail -5 "$TMP/demo.out")"
mkdir -p "$TMP/demo"
for op in aurora vitalis horizonte serena; do
  "$FAT" lote fechar --operadora "$op" --saida "$TMP/demo" >"$TMP/out" 2>"$TMP/err" ||
    fail "lote fechar $op (demo): $(cat "$TMP/err")"
done
total=$(xsd_ok "$TMP/demo") || exit 1
[ "$total" -gt 0 ] || fail "a demo não gerou nenhum lote"
# every lote holds one guia type and at most 100 guias
[ "$(sqlite3 "$TMP/demo.db" "SELECT count(*) FROM lote l WHERE qtd_guias > 100 OR
      (SELECT count(DISTINCT tipo) FROM guia g WHERE g.lote_id = l.id) <> 1")" = 0 ] ||
  fail "lote da demo com mais de 100 guias ou com tipos misturados"
echo "demo: $total lotes validados pelo xmllint"
echo "ok"
