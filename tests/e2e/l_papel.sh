#!/bin/sh
# e2e (Part L) through the CLI on the demo: one guia of each of the four types
# entered with `guia digitar`; a laudo the operator's contract requires
# (conferir bloqueio -> anexar -> conferir clean); the sessions limit of the
# contract; printing a guia (the ANS fields, pt-BR formats, a hostile name
# escaped) and a lote; the delivery of a lote's papers and the signed paper of
# each guia; an acknowledgement that survives a re-check; a guia in a sent
# lote that cannot be edited.
# usage: l_papel.sh FATURO_BIN
set -eu
F="$1"
DIR="$(mktemp -d "${TMPDIR:-/tmp}/faturo-lp-XXXXXX")"
trap 'rm -rf "$DIR"' EXIT
DB="$DIR/demo.db"
fail() { echo "FALHOU: $*" >&2; exit 1; }
fat() { "$F" --db "$DB" "$@"; }
# the findings of one guia with code $2 (achado listar answers a list or tables)
achados() {
  fat --json achado listar --guia "$1" --codigo "$2" |
    jq '(if type == "array" then . else .tabelas[0].linhas end) | length'
}

fat demo --guias 100 --ate-etapa precos > /dev/null
fat conferir > /dev/null || true

# a stored guia of type $1 (and operator script $2, optional)
guia_do_tipo() {
  for i in $(seq 1 100); do
    fat --json guia mostrar "$i" > "$DIR/g.json" 2> /dev/null || continue
    [ "$(jq -r .tipo "$DIR/g.json")" = "$1" ] || continue
    [ -z "${2:-}" ] || [ "$(jq -r .operadora.script "$DIR/g.json")" = "$2" ] || continue
    echo "$i"
    return 0
  done
  return 1
}

# ---- digitação: one guia of each type, typed from the form of a stored one
for t in consulta sp-sadt honorarios resumo-internacao; do
  g=$(guia_do_tipo "$t") || fail "a demo não tem guia $t"
  fat --json guia mostrar "$g" | jq ".numero_prestador = \"DIG-${t%%-*}\" | del(.id)" > "$DIR/f-$t.json"
  fat --json guia digitar "$DIR/f-$t.json" > "$DIR/d-$t.json" || true
  novo=$(jq '.guia_id' "$DIR/d-$t.json")
  [ "$novo" != null ] || { cat "$DIR/d-$t.json" >&2; fail "digitar $t não gravou"; }
  [ "$(fat --json guia mostrar "$novo" | jq -r .tipo)" = "$t" ] || fail "digitada não é $t"
  [ "$(fat --json guia mostrar "$novo" | jq -r .numero_prestador)" = "DIG-${t%%-*}" ] ||
    fail "número da guia $t digitada"
done

# ---- laudo required by the contract (Aurora: ressonância, grupo 4.11)
base=$(guia_do_tipo sp-sadt aurora) || fail "a demo não tem SP/SADT da Aurora"
fat --json guia mostrar "$base" | jq '.numero_prestador = "DIG-RM" | del(.id) |
  .itens = [.itens[0] | del(.id) | .codigo = "41101014" | .descricao = "RM de crânio"]' \
  > "$DIR/rm.json"
fat --json guia digitar "$DIR/rm.json" > "$DIR/rm-d.json" || true
rm_id=$(jq '.guia_id' "$DIR/rm-d.json")
[ "$rm_id" != null ] || { cat "$DIR/rm-d.json" >&2; fail "digitar a RM"; }
fat conferir --guia "$rm_id" > /dev/null || true
[ "$(achados "$rm_id" ANEXO_AUSENTE)" = 1 ] || fail "RM sem laudo não deu ANEXO_AUSENTE"
fat --json achado listar --guia "$rm_id" --codigo ANEXO_AUSENTE > "$DIR/an.json"
grep -q '41101014' "$DIR/an.json" || fail "a mensagem não nomeia o procedimento"
grep -q 'laudo' "$DIR/an.json" || fail "a mensagem não nomeia o tipo de anexo"
printf '%%PDF-1.4\n%% laudo de RM\n' > "$DIR/laudo.pdf"
fat guia anexar "$rm_id" "$DIR/laudo.pdf" --tipo laudo > /dev/null || fail "anexar o laudo"
fat conferir > /dev/null || true
[ "$(achados "$rm_id" ANEXO_AUSENTE)" = 0 ] || fail "o laudo anexado não limpou ANEXO_AUSENTE"

# ---- sessions: 11 sessions of one procedure, the Aurora takes 10 per guia
fat --json guia mostrar "$base" | jq '.numero_prestador = "DIG-SES" | del(.id) |
  .itens = [.itens[0] | del(.id) | del(.data) | .codigo = "20103220" |
    .sessoes = ["02/03/2026","03/03/2026","04/03/2026","05/03/2026","06/03/2026",
                "09/03/2026","10/03/2026","11/03/2026","12/03/2026","13/03/2026",
                "16/03/2026"]]' > "$DIR/ses.json"
fat --json guia digitar "$DIR/ses.json" --avaliar > "$DIR/ses-a.json" || true
jq -e '[.achados[] | select(.codigo == "SESSOES_EXCEDIDAS")] | length == 1' "$DIR/ses-a.json" \
  > /dev/null || { cat "$DIR/ses-a.json" >&2; fail "11 sessões sem SESSOES_EXCEDIDAS"; }
jq 'del(.itens[0].sessoes[10])' "$DIR/ses.json" > "$DIR/ses10.json"
fat --json guia digitar "$DIR/ses10.json" --avaliar > "$DIR/ses10-a.json" || true
jq -e '[.achados[] | select(.codigo == "SESSOES_EXCEDIDAS")] | length == 0' \
  "$DIR/ses10-a.json" > /dev/null || fail "10 sessões deram SESSOES_EXCEDIDAS"
jq -e '.sessoes == [{"codigo": "20103220", "sessoes": 10, "max": 10}]' "$DIR/ses10-a.json" \
  > /dev/null || fail "a avaliação não mostra o limite de sessões do contrato"

# ---- printing: the ANS fields, pt-BR formats, a hostile name escaped
fat guia editar "$rm_id" --campo 'beneficiario_nome=<script>alert(1)</script> & Cia' \
  --motivo teste > /dev/null || true
fat guia imprimir "$rm_id" --saida "$DIR/guia.html" > /dev/null || fail "guia imprimir"
for campo in 'Registro ANS' 'da guia no prestador' 'mero da carteira' 'Nome do contratado' \
  'Profissional executante' 'digo CBO' 'CID-10' 'Assinatura do benefici' '41101014' \
  'DIG-RM' 'R\$ '; do
  grep -q "$campo" "$DIR/guia.html" || fail "impressão sem '$campo'"
done
grep -q '<script>' "$DIR/guia.html" && fail "o nome do beneficiário injetou marcação"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt; &amp; Cia' "$DIR/guia.html" ||
  fail "o nome do beneficiário não foi escapado"
grep -q '[0-3][0-9]/[01][0-9]/20[0-9][0-9]' "$DIR/guia.html" || fail "datas não DD/MM/AAAA"
grep -Eq '[0-9]{4}-[0-9]{2}-[0-9]{2}' "$DIR/guia.html" && fail "data AAAA-MM-DD na impressão"
fat guia imprimir "$rm_id" "$base" > "$DIR/duas.html"
[ "$(grep -c '<section class="guia">' "$DIR/duas.html")" = 2 ] || fail "duas guias, duas páginas"
fat guia imprimir 999999 > /dev/null 2>&1 && fail "imprimiu guia inexistente"
fat --json auditoria acessos > "$DIR/acessos.json"
grep -q 'guia imprimir' "$DIR/acessos.json" || fail "a impressão não ficou no registro de acessos"

# ---- papers of a lote (the Aurora demands paper: papel_fisico)
fat lote fechar --operadora aurora --hoje 2026-12-31 > "$DIR/fechar.txt" 2>&1 || true
lote=$(fat --json lote listar --operadora aurora | jq '[.[] | .id] | max // empty' 2> /dev/null ||
  true)
[ -n "$lote" ] || { cat "$DIR/fechar.txt" >&2; fail "nenhum lote da Aurora fechado"; }
fat --json lote papel "$lote" > "$DIR/papel.json"
[ "$(jq .papel_fisico "$DIR/papel.json")" = true ] || fail "papel_fisico da Aurora"
[ "$(jq .entrega "$DIR/papel.json")" = null ] || fail "entrega antes de registrar"
n=$(jq .guias "$DIR/papel.json")
[ "$n" -ge 1 ] && [ "$(jq '.pendentes | length' "$DIR/papel.json")" = "$n" ] ||
  fail "todas as guias do lote deveriam estar sem papel"
g1=$(jq '.pendentes[0].guia_id' "$DIR/papel.json")
fat guia papel "$g1" --recebido | grep -q 'papel assinado recebido' || fail "guia papel --recebido"
fat guia papel "$g1" --recebido > /dev/null 2>&1 && fail "marcou recebido duas vezes"
fat --json lote papel "$lote" > "$DIR/papel2.json"
[ "$(jq .recebidos "$DIR/papel2.json")" = 1 ] || fail "recebidos depois de marcar"
jq -e ".pendentes | map(.guia_id) | index($g1) == null" "$DIR/papel2.json" > /dev/null ||
  fail "a guia com papel ainda aparece como pendente"
fat guia papel "$g1" --pendente | grep -q pendente || fail "guia papel --pendente"
fat guia papel "$g1" --recebido > /dev/null
fat lote papel "$lote" --entregue 31/02/2026 --por "Ana" > "$DIR/e.txt" 2>&1 && fail "data inválida"
grep -q '31/02/2026' "$DIR/e.txt" || fail "a recusa não cita a data"
fat lote papel "$lote" --entregue 02/01/2099 --por "Ana" > /dev/null 2>&1 && fail "data futura"
fat lote papel "$lote" --entregue "$(date +%d/%m/%Y)" --por "José (motoboy)" \
  --protocolo "AUR-REC-7781" --observacao "caixa 1 de 1" > "$DIR/entrega.txt" ||
  { cat "$DIR/entrega.txt" >&2; fail "registrar a entrega"; }
grep -q 'levados por José (motoboy); protocolo AUR-REC-7781' "$DIR/entrega.txt" ||
  fail "a entrega não aparece"
grep -q "Papéis assinados recebidos: 1 de $n" "$DIR/entrega.txt" || fail "contagem de papéis"
fat --json lote papel "$lote" | jq -e '.entrega.protocolo == "AUR-REC-7781"' > /dev/null ||
  fail "protocolo da entrega no JSON"

# ---- the lote printed: its relação and each guia
fat lote imprimir "$lote" --saida "$DIR/lote.html" > /dev/null || fail "lote imprimir"
grep -q 'Relação de guias' "$DIR/lote.html" || fail "lote impresso sem a relação"
[ "$(grep -c '<section class="guia">' "$DIR/lote.html")" = "$n" ] ||
  fail "lote impresso: uma página por guia"

# ---- an acknowledgement survives a re-check
fat --json achado listar --severidade alerta > "$DIR/al.json"
aid=$(jq '(if type == "array" then . else .tabelas[0].linhas end)[0].id' "$DIR/al.json")
agid=$(jq '(if type == "array" then . else .tabelas[0].linhas end)[0].guia_id' "$DIR/al.json")
[ "$aid" != null ] || fail "a demo não tem alertas"
fat achado reconhecer "$aid" --motivo "combinado com a operadora" > /dev/null
fat conferir --guia "$agid" --todas > /dev/null || true
fat --json achado listar --guia "$agid" --reconhecidos > "$DIR/rec.json"
jq -e "(if type == \"array\" then . else .tabelas[0].linhas end) |
  map(select(.id == $aid and .reconhecido_motivo == \"combinado com a operadora\")) | length == 1" \
  "$DIR/rec.json" > /dev/null || fail "o reconhecimento não sobreviveu à reconferência"

# ---- a guia in a sent lote cannot be edited
fat lote enviado "$lote" --data "$(date +%Y-%m-%d)" > /dev/null || fail "lote enviado"
fat guia editar "$g1" --campo cid=J069 --motivo "tarde demais" > "$DIR/ed.txt" 2>&1 &&
  fail "editou guia de lote enviado"
grep -q 'lote' "$DIR/ed.txt" || fail "a recusa não explica o lote"
# the papers' delivery may still be recorded on a sent lote
fat lote papel "$lote" --entregue "$(date +%d/%m/%Y)" --por "Ana" > /dev/null ||
  fail "entrega em lote enviado"
fat verificar > "$DIR/verificar.txt" 2>&1 || { cat "$DIR/verificar.txt" >&2; fail "verificar"; }
echo "ok l_papel"
