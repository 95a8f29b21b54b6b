#!/bin/sh
# e2e (Part H): the management reports on the demo clinic, through the CLI,
# checked against the same figures computed here by plain SQL:
#  - produção: the lines sum to the total; faturado, glosado, recuperado and
#    recebido equal the sums over the stored rows; the dashboard's counters
#    equal the report;
#  - faturado − glosado = the liberado of the demonstrativos, and
#    liberado + recuperado − recebido = the open receivables of the aging,
#    whose buckets sum to them; recebido = the receipts' gross value;
#  - glosas: every breakdown adds up to the glosado; TUSS descriptions;
#  - previsto × realizado: realizado = the money received (recovered aside);
#  - the reports against the other modules' listings: faturado = the lotes +
#    the painel's a faturar, glosado = the glosa listing, recebido and the
#    fechamento's gross = the recebimento listing;
#  - fechamento: gross = retained + card fees + net = the receipts of the
#    month; the accountant's package;
#  - exports: CSV with BOM, ';', decimal comma and accents; XLSX read back
#    from its XML with numeric money, month and percent cells;
#  - regras simular --precos with a proposal raising Horizonte's Brasíndice
#    by 10%: the difference computed here from the price table;
#  - produtividade: a guia corrected by bia and re-checked credits her with
#    the finding the correction resolved.
# usage: h_relatorios.sh FATURO_BIN SOURCE_DIR   (env: FAT_SHARED_DIR)
set -u
F="$1"
SRC="$2"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_e2e_h.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FATURO_DB="$TMP/demo.db"
export FATURO_REGRAS="$SRC/rules"
fail() { echo "FALHOU: $*" >&2; exit 1; }
q() { sqlite3 "$FATURO_DB" "$1"; }
# j FILE FILTER: one value of a report's JSON
j() { jq -r "$2" "$1"; }
# table T of report FILE: lines sum to the total in every money and count column
soma_confere() {
  r=$(jq -r --arg t "$2" '.tabelas[] | select(.nome == $t) as $t
    | [$t.colunas[] | select(.tipo == "dinheiro" or .tipo == "inteiro") | .chave] as $ks
    | [$ks[] as $k | select(($t.total[$k] | type) == "number")
       | select(([$t.linhas[][$k] // 0] | add // 0) != $t.total[$k]) | $k] | join(",")' "$1")
  [ -z "$r" ] || fail "$1, tabela $2: as linhas não somam o total em $r"
}

"$F" demo --guias 300 --competencia 2025-03 > "$TMP/demo.log" 2>&1 || { cat "$TMP/demo.log"; fail "demo"; }
"$F" tabelas importar glosas "${FAT_SHARED_DIR:?}/tiss/tabelas/tuss38_glosas.csv" > /dev/null ||
  fail "tabelas importar glosas"
"$F" relatorio --help | grep -q "analise-glosas" || fail "relatorio --help não lista os relatórios"

# ---- produção: lines, totals and plain SQL
"$F" --json relatorio producao --de 2025-03 --ate 2025-05 > "$TMP/prod.json" || fail "producao"
soma_confere "$TMP/prod.json" mensal
TOT='.tabelas[] | select(.nome == "mensal") | .total'
[ "$(j "$TMP/prod.json" "$TOT.faturado")" = "$(q "SELECT (SELECT sum(valor_total) FROM guia
  WHERE status <> 'cancelada') + (SELECT sum(valor) FROM particular WHERE status <> 'cancelado')")" ] ||
  fail "faturado da produção difere do SQL"
[ "$(j "$TMP/prod.json" "$TOT.glosado")" = "$(q "SELECT sum(valor) FROM glosa")" ] ||
  fail "glosado da produção difere do SQL"
[ "$(j "$TMP/prod.json" "$TOT.recuperado")" = "$(q "SELECT sum(valor_recuperado) FROM glosa")" ] ||
  fail "recuperado da produção difere do SQL"
[ "$(j "$TMP/prod.json" "$TOT.recebido")" = "$(q "SELECT (SELECT sum(valor_bruto) FROM recebimento)
  + (SELECT sum(valor) FROM particular_pagamento)")" ] || fail "recebido da produção difere do SQL"
[ "$(j "$TMP/prod.json" "$TOT.guias")" = "$(q "SELECT (SELECT count(*) FROM guia WHERE
  status <> 'cancelada') + (SELECT count(*) FROM particular WHERE status <> 'cancelado')")" ] ||
  fail "guias da produção difere do SQL"
for op in $(q "SELECT id FROM operadora"); do
  nome=$(q "SELECT nome FROM operadora WHERE id = $op")
  [ "$(jq -r --arg o "$nome" '[.tabelas[] | select(.nome == "mensal") | .linhas[]
      | select(.operadora == $o) | .faturado] | add' "$TMP/prod.json")" = \
    "$(q "SELECT sum(valor_total) FROM guia WHERE operadora_id = $op AND status <> 'cancelada'")" ] ||
    fail "faturado de $nome difere do SQL"
done
for d in profissional grupo unidade; do
  "$F" --json relatorio producao --de 2025-03 --ate 2025-05 --detalhe $d > "$TMP/det.json" ||
    fail "producao --detalhe $d"
  soma_confere "$TMP/det.json" detalhe
  [ "$(jq -r '.tabelas[] | select(.nome == "detalhe") | .total.glosado' "$TMP/det.json")" = \
    "$(q "SELECT sum(valor) FROM glosa")" ] || fail "detalhe $d: glosado difere"
done

# ---- the dashboard's counters give the same figures
"$F" --json relatorio gerencial --hoje 2025-06-10 > "$TMP/ger.json" || fail "gerencial"
a=$(jq -c '[.tabelas[] | select(.nome == "producao") | .linhas[]
  | [.competencia, .operadora, .guias, .faturado, .glosado, .recuperado, .recebido]]' "$TMP/ger.json")
b=$(jq -c '[.tabelas[] | select(.nome == "mensal") | .linhas[]
  | [.competencia, .operadora, .guias, .faturado, .glosado, .recuperado, .recebido]]' "$TMP/prod.json")
[ "$a" = "$b" ] || fail "os contadores do painel diferem do relatório: $a / $b"
[ "$(jq '[.tabelas[] | select(.nome == "mapa") | .linhas[]] | length' "$TMP/ger.json")" -gt 0 ] ||
  fail "o painel não trouxe o mapa de faturas"

# ---- reconciliation: faturado − glosado = liberado; + recuperado − recebido = aging
"$F" --json relatorio inadimplencia --hoje 2025-06-10 > "$TMP/aging.json" || fail "inadimplencia"
soma_confere "$TMP/aging.json" aging
r=$(jq -r '.tabelas[] | select(.nome == "aging") | (.linhas + [.total])[]
  | select(.a_vencer + .ate_30 + .de_31_a_60 + .de_61_a_90 + .acima_de_90 + .sem_previsao != .aberto)
  | .operadora // "total"' "$TMP/aging.json")
[ -z "$r" ] || fail "faixas do aging não somam o em aberto: $r"
enviado="g.lote_id IS NOT NULL AND g.status <> 'cancelada'"
[ "$(q "SELECT sum(g.valor_total) - (SELECT sum(x.valor) FROM glosa x JOIN guia g ON g.id = x.guia_id
  WHERE $enviado) FROM guia g WHERE $enviado")" = "$(q "SELECT sum(valor_liberado) FROM lote")" ] ||
  fail "faturado − glosado dos lotes enviados difere do liberado dos demonstrativos"
aberto_sql=$(q "SELECT (SELECT sum(valor_liberado) FROM lote)
  + (SELECT sum(x.valor_recuperado) FROM glosa x JOIN guia g ON g.id = x.guia_id WHERE $enviado)
  - (SELECT sum(x.valor) FROM recebimento_guia x JOIN guia g ON g.id = x.guia_id WHERE $enviado)")
aberto_conv=$(jq -r '[.tabelas[] | select(.nome == "aging") | .linhas[]
  | select(.operadora != "Particulares") | .aberto] | add // 0' "$TMP/aging.json")
[ "$aberto_sql" = "$aberto_conv" ] ||
  fail "liberado + recuperado − recebido ($aberto_sql) difere do em aberto do aging ($aberto_conv)"
[ "$aberto_conv" -gt 0 ] || fail "o demo devia ter saldo em aberto (pagamento a menor)"
[ "$(q "SELECT sum(valor) FROM recebimento_guia")" = "$(q "SELECT sum(valor_bruto) FROM recebimento")" ] ||
  fail "recebido por guia difere do bruto dos recebimentos"

# ---- glosas
"$F" --json relatorio analise-glosas --de 2025-03 --ate 2025-03 > "$TMP/glosas.json" || fail "glosas"
gl=$(q "SELECT sum(valor) FROM glosa")
for t in mensal por_grupo por_codigo por_procedimento por_profissional; do
  soma_confere "$TMP/glosas.json" $t
  [ "$(jq -r --arg t $t '.tabelas[] | select(.nome == $t) | .total.glosado' "$TMP/glosas.json")" = "$gl" ] ||
    fail "glosas, $t: o total não é o glosado ($gl)"
done
[ "$(jq -r '[.tabelas[] | select(.nome == "por_codigo") | .linhas[] | select(.descricao == null)]
  | length' "$TMP/glosas.json")" = 0 ] || fail "código de glosa sem a descrição da TUSS 38"
[ "$(jq -r '.tabelas[] | select(.nome == "preveniveis") | .total.valor' "$TMP/glosas.json")" = \
  "$(q "SELECT coalesce(sum(valor), 0) FROM glosa WHERE prevista = 1")" ] || fail "glosas evitáveis"
[ "$(jq -r '.tabelas[] | select(.nome == "recursos") | .total.recuperado' "$TMP/glosas.json")" = \
  "$(q "SELECT sum(valor_deferido) FROM recurso_item")" ] || fail "recuperado por recurso"

# ---- identities between the reports and the other modules' own listings
# (lote listing, painel, glosa listing, recebimento listing): no SQL here
"$F" --json relatorio lotes --todas | jq -s '[.[].itens[]]' > "$TMP/lotes.json" || fail "relatorio lotes"
"$F" --json relatorio glosas --todas | jq -s '[.[].itens[]]' > "$TMP/glosas_lista.json" ||
  fail "relatorio glosas"
"$F" --json recebimento listar > "$TMP/receb.json" || fail "recebimento listar"
"$F" --json relatorio painel --hoje 2025-06-10 > "$TMP/painel.json" || fail "relatorio painel"
CONV='[.tabelas[] | select(.nome == "mensal") | .linhas[] | select(.operadora != "Particulares")'
lotes=$(jq '[.[] | select(.status != "cancelado") | .valor_informado] | add' "$TMP/lotes.json")
a_faturar=$(jq .valor_a_faturar "$TMP/painel.json")
[ "$(jq "$CONV | .faturado] | add" "$TMP/prod.json")" = "$((lotes + a_faturar))" ] ||
  fail "faturado dos convênios ≠ soma dos lotes ($lotes) + a faturar do painel ($a_faturar)"
glosas_lista=$(jq '[.[].valor] | add' "$TMP/glosas_lista.json")
[ "$(j "$TMP/prod.json" "$TOT.glosado")" = "$glosas_lista" ] ||
  fail "glosado da produção ≠ soma da listagem de glosas ($glosas_lista)"
[ "$(jq -r '.tabelas[] | select(.nome == "mensal") | .total.glosado' "$TMP/glosas.json")" = "$glosas_lista" ] ||
  fail "glosado da análise de glosas ≠ soma da listagem de glosas"
[ "$(jq -r '.tabelas[] | select(.nome == "mensal") | .total.faturado' "$TMP/glosas.json")" = \
  "$(jq "$CONV | select(.competencia == \"2025-03\") | .faturado] | add" "$TMP/prod.json")" ] ||
  fail "faturado da análise de glosas ≠ faturado dos convênios na produção"
[ "$(jq '[.[] | select(.status != "cancelado") | .valor_informado - (.valor_glosado // 0)] | add' "$TMP/lotes.json")" = \
  "$(jq '[.[] | select(.status != "cancelado") | .valor_liberado // .valor_informado] | add' "$TMP/lotes.json")" ] ||
  fail "lotes: informado − glosado ≠ liberado"
receb=$(jq '[.[].valor_bruto] | add' "$TMP/receb.json")
[ "$(jq "$CONV | .recebido] | add" "$TMP/prod.json")" = "$receb" ] ||
  fail "recebido dos convênios na produção ≠ soma dos recebimentos ($receb)"
# previsto × realizado over every month = the receipts listed, recovered money aside
"$F" --json relatorio previsto-realizado --de 2025-01 --ate 2025-12 > "$TMP/prev_ano.json" ||
  fail "previsto do ano"
[ "$(jq -r '.tabelas[0].total.realizado' "$TMP/prev_ano.json")" = \
  "$(jq '[.[] | select(.recuperado == 0) | .valor_bruto] | add' "$TMP/receb.json")" ] ||
  fail "realizado do ano ≠ recebimentos listados (sem recuperado)"
"$F" --json recebimento listar --de 2025-05-01 --ate 2025-05-31 > "$TMP/receb_maio.json" ||
  fail "recebimento listar de maio"
"$F" --json relatorio fechamento --mes 2025-05 > "$TMP/fech_id.json" || fail "fechamento (identidades)"
[ "$(jq '[.tabelas[] | select(.nome == "resumo") | .linhas[] | select(.operadora != "Particulares")
    | .recebido_bruto] | add' "$TMP/fech_id.json")" = "$(jq '[.[].valor_bruto] | add' "$TMP/receb_maio.json")" ] ||
  fail "recebido bruto do fechamento de maio ≠ recebimentos de maio listados"

# ---- previsto × realizado
"$F" --json relatorio previsto-realizado --de 2025-04 --ate 2025-06 > "$TMP/prev.json" || fail "previsto"
soma_confere "$TMP/prev.json" mensal
[ "$(jq -r '.tabelas[0].total.realizado' "$TMP/prev.json")" = \
  "$(q "SELECT sum(valor_bruto) FROM recebimento WHERE recuperado = 0")" ] || fail "realizado"
[ "$(jq -r '.tabelas[0].total.previsto' "$TMP/prev.json")" = \
  "$(q "SELECT sum(coalesce(l.valor_liberado, l.valor_informado)) FROM lote l
  LEFT JOIN fatura_lote fl ON fl.lote_id = l.id LEFT JOIN fatura f ON f.id = fl.fatura_id
  WHERE l.status NOT IN ('aberto', 'fechado')
  AND coalesce(f.previsao_pagamento, l.previsao_pagamento) BETWEEN '2025-04-01' AND '2025-06-30'")" ] ||
  fail "previsto"

# ---- fechamento and the accountant's package
"$F" --json relatorio fechamento --mes 2025-05 > "$TMP/fech.json" || fail "fechamento"
for t in resumo recebimentos particulares repasse; do soma_confere "$TMP/fech.json" $t; done
R='.tabelas[] | select(.nome == "resumo") | .total'
[ "$(j "$TMP/fech.json" "$R.recebido_bruto")" = "$(j "$TMP/fech.json" "$R | .retido + .tarifas + .recebido_liquido")" ] ||
  fail "bruto ≠ retido + tarifas + líquido"
[ "$(j "$TMP/fech.json" "$R.recebido_liquido")" = "$(q "SELECT (SELECT sum(valor) FROM recebimento
  WHERE data LIKE '2025-05%') + (SELECT sum(valor - taxa) FROM particular_pagamento WHERE data LIKE '2025-05%')")" ] ||
  fail "recebido líquido de maio difere do SQL"
[ "$(j "$TMP/fech.json" "$R.repasse")" = "$(q "SELECT sum(i.valor) FROM repasse_item i
  JOIN repasse r ON r.id = i.repasse_id WHERE r.periodo = '2025-05'")" ] || fail "repasse de maio"
"$F" relatorio fechamento --mes 2025-05 --saida "$TMP/pacote" > "$TMP/out" || fail "pacote"
for f in fechamento-2025-05.xlsx fechamento-2025-05.csv fechamento-2025-05-resumo.txt; do
  [ -s "$TMP/pacote/$f" ] || fail "pacote sem $f"
done
[ "$(grep -c "confere" "$TMP/pacote/fechamento-2025-05-resumo.txt")" -eq 3 ] &&
  ! grep -q "NÃO CONFERE" "$TMP/pacote/fechamento-2025-05-resumo.txt" || fail "resumo: conferências"

# ---- terminal: the table's lines (header, rows with "Saúde", total) have the
# same width in characters, not in bytes
"$F" relatorio producao --de 2025-03 --ate 2025-03 --tabela mensal > "$TMP/term.txt" || fail "tabela"
grep -q "Aurora Saúde" "$TMP/term.txt" || fail "tabela sem a Aurora"
larguras=$(sed -n '4,$p' "$TMP/term.txt" | sed '/^$/d' | while IFS= read -r l; do
  printf '%s' "$l" | LC_ALL=C.UTF-8 wc -m; done | sort -u | wc -l)
[ "$larguras" -eq 1 ] || fail "colunas desalinhadas no terminal: $(cat "$TMP/term.txt")"

# ---- CSV: BOM, ';', decimal comma, accents
"$F" relatorio producao --de 2025-03 --ate 2025-03 --tabela mensal --csv "$TMP/p.csv" > /dev/null ||
  fail "--csv"
[ "$(head -c 3 "$TMP/p.csv" | od -An -tx1 | tr -d ' ')" = "efbbbf" ] || fail "CSV sem BOM"
grep -q "^Competência;Operadora;Guias;Procedimentos;Exames;Faturado;" "$TMP/p.csv" || fail "CSV: cabeçalho"
aurora=$(jq -r '.tabelas[] | select(.nome == "mensal") | .linhas[] | select(.operadora == "Aurora Saúde")
  | "03/2025;Aurora Saúde;\(.guias);\(.procedimentos);\(.exames);\(.faturado / 100 | floor),\(.faturado % 100 | tostring | if length == 1 then "0" + . else . end);"' "$TMP/prod.json")
grep -q "^$aurora" "$TMP/p.csv" || fail "CSV: linha da Aurora ($aurora) com acento e vírgula decimal"
[ "$(grep -c "$(printf '\r')$" "$TMP/p.csv")" -eq "$(wc -l < "$TMP/p.csv")" ] || fail "CSV sem CRLF"

# ---- XLSX: cells read back from the sheet's XML
"$F" relatorio producao --de 2025-03 --ate 2025-03 --tabela mensal --xlsx "$TMP/p.xlsx" > /dev/null ||
  fail "--xlsx"
unzip -p "$TMP/p.xlsx" xl/worksheets/sheet1.xml > "$TMP/sheet1.xml" || fail "XLSX ilegível"
unzip -p "$TMP/p.xlsx" xl/styles.xml > "$TMP/styles.xml" || fail "XLSX sem estilos"
# text is written inline (constant-memory workbook: no shared strings table)
grep -q "<is><t>Aurora Saúde</t></is>" "$TMP/sheet1.xml" || fail "XLSX: acentos"
grep -q 'formatCode="&quot;R\$&quot; #,##0.00"' "$TMP/styles.xml" || fail "XLSX: formato R$"
grep -q 'formatCode="0.00%"' "$TMP/styles.xml" || fail "XLSX: formato de percentual"
grep -q 'formatCode="mm/yyyy"' "$TMP/styles.xml" || fail "XLSX: formato de mês"
# row 3 is the first line (row 1 the title, row 2 the header); columns in order
celula() { grep -o "<c r=\"$1\"[^>]*>\(<v>[^<]*</v>\)\?" "$TMP/sheet1.xml"; }
for c in A3 C3 F3 J3; do
  celula $c | grep -q ' t="\(s\|inlineStr\|str\)"' && fail "XLSX: $c é texto, devia ser número"
  celula $c | grep -q '<v>' || fail "XLSX: $c vazia"
done
primeira=$(jq -r '.tabelas[] | select(.nome == "mensal") | .linhas[0]' "$TMP/prod.json")
v=$(celula F3 | sed 's/.*<v>\(.*\)<\/v>/\1/')
[ "$(awk -v a="$v" -v b="$(echo "$primeira" | jq .faturado)" 'BEGIN { print (int(a * 100 + 0.5) == b) ? "ok" : "no" }')" = ok ] ||
  fail "XLSX: faturado $v não é o do relatório"
v=$(celula A3 | sed 's/.*<v>\(.*\)<\/v>/\1/')
[ "$v" = 45717 ] || fail "XLSX: competência 03/2025 devia ser a data 45717, é $v"
v=$(celula J3 | sed 's/.*<v>\(.*\)<\/v>/\1/')
[ "$(awk -v a="$v" -v b="$(echo "$primeira" | jq .taxa_glosa)" 'BEGIN { d = a * 10000 - b; print (d < 0.001 && d > -0.001) ? "ok" : "no" }')" = ok ] ||
  fail "XLSX: taxa de glosa $v"

# ---- what-if: Horizonte's Brasíndice (PMC) raised by 10%
sed 's|medicamentos = { tabela = "brasindice", base = "pmc" },|medicamentos = { tabela = "brasindice", base = "pmc", ajuste_bp = 1000 },|' \
  "$SRC/rules/operators/horizonte.lua" > "$TMP/proposta.lua"
grep -q "ajuste_bp = 1000 }," "$TMP/proposta.lua" || fail "a proposta não mudou o script"
"$F" --json regras simular horizonte --script "$TMP/proposta.lua" --precos --desde 2025-03 --ate 2025-03 \
  > "$TMP/sim.json" || fail "regras simular --precos"
soma_confere "$TMP/sim.json" por_grupo
# the difference from the table: each medicine's unit price is its PMC; the
# proposal adds 10% of it (half-up), and each item total is unit x quantity
# rounded once (docs/precos.md)
esperado=$(q "WITH it AS (SELECT i.quantidade_e4 AS q,
  (SELECT p.pmc FROM preco_insumo p WHERE p.tabela = 'brasindice' AND p.codigo = i.codigo
    AND p.vigencia_inicio <= coalesce(i.data, g.data_inicio)
    AND (p.vigencia_fim IS NULL OR p.vigencia_fim >= coalesce(i.data, g.data_inicio))
    ORDER BY p.vigencia_inicio DESC LIMIT 1) AS pmc
  FROM guia g JOIN operadora o ON o.id = g.operadora_id JOIN item i ON i.guia_id = g.id
  WHERE o.script = 'horizonte' AND g.competencia = '2025-03' AND g.status <> 'cancelada'
    AND i.tipo = 'medicamento')
  SELECT sum(((pmc + (pmc * 1000 + 5000) / 10000) * q * 100 + 500000) / 1000000)
       - sum((pmc * q * 100 + 500000) / 1000000) FROM it WHERE pmc IS NOT NULL")
[ "$esperado" -gt 0 ] || fail "o demo não tem medicamentos da Horizonte"
got=$(jq -r '.tabelas[] | select(.nome == "por_grupo") | .linhas[] | select(.grupo == "Medicamentos") | .diferenca' "$TMP/sim.json")
[ "$got" = "$esperado" ] || fail "simulação: diferença em medicamentos $got, esperada $esperado"
[ "$(jq -r '.tabelas[] | select(.nome == "por_grupo") | .total.diferenca' "$TMP/sim.json")" = "$esperado" ] ||
  fail "simulação: só medicamentos deviam mudar"
[ "$(jq -r '.tabelas[] | select(.nome == "por_grupo") | .linhas[] | select(.grupo != "Medicamentos")
  | select(.diferenca != 0) | .grupo' "$TMP/sim.json")" = "" ] || fail "simulação: outro grupo mudou"
"$F" regras simular horizonte --script "$TMP/proposta.lua" --precos | grep -q "Medicamentos" ||
  fail "simulação em tabela"
"$F" regras simular horizonte --script /dev/null --precos > /dev/null 2> "$TMP/err" &&
  fail "uma proposta vazia devia ser recusada"
grep -q "proposta não compila" "$TMP/err" || fail "proposta inválida: $(cat "$TMP/err")"

# ---- parameters refused with a usage error
"$F" relatorio producao --de 2025-13 > /dev/null 2> "$TMP/err"
[ $? -eq 2 ] || fail "--de 2025-13 devia sair com 2"
grep -q "2025-13" "$TMP/err" || fail "mensagem de --de inválido: $(cat "$TMP/err")"
"$F" relatorio producao --operadora unimed > /dev/null 2>&1
[ $? -eq 2 ] || fail "operadora desconhecida devia sair com 2"

# ---- produtividade: a correction that resolves a finding is credited to its author
export FATURO_DB="$TMP/conf.db"
"$F" demo --guias 120 --competencia 2025-03 --ate-etapa conferir > /dev/null 2>&1 || fail "demo conferir"
gid=$(q "SELECT guia_id FROM achado WHERE codigo = 'CID_AUSENTE' ORDER BY guia_id LIMIT 1")
num=$(q "SELECT numero_prestador FROM guia WHERE id = $gid")
[ -n "$num" ] || fail "o demo não tem guia com CID ausente"
"$F" exportar guias --saida "$TMP/todas.json" > /dev/null 2>&1 || fail "exportar"
jq --arg n "$num" '.guias |= map(select(.numero_prestador == $n)) | .guias[0].cid = "J069"' \
  "$TMP/todas.json" > "$TMP/corrigida.json"
"$F" --usuario bia importar guias "$TMP/corrigida.json" > /dev/null || fail "importar a correção"
"$F" conferir --hoje 2025-04-05 > /dev/null
[ "$(q "SELECT count(*) FROM auditoria WHERE acao = 'achado.resolver' AND objeto = 'guia:$gid'")" -ge 1 ] ||
  fail "a reconferência não registrou o achado resolvido"
hoje=$(date +%F)
"$F" --json relatorio produtividade --de "$hoje" --ate "$hoje" > "$TMP/prodt.json" || fail "produtividade"
soma_confere "$TMP/prodt.json" usuarios
[ "$(jq -r '.tabelas[] | select(.nome == "usuarios") | .linhas[] | select(.usuario == "bia")
  | "\(.guias_corrigidas) \(.achados_resolvidos >= 1)"' "$TMP/prodt.json")" = "1 true" ] ||
  fail "produtividade de bia: $(cat "$TMP/prodt.json")"
[ "$(jq -r '.tabelas[] | select(.nome == "usuarios") | .total.guias_digitadas' "$TMP/prodt.json")" = \
  "$(q "SELECT count(*) FROM guia")" ] || fail "guias digitadas ≠ guias do demo"
echo "ok: relatórios gerenciais"
