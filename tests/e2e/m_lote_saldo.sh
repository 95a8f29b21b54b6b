#!/bin/sh
# e2e (Part M, web): the balance of each lote (lote_saldo and lote_recebimento,
# migration 092, kept by triggers) equals a recount after each write path
# that changes it: the demo cycle (import, conferir, lote fechar, sent,
# protocolo, retorno with liberado values and glosas, recursos answered,
# receipts from demonstrativos, the bank statement and by hand), a receipt
# registered by hand, a lote reopened (its guias leave it) and closed again,
# a guia moved to
# another lote, cancelled and restored, re-valued; a newer demonstrativo line,
# changed and deleted, a whole retorno deleted (cascade); a glosa inserted,
# recovered and deleted; a recurso item changed; a receipt line changed and
# deleted; the LGPD anonymization; `relatorio recontar`. The recount is
# `faturo verificar`'s invariant lote_saldo_recontado. The aging total of
# `relatorio inadimplencia` is also compared with the per-guia SQL the report
# ran before the counters, and the mapa de faturas (counters of migration
# 096, invariants mapa_lote_recontado, fatura_saldo_recontado,
# fatura_recebimento_recontado) with the per-lote SQL it ran before them,
# also after a lote moves to another fatura of its month and a receipt for a
# fatura. The aging's buckets per operadora (counters of migration 102,
# invariants aging_lote_recontado, aging_dia_recontado) are compared with the
# per-lote SQL the report ran before them, on three days around the expected dates.
# usage: m_lote_saldo.sh FATURO_BIN SOURCE_DIR
set -u
FAT="$1"
SRC="$2"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_e2e_ls.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FATURO_DB="$TMP/clinica.db"
export FATURO_REGRAS="${FATURO_REGRAS:-$SRC/rules}"
fail() { echo "FALHOU: $*" >&2; exit 1; }
q() { sqlite3 "$FATURO_DB" "$1"; }
HOJE=2019-09-30

# the aging total as the report summed it guia by guia before migration 092
aging_antes() {
  q "WITH la AS (SELECT l.id AS id FROM lote l
       WHERE l.status IN ('enviado', 'protocolado', 'processado', 'pago_parcial')
       UNION SELECT g.lote_id FROM glosa gl JOIN guia g ON g.id = gl.guia_id
       WHERE gl.situacao IN ('recuperada', 'recuperada_parcial') AND g.lote_id IS NOT NULL),
     sl AS (SELECT max(0, sum(coalesce((SELECT rg.valor_liberado FROM retorno_guia rg
         WHERE rg.guia_id = g.id AND rg.valor_liberado IS NOT NULL ORDER BY rg.id DESC LIMIT 1),
         g.valor_total)
       + (SELECT coalesce(sum(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.guia_id = g.id)
       - (SELECT coalesce(sum(x.valor), 0) FROM recebimento_guia x WHERE x.guia_id = g.id)))
       AS saldo FROM la JOIN guia g ON g.lote_id = la.id AND g.status <> 'cancelada'
       GROUP BY la.id),
     pa AS (SELECT max(0, p.valor - (SELECT coalesce(sum(pp.valor), 0) FROM particular_pagamento pp
       WHERE pp.particular_id = p.id)) AS saldo FROM particular p WHERE p.status = 'aberto')
   SELECT coalesce(sum(saldo), 0) || ' ' || count(*) FROM
     (SELECT saldo FROM sl UNION ALL SELECT saldo FROM pa) WHERE saldo > 0"
}
aging_agora() {
  "$FAT" --json relatorio inadimplencia --hoje "$HOJE" >"$TMP/i.json" 2>&1 || fail "inadimplencia: $(cat "$TMP/i.json")"
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const t = r.tabelas.find(x => x.nome === "aging").total;
    console.log(t.aberto + " " + t.itens);' "$TMP/i.json"
}

# the aging buckets per operadora (migration 102 keeps the open balance per
# operadora and expected date) as the report read them lote by lote before,
# and as it prints them now, for several days around the expected dates
aging_faixas_antes() {
  q "WITH la AS (SELECT l.id AS id FROM lote l
       WHERE l.status IN ('enviado', 'protocolado', 'processado', 'pago_parcial')
       UNION SELECT s.lote_id FROM lote_saldo s WHERE s.recuperadas > 0),
     lt AS (SELECT l.id AS id, l.operadora_id AS operadora_id,
       coalesce(f.previsao_pagamento, l.previsao_pagamento) AS previsao
       FROM la JOIN lote l ON l.id = la.id LEFT JOIN fatura_lote fl ON fl.lote_id = l.id
       LEFT JOIN fatura f ON f.id = fl.fatura_id),
     sl AS (SELECT lt.operadora_id AS operadora_id, lt.previsao AS previsao,
       max(0, s.esperado + s.recuperavel - s.recebido) AS saldo
       FROM lt JOIN lote_saldo s ON s.lote_id = lt.id WHERE s.guias > 0),
     fx AS (SELECT operadora_id, saldo,
       CAST(julianday('$1') - julianday(previsao) AS INTEGER) AS dias, previsao FROM sl
       WHERE saldo > 0)
   SELECT operadora_id || ' ' || count(*)
     || ' ' || coalesce(sum(CASE WHEN previsao IS NOT NULL AND dias <= 0 THEN saldo END), 0)
     || ' ' || coalesce(sum(CASE WHEN dias BETWEEN 1 AND 30 THEN saldo END), 0)
     || ' ' || coalesce(sum(CASE WHEN dias BETWEEN 31 AND 60 THEN saldo END), 0)
     || ' ' || coalesce(sum(CASE WHEN dias BETWEEN 61 AND 90 THEN saldo END), 0)
     || ' ' || coalesce(sum(CASE WHEN dias > 90 THEN saldo END), 0)
     || ' ' || coalesce(sum(CASE WHEN previsao IS NULL THEN saldo END), 0)
     || ' ' || sum(saldo)
   FROM fx GROUP BY operadora_id ORDER BY operadora_id"
}
aging_faixas_agora() {
  "$FAT" --json relatorio inadimplencia --hoje "$1" >"$TMP/f.json" 2>&1 || fail "inadimplencia: $(cat "$TMP/f.json")"
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const t = r.tabelas.find(x => x.nome === "aging");
    console.log(t.linhas.filter(l => l.operadora_id !== 0).sort((a, b) => a.operadora_id - b.operadora_id)
      .map(l => [l.operadora_id, l.itens, l.a_vencer, l.ate_30, l.de_31_a_60, l.de_61_a_90,
                 l.acima_de_90, l.sem_previsao, l.aberto].join(" ")).join("\n"));' "$TMP/f.json"
}
aging_faixas() {
  # three days that split the expected dates differently: the earliest
  # (a vencer), 45 days after it (31 to 60) and 91 days after the latest
  for d in $(q "SELECT min(p) || ' ' || date(min(p), '+45 days') || ' ' || date(max(p), '+91 days')
                FROM (SELECT coalesce(f.previsao_pagamento, l.previsao_pagamento) AS p
                FROM lote l LEFT JOIN fatura_lote fl ON fl.lote_id = l.id
                LEFT JOIN fatura f ON f.id = fl.fatura_id) WHERE p IS NOT NULL"); do
    fa=$(aging_faixas_antes "$d")
    fb=$(aging_faixas_agora "$d")
    [ "$fa" = "$fb" ] || fail "depois de $1: aging em $d dos contadores
$fb
lote a lote
$fa"
  done
}

# previsto × realizado per month and operadora as the report read it from
# the lotes before migration 093 (the same per-row definitions), and as it
# prints it now from the counters; atraso_medio rounded as fat_money_div_round
previsto_antes() {
  q "WITH lt AS (SELECT l.id AS id, l.operadora_id AS operadora_id,
       coalesce(f.previsao_pagamento, l.previsao_pagamento) AS previsao,
       coalesce(l.valor_liberado, l.valor_informado) AS esperado
       FROM lote l LEFT JOIN fatura_lote fl ON fl.lote_id = l.id
       LEFT JOIN fatura f ON f.id = fl.fatura_id
       WHERE l.status NOT IN ('aberto', 'fechado')),
     fonte AS (
       SELECT substr(lt.previsao, 1, 7) AS mes, lt.operadora_id AS op, 1 AS lotes,
         lt.esperado AS previsto,
         (SELECT coalesce(sum(lr.valor), 0) FROM lote_recebimento lr
          JOIN recebimento r ON r.id = lr.recebimento_id WHERE lr.lote_id = lt.id
          AND r.recuperado = 0) AS rp, 0 AS realizado, 0 AS s, 0 AS b
       FROM lt WHERE lt.previsao >= '2015-01-01' AND lt.previsao < '2025-01-01'
       UNION ALL
       SELECT substr(r.data, 1, 7), r.operadora_id, 0, 0, 0, lr.valor,
         CASE WHEN lt.previsao IS NOT NULL
           THEN lr.valor * CAST(julianday(r.data) - julianday(lt.previsao) AS INTEGER) ELSE 0 END,
         CASE WHEN lt.previsao IS NOT NULL THEN lr.valor ELSE 0 END
       FROM recebimento r JOIN lote_recebimento lr ON lr.recebimento_id = r.id
       LEFT JOIN lt ON lt.id = lr.lote_id
       WHERE r.recuperado = 0 AND r.data >= '2015-01-01' AND r.data < '2025-01-01')
   SELECT mes || ';' || (SELECT nome FROM operadora o WHERE o.id = op) || ';' || sum(lotes)
     || ';' || sum(previsto) || ';' || sum(realizado) || ';' || sum(rp) || ';' || sum(s)
     || ';' || sum(b)
   FROM fonte GROUP BY mes, op ORDER BY mes, (SELECT nome FROM operadora o WHERE o.id = op)" |
  node -e '
    const linhas = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
    for (const l of linhas) {
      const [mes, op, lotes, prev, real, rp, s, b] = l.split(";");
      const a = Number(s), n = Number(b);
      let m = "null";
      if (n > 0) {
        let q = Math.trunc(a / n);
        const r = Math.abs(a - q * n);
        if (r >= n - r) q += a < 0 ? -1 : 1;
        m = String(q);
      }
      console.log([mes, op, lotes, prev, real, rp, m].join(";"));
    }'
}
previsto_agora() {
  "$FAT" --json relatorio previsto-realizado --de 2015-01 --ate 2024-12 >"$TMP/p.json" 2>&1 ||
    fail "previsto-realizado: $(cat "$TMP/p.json")"
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const l of r.tabelas.find(x => x.nome === "mensal").linhas)
      console.log([l.mes, l.operadora, l.lotes, l.previsto, l.realizado,
                   l.recebido_dos_previstos, l.atraso_medio === null ? "null" : l.atraso_medio].join(";"));' "$TMP/p.json"
}

# the mapa de faturas as fat_fatura_mapa summed it lote by lote before
# migration 096 (the same per-lote SQL, grouped per fatura in the same
# order), and as it prints it now from the counters
MAPA_ROW='[r.fatura_id, r.registro_ans, r.competencia, r.qtd_lotes, r.valor_enviado,
  r.valor_liberado, r.valor_glosado, r.valor_recursado, r.valor_recuperado, r.valor_recebido,
  r.saldo_a_receber, r.data_recebido, r.previsao_pagamento, r.enviado_em, r.protocolo,
  r.atraso_recebimento].join(";")'
mapa_antes() {
  sqlite3 -json "$FATURO_DB" "SELECT o.registro_ans AS ans, l.competencia AS comp, l.enviado_em AS envio,
      l.protocolo AS prot, l.valor_informado AS inf, l.valor_liberado AS lib,
      coalesce(l.valor_glosado, 0) AS glo, coalesce(s.recursado, 0) AS recursado,
      coalesce(s.deferido, 0) AS deferido,
      (SELECT coalesce(sum(lr.valor), 0) FROM lote_recebimento lr WHERE lr.lote_id = l.id) AS recebido,
      (SELECT coalesce(sum(lr.valor), 0) FROM lote_recebimento lr JOIN recebimento r
        ON r.id = lr.recebimento_id WHERE lr.lote_id = l.id AND r.recuperado = 1) AS recup,
      (SELECT max(r.data) FROM lote_recebimento lr JOIN recebimento r ON r.id = lr.recebimento_id
        WHERE lr.lote_id = l.id AND lr.guias > 0) AS dtrec,
      (SELECT max(r.data) FROM lote_recebimento lr JOIN recebimento r ON r.id = lr.recebimento_id
        WHERE lr.lote_id = l.id AND lr.guias > 0 AND r.recuperado = 0) AS dtnormal,
      l.previsao_pagamento AS prev, f.id AS fid, f.previsao_pagamento AS fprev
    FROM lote l JOIN operadora o ON o.id = l.operadora_id
    LEFT JOIN fatura_lote fl ON fl.lote_id = l.id LEFT JOIN fatura f ON f.id = fl.fatura_id
    LEFT JOIN lote_saldo s ON s.lote_id = l.id
   WHERE l.status NOT IN ('aberto', 'fechado')
   ORDER BY o.registro_ans, l.competencia, COALESCE(f.numero, 1e9), l.numero" >"$TMP/lotes.json" ||
    fail "lotes do mapa"
  node -e '
    const t = require("fs").readFileSync(process.argv[1], "utf8").trim();
    const ls = t ? JSON.parse(t) : [], hoje = process.argv[2], out = [];
    const dias = (a, b) => Math.round((Date.parse(b) - Date.parse(a)) / 864e5);
    let g = null;
    const fecha = () => {
      if (!g) return;
      const saldo = Math.max(0, g.esp - g.rec);
      const tarde = g.dtn && g.prev && g.dtn > g.prev ? dias(g.prev, g.dtn) : 0;
      const r = { fatura_id: g.fid || null, registro_ans: g.ans, competencia: g.comp, qtd_lotes: g.n,
        valor_enviado: g.inf, valor_liberado: g.lib, valor_glosado: g.glo, valor_recursado: g.rcs,
        valor_recuperado: g.rcp, valor_recebido: g.rec, saldo_a_receber: saldo,
        data_recebido: g.dtrec || null, previsao_pagamento: g.prev || null, enviado_em: g.envio,
        protocolo: g.prot, atraso_recebimento: tarde };
      out.push('"$MAPA_ROW"');
    };
    for (const l of ls) {
      const fid = l.fid || 0;
      if (!g || fid === 0 || fid !== g.fid) {
        fecha();
        g = { fid, ans: l.ans, comp: l.comp, envio: l.envio, prot: l.prot, n: 0, inf: 0, lib: 0,
              glo: 0, rcs: 0, rcp: 0, rec: 0, esp: 0, dtrec: "", dtn: "", prev: fid ? (l.fprev || "") : "" };
      }
      g.n++; g.inf += l.inf || 0; g.lib += l.lib || 0; g.glo += l.glo; g.rcs += l.recursado;
      g.rcp += l.recup; g.rec += l.recebido;
      g.esp += (l.lib === null ? (l.inf || 0) : l.lib) + l.deferido;
      if ((l.dtrec || "") > g.dtrec) g.dtrec = l.dtrec;
      if ((l.dtnormal || "") > g.dtn) g.dtn = l.dtnormal;
      if ((fid === 0 || g.prev === "") && (l.prev || "") > g.prev) g.prev = l.prev;
    }
    fecha();
    console.log(out.join("\n"));' "$TMP/lotes.json" "$HOJE"
}
mapa_agora() {
  "$FAT" --json fatura mapa --hoje "$HOJE" >"$TMP/m.json" 2>&1 || fail "fatura mapa: $(cat "$TMP/m.json")"
  node -e '
    const a = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(a.map(r => '"$MAPA_ROW"').join("\n"));' "$TMP/m.json"
}

confere() {
  "$FAT" verificar --invariante lote_saldo_recontado --invariante rel_previsto_lote_recontado \
    --invariante rel_previsto_mes_recontado --invariante rel_previsto_recebimento_recontado \
    --invariante mapa_lote_recontado --invariante fatura_saldo_recontado \
    --invariante fatura_recebimento_recontado --invariante aging_lote_recontado \
    --invariante aging_dia_recontado >"$TMP/v.txt" 2>&1
  grep -q '^  ok     lote_saldo_recontado' "$TMP/v.txt" ||
    fail "depois de $1: $(grep -A4 lote_saldo "$TMP/v.txt" | head -6)"
  for c in lote mes recebimento; do
    grep -q "^  ok     rel_previsto_${c}_recontado" "$TMP/v.txt" ||
      fail "depois de $1: $(grep -A4 rel_previsto "$TMP/v.txt" | head -8)"
  done
  for c in mapa_lote fatura_saldo fatura_recebimento aging_lote aging_dia; do
    grep -q "^  ok     ${c}_recontado" "$TMP/v.txt" ||
      fail "depois de $1: $(grep -A4 "$c" "$TMP/v.txt" | head -8)"
  done
  ma=$(mapa_antes)
  mb=$(mapa_agora)
  [ "$ma" = "$mb" ] || fail "depois de $1: mapa de faturas dos contadores
$mb
lote a lote
$ma"
  pa=$(previsto_antes)
  pb=$(previsto_agora)
  [ "$pa" = "$pb" ] || fail "depois de $1: previsto × realizado dos contadores
$pb
lote a lote
$pa"
  a=$(aging_antes)
  b=$(aging_agora)
  [ "$a" = "$b" ] || fail "depois de $1: aging dos contadores '$b', guia a guia '$a'"
  aging_faixas "$1"
  echo "ok: $1 (a receber $b)"
}

# a demo stopped after the lotes: one reopened (its guias leave it), closed again
"$FAT" demo --guias 200 --competencia 2019-03 --ate-etapa lotes >"$TMP/demo.txt" 2>&1 ||
  fail "demo até os lotes: $(tail -5 "$TMP/demo.txt")"
confere "lotes fechados"
lf=$(q "SELECT id FROM lote WHERE status = 'fechado' ORDER BY id LIMIT 1")
[ -n "$lf" ] || fail "a demo não deixou lote fechado"
n0=$(q "SELECT guias FROM lote_saldo WHERE lote_id = $lf")
[ "$n0" -gt 0 ] || fail "lote $lf sem guias no saldo"
"$FAT" lote reabrir "$lf" --motivo "teste dos saldos" >"$TMP/r.txt" 2>&1 || fail "reabrir $lf: $(cat "$TMP/r.txt")"
confere "lote $lf reaberto ($n0 guias saíram)"
"$FAT" lote fechar --todas --hoje 2019-04-05 >"$TMP/r.txt" 2>&1 || fail "fechar de novo: $(cat "$TMP/r.txt")"
confere "lotes fechados de novo"
rm -f "$FATURO_DB" "$FATURO_DB-wal" "$FATURO_DB-shm"

"$FAT" demo --guias 300 --competencia 2019-03 >"$TMP/demo.txt" 2>&1 || fail "demo: $(tail -5 "$TMP/demo.txt")"
[ "$(q "SELECT count(*) FROM recebimento_guia")" -gt 0 ] || fail "a demo não recebeu nada"
[ "$(q "SELECT count(*) FROM recurso_item")" -gt 0 ] || fail "a demo não fez recurso"
confere "a demo (lotes, retorno, recursos, financeiro)"

# a receipt by hand for a lote still waiting for money
lt=$(q "SELECT l.id FROM lote l JOIN lote_saldo s ON s.lote_id = l.id
        WHERE l.status IN ('enviado', 'protocolado', 'processado', 'pago_parcial')
        AND s.esperado > s.recebido ORDER BY l.id LIMIT 1")
if [ -n "$lt" ]; then
  "$FAT" recebimento registrar --lote "$lt" --valor 10,00 --data 2019-06-10 >"$TMP/r.txt" 2>&1 ||
    fail "recebimento do lote $lt: $(cat "$TMP/r.txt")"
  confere "recebimento à mão do lote $lt"
fi


# a guia of a sent lote cancelled and restored, re-valued (SQL: the engine
# refuses these on sent lotes; the counters must follow any write)
g=$(q "SELECT g.id FROM guia g JOIN recebimento_guia x ON x.guia_id = g.id
       JOIN glosa gl ON gl.guia_id = g.id ORDER BY g.id LIMIT 1")
[ -n "$g" ] || g=$(q "SELECT min(id) FROM guia WHERE lote_id IS NOT NULL")
st=$(q "SELECT status FROM guia WHERE id = $g")
q "UPDATE guia SET status = 'cancelada' WHERE id = $g"
confere "guia $g (de lote enviado, com glosa e recebimento) cancelada"
q "UPDATE guia SET status = '$st' WHERE id = $g"
confere "guia $g restaurada"
q "UPDATE guia SET valor_total = valor_total + 777 WHERE id = $g"
confere "valor da guia $g mudou"

# a guia moved from one open lote to another, and out of any lote
q "INSERT INTO lote (operadora_id, prestador_id, numero, tipo_guia, competencia, status)
   SELECT operadora_id, prestador_id, 990001, tipo_guia, competencia, 'aberto' FROM lote
   WHERE id = (SELECT min(id) FROM lote)"
novo=$(q "SELECT id FROM lote WHERE numero = 990001")
q "UPDATE guia SET lote_id = $novo WHERE id = $g"
confere "guia $g levada ao lote novo $novo"
q "UPDATE guia SET lote_id = NULL WHERE id = $g"
confere "guia $g fora de lote"
q "DELETE FROM lote WHERE id = $novo"
confere "lote $novo apagado"

# demonstrativo lines: a newer liberado value, changed, deleted; a whole retorno
g2=$(q "SELECT guia_id FROM retorno_guia WHERE valor_liberado IS NOT NULL AND guia_id IS NOT NULL
        ORDER BY id LIMIT 1")
r2=$(q "SELECT retorno_id FROM retorno_guia WHERE guia_id = $g2 ORDER BY id LIMIT 1")
q "INSERT INTO retorno_guia (retorno_id, guia_id, valor_liberado) VALUES ($r2, $g2, 4321)"
confere "linha de demonstrativo nova da guia $g2"
q "UPDATE retorno_guia SET valor_liberado = 1234 WHERE id = (SELECT max(id) FROM retorno_guia)"
confere "valor liberado mudou"
q "UPDATE retorno_guia SET valor_liberado = NULL WHERE id = (SELECT max(id) FROM retorno_guia)"
confere "valor liberado apagado da linha"
q "DELETE FROM retorno_guia WHERE id = (SELECT max(id) FROM retorno_guia)"
confere "linha de demonstrativo apagada"
q "UPDATE retorno_guia SET guia_id = (SELECT min(id) FROM guia WHERE lote_id IS NOT NULL AND id <> $g2)
   WHERE id = (SELECT min(id) FROM retorno_guia WHERE guia_id = $g2 AND valor_liberado IS NOT NULL)"
confere "linha de demonstrativo casada com outra guia"

# glosas and recursos
gl=$(q "SELECT id FROM glosa WHERE situacao IN ('recuperada', 'recuperada_parcial') LIMIT 1")
[ -n "$gl" ] || fail "a demo não recuperou glosa"
q "UPDATE glosa SET valor_recuperado = valor_recuperado + 50 WHERE id = $gl"
confere "valor recuperado da glosa $gl mudou"
q "UPDATE glosa SET situacao = 'perdida' WHERE id = $gl"
confere "glosa $gl perdida"
q "UPDATE recurso_item SET valor_recursado = valor_recursado + 99 WHERE id = (SELECT min(id) FROM recurso_item)"
confere "valor recursado mudou"
gi=$(q "SELECT min(id) FROM guia WHERE lote_id IS NOT NULL AND status <> 'cancelada'")
q "INSERT INTO glosa (guia_id, codigo, valor, origem, situacao, valor_recuperado)
   VALUES ($gi, '1801', 500, 'manual', 'recuperada_parcial', 200)"
confere "glosa recuperada nova na guia $gi"
q "DELETE FROM glosa WHERE id = (SELECT max(id) FROM glosa)"
confere "glosa apagada"

# receipt lines
q "UPDATE recebimento_guia SET valor = valor + 5 WHERE rowid = (SELECT min(rowid) FROM recebimento_guia)"
confere "linha de recebimento mudou"
q "DELETE FROM recebimento_guia WHERE rowid = (SELECT max(rowid) FROM recebimento_guia)"
confere "linha de recebimento apagada"

# LGPD: a patient with guias anonymized (a demo of 2019: past the retention period)
cpf=$(q "SELECT b.cpf FROM beneficiario b JOIN guia g ON g.beneficiario_id = b.id
         WHERE length(b.cpf) = 11 AND g.lote_id IS NOT NULL
         GROUP BY b.cpf ORDER BY count(*) DESC, b.cpf LIMIT 1")
"$FAT" titular anonimizar "$cpf" --confirmar >"$TMP/anon.txt" 2>&1 ||
  fail "anonimizar: $(cat "$TMP/anon.txt")"
confere "anonimizar um titular"

# a whole retorno deleted: its lines go by cascade
nr=$(q "SELECT count(*) FROM retorno_guia")
q "PRAGMA foreign_keys = ON; DELETE FROM retorno WHERE id = (SELECT max(r.id) FROM retorno r
   WHERE NOT EXISTS (SELECT 1 FROM glosa gl WHERE gl.retorno_id = r.id)
   AND EXISTS (SELECT 1 FROM retorno_guia rg WHERE rg.retorno_id = r.id AND rg.valor_liberado IS NOT NULL))" 2>/dev/null
[ "$(q "SELECT count(*) FROM retorno_guia")" -lt "$nr" ] || fail "nenhuma linha de retorno apagada"
confere "retorno apagado (linhas em cascata)"

# what moves an expected date: a fatura's date, a lote leaving its fatura and
# coming back, a lote's own date, a lote back to 'fechado', a receipt turned
# into recovered money and back, a receipt deleted with its lines
fid=$(q "SELECT min(fatura_id) FROM fatura_lote")
if [ -n "$fid" ]; then
  q "UPDATE fatura SET previsao_pagamento = date(coalesce(previsao_pagamento, '2019-05-01'), '+40 days') WHERE id = $fid"
  confere "previsão da fatura $fid mudou"
  fl=$(q "SELECT min(lote_id) FROM fatura_lote WHERE fatura_id = $fid")
  q "DELETE FROM fatura_lote WHERE lote_id = $fl"
  confere "lote $fl saiu da fatura $fid"
  q "INSERT INTO fatura_lote (fatura_id, lote_id) VALUES ($fid, $fl)"
  confere "lote $fl voltou à fatura $fid"
  # a second fatura of the same operadora and month takes the lote, and gives it back
  q "INSERT INTO fatura (operadora_id, competencia, numero, previsao_pagamento)
     SELECT operadora_id, competencia, numero + 100, NULL FROM fatura WHERE id = $fid"
  f2=$(q "SELECT max(id) FROM fatura")
  q "UPDATE fatura_lote SET fatura_id = $f2 WHERE lote_id = $fl"
  confere "lote $fl passou da fatura $fid para a $f2 (sem previsão)"
  q "UPDATE fatura_lote SET fatura_id = $fid WHERE lote_id = $fl"
  confere "lote $fl de volta à fatura $fid"
  "$FAT" recebimento registrar --fatura "$fid" --valor 12,34 --data 2019-06-25 >"$TMP/r.txt" 2>&1 ||
    fail "recebimento da fatura $fid: $(cat "$TMP/r.txt")"
  confere "recebimento à mão da fatura $fid"
fi
lp=$(q "SELECT min(l.id) FROM lote l JOIN lote_recebimento lr ON lr.lote_id = l.id
        WHERE NOT EXISTS (SELECT 1 FROM fatura_lote fl WHERE fl.lote_id = l.id)")
[ -n "$lp" ] || lp=$(q "SELECT min(lote_id) FROM lote_recebimento WHERE lote_id > 0")
q "UPDATE lote SET previsao_pagamento = '2019-08-17' WHERE id = $lp"
confere "previsão do lote $lp mudou"
stl=$(q "SELECT status FROM lote WHERE id = $lp")
q "UPDATE lote SET status = 'fechado' WHERE id = $lp"
confere "lote $lp de volta a fechado"
q "UPDATE lote SET status = '$stl', valor_liberado = coalesce(valor_liberado, 0) + 321 WHERE id = $lp"
confere "lote $lp de volta a $stl com outro liberado"
rc=$(q "SELECT min(recebimento_id) FROM lote_recebimento WHERE lote_id > 0")
q "UPDATE recebimento SET recuperado = 1 - recuperado WHERE id = $rc"
confere "recebimento $rc virou recuperado"
q "UPDATE recebimento SET recuperado = 1 - recuperado, data = '2019-07-31' WHERE id = $rc"
confere "recebimento $rc de volta, em outra data"
q "DELETE FROM recebimento_guia WHERE recebimento_id = $rc; DELETE FROM recebimento WHERE id = $rc"
confere "recebimento $rc apagado"

# a broken counter is found, and recontar fixes it
q "UPDATE lote_saldo SET recebido = recebido + 1 WHERE lote_id = (SELECT min(lote_id) FROM lote_saldo)"
"$FAT" verificar >"$TMP/v.txt" 2>&1
grep -q 'lote_saldo_recontado' "$TMP/v.txt" && ! grep -q '^  ok     lote_saldo_recontado' "$TMP/v.txt" ||
  fail "contador adulterado não apontado: $(grep lote_saldo "$TMP/v.txt")"
q "UPDATE rel_previsto_mes SET previsto = previsto + 1"
"$FAT" verificar >"$TMP/v.txt" 2>&1
grep -q 'rel_previsto_mes_recontado' "$TMP/v.txt" && ! grep -q '^  ok     rel_previsto_mes_recontado' "$TMP/v.txt" ||
  fail "previsto adulterado não apontado: $(grep rel_previsto "$TMP/v.txt")"
"$FAT" relatorio recontar >/dev/null || fail "relatorio recontar"
confere "relatorio recontar"
echo ok
