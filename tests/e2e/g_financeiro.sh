#!/bin/sh
# e2e (Part G): the money side through the CLI.
#  fatura with NF and Aurora's retentions -> bank statements (the real samples
#  of shared/financeiro: refused or read, never twice) -> proposal, confirmation
#  -> mapa; particular with card installments and the caixa; repasse computed,
#  statement in HTML and XLSX, closed and refusing changes; the invariants.
# usage: g_financeiro.sh FATURO_BIN SOURCE_DIR   (env: FAT_SHARED_DIR)
set -u
FAT="$1"
SRC="$2"
SAMPLES="${FAT_SHARED_DIR:?FAT_SHARED_DIR}/financeiro/samples"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_e2e_g.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FATURO_DB="$TMP/e2e.db"
export FATURO_REGRAS="$SRC/rules"

fail() { echo "FALHOU: $*" >&2; exit 1; }
q() { sqlite3 "$FATURO_DB" "$1"; }

"$FAT" init >/dev/null || fail "init"
for v in fatura recebimento conciliacao particular caixa repasse; do
  "$FAT" "$v" --help | grep -q "uso: faturo $v" || fail "$v --help"
done
"$FAT" cadastro prestador --nome "Clínica São João" --cnpj 11.222.333/0001-81 --cnes 1234567 \
  >/dev/null || fail "cadastro prestador"
"$FAT" cadastro operadora --registro-ans 312347 --nome "Aurora Saúde" --script aurora \
  --codigo-prestador A-10234 >/dev/null || fail "cadastro operadora"
sqlite3 "$FATURO_DB" <<'SQL' || fail "sqlite3"
INSERT INTO profissional (id, nome, conselho, numero_conselho, uf) VALUES
  (1, 'Dra. Ana Lima', 'CRM', '1111', 'SP');
INSERT INTO lote (id, operadora_id, prestador_id, numero, tipo_guia, competencia, status,
  valor_informado, valor_liberado, valor_glosado, enviado_em, protocolo, protocolo_data)
  VALUES (1, 1, 1, 1, 'sp-sadt', '2015-10', 'processado', 30000, 30000, 0,
  '2015-10-05', 'P1', '2015-10-06');
INSERT INTO guia (id, prestador_id, operadora_id, tipo, numero_prestador, valor_total,
  competencia, status, lote_id, executante_id)
  VALUES (1, 1, 1, 'sp-sadt', 'G1', 30000, '2015-10', 'processada', 1, 1);
INSERT INTO item (guia_id, sequencial, codigo_tabela, codigo, quantidade_e4, valor_unitario,
  valor_total, profissional_id) VALUES (1, 1, '22', '40304361', 10000, 30000, 30000, 1);
INSERT INTO retorno (id, operadora_id, tipo, sha256) VALUES (1, 1, 'DEMONSTRATIVO_ANALISE_CONTA', 'x');
INSERT INTO retorno_guia (retorno_id, lote_id, guia_id, valor_liberado) VALUES (1, 1, 1, 30000);
SQL

# fatura + NF: Aurora retains 2% + 1,5% + 0,65% + 3% + 1% of R$ 300,00 = R$ 24,45
"$FAT" fatura criar --operadora aurora --competencia 2015-10 >/dev/null || fail "fatura criar"
"$FAT" fatura nf 1 --numero 77 --serie A --data 2015-10-20 >/dev/null || fail "fatura nf"
[ "$(q 'SELECT ret_iss + ret_ir + ret_pis + ret_cofins + ret_csll FROM fatura')" = 2445 ] ||
  fail "retenções $(q 'SELECT ret_iss, ret_ir, ret_pis, ret_cofins, ret_csll FROM fatura')"
"$FAT" --json fatura mostrar 1 | grep -q '"valor_liquido":27555' || fail "líquido"

# statements: an unregistered account is refused naming the fix; foreign files refused whole
"$FAT" conciliacao importar "$SAMPLES/ofx/bb_asgrim_sgml102_mktginfo.ofx" 2>"$TMP/err" &&
  fail "conta não cadastrada aceita"
grep -q "conciliacao conta adicionar --banco 001 --conta 4550005" "$TMP/err" ||
  fail "mensagem da conta: $(cat "$TMP/err")"
"$FAT" conciliacao conta adicionar --banco 001 --conta 455000-5 >/dev/null || fail "conta"
"$FAT" conciliacao importar "$SAMPLES/ofx/us_mybank_asgrim_ofx200_xml.ofx" 2>"$TMP/err" &&
  fail "OFX estrangeiro aceito"
grep -q "não é um código de banco brasileiro" "$TMP/err" || fail "motivo: $(cat "$TMP/err")"
"$FAT" conciliacao importar "$SAMPLES/ofx/nubank_cc_asgrim_raw_ampersand.ofx" 2>"$TMP/err" &&
  fail "fatura de cartão aceita"
grep -q "cartão de crédito" "$TMP/err" || fail "motivo cartão: $(cat "$TMP/err")"
[ "$(q 'SELECT COUNT(*) FROM extrato_linha')" = 0 ] || fail "recusa gravou linhas"
# the BB sample: one credit of R$ 239,55 on 03/11/2015 ("DOC CRÉDITO EM CONTA")
"$FAT" conciliacao importar "$SAMPLES/ofx/bb_asgrim_sgml102_mktginfo.ofx" >"$TMP/out" ||
  fail "importar BB"
grep -q "1 crédito" "$TMP/out" || fail "importar: $(cat "$TMP/out")"
"$FAT" conciliacao importar "$SAMPLES/ofx/bb_asgrim_sgml102_mktginfo.ofx" | grep -q "já importado" ||
  fail "segunda importação"
[ "$(q 'SELECT COUNT(*) FROM extrato_linha')" = 1 ] || fail "linhas repetidas"
# the credit equals nothing and names nobody: it stays visible, unmatched
"$FAT" conciliacao propor | grep -q "0 proposta" || fail "propôs o que não devia"
"$FAT" conciliacao pendentes | grep -q "R\$ 239,55" || fail "crédito pendente sumiu"
# a person links it to the fatura by hand: a partial baixa
"$FAT" conciliacao vincular 1 --fatura 1 >/dev/null || fail "vincular"
"$FAT" conciliacao vincular 1 --fatura 1 2>/dev/null && fail "o mesmo crédito duas vezes"
[ "$(q 'SELECT status FROM fatura')" = paga_parcial ] || fail "baixa parcial"
"$FAT" fatura mapa --hoje 2015-12-01 >"$TMP/mapa" || fail "mapa"
grep -q "NF 77" "$TMP/mapa" || fail "mapa sem NF: $(cat "$TMP/mapa")"
grep -q "saldo a receber" "$TMP/mapa" || fail "mapa sem saldo"
grep -q "dia(s) de atraso" "$TMP/mapa" || fail "mapa sem atraso"

# a CNAB 400 (Bradesco sample) of another account: registered, read, not matched
"$FAT" conciliacao conta adicionar --banco 237 --conta 4466911 >/dev/null || fail "conta 237"
"$FAT" conciliacao importar "$SAMPLES/cnab/bradesco_cnab400_laravelboleto.ret" | grep -q "6 crédito" ||
  fail "CNAB 400"
"$FAT" conciliacao importar "$SAMPLES/cnab/itau_cnab400_laravelboleto.ret" 2>"$TMP/err" &&
  fail "CNAB de conta não cadastrada aceito"

# particular: R$ 1.000,00 on credit in 3 with 3,49% fee; cash in the caixa
"$FAT" particular adquirente Cielo --debito 1,99 --credito 2,99 --parcelado 3,49 >/dev/null ||
  fail "adquirente"
"$FAT" particular registrar --paciente "Maria da Silva" --cpf 52998224725 --data 2015-11-10 \
  --codigo 10101012 --profissional 1 --valor 1.000,00 >/dev/null || fail "particular"
"$FAT" particular pagar 1 --forma credito --parcelas 3 --adquirente Cielo --data 2015-11-10 \
  >/dev/null || fail "pagar cartão"
"$FAT" particular mostrar 1 | grep -q "parcela 1: R\$ 333,34 - taxa R\$ 11,64" || fail "parcelas"
"$FAT" particular recibo 1 --saida "$TMP/recibo.html" >/dev/null || fail "recibo"
grep -q "mil reais" "$TMP/recibo.html" || fail "extenso"
"$FAT" --usuario ana caixa abrir --data 2015-11-10 --valor 50 >/dev/null || fail "caixa abrir"
"$FAT" particular registrar --paciente "João" --data 2015-11-10 --codigo 10101012 --valor 80 \
  >/dev/null || fail "particular 2"
"$FAT" --usuario ana particular pagar 2 --forma dinheiro --valor 30 --data 2015-11-10 \
  >/dev/null || fail "pagar dinheiro"
"$FAT" --usuario ana caixa fechar --data 2015-11-10 --contado 79 | grep -q "diferença -R\$ 1,00" ||
  fail "caixa fechar"

# repasse of 2015-11: Ana 60% of convênio, 50% of particular
"$FAT" repasse regra --profissional 1 --percentual 60 --origem convenio >/dev/null || fail "regra"
"$FAT" repasse regra --profissional 1 --percentual 50 --origem particular >/dev/null || fail "regra 2"
"$FAT" repasse calcular --periodo 2015-11 >"$TMP/rep" || fail "calcular"
# 239,55 net settles 239,55 * 300,00 / 275,55 = 260,81: * 60% = 156,49;
# (1.000,00 - 34,90) * 50% = 482,55
grep -q "total a pagar R\$ 639,04" "$TMP/rep" || fail "repasse: $(cat "$TMP/rep")"
"$FAT" repasse extrato --periodo 2015-11 --formato xlsx --saida "$TMP/rep.xlsx" >/dev/null ||
  fail "xlsx"
[ "$(head -c 2 "$TMP/rep.xlsx")" = PK ] || fail "xlsx não é zip"
"$FAT" repasse extrato --periodo 2015-11 --formato html | grep -q "Dra. Ana Lima" || fail "html"
"$FAT" repasse fechar --periodo 2015-11 >/dev/null || fail "fechar"
"$FAT" repasse calcular --periodo 2015-11 2>"$TMP/err" && fail "repasse fechado recalculado"
grep -q "fechado" "$TMP/err" || fail "motivo fechado"
"$FAT" repasse ajuste --periodo 2015-11 --profissional 1 --valor 1 --motivo x 2>/dev/null &&
  fail "ajuste em repasse fechado"
"$FAT" repasse ajuste --periodo 2015-12 --profissional 1 --valor -1,00 --motivo "acerto" \
  >/dev/null || fail "ajuste no seguinte"

"$FAT" fatura verificar >"$TMP/ver" || fail "verificar: $(cat "$TMP/ver")"
[ "$(grep -c '^ok' "$TMP/ver")" = 4 ] || fail "invariantes: $(cat "$TMP/ver")"
"$FAT" --json fatura verificar | grep -q '"ok":true' || fail "verificar --json"
echo "ok"
