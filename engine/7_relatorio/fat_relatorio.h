/* fat_relatorio.h: what the panel and the CLI read (Part K): the dashboard,
** the listings page by page, one guia with everything about it, the relação de
** guias of a lote, and the counters behind the dashboard.
**
** Listings page by keyset. The caller asks for `limite` rows after the cursor
** of the previous page (fat_pagina.apos, NULL for the first page) and gets back
** the cursor of the next page (fat_pagina.proximo, "" when there is none).
** A cursor is text made by this module (it names the last row of a page);
** callers pass it back unchanged. Every listing walks one index from the
** cursor, never counts the whole table and never skips rows with OFFSET, so a
** page costs the same whatever the size of the history. A filter the walked
** index does not cover is checked row by row: the page then costs in
** proportion to how rare that filter is among the rows of the index walked,
** not to how many rows there are.
**
** The dashboard reads the per-operadora counters of schemas/027_relatorio.sql,
** kept by triggers in the same transaction as every write, plus index ranges
** bounded by deadlines (lotes late to send, recursos due in 10 days).
**
** Rows are JSON objects whose keys are documented with each function; money is
** integer centavos, dates 'AAAA-MM-DD', timestamps 'AAAA-MM-DDTHH:MM:SSZ'
** (UTC). *out is owned by the caller (cJSON_Delete).
*/
#ifndef FAT_RELATORIO_H
#define FAT_RELATORIO_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_acesso_log.h"
#include "fat_err.h"
#include "fat_glosa.h"
#include "fat_store.h"

#define FAT_PAGINA_PADRAO 50
#define FAT_PAGINA_MAX 500
#define FAT_CURSOR_MAX 64

typedef struct fat_pagina {
  int limite;                   /* rows per page, 1..FAT_PAGINA_MAX; 0 = 50 */
  const char *apos;             /* cursor of the previous page; NULL or "" = first */
  char proximo[FAT_CURSOR_MAX]; /* out: cursor of the next page; "" = last page */
} fat_pagina;

/* The competência (AAAA-MM) of the month before the month of hoje
** (AAAA-MM-DD; NULL or invalid = today): the one a billing office closes. */
void fat_relatorio_competencia_anterior(const char *hoje, char out[8]);

/* ------------------------------------------------------------ dashboard */

/* The numbers of the panel's first screen, as of day `hoje` (AAAA-MM-DD;
** NULL = today, local date):
** {hoje, guias_total, guias_a_faturar, valor_a_faturar, guias_com_bloqueio,
**  valor_em_risco, lotes_a_enviar, lotes_atrasados, lotes_aguardando_retorno,
**  glosas_aguardando_recurso, valor_glosas_aguardando, recursos_prazo_proximo
**  (deadline within 10 days), recursos_prazo_vencido,
**  recursos_proximos:[{id, codigo, valor, prazo_recurso, guia_id,
**    numero_prestador, operadora}] (10 nearest deadlines),
**  lotes_fechados:[{id, numero, status, prazo_envio, atrasado, qtd_guias,
**    valor_informado, operadora}] (10 to send, nearest deadline first),
**  por_operadora:[{id, nome, chave, guias_a_faturar, guias_com_bloqueio,
**    valor_em_risco, valor_glosado}]}.
** "A faturar" = guias digitada, conferida or pendente; "com bloqueio" = with
** an unacknowledged bloqueio of their current revision; "aguardando recurso" =
** glosas abertas not classified devida. */
FAT_NODISCARD fat_rc fat_relatorio_painel(fat_store *st, const char *hoje, cJSON **out,
                                          fat_err *err);

/* Rebuild the dashboard counters, the open findings per guia, the
** competência copied on each glosa (migration 085) and the monthly
** counters of the management reports (rel_mes) from the stored rows,
** in one transaction (repair after a manual edit of the database; the
** triggers keep them right otherwise). */
FAT_NODISCARD fat_rc fat_relatorio_recontar(fat_store *st, fat_err *err);

/* ------------------------------------------------------------- listings */

/* Registered operadoras: [{id, registro_ans, nome, chave, ativa}] by name. */
FAT_NODISCARD fat_rc fat_relatorio_operadoras(fat_store *st, cJSON **out, fat_err *err);

typedef struct fat_relatorio_guias_filtro {
  const char *operadora;   /* registro ANS, script key or id; NULL = all */
  const char *competencia; /* AAAA-MM */
  const char *status;      /* guia.status */
  const char *busca;       /* número da guia no prestador or carteira (exact) */
  int com_bloqueio;        /* 1 = only guias with an open bloqueio */
  const fat_leitor *leitor; /* who reads (masking and the access log); NULL =
                               masked and not recorded (internal reads) */
} fat_relatorio_guias_filtro;

/* Guias, newest first (id descending): [{id, tipo, numero_prestador,
** beneficiario_id, beneficiario_nome, beneficiario_cpf, carteira_numero,
** data_inicio, competencia, status, valor_total, lote_id, operadora_id,
** operadora, operadora_chave, bloqueios, alertas, valor_risco}] where the
** last three count the open findings of the current revision. The CPF
** (punctuated) and the carteira are masked unless f->leitor sees them in full
** (fat_lgpd_lista); the page read is recorded in the access log. f may be
** NULL. FAT_EINVAL for a bad filter or cursor (message names it). */
FAT_NODISCARD fat_rc fat_relatorio_guias(fat_store *st, const fat_relatorio_guias_filtro *f,
                                         fat_pagina *p, cJSON **out, fat_err *err);

/* One guia, every identifier in full (the guia screen): the read is recorded
** in the access log as a full view when leitor is not NULL.
** {id, guia (the fat_guia_to_json form), achados:[{id, item_id,
** codigo, severidade, campo, mensagem, glosa_prevista, valor_risco, regra,
** script_sha256, geracao_id, linha, guia_revisao, atual (1 = of the current
** revision), criado_em, reconhecido_em, reconhecido_por, reconhecido_motivo}]
** (current revision first, bloqueios first), conferencia:[the last check, 0 or
** 1 row], glosas:[as fat_relatorio_glosas]}. FAT_ENOTFOUND when absent. */
FAT_NODISCARD fat_rc fat_relatorio_guia(fat_store *st, const fat_leitor *leitor, int64_t id,
                                        cJSON **out, fat_err *err);

typedef struct fat_relatorio_lotes_filtro {
  const char *operadora;   /* registro ANS, script key or id */
  const char *status;      /* lote.status */
  const char *competencia; /* AAAA-MM */
} fat_relatorio_lotes_filtro;

/* Lotes, newest first (id descending): [{id, numero, tipo_guia, competencia,
** periodo_inicio, periodo_fim, status, qtd_guias, valor_informado,
** valor_processado, valor_liberado, valor_glosado, valor_recebido, hash,
** arquivo, fechado_em, prazo_envio, atrasado (closed and past prazo_envio on
** `hoje`), enviado_em, protocolo, protocolo_data, previsao_pagamento, tem_xml,
** operadora_id, operadora, operadora_chave}]. hoje NULL = today. */
FAT_NODISCARD fat_rc fat_relatorio_lotes(fat_store *st, const fat_relatorio_lotes_filtro *f,
                                         const char *hoje, fat_pagina *p, cJSON **out,
                                         fat_err *err);

/* Imported retornos, newest first: [{id, tipo, arquivo, importado_em, usuario,
** hash_ok, numero_demonstrativo, valor_informado, valor_liberado,
** valor_glosado, operadora, guias_casadas, guias_sem_par, pendencias}]. */
FAT_NODISCARD fat_rc fat_relatorio_retornos(fat_store *st, fat_pagina *p, cJSON **out,
                                            fat_err *err);

/* Glosas matching f (NULL = all), newest first (id descending), with the keys
** of the glosa listing of fat_glosa.h: [{id, guia_id, guia, guia_operadora,
** registro_ans, operadora, operadora_chave, item, procedimento, codigo,
** descricao, grupo, valor, classificacao, evidencia, situacao, prevista,
** prevista_por, prazo_recurso, origem, competencia, observacao,
** valor_recuperado, profissional, retorno_id}]. */
FAT_NODISCARD fat_rc fat_relatorio_glosas(fat_store *st, const fat_glosa_filtro *f,
                                          fat_pagina *p, cJSON **out, fat_err *err);

/* The same glosas, one at a time and in the same order (newest first), for
** a list that may be long (every glosa of a million guias): cada(u, glosa,
** err) gets each row as fat_relatorio_glosas would hold it (valid only
** during the call), so memory does not grow with their number. One
** statement reads them all (one consistent view, no pages). A non-FAT_OK
** return from cada stops the list and is returned. Filter errors as
** fat_relatorio_glosas. */
typedef fat_rc (*fat_relatorio_glosa_cada_fn)(void *u, const cJSON *glosa, fat_err *err);
FAT_NODISCARD fat_rc fat_relatorio_glosas_cada(fat_store *st, const fat_glosa_filtro *f,
                                               fat_relatorio_glosa_cada_fn cada, void *u,
                                               fat_err *err);

/* One glosa as a row of fat_relatorio_glosas. FAT_ENOTFOUND when absent. */
FAT_NODISCARD fat_rc fat_relatorio_glosa(fat_store *st, int64_t id, cJSON **out, fat_err *err);

typedef struct fat_relatorio_recursos_filtro {
  const char *operadora;   /* registro ANS, script key or id */
  const char *status;      /* rascunho, enviado, protocolado, respondido */
} fat_relatorio_recursos_filtro;

/* Recursos de glosa, newest first: [{id, numero, status, resultado, criado_em,
** prazo, enviado_em, protocolo, respondido_em, valor_recursado,
** valor_recuperado, hash, tem_xml, lote_id, operadora, operadora_chave,
** itens}]. */
FAT_NODISCARD fat_rc fat_relatorio_recursos(fat_store *st,
                                            const fat_relatorio_recursos_filtro *f,
                                            fat_pagina *p, cJSON **out, fat_err *err);

/* ------------------------------------------------------ relação de guias */

/* The relação de guias of lote id: {lote:{id, numero, tipo_guia, competencia,
** status, qtd_guias, valor_informado, hash, fechado_em, protocolo, operadora,
** registro_ans}, guias:[{id, numero_prestador, numero_operadora, tipo,
** beneficiario_nome, carteira_numero, data_inicio, senha, valor_total}]} in
** the order of the número da guia. FAT_ENOTFOUND when there is no such lote. */
FAT_NODISCARD fat_rc fat_relatorio_lote_relacao(fat_store *st, int64_t id, cJSON **out,
                                                fat_err *err);

/* The same as a spreadsheet: CSV with ';', decimal comma, dates DD/MM/AAAA,
** UTF-8 with BOM, CRLF. *csv (fat_free) and *len; name (>= 64 bytes) gets
** "relacao-lote-<numero>.csv". */
FAT_NODISCARD fat_rc fat_relatorio_lote_relacao_csv(fat_store *st, int64_t id, char **csv,
                                                    size_t *len, char *name, size_t name_len,
                                                    fat_err *err);

/* The counters of lote_prazo_protocolo recounted from the lotes: a SELECT
** of (operadora_id, lotes, dias) per operadora with protocolo'd lotes, the
** definitions of schemas/090_lote_prazo_protocolo.sql. fat_relatorio_recontar
** rebuilds the table from it; `faturo verificar`
** (lote_prazo_protocolo_recontado) compares them. */
#define FAT_LOTE_PRAZO_PROTOCOLO_RECONTAGEM                                                 \
  "SELECT operadora_id AS operadora_id, count(*) AS lotes,"                                \
  " coalesce(sum(max(0, CAST(julianday(protocolo_data) - julianday(enviado_em)"            \
  " AS INTEGER))), 0) AS dias"                                                             \
  " FROM lote WHERE protocolo_data IS NOT NULL AND enviado_em IS NOT NULL"                 \
  " GROUP BY operadora_id"

/* The counters of lote_saldo recounted from the guias, demonstrativos,
** glosas, recursos and receipts: a SELECT of (lote_id, guias, esperado,
** recuperavel, recebido, deferido, recursado, recuperadas) for every lote
** (zeros for a lote without guias), the definitions of
** schemas/092_lote_saldo.sql. fat_relatorio_recontar rebuilds the table from
** it; `faturo verificar` (lote_saldo_recontado) compares them. */
#define FAT_LOTE_SALDO_RECONTAGEM                                                           \
  "SELECT l.id AS lote_id, coalesce(r.guias, 0) AS guias, coalesce(r.esperado, 0) AS esperado," \
  " coalesce(r.recuperavel, 0) AS recuperavel, coalesce(r.recebido, 0) AS recebido,"        \
  " coalesce(r.deferido, 0) AS deferido, coalesce(r.recursado, 0) AS recursado,"            \
  " coalesce(r.recuperadas, 0) AS recuperadas"                                              \
  " FROM lote l LEFT JOIN ("                                                                \
  " SELECT g.lote_id AS lote_id, sum(g.status <> 'cancelada') AS guias,"                    \
  " sum(CASE WHEN g.status <> 'cancelada' THEN coalesce((SELECT rg.valor_liberado"          \
  "  FROM retorno_guia rg WHERE rg.guia_id = g.id AND rg.valor_liberado IS NOT NULL"        \
  "  ORDER BY rg.id DESC LIMIT 1), g.valor_total) ELSE 0 END) AS esperado,"                 \
  " sum(CASE WHEN g.status <> 'cancelada' THEN (SELECT coalesce(sum(gl.valor_recuperado), 0)" \
  "  FROM glosa gl WHERE gl.guia_id = g.id) ELSE 0 END) AS recuperavel,"                    \
  " sum(CASE WHEN g.status <> 'cancelada' THEN (SELECT coalesce(sum(x.valor), 0)"           \
  "  FROM recebimento_guia x WHERE x.guia_id = g.id) ELSE 0 END) AS recebido,"              \
  " sum((SELECT coalesce(sum(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.guia_id = g.id))" \
  "  AS deferido,"                                                                          \
  " sum((SELECT coalesce(sum(ri.valor_recursado), 0) FROM glosa gl"                         \
  "  JOIN recurso_item ri ON ri.glosa_id = gl.id WHERE gl.guia_id = g.id)) AS recursado,"   \
  " sum((SELECT count(*) FROM glosa gl WHERE gl.guia_id = g.id"                             \
  "  AND (gl.situacao = 'recuperada' OR gl.situacao = 'recuperada_parcial'))) AS recuperadas" \
  " FROM guia g WHERE g.lote_id IS NOT NULL GROUP BY g.lote_id) r ON r.lote_id = l.id"

/* The counters of lote_recebimento recounted from the receipt lines: a
** SELECT of (lote_id, recebimento_id, valor, guias), lote 0 for the guias in
** no lote (schemas/092_lote_saldo.sql). */
#define FAT_LOTE_RECEBIMENTO_RECONTAGEM                                                     \
  "SELECT coalesce(g.lote_id, 0) AS lote_id, x.recebimento_id AS recebimento_id,"           \
  " sum(x.valor) AS valor, count(*) AS guias"                                               \
  " FROM recebimento_guia x JOIN guia g ON g.id = x.guia_id"                                \
  " GROUP BY coalesce(g.lote_id, 0), x.recebimento_id"

/* The counters of previsto × realizado (schemas/093_rel_previsto.sql)
** recounted from the lotes, faturas and (lote, receipt) lines:
** FAT_REL_PREVISTO_LOTE_RECONTAGEM selects (lote_id, operadora_id, previsao,
** esperado) for every lote (previsao NULL while 'aberto' or 'fechado');
** FAT_REL_PREVISTO_MES_RECONTAGEM (mes, operadora_id, lotes, previsto) per
** month of previsao; FAT_REL_PREVISTO_RECEBIMENTO_RECONTAGEM (recebimento_id,
** mes, operadora_id, linhas, valor, dias_valor) per receipt and key of the
** lote of each line (('', 0) for lote 0 and lotes without previsao).
** fat_relatorio_recontar rebuilds the tables from them; `faturo verificar`
** (rel_previsto_recontado) compares them. */
#define FAT_REL_PREVISTO_LOTE_RECONTAGEM                                                    \
  "SELECT l.id AS lote_id, l.operadora_id AS operadora_id,"                                 \
  " CASE WHEN l.status <> 'aberto' AND l.status <> 'fechado' THEN"                          \
  " coalesce((SELECT f.previsao_pagamento FROM fatura_lote fl JOIN fatura f"                \
  " ON f.id = fl.fatura_id WHERE fl.lote_id = l.id), l.previsao_pagamento) END AS previsao," \
  " coalesce(l.valor_liberado, l.valor_informado) AS esperado FROM lote l"
#define FAT_REL_PREVISTO_MES_RECONTAGEM                                                     \
  "SELECT substr(p.previsao, 1, 7) AS mes, p.operadora_id AS operadora_id,"                 \
  " count(*) AS lotes, sum(p.esperado) AS previsto"                                         \
  " FROM (" FAT_REL_PREVISTO_LOTE_RECONTAGEM ") p WHERE p.previsao IS NOT NULL"             \
  " GROUP BY substr(p.previsao, 1, 7), p.operadora_id"
#define FAT_REL_PREVISTO_RECEBIMENTO_RECONTAGEM                                             \
  "SELECT lr.recebimento_id AS recebimento_id, coalesce(substr(p.previsao, 1, 7), '') AS mes," \
  " CASE WHEN p.previsao IS NULL THEN 0 ELSE p.operadora_id END AS operadora_id,"           \
  " count(*) AS linhas, sum(lr.valor) AS valor,"                                            \
  " sum(lr.valor * coalesce(CAST(julianday(p.previsao) - 2451544.5 AS INTEGER), 0))"        \
  " AS dias_valor"                                                                          \
  " FROM lote_recebimento lr LEFT JOIN (" FAT_REL_PREVISTO_LOTE_RECONTAGEM ") p"            \
  " ON p.lote_id = lr.lote_id"                                                              \
  " GROUP BY lr.recebimento_id, coalesce(substr(p.previsao, 1, 7), ''),"                    \
  " CASE WHEN p.previsao IS NULL THEN 0 ELSE p.operadora_id END"

/* The counters of the aging (schemas/102_painel_por_dia.sql) recounted from the
** lotes, their faturas and their lote_saldo rows: FAT_AGING_LOTE_RECONTAGEM
** selects (lote_id, operadora_id, previsao, saldo) for every lote (saldo 0
** while the lote is not open or has no guias not cancelled);
** FAT_AGING_DIA_RECONTAGEM (operadora_id, sem_previsao, previsao, lotes,
** saldo) per operadora and expected date of the lotes with a positive saldo.
** fat_relatorio_recontar rebuilds the tables from them; `faturo verificar`
** (aging_lote_recontado, aging_dia_recontado) compares them. */
#define FAT_AGING_LOTE_RECONTAGEM                                                           \
  "SELECT l.id AS lote_id, l.operadora_id AS operadora_id,"                                 \
  " coalesce((SELECT f.previsao_pagamento FROM fatura_lote fl JOIN fatura f"                \
  " ON f.id = fl.fatura_id WHERE fl.lote_id = l.id), l.previsao_pagamento) AS previsao,"     \
  " coalesce((SELECT CASE WHEN s.guias > 0 AND (l.status = 'enviado'"                       \
  " OR l.status = 'protocolado' OR l.status = 'processado' OR l.status = 'pago_parcial'"    \
  " OR s.recuperadas > 0) THEN max(0, s.esperado + s.recuperavel - s.recebido) ELSE 0 END"  \
  " FROM lote_saldo s WHERE s.lote_id = l.id), 0) AS saldo FROM lote l"
#define FAT_AGING_DIA_RECONTAGEM                                                            \
  "SELECT a.operadora_id AS operadora_id, a.previsao IS NULL AS sem_previsao,"              \
  " coalesce(a.previsao, '') AS previsao, count(*) AS lotes, sum(a.saldo) AS saldo"         \
  " FROM (" FAT_AGING_LOTE_RECONTAGEM ") a WHERE a.saldo > 0"                               \
  " GROUP BY a.operadora_id, a.previsao IS NULL, coalesce(a.previsao, '')"

/* The counters of glosa_prazo_dia (schemas/102_painel_por_dia.sql)
** recounted from the glosas: a SELECT of (prazo_recurso, glosas) per deadline
** of the open glosas that may still be appealed (the rows of the index
** glosa_aguardando_prazo). */
#define FAT_GLOSA_PRAZO_DIA_RECONTAGEM                                                      \
  "SELECT prazo_recurso AS prazo_recurso, count(*) AS glosas FROM glosa"                    \
  " WHERE situacao = 'aberta' AND classificacao <> 'devida' AND prazo_recurso IS NOT NULL"  \
  " GROUP BY prazo_recurso"

#endif
