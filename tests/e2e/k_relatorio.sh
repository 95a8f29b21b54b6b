#!/bin/sh
# Part K: the panel's counters (schemas/027_relatorio.sql, kept by triggers)
# equal a recount from the stored rows after the demo cycle and after every
# kind of write (acknowledge, new revision, status, value, glosa, lote, guia
# deleted), the dashboard equals the definitions the panel had when it
# aggregated per request, and `relatorio guias --todas` pages through every
# guia once. Usage: k_relatorio.sh FATURO
set -eu
FATURO=${1:?uso: k_relatorio.sh CAMINHO_DO_FATURO}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/faturo-relatorio-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export FATURO_DB="$tmp/r.db"
export FATURO_REGRAS="${FATURO_REGRAS:-${FAT_SOURCE_DIR:?}/rules}"
falhas=0
q() { sqlite3 "$FATURO_DB" "$1"; }
snap() {
  q "SELECT * FROM painel_operadora ORDER BY operadora_id;
     SELECT * FROM guia_aberto WHERE bloqueios <> 0 OR alertas <> 0 OR risco_bloqueio <> 0
       OR valor_risco <> 0 ORDER BY guia_id;"
}
# counters now == counters rebuilt from scratch
confere() {
  a=$(snap)
  "$FATURO" relatorio recontar > /dev/null
  b=$(snap)
  if [ "$a" = "$b" ]; then
    echo "ok   contadores = recontagem: $1"
  else
    echo "FALHA contadores diferem da recontagem: $1"
    printf '%s\n' "$a" > "$tmp/a"; printf '%s\n' "$b" > "$tmp/b"; diff "$tmp/a" "$tmp/b" | head -20
    falhas=$((falhas + 1))
  fi
}

"$FATURO" demo --guias 300 > "$tmp/demo.out" 2>&1 || { cat "$tmp/demo.out"; exit 1; }
confere "ciclo completo da demonstração (conferir, lotes, retorno, recurso)"

# the dashboard equals the definitions the panel used to aggregate per request
hoje=$(date +%F)
"$FATURO" --json relatorio painel --hoje "$hoje" > "$tmp/painel.json"
esperado=$(q "SELECT
  (SELECT count(*) FROM guia) || ' ' ||
  (SELECT count(*) FROM guia WHERE status IN ('digitada','conferida','pendente')) || ' ' ||
  (SELECT coalesce(sum(valor_total),0) FROM guia WHERE status IN ('digitada','conferida','pendente')) || ' ' ||
  (SELECT count(DISTINCT a.guia_id) FROM achado a JOIN guia g ON g.id = a.guia_id
    WHERE a.guia_revisao = g.revisao AND a.reconhecido_em IS NULL AND a.severidade = 'bloqueio'
    AND g.status IN ('digitada','conferida','pendente')) || ' ' ||
  (SELECT coalesce(sum(a.valor_risco),0) FROM achado a JOIN guia g ON g.id = a.guia_id
    WHERE a.guia_revisao = g.revisao AND a.reconhecido_em IS NULL AND a.severidade = 'bloqueio'
    AND g.status IN ('digitada','conferida','pendente')) || ' ' ||
  (SELECT count(*) FROM glosa WHERE situacao = 'aberta' AND classificacao <> 'devida') || ' ' ||
  (SELECT coalesce(sum(valor),0) FROM glosa WHERE situacao = 'aberta' AND classificacao <> 'devida') || ' ' ||
  (SELECT count(*) FROM glosa WHERE situacao = 'aberta' AND classificacao <> 'devida'
    AND prazo_recurso < '$hoje') || ' ' ||
  (SELECT count(*) FROM lote WHERE status IN ('enviado','protocolado'))")
obtido=$(node -e '
  const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log([p.guias_total, p.guias_a_faturar, p.valor_a_faturar, p.guias_com_bloqueio, p.valor_em_risco,
    p.glosas_aguardando_recurso, p.valor_glosas_aguardando, p.recursos_prazo_vencido,
    p.lotes_aguardando_retorno].join(" "));' "$tmp/painel.json")
if [ "$esperado" = "$obtido" ]; then
  echo "ok   painel = definições de antes ($obtido)"
else
  echo "FALHA painel: esperado '$esperado', obtido '$obtido'"; falhas=$((falhas + 1))
fi

# every kind of write, each followed by the check
g1=$(q "SELECT guia_id FROM achado WHERE severidade = 'bloqueio' AND reconhecido_em IS NULL LIMIT 1")
a1=$(q "SELECT id FROM achado WHERE guia_id = $g1 AND severidade = 'bloqueio' LIMIT 1")
"$FATURO" achado reconhecer "$a1" --motivo "teste dos contadores" > /dev/null
confere "achado reconhecido"
q "UPDATE guia SET revisao = revisao + 1 WHERE id IN (SELECT guia_id FROM achado LIMIT 5)"
confere "nova revisão de guias com achados (achados ficam de revisão anterior)"
"$FATURO" conferir > /dev/null 2>&1 || true
confere "conferir de novo"
q "UPDATE guia SET status = 'cancelada' WHERE id = (SELECT guia_id FROM guia_aberto WHERE bloqueios > 0 LIMIT 1)"
confere "guia com bloqueio cancelada"
q "UPDATE guia SET valor_total = valor_total + 12345 WHERE status = 'digitada' OR status = 'pendente'"
confere "valor das guias a faturar mudou"
q "UPDATE achado SET severidade = 'alerta' WHERE id = (SELECT id FROM achado WHERE severidade = 'bloqueio' AND reconhecido_em IS NULL LIMIT 1)"
confere "bloqueio rebaixado a alerta"
q "UPDATE achado SET reconhecido_em = NULL, reconhecido_por = NULL WHERE id = $a1"
confere "reconhecimento desfeito"
gl=$(q "SELECT id FROM glosa ORDER BY id LIMIT 1")
if [ -n "$gl" ]; then
  "$FATURO" glosa classificar "$gl" --classificacao devida --evidencia "contadores" > /dev/null
  confere "glosa classificada devida"
  q "UPDATE glosa SET prazo_recurso = NULL WHERE id = $gl; UPDATE glosa SET situacao = 'aberta', classificacao = 'indevida' WHERE id = $gl"
  confere "glosa sem prazo aguardando recurso"
  q "UPDATE glosa SET valor = valor + 100 WHERE id = $gl"
  confere "valor de glosa mudou"
  q "DELETE FROM recurso_item WHERE glosa_id = $gl; DELETE FROM glosa WHERE id = $gl"
  confere "glosa apagada"
else
  echo "FALHA a demonstração não gerou glosas"; falhas=$((falhas + 1))
fi
lt=$(q "SELECT id FROM lote WHERE status = 'fechado' LIMIT 1")
if [ -n "$lt" ]; then
  "$FATURO" lote enviado "$lt" --data "$hoje" > /dev/null
  confere "lote enviado"
fi
q "UPDATE lote SET status = 'pago' WHERE status IN ('enviado', 'protocolado', 'processado')"
confere "lotes pagos"
gd=$(q "SELECT g.id FROM guia g WHERE g.lote_id IS NULL AND NOT EXISTS (SELECT 1 FROM glosa x WHERE x.guia_id = g.id)
        AND EXISTS (SELECT 1 FROM achado a WHERE a.guia_id = g.id AND a.severidade = 'bloqueio') LIMIT 1")
q "DELETE FROM demo_defeito WHERE guia_id = $gd; DELETE FROM conferencia WHERE guia_id = $gd; DELETE FROM guia WHERE id = $gd"
confere "guia com bloqueio apagada"
"$FATURO" cadastro operadora --registro 999001 --nome "Operadora Nova" --script nova > /dev/null 2>&1 ||
  q "INSERT INTO operadora (registro_ans, nome, script) VALUES ('999001', 'Operadora Nova', 'nova')"
confere "operadora nova"

# keyset pages through every guia once
n=$("$FATURO" --json relatorio guias --limite 7 --todas | node -e '
  let ids = []; require("readline").createInterface({ input: process.stdin })
    .on("line", l => { ids.push(...JSON.parse(l).itens.map(x => x.id)); })
    .on("close", () => { const ok = new Set(ids).size === ids.length &&
      ids.every((v, i) => i === 0 || ids[i - 1] > v); console.log(ok ? ids.length : -1); });')
total=$(q "SELECT count(*) FROM guia")
if [ "$n" = "$total" ]; then
  echo "ok   relatorio guias --todas: $n guias, em ordem, sem repetir"
else
  echo "FALHA relatorio guias --todas: $n de $total"; falhas=$((falhas + 1))
fi
if "$FATURO" relatorio guias --apos abc > /dev/null 2>&1; then
  echo "FALHA cursor inválido aceito"; falhas=$((falhas + 1))
else
  echo "ok   cursor inválido recusado"
fi

[ "$falhas" -eq 0 ] || { echo "$falhas falha(s)"; exit 1; }
