#!/bin/sh
# e2e (Part L) through the CLI on the demo: fix a guia with a bloqueio until
# its finding is gone, cancel a duplicate (the other copy is re-checked at
# once), read the history, the finding worklist (filters, summary by code,
# CSV), and a batch acknowledgement with one motive audited per finding.
# usage: l_guias.sh FATURO_BIN
set -eu
F="$1"
DIR="$(mktemp -d "${TMPDIR:-/tmp}/faturo-l-XXXXXX")"
trap 'rm -rf "$DIR"' EXIT
DB="$DIR/demo.db"
fail() { echo "FALHOU: $*" >&2; exit 1; }
fat() { "$F" --db "$DB" "$@"; }

fat demo --guias 100 --ate-etapa precos > /dev/null
fat conferir > /dev/null || true

# ---- the worklist: items by número, summary measured against the lines
fat --json achado listar --codigo DUPLICIDADE > "$DIR/dup.json"
[ "$(jq '.tabelas[0].linhas | length' "$DIR/dup.json")" -ge 2 ] || fail "a demo não tem duplicidades"
jq -r '.tabelas[0].linhas[].campo' "$DIR/dup.json" | grep -q 'itens\[0\]' &&
  fail "a lista de trabalho numera itens a partir de 0"
n=$(jq '.tabelas[0].linhas | length' "$DIR/dup.json")
soma=$(jq '[.tabelas[0].linhas[].valor_risco] | add' "$DIR/dup.json")
[ "$(jq '.tabelas[1].linhas[0].achados' "$DIR/dup.json")" = "$n" ] || fail "resumo: contagem"
[ "$(jq '.tabelas[1].linhas[0].valor_risco' "$DIR/dup.json")" = "$soma" ] || fail "resumo: R\$ em risco"
fat achado listar --resumo --severidade bloqueio > "$DIR/resumo.txt"
grep -q '^DUPLICIDADE  *Bloqueio' "$DIR/resumo.txt" || fail "resumo em texto sem DUPLICIDADE"
grep -q 'Alerta' "$DIR/resumo.txt" && fail "--severidade bloqueio mostrou alertas"
fat achado listar --codigo duplicidade --csv "$DIR/dup.csv" > /dev/null
head -c 3 "$DIR/dup.csv" | od -An -tx1 | grep -q 'ef bb bf' || fail "CSV sem BOM"
grep -q '^Achado;Id da guia;Guia;Operadora;Competência;' "$DIR/dup.csv" || fail "CSV sem cabeçalho"
fat achado listar --severidade grave > "$DIR/erro.txt" 2>&1 && fail "severidade inválida aceita"
grep -q -- '--severidade' "$DIR/erro.txt" || fail "erro não nomeia o filtro"
# the guia's own view names the item as the worklist does (its número, from 1)
g1=$(jq '.tabelas[0].linhas[0].guia_id' "$DIR/dup.json")
c1=$(jq -r '.tabelas[0].linhas[0].campo' "$DIR/dup.json")
fat guia mostrar "$g1" > "$DIR/mostrar.txt"
# (users read the field's label: itens[1].codigo is "item 1: código")
n1=${c1#itens[}; n1=${n1%%]*}
case "$c1" in itens\[*) ;; *) fail "campo do achado de duplicidade inesperado: $c1" ;; esac
grep -qF "campo item $n1: " "$DIR/mostrar.txt" || fail "guia mostrar não diz o campo $c1 como a lista de trabalho"
grep -qF "itens[" "$DIR/mostrar.txt" && fail "guia mostrar mostra o caminho interno do campo"
fat achado listar > "$DIR/abertos.txt"
grep -q ' em item 0:' "$DIR/abertos.txt" && fail "achado listar numera itens a partir de 0"
grep -qF "itens[" "$DIR/abertos.txt" && fail "achado listar mostra o caminho interno do campo"

# ---- cancel one copy of a duplicate: the other copy loses its DUPLICIDADE
copia=$(jq '.tabelas[0].linhas[0].guia_id' "$DIR/dup.json")
outra=$(jq -r '.tabelas[0].linhas[0].mensagem' "$DIR/dup.json" | sed -n 's/.*(id \([0-9]*\),.*/\1/p')
[ -n "$outra" ] || fail "mensagem de duplicidade sem o id da outra guia"
fat guia cancelar "$outra" --motivo "cópia da guia $copia" > "$DIR/cancelar.txt" ||
  { cat "$DIR/cancelar.txt" >&2; fail "cancelar"; }
fat --json achado listar --guia "$copia" --codigo DUPLICIDADE > "$DIR/depois.json"
[ "$(jq '.tabelas[0].linhas | length' "$DIR/depois.json")" = 0 ] ||
  fail "a cópia que ficou ainda tem DUPLICIDADE"
fat guia cancelar "$outra" --motivo "de novo" > /dev/null 2>&1 && fail "cancelou duas vezes"
fat --json guia historico "$outra" > "$DIR/hist.json"
[ "$(jq -r ".[-1].acao" "$DIR/hist.json")" = cancelar ] || fail "histórico sem o cancelamento"
[ "$(jq -r ".[-1].motivo" "$DIR/hist.json")" = "cópia da guia $copia" ] || fail "motivo"

# ---- fix a bloqueio by editing: CID_AUSENTE goes away, the revision says so
fat --json achado listar --codigo CID_AUSENTE > "$DIR/cid.json"
g=$(jq '.tabelas[0].linhas[0].guia_id' "$DIR/cid.json")
[ "$g" != null ] || fail "a demo não tem CID_AUSENTE"
fat guia editar "$g" --campo cid=J069 --motivo "CID do prontuário" > "$DIR/editar.txt" || true
fat --json achado listar --guia "$g" --codigo CID_AUSENTE > "$DIR/cid2.json"
[ "$(jq '.tabelas[0].linhas | length' "$DIR/cid2.json")" = 0 ] || fail "CID_AUSENTE continua"
fat guia historico "$g" > "$DIR/hist.txt"
grep -q 'J069' "$DIR/hist.txt" || { cat "$DIR/hist.txt" >&2; fail "histórico sem o CID novo"; }

# ---- attachments: a laudo attached, listed with its hash, read back intact
printf '%%PDF-1.4\n%% laudo de teste\n' > "$DIR/laudo.pdf"
fat guia anexar "$g" "$DIR/laudo.pdf" --tipo laudo > "$DIR/anexar.txt" ||
  { cat "$DIR/anexar.txt" >&2; fail "anexar"; }
fat --json guia anexos "$g" > "$DIR/anexos.json"
[ "$(jq -r '.[0].sha256' "$DIR/anexos.json")" = "$(sha256sum "$DIR/laudo.pdf" | cut -d' ' -f1)" ] ||
  fail "SHA-256 do anexo"
[ "$(jq -r '.[0].tipo_rotulo' "$DIR/anexos.json")" = Laudo ] || fail "rótulo do tipo"
fat guia anexo "$(jq '.[0].id' "$DIR/anexos.json")" --saida "$DIR/baixado.pdf" > /dev/null
cmp -s "$DIR/laudo.pdf" "$DIR/baixado.pdf" || fail "anexo baixado difere do original"
fat guia anexar "$g" "$DIR/laudo.pdf" --tipo laudo > /dev/null 2>&1 && fail "anexou o mesmo arquivo duas vezes"
echo "texto" > "$DIR/nota.txt"
fat guia anexar "$g" "$DIR/nota.txt" --tipo laudo > "$DIR/txt.txt" 2>&1 && fail "anexou texto"
grep -q 'PDF, PNG ou JPEG' "$DIR/txt.txt" || fail "recusa do texto sem motivo"

# ---- digitação: what --avaliar says before saving is what conferir finds after
fat --json guia mostrar "$copia" | jq '.numero_prestador = "DIG-1" | del(.id)' > "$DIR/dig.json"
fat --json guia digitar "$DIR/dig.json" --avaliar > "$DIR/aval.json" || true
[ "$(jq '.valido' "$DIR/aval.json")" = true ] || fail "digitar --avaliar"
antes=$(jq '.bloqueios' "$DIR/aval.json")
[ "$antes" -ge 1 ] || fail "a cópia digitada deveria ter a duplicidade"
fat --json guia digitar "$DIR/dig.json" > "$DIR/gravar.json" || true
[ "$(jq '.bloqueios' "$DIR/gravar.json")" = "$antes" ] || fail "avaliar e gravar divergem"
fat guia digitar "$DIR/dig.json" > /dev/null 2>&1 && fail "digitou o mesmo número duas vezes"
fat guia digitar "$DIR/dig.json" --rascunho | grep -q 'rascunho [0-9]* gravado' || fail "rascunho"

# ---- batch acknowledgement: one motive, one audit row per finding
fat --json achado listar --severidade alerta > "$DIR/alertas.json"
na=$(jq '.tabelas[0].linhas | length' "$DIR/alertas.json")
[ "$na" -ge 2 ] || fail "a demo não tem alertas"
ids=$(jq -r '.tabelas[0].linhas[:2][] | .id' "$DIR/alertas.json" | tr '\n' ' ')
# shellcheck disable=SC2086
fat achado reconhecer $ids --motivo "conferido com a operadora" > "$DIR/rec.txt"
grep -q '2 achado(s) reconhecido(s)' "$DIR/rec.txt" || fail "reconhecer em lote"
# shellcheck disable=SC2086
fat achado reconhecer $ids --motivo "de novo" > /dev/null 2>&1 && fail "reconheceu duas vezes"
fat achado reconhecer --todos --severidade alerta --motivo "lote de alertas" > "$DIR/todos.txt"
fat --json achado listar --severidade alerta > "$DIR/alertas2.json"
[ "$(jq '.tabelas[0].linhas | length' "$DIR/alertas2.json")" = 0 ] || fail "--todos deixou alertas"
fat --json achado listar --severidade alerta --reconhecidos > "$DIR/rec.json"
[ "$(jq '[.tabelas[0].linhas[] | select(.reconhecido_motivo == "lote de alertas")] | length' \
  "$DIR/rec.json")" = $((na - 2)) ] || fail "motivo do lote"
echo "ok l_guias"
