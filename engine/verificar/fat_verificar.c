/* fat_verificar.c: the table of invariants and the runner.
**
** To add an invariant, add one entry to `checks` below, in the section of
** your part: a stable name, the invariant as one pt-BR sentence, and either
** a query whose rows are the violations (columns in fat_verificar.h) or a
** fat_verif_fn. Then add a case to tests/unit/test_verificar.c that breaks
** exactly that invariant (docs/dev/verificar.md).
*/
#include "fat_verificar.h"

#include <string.h>

#include "fat_fatura.h"
#include "fat_glosa.h"
#include "fat_lote.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_rel_achados.h"
#include "fat_relatorio.h"
#include "fat_store_int.h"
#include "fat_verificar_int.h"

/* Guia states that mean "in a lote". */
#define EM_LOTE "('em_lote', 'enviada', 'processada', 'paga', 'glosada')"
/* Lote states before sending. */
#define NAO_ENVIADO "('aberto', 'fechado')"

/* ---- lotes (Part E) ---- */

static const char sql_lote_total[] =
    "SELECT 'lote', l.id,"
    " 'lote ' || l.numero || ' de ' || o.nome || ' (' || replace(l.status, '_', ' ') || '): ' ||"
    " CASE WHEN l.qtd_guias <> coalesce(g.n, 0)"
    "  THEN 'registra ' || l.qtd_guias || ' guia(s), mas tem ' || coalesce(g.n, 0)"
    "  ELSE 'registra {1}, mas suas guias somam {2}' END,"
    " l.valor_informado, coalesce(g.total, 0)"
    " FROM lote l JOIN operadora o ON o.id = l.operadora_id"
    " LEFT JOIN (SELECT lote_id, count(*) AS n, sum(valor_total) AS total FROM guia"
    "  WHERE lote_id IS NOT NULL GROUP BY lote_id) g ON g.lote_id = l.id"
    " WHERE l.qtd_guias <> coalesce(g.n, 0) OR l.valor_informado <> coalesce(g.total, 0)"
    " ORDER BY l.id";

static const char sql_guia_status[] =
    "SELECT 'guia', g.id,"
    " 'guia ' || g.numero_prestador || ' de ' || o.nome || ' está ''' || g.status || ''' ' ||"
    " CASE WHEN g.lote_id IS NULL THEN 'sem lote'"
    "  WHEN l.id IS NULL THEN 'num lote ' || g.lote_id || ' que não existe'"
    "  ELSE 'no lote ' || l.numero || ', que está ''' || replace(l.status, '_', ' ') || '''' END"
    " FROM guia g JOIN operadora o ON o.id = g.operadora_id"
    " LEFT JOIN lote l ON l.id = g.lote_id"
    " WHERE CASE"
    "  WHEN g.lote_id IS NULL THEN g.status IN " EM_LOTE
    "  WHEN l.id IS NULL THEN 1"
    "  WHEN g.status NOT IN " EM_LOTE " THEN 1"
    "  WHEN l.status = 'aberto' THEN 1"
    "  WHEN l.status = 'fechado' THEN g.status <> 'em_lote'"
    "  ELSE g.status = 'em_lote' END"
    " ORDER BY g.id";

static const char sql_lote_eventos[] =
    "SELECT 'lote', e.lote_id,"
    " 'lote ' || l.numero || ' de ' || o.nome || ': o evento ' || e.id || ' parte de ''' ||"
    " coalesce(e.de, 'criação') || ''', mas o evento anterior o deixou ''' ||"
    " coalesce(e.antes, 'sem evento') || ''''"
    " FROM (SELECT id, lote_id, de,"
    "  lag(para) OVER (PARTITION BY lote_id ORDER BY id) AS antes FROM lote_evento) e"
    " JOIN lote l ON l.id = e.lote_id JOIN operadora o ON o.id = l.operadora_id"
    " WHERE e.de IS NOT e.antes"
    " UNION ALL "
    "SELECT 'lote', l.id,"
    " 'lote ' || l.numero || ' de ' || o.nome || ' está ''' || replace(l.status, '_', ' ') ||"
    " ''', mas ' || CASE WHEN u.para IS NULL THEN 'não tem nenhum evento'"
    "  ELSE 'seu último evento o deixou ''' || u.para || '''' END"
    " FROM lote l JOIN operadora o ON o.id = l.operadora_id"
    " LEFT JOIN lote_evento u ON u.id = (SELECT max(id) FROM lote_evento WHERE lote_id = l.id)"
    " WHERE u.para IS NOT l.status"
    " ORDER BY 2";

/* ---- retorno, glosas, recursos (Part F) ---- */

static const char sql_glosa_item[] =
    "SELECT 'glosa', gl.id,"
    " 'glosa ' || gl.id || ' (' || gl.codigo || ') da guia ' || g.numero_prestador ||"
    " ' aponta o item ' || gl.item_id || ', que ' ||"
    " CASE WHEN i.id IS NULL THEN 'não existe'"
    "  ELSE 'é da guia ' || coalesce(g2.numero_prestador, i.guia_id) END"
    " FROM glosa gl JOIN guia g ON g.id = gl.guia_id"
    " LEFT JOIN item i ON i.id = gl.item_id LEFT JOIN guia g2 ON g2.id = i.guia_id"
    " WHERE gl.item_id IS NOT NULL AND (i.id IS NULL OR i.guia_id <> gl.guia_id)"
    " ORDER BY gl.id";

static const char sql_glosa_lote[] =
    "SELECT 'glosa', gl.id,"
    " 'glosa ' || gl.id || ' (' || gl.codigo || ', {1}) da guia ' || g.numero_prestador ||"
    " ' de ' || o.nome || ': ' ||"
    " CASE WHEN g.lote_id IS NULL THEN 'a guia não está em lote'"
    "  WHEN l.status IN " NAO_ENVIADO " THEN 'o lote ' || l.numero ||"
    "   ' não foi enviado (está ''' || l.status || ''')'"
    "  ELSE 'a glosa registra o lote ' || coalesce(l2.numero, gl.lote_id) ||"
    "   ', mas a guia está no lote ' || l.numero END,"
    " gl.valor"
    " FROM glosa gl JOIN guia g ON g.id = gl.guia_id JOIN operadora o ON o.id = g.operadora_id"
    " LEFT JOIN lote l ON l.id = g.lote_id LEFT JOIN lote l2 ON l2.id = gl.lote_id"
    " WHERE g.lote_id IS NULL OR l.id IS NULL OR l.status IN " NAO_ENVIADO
    "  OR (gl.lote_id IS NOT NULL AND gl.lote_id <> g.lote_id)"
    " ORDER BY gl.id";

static const char sql_glosado[] =
    "SELECT 'item', i.id,"
    " 'item ' || i.sequencial || ' da guia ' || g.numero_prestador || ': glosado {1},"
    " informado {2}',"
    " s.glosado, coalesce(i.valor_total, 0)"
    " FROM (SELECT item_id, sum(valor) AS glosado FROM glosa WHERE item_id IS NOT NULL"
    "  GROUP BY item_id) s"
    " JOIN item i ON i.id = s.item_id JOIN guia g ON g.id = i.guia_id"
    " WHERE s.glosado > coalesce(i.valor_total, 0)"
    " UNION ALL "
    "SELECT 'guia', g.id,"
    " 'guia ' || g.numero_prestador || ' de ' || o.nome || ': glosado {1}, informado {2}',"
    " s.glosado, g.valor_total"
    " FROM (SELECT guia_id, sum(valor) AS glosado FROM glosa GROUP BY guia_id) s"
    " JOIN guia g ON g.id = s.guia_id JOIN operadora o ON o.id = g.operadora_id"
    " WHERE s.glosado > g.valor_total"
    " UNION ALL "
    "SELECT 'lote', l.id,"
    " 'lote ' || l.numero || ' de ' || o.nome || ': a operadora glosou {1} de {2} informados',"
    " l.valor_glosado, l.valor_informado"
    " FROM lote l JOIN operadora o ON o.id = l.operadora_id"
    " WHERE l.valor_glosado > l.valor_informado"
    " ORDER BY 1, 2";

static const char sql_retorno_guia[] =
    "SELECT 'retorno_guia', rg.id,"
    " 'o retorno ' || rg.retorno_id || ' (linha ' || coalesce(rg.linha, '?') ||"
    " ') respondeu pela guia ' || g.numero_prestador || ' no lote ' ||"
    " coalesce(l2.numero, rg.numero_lote, '?') || ', mas ela está ' ||"
    " CASE WHEN g.lote_id IS NULL THEN 'fora de lote' ELSE 'no lote ' || l.numero END"
    " FROM retorno_guia rg JOIN guia g ON g.id = rg.guia_id"
    " LEFT JOIN lote l ON l.id = g.lote_id LEFT JOIN lote l2 ON l2.id = rg.lote_id"
    " WHERE rg.lote_id IS NOT NULL AND rg.lote_id IS NOT g.lote_id"
    " UNION ALL "
    "SELECT 'retorno_guia', rg.id,"
    " 'o retorno ' || r.id || ' é de ' || coalesce(o1.nome, r.operadora_id) ||"
    " ', mas respondeu pela guia ' || g.numero_prestador || ' de ' || o2.nome"
    " FROM retorno_guia rg JOIN retorno r ON r.id = rg.retorno_id"
    " JOIN guia g ON g.id = rg.guia_id JOIN operadora o2 ON o2.id = g.operadora_id"
    " LEFT JOIN operadora o1 ON o1.id = r.operadora_id"
    " WHERE r.operadora_id IS NOT NULL AND r.operadora_id <> g.operadora_id"
    " ORDER BY 2";

static const char sql_recurso_totais[] =
    "SELECT 'recurso', r.id,"
    " 'recurso ' || r.numero || ' de ' || o.nome || ': registra {1} recursados, mas seus itens"
    " somam {2}',"
    " r.valor_recursado, coalesce(s.rec, 0)"
    " FROM recurso r JOIN operadora o ON o.id = r.operadora_id"
    " LEFT JOIN (SELECT recurso_id, sum(valor_recursado) AS rec FROM recurso_item"
    "  GROUP BY recurso_id) s ON s.recurso_id = r.id"
    " WHERE r.valor_recursado <> coalesce(s.rec, 0)"
    " UNION ALL "
    "SELECT 'recurso', r.id,"
    " 'recurso ' || r.numero || ' de ' || o.nome || ': registra {1} recuperados, mas seus itens"
    " deferiram {2}',"
    " r.valor_recuperado, coalesce(s.def, 0)"
    " FROM recurso r JOIN operadora o ON o.id = r.operadora_id"
    " LEFT JOIN (SELECT recurso_id, sum(coalesce(valor_deferido, 0)) AS def FROM recurso_item"
    "  GROUP BY recurso_id) s ON s.recurso_id = r.id"
    " WHERE r.valor_recuperado <> coalesce(s.def, 0)"
    " ORDER BY 2";

static const char sql_recurso_estado[] =
    "SELECT 'recurso', r.id,"
    " 'recurso ' || r.numero || ' de ' || o.nome || ' está ''' || r.status || ''' ' ||"
    " CASE WHEN coalesce(s.itens, 0) = 0 THEN 'sem nenhum item'"
    "  WHEN r.status = 'respondido' AND r.resultado IS NULL THEN 'sem resultado'"
    "  WHEN r.status = 'respondido' THEN 'sem nenhum item respondido'"
    "  WHEN r.resultado IS NOT NULL THEN 'e já tem resultado (' || r.resultado || ')'"
    "  ELSE 'e já tem ' || s.respondidos || ' item(ns) com valor deferido' END,"
    " 0, 0, 0"
    " FROM recurso r JOIN operadora o ON o.id = r.operadora_id"
    " LEFT JOIN (SELECT recurso_id, count(*) AS itens, count(valor_deferido) AS respondidos"
    "  FROM recurso_item GROUP BY recurso_id) s ON s.recurso_id = r.id"
    " WHERE coalesce(s.itens, 0) = 0"
    "  OR (r.status = 'respondido' AND (r.resultado IS NULL OR s.respondidos = 0))"
    "  OR (r.status <> 'respondido' AND (r.resultado IS NOT NULL OR s.respondidos > 0))"
    " UNION ALL "
    "SELECT 'recurso_item', ri.id,"
    " 'recurso ' || r.numero || ' de ' || o.nome || ', glosa ' || ri.glosa_id || ': ' ||"
    " CASE WHEN g.operadora_id <> r.operadora_id THEN 'a glosa é de outra operadora'"
    "  ELSE 'recursado {1} de {2} glosados, deferido {3}' END,"
    " ri.valor_recursado, gl.valor, coalesce(ri.valor_deferido, 0)"
    " FROM recurso_item ri JOIN recurso r ON r.id = ri.recurso_id"
    " JOIN operadora o ON o.id = r.operadora_id"
    " JOIN glosa gl ON gl.id = ri.glosa_id JOIN guia g ON g.id = gl.guia_id"
    " WHERE g.operadora_id <> r.operadora_id OR ri.valor_recursado <= 0"
    "  OR ri.valor_recursado > gl.valor OR ri.valor_deferido < 0"
    "  OR ri.valor_deferido > ri.valor_recursado"
    " ORDER BY 1, 2";

static const char sql_glosa_recurso[] =
    "SELECT 'glosa', gl.id,"
    " 'glosa ' || gl.id || ' (' || gl.codigo || ') da guia ' || g.numero_prestador ||"
    " ' está ''' || replace(gl.situacao, '_', ' ') || ''' ' ||"
    " CASE WHEN coalesce(s.n, 0) > 1 THEN 'e está em ' || s.n || ' recursos'"
    "  WHEN gl.situacao = 'em_recurso' THEN 'sem recurso à espera de resposta'"
    "  WHEN gl.situacao IN ('aberta', 'aceita') AND coalesce(s.pendentes, 0) > 0"
    "   THEN 'mas está num recurso à espera de resposta'"
    "  WHEN gl.situacao IN ('aberta', 'aceita', 'em_recurso')"
    "   THEN 'mas o seu recurso já foi respondido'"
    "  WHEN gl.valor_recuperado > gl.valor THEN 'com {1} recuperados de {2} glosados'"
    "  WHEN coalesce(s.respondidos, 0) = 0 THEN 'sem recurso respondido'"
    "  ELSE 'com {1} recuperados, mas o recurso deferiu {3}' END,"
    " gl.valor_recuperado, gl.valor, coalesce(s.deferido, 0)"
    " FROM glosa gl JOIN guia g ON g.id = gl.guia_id"
    " LEFT JOIN (SELECT glosa_id, count(*) AS n, count(valor_deferido) AS respondidos,"
    "  coalesce(sum(valor_deferido), 0) AS deferido, sum(valor_deferido IS NULL) AS pendentes"
    "  FROM recurso_item GROUP BY glosa_id) s ON s.glosa_id = gl.id"
    " WHERE coalesce(s.n, 0) > 1"
    "  OR (gl.situacao = 'em_recurso' AND coalesce(s.pendentes, 0) = 0)"
    "  OR (gl.situacao IN ('aberta', 'aceita') AND coalesce(s.pendentes, 0) > 0)"
    "  OR (gl.situacao IN ('aberta', 'aceita', 'em_recurso') AND s.respondidos > 0)"
    "  OR gl.valor_recuperado > gl.valor"
    "  OR (gl.situacao IN ('recuperada', 'recuperada_parcial', 'perdida')"
    "   AND (coalesce(s.respondidos, 0) = 0 OR gl.valor_recuperado <> s.deferido))"
    " ORDER BY gl.id";

/* ---- conferir and rules (Parts B, C) ---- */

static const char sql_achado_geracao[] =
    "SELECT 'achado', a.id,"
    " 'achado ' || a.codigo || ' da guia ' || g.numero_prestador || ' (regra ' || a.regra ||"
    " ') ' || CASE WHEN a.geracao_id IS NULL THEN 'não diz de que geração de regras veio'"
    "  ELSE 'aponta a geração de regras ' || a.geracao_id || ', que não existe' END"
    " FROM achado a JOIN guia g ON g.id = a.guia_id"
    " LEFT JOIN regra_geracao rg ON rg.id = a.geracao_id"
    " WHERE (a.geracao_id IS NULL AND a.regra NOT LIKE 'builtin:%')"
    "  OR (a.geracao_id IS NOT NULL AND rg.id IS NULL)"
    " UNION ALL "
    "SELECT 'guia', g.id,"
    " 'a conferência da guia ' || g.numero_prestador || ' aponta a geração de regras ' ||"
    " c.geracao_id || ', que não existe'"
    " FROM conferencia c JOIN guia g ON g.id = c.guia_id"
    " LEFT JOIN regra_geracao rg ON rg.id = c.geracao_id"
    " WHERE c.geracao_id IS NOT NULL AND rg.id IS NULL"
    " UNION ALL "
    "SELECT 'lote', l.id,"
    " 'lote ' || l.numero || ' de ' || o.nome || ' aponta a geração de regras ' ||"
    " l.geracao_id || ', que não existe'"
    " FROM lote l JOIN operadora o ON o.id = l.operadora_id"
    " LEFT JOIN regra_geracao rg ON rg.id = l.geracao_id"
    " WHERE l.geracao_id IS NOT NULL AND rg.id IS NULL"
    " ORDER BY 1, 2";

static const char sql_achado_versao[] =
    "SELECT 'achado', a.id,"
    " 'achado ' || a.codigo || ' da guia ' || g.numero_prestador || ': a geração ' ||"
    " a.geracao_id || ' não tem o script da regra ' || a.regra || ' na versão ' ||"
    " coalesce(substr(a.script_sha256, 1, 12), '(nenhuma)')"
    " FROM achado a JOIN guia g ON g.id = a.guia_id"
    " JOIN regra_geracao rg ON rg.id = a.geracao_id"
    " WHERE a.regra NOT LIKE 'builtin:%'"
    "  AND NOT EXISTS (SELECT 1 FROM regra_script rs WHERE rs.geracao_id = a.geracao_id"
    "   AND rs.sha256 = a.script_sha256)"
    " ORDER BY a.id";

static const char sql_achado_item[] =
    "SELECT 'achado', a.id,"
    " 'achado ' || a.codigo || ' da guia ' || g.numero_prestador || ' aponta o item ' ||"
    " a.item_id || ', que ' || CASE WHEN i.id IS NULL THEN 'não existe'"
    "  ELSE 'é da guia ' || coalesce(g2.numero_prestador, i.guia_id) END"
    " FROM achado a JOIN guia g ON g.id = a.guia_id"
    " LEFT JOIN item i ON i.id = a.item_id LEFT JOIN guia g2 ON g2.id = i.guia_id"
    " WHERE a.item_id IS NOT NULL AND (i.id IS NULL OR i.guia_id <> a.guia_id)"
    " ORDER BY a.id";

static const char sql_conferencia_revisao[] =
    "SELECT 'guia', g.id,"
    " 'guia ' || g.numero_prestador || ' foi conferida na revisão ' || c.revisao ||"
    " ', mas está na revisão ' || g.revisao"
    " FROM conferencia c JOIN guia g ON g.id = c.guia_id WHERE c.revisao > g.revisao"
    " UNION ALL "
    "SELECT 'achado', a.id,"
    " 'achado ' || a.codigo || ' da guia ' || g.numero_prestador || ' é da revisão ' ||"
    " a.guia_revisao || ', mas a guia está na revisão ' || g.revisao"
    " FROM achado a JOIN guia g ON g.id = a.guia_id WHERE a.guia_revisao > g.revisao"
    " ORDER BY 1, 2";

static const char sql_geracao_ativa[] =
    "SELECT 'regra_geracao', max(id),"
    " 'há ' || count(*) || ' geração(ões) de regras e nenhuma ativa'"
    " FROM regra_geracao HAVING count(*) > 0 AND coalesce(sum(ativa = 1), 0) = 0";

/* The findings worklist's counters (migration 089) against a recount: a
** stored row that differs from the recount or has no recount (a group
** that emptied keeps its row at zero). */
#define RESUMO_CHAVE_IGUAL                                                                  \
  " s.operadora_id = r.operadora_id AND s.competencia = r.competencia"                      \
  " AND s.codigo = r.codigo AND s.severidade = r.severidade AND s.reconhecido = r.reconhecido"
#define RESUMO_GRUPO(t)                                                                     \
  "'os totais de achados ' || CASE " t ".reconhecido WHEN 1 THEN 'reconhecidos'"            \
  " ELSE 'em aberto' END || coalesce(' da operadora ' || (SELECT o.nome FROM operadora o"  \
  " WHERE o.id = " t ".operadora_id), '') || ', competência ' || substr(" t                 \
  ".competencia, 6, 2) || '/' || substr(" t ".competencia, 1, 4) || CASE WHEN " t           \
  ".codigo <> '' THEN ', código ' || " t ".codigo ELSE '' END || CASE WHEN " t              \
  ".severidade <> '' THEN ', ' || " t ".severidade ELSE '' END"
static const char sql_achado_resumo[] =
    "SELECT 'operadora', r.operadora_id, " RESUMO_GRUPO("r")
    " || ' guardam ' || coalesce(s.achados, 0) || ' achado(s) em ' || coalesce(s.guias, 0)"
    " || ' guia(s) e {1}; a recontagem dá ' || r.achados || ' em ' || r.guias || ' e {2}',"
    " coalesce(s.valor_risco, 0), r.valor_risco"
    " FROM (" FAT_ACHADO_RESUMO_RECONTAGEM ") r LEFT JOIN achado_resumo s ON" RESUMO_CHAVE_IGUAL
    " WHERE s.achados IS NOT r.achados OR s.guias IS NOT r.guias"
    " OR s.valor_risco IS NOT r.valor_risco"
    " UNION ALL"
    " SELECT 'operadora', s.operadora_id, " RESUMO_GRUPO("s")
    " || ' guardam ' || s.achados || ' achado(s) em ' || s.guias"
    " || ' guia(s) e {1}; a recontagem não acha nenhum', s.valor_risco, 0"
    " FROM achado_resumo s LEFT JOIN (" FAT_ACHADO_RESUMO_RECONTAGEM ") r ON" RESUMO_CHAVE_IGUAL
    " WHERE r.achados IS NULL AND (s.achados <> 0 OR s.guias <> 0 OR s.valor_risco <> 0)";

/* guia_aberto (027/086: each guia's open findings of its revision) against
** a recount, both ways (a stored row of zeros is no difference). Kept by the
** triggers on achado, and by conferir for its own writes (migration 106). */
static const char sql_guia_aberto[] =
    "SELECT 'guia', r.guia_id, 'os achados em aberto guardados da guia ' || r.guia_id"
    " || ' são ' || coalesce(s.bloqueios, 0) || ' bloqueio(s) e ' || coalesce(s.alertas, 0)"
    " || ' alerta(s), {1} em risco nos bloqueios; a recontagem dá ' || r.bloqueios || ' e '"
    " || r.alertas || ', {2}', coalesce(s.risco_bloqueio, 0), r.risco_bloqueio"
    " FROM (" FAT_GUIA_ABERTO_RECONTAGEM ") r LEFT JOIN guia_aberto s ON s.guia_id = r.guia_id"
    " WHERE coalesce(s.bloqueios, 0) <> r.bloqueios OR coalesce(s.alertas, 0) <> r.alertas"
    " OR coalesce(s.risco_bloqueio, 0) <> r.risco_bloqueio"
    " OR coalesce(s.valor_risco, 0) <> r.valor_risco"
    " UNION ALL"
    " SELECT 'guia', s.guia_id, 'os achados em aberto guardados da guia ' || s.guia_id"
    " || ' são ' || s.bloqueios || ' bloqueio(s) e ' || s.alertas || ' alerta(s), {1} em risco;"
    " a recontagem não acha nenhum', s.valor_risco, 0"
    " FROM guia_aberto s WHERE (s.bloqueios <> 0 OR s.alertas <> 0 OR s.risco_bloqueio <> 0"
    " OR s.valor_risco <> 0) AND NOT EXISTS (SELECT 1 FROM achado a JOIN guia g ON g.id = a.guia_id"
    " WHERE a.guia_id = s.guia_id AND a.guia_revisao = g.revisao AND a.reconhecido_em IS NULL)";

/* The finding part of painel_operadora (080: the guias a faturar with an
** open bloqueio of their revision, and its value at risk) against a recount
** from the findings. */
static const char sql_painel_achados[] =
    "SELECT 'operadora', r.operadora_id, 'o painel da operadora '"
    " || coalesce((SELECT o.nome FROM operadora o WHERE o.id = r.operadora_id), r.operadora_id)"
    " || ' guarda ' || r.guias_com_bloqueio || ' guia(s) a faturar com bloqueio e {1} em risco;"
    " a recontagem dá ' || r.n || ' e {2}', r.valor_em_risco, r.v"
    " FROM (SELECT p.operadora_id, p.guias_com_bloqueio, p.valor_em_risco,"
    "  (SELECT count(DISTINCT g.id) FROM guia g JOIN achado a ON a.guia_id = g.id"
    "   WHERE g.operadora_id = p.operadora_id"
    "   AND (g.status = 'digitada' OR g.status = 'conferida' OR g.status = 'pendente')"
    "   AND a.guia_revisao = g.revisao AND a.reconhecido_em IS NULL"
    "   AND a.severidade = 'bloqueio') AS n,"
    "  (SELECT coalesce(sum(a.valor_risco), 0) FROM guia g JOIN achado a ON a.guia_id = g.id"
    "   WHERE g.operadora_id = p.operadora_id"
    "   AND (g.status = 'digitada' OR g.status = 'conferida' OR g.status = 'pendente')"
    "   AND a.guia_revisao = g.revisao AND a.reconhecido_em IS NULL"
    "   AND a.severidade = 'bloqueio') AS v"
    "  FROM painel_operadora p) r"
    " WHERE r.guias_com_bloqueio <> r.n OR r.valor_em_risco <> r.v";

/* conferir's gate row (migration 106) lives inside its transactions only:
** one left committed turns the finding counters' triggers off. */
static const char sql_conferir_contando[] =
    "SELECT 'conferir_contando', id, 'a marca de gravação do conferir ficou no banco: os"
    " gatilhos dos contadores de achados estão desligados para todos (apague a linha de"
    " conferir_contando e rode faturo relatorio recontar)' FROM conferir_contando";

/* An operadora's usual time to protocolar (migration 090) against a recount. */
static const char sql_lote_prazo_protocolo[] =
    "SELECT 'operadora', r.operadora_id, 'o prazo usual de protocolo da operadora '"
    " || coalesce((SELECT o.nome FROM operadora o WHERE o.id = r.operadora_id), r.operadora_id)"
    " || ' guarda ' || coalesce(s.lotes, 0) || ' lote(s) e ' || coalesce(s.dias, 0)"
    " || ' dia(s); a recontagem dá ' || r.lotes || ' e ' || r.dias"
    " FROM (" FAT_LOTE_PRAZO_PROTOCOLO_RECONTAGEM ") r"
    " LEFT JOIN lote_prazo_protocolo s ON s.operadora_id = r.operadora_id"
    " WHERE s.lotes IS NOT r.lotes OR s.dias IS NOT r.dias"
    " UNION ALL"
    " SELECT 'operadora', s.operadora_id, 'o prazo usual de protocolo da operadora '"
    " || coalesce((SELECT o.nome FROM operadora o WHERE o.id = s.operadora_id), s.operadora_id)"
    " || ' guarda ' || s.lotes || ' lote(s) e ' || s.dias || ' dia(s); a recontagem não acha"
    " nenhum' FROM lote_prazo_protocolo s"
    " WHERE (s.lotes <> 0 OR s.dias <> 0) AND NOT EXISTS (SELECT 1 FROM lote l"
    " WHERE l.operadora_id = s.operadora_id AND l.protocolo_data IS NOT NULL"
    " AND l.enviado_em IS NOT NULL)";

/* The balance of each lote (migration 092) against a recount: every lote
** (a missing row counts as a difference), and the per-receipt sums of each
** lote both ways (a stored row left at zero is no difference). A stored
** (lote, receipt) row is looked for among the lote's guias (guia_lote, then
** the receipt line by its key), the guias in no lote (lote 0) among the
** receipt's lines: walking the receipt's lines for every lote it paid cost
** lotes × lines (at 1M guias, 9,112 rows × ~136k lines per receipt). */
static const char sql_lote_saldo[] =
    "SELECT 'lote', r.lote_id, 'o saldo guardado do lote ' || coalesce((SELECT l.numero"
    " FROM lote l WHERE l.id = r.lote_id), r.lote_id) || CASE WHEN s.lote_id IS NULL"
    " THEN ' não existe' ELSE ' dá ' || s.guias || ' guia(s), esperado {1}, recuperável '"
    " || s.recuperavel || ', recebido ' || s.recebido || ', deferido ' || s.deferido"
    " || ', recursado ' || s.recursado || ', ' || s.recuperadas || ' glosa(s) recuperada(s)'"
    " END || '; a recontagem dá ' || r.guias || ' guia(s), esperado {2}, recuperável '"
    " || r.recuperavel || ', recebido ' || r.recebido || ', deferido ' || r.deferido"
    " || ', recursado ' || r.recursado || ', ' || r.recuperadas || ' glosa(s) recuperada(s)',"
    " coalesce(s.esperado, 0), r.esperado"
    " FROM (" FAT_LOTE_SALDO_RECONTAGEM ") r LEFT JOIN lote_saldo s ON s.lote_id = r.lote_id"
    " WHERE s.guias IS NOT r.guias OR s.esperado IS NOT r.esperado"
    " OR s.recuperavel IS NOT r.recuperavel OR s.recebido IS NOT r.recebido"
    " OR s.deferido IS NOT r.deferido OR s.recursado IS NOT r.recursado"
    " OR s.recuperadas IS NOT r.recuperadas"
    " UNION ALL"
    " SELECT 'lote', s.lote_id, 'há saldo guardado do lote ' || s.lote_id || ', que não existe',"
    " s.esperado, 0 FROM lote_saldo s WHERE NOT EXISTS (SELECT 1 FROM lote l WHERE l.id = s.lote_id)"
    " UNION ALL"
    " SELECT 'recebimento', r.recebimento_id, 'o recebimento ' || r.recebimento_id || ' guarda {1}"
    " em ' || coalesce(s.guias, 0) || ' guia(s) do lote ' || r.lote_id || '; a recontagem dá {2}"
    " em ' || r.guias, coalesce(s.valor, 0), r.valor"
    " FROM (" FAT_LOTE_RECEBIMENTO_RECONTAGEM ") r LEFT JOIN lote_recebimento s"
    " ON s.lote_id = r.lote_id AND s.recebimento_id = r.recebimento_id"
    " WHERE s.valor IS NOT r.valor OR s.guias IS NOT r.guias"
    " UNION ALL"
    " SELECT 'recebimento', s.recebimento_id, 'o recebimento ' || s.recebimento_id || ' guarda {1}"
    " em ' || s.guias || ' guia(s) do lote ' || s.lote_id || '; a recontagem não acha nenhuma',"
    " s.valor, 0 FROM lote_recebimento s WHERE (s.valor <> 0 OR s.guias <> 0)"
    " AND NOT EXISTS (SELECT 1 FROM guia g INDEXED BY guia_lote CROSS JOIN recebimento_guia x"
    " ON x.recebimento_id = s.recebimento_id AND x.guia_id = g.id WHERE g.lote_id = s.lote_id)"
    " AND (s.lote_id <> 0 OR NOT EXISTS (SELECT 1 FROM recebimento_guia x JOIN guia g"
    " ON g.id = x.guia_id WHERE x.recebimento_id = s.recebimento_id AND g.lote_id IS NULL))";

/* The counters of previsto × realizado (migration 093) against a recount,
** in three checks: every lote's expected date and esperado (a missing row
** counts), the per-month sums and the per-receipt sums both ways (a stored
** row left at zero is no difference). */
#define VERIF_DATA(x) "coalesce(strftime('%d/%m/%Y', " x "), 'nenhuma')"
#define VERIF_MES(x) "substr(" x ", 6, 2) || '/' || substr(" x ", 1, 4)"
static const char sql_rel_previsto[] =
    "SELECT 'lote', r.lote_id, 'a previsão guardada do lote ' || coalesce((SELECT l.numero"
    " FROM lote l WHERE l.id = r.lote_id), r.lote_id) || CASE WHEN s.lote_id IS NULL"
    " THEN ' não existe' ELSE ' é ' || " VERIF_DATA("s.previsao") " || ', esperado {1}' END"
    " || '; a recontagem dá ' || " VERIF_DATA("r.previsao") " || ', esperado {2}',"
    " coalesce(s.esperado, 0), r.esperado"
    " FROM (" FAT_REL_PREVISTO_LOTE_RECONTAGEM ") r LEFT JOIN rel_previsto_lote s"
    " ON s.lote_id = r.lote_id"
    " WHERE s.previsao IS NOT r.previsao OR s.esperado IS NOT r.esperado"
    " OR s.operadora_id IS NOT r.operadora_id"
    " UNION ALL"
    " SELECT 'lote', s.lote_id, 'há previsão guardada do lote ' || s.lote_id"
    " || ', que não existe', s.esperado, 0 FROM rel_previsto_lote s"
    " WHERE NOT EXISTS (SELECT 1 FROM lote l WHERE l.id = s.lote_id)";
static const char sql_rel_previsto_mes[] =
    "SELECT 'previsto', r.operadora_id, 'o previsto guardado para ' || " VERIF_MES("r.mes")
    " || ' da operadora ' || coalesce((SELECT o.nome FROM operadora o WHERE o.id = r.operadora_id),"
    " r.operadora_id) || ' dá ' || coalesce(s.lotes, 0) || ' lote(s) e {1}; a recontagem dá '"
    " || r.lotes || ' lote(s) e {2}', coalesce(s.previsto, 0), r.previsto"
    " FROM (" FAT_REL_PREVISTO_MES_RECONTAGEM ") r LEFT JOIN rel_previsto_mes s"
    " ON s.mes = r.mes AND s.operadora_id = r.operadora_id"
    " WHERE s.lotes IS NOT r.lotes OR s.previsto IS NOT r.previsto"
    " UNION ALL"
    " SELECT 'previsto', s.operadora_id, 'o previsto guardado para ' || " VERIF_MES("s.mes")
    " || ' da operadora ' || s.operadora_id || ' dá ' || s.lotes || ' lote(s) e {1};"
    " a recontagem não acha nenhum', s.previsto, 0 FROM rel_previsto_mes s"
    " WHERE (s.lotes <> 0 OR s.previsto <> 0) AND NOT EXISTS (SELECT 1 FROM ("
    FAT_REL_PREVISTO_MES_RECONTAGEM ") r WHERE r.mes = s.mes AND r.operadora_id = s.operadora_id)";
static const char sql_rel_previsto_recebimento[] =
    "SELECT 'recebimento', r.recebimento_id, 'o recebimento ' || r.recebimento_id"
    " || ' guarda {1} em ' || coalesce(s.linhas, 0) || ' linha(s) de lotes previstos para '"
    " || CASE WHEN r.mes = '' THEN 'nenhum mês' ELSE " VERIF_MES("r.mes") " END"
    " || ' (dias × valor ' || coalesce(s.dias_valor, 0) || '); a recontagem dá {2} em '"
    " || r.linhas || ' linha(s) (dias × valor ' || r.dias_valor || ')',"
    " coalesce(s.valor, 0), r.valor"
    " FROM (" FAT_REL_PREVISTO_RECEBIMENTO_RECONTAGEM ") r LEFT JOIN rel_previsto_recebimento s"
    " ON s.recebimento_id = r.recebimento_id AND s.mes = r.mes AND s.operadora_id = r.operadora_id"
    " WHERE s.linhas IS NOT r.linhas OR s.valor IS NOT r.valor OR s.dias_valor IS NOT r.dias_valor"
    " UNION ALL"
    " SELECT 'recebimento', s.recebimento_id, 'o recebimento ' || s.recebimento_id"
    " || ' guarda {1} em ' || s.linhas || ' linha(s) de lotes previstos para '"
    " || CASE WHEN s.mes = '' THEN 'nenhum mês' ELSE " VERIF_MES("s.mes") " END"
    " || '; a recontagem não acha nenhuma', s.valor, 0 FROM rel_previsto_recebimento s"
    " WHERE (s.linhas <> 0 OR s.valor <> 0 OR s.dias_valor <> 0) AND NOT EXISTS (SELECT 1 FROM ("
    FAT_REL_PREVISTO_RECEBIMENTO_RECONTAGEM ") r WHERE r.recebimento_id = s.recebimento_id"
    " AND r.mes = s.mes AND r.operadora_id = s.operadora_id)";

/* The mapa's counters (migration 096) against a recount, in three checks:
** every lote past 'fechado' (its fatura and values; a missing or stray row
** counts), every fatura's sums and first lote, and the per-receipt sums of
** each fatura both ways (a stored row left at zero is no difference). */
static const char sql_mapa_lote[] =
    "SELECT 'lote', r.lote_id, 'o lote ' || r.numero || ' está guardado no mapa'"
    " || CASE WHEN s.lote_id IS NULL THEN ' nenhuma vez' ELSE ' na fatura '"
    " || coalesce(s.fatura_id, 'nenhuma') || ' com enviado {1}, esperado {3}' END"
    " || '; a recontagem dá a fatura ' || coalesce(r.fatura_id, 'nenhuma')"
    " || ', enviado {2}, esperado {4}', coalesce(s.enviado, 0), r.enviado,"
    " coalesce(s.esperado, 0), r.esperado"
    " FROM (" FAT_MAPA_LOTE_RECONTAGEM ") r LEFT JOIN mapa_lote s ON s.lote_id = r.lote_id"
    " WHERE s.fatura_id IS NOT r.fatura_id OR s.operadora_id IS NOT r.operadora_id"
    " OR s.competencia IS NOT r.competencia OR s.numero IS NOT r.numero"
    " OR s.enviado IS NOT r.enviado OR s.liberado IS NOT r.liberado"
    " OR s.glosado IS NOT r.glosado OR s.recursado IS NOT r.recursado"
    " OR s.deferido IS NOT r.deferido OR s.esperado IS NOT r.esperado"
    " UNION ALL"
    " SELECT 'lote', s.lote_id, 'o lote ' || s.lote_id || ' está no mapa, mas não existe ou"
    " não foi enviado (enviado {1}, esperado {3})', s.enviado, 0, s.esperado, 0"
    " FROM mapa_lote s WHERE NOT EXISTS (SELECT 1 FROM lote l"
    " WHERE l.id = s.lote_id AND l.status <> 'aberto' AND l.status <> 'fechado')";
static const char sql_fatura_saldo_fatura[] =
    "SELECT 'fatura', r.fatura_id, 'a fatura ' || coalesce((SELECT f.numero FROM fatura f"
    " WHERE f.id = r.fatura_id), r.fatura_id) || ' guarda ' || coalesce(s.lotes, 0)"
    " || ' lote(s), esperado {1}, recebido {3}; a recontagem dá ' || r.lotes"
    " || ' lote(s), esperado {2}, recebido {4}', coalesce(s.esperado, 0), r.esperado,"
    " coalesce(s.recebido, 0), r.recebido"
    " FROM (" FAT_FATURA_SALDO_RECONTAGEM ") r LEFT JOIN fatura_saldo s"
    " ON s.fatura_id = r.fatura_id"
    " WHERE s.lotes IS NOT r.lotes OR s.enviado IS NOT r.enviado"
    " OR s.liberado IS NOT r.liberado OR s.glosado IS NOT r.glosado"
    " OR s.recursado IS NOT r.recursado OR s.deferido IS NOT r.deferido"
    " OR s.esperado IS NOT r.esperado OR s.recebido IS NOT r.recebido"
    " OR s.recuperado IS NOT r.recuperado OR s.primeiro_lote IS NOT r.primeiro_lote"
    " UNION ALL"
    " SELECT 'fatura', s.fatura_id, 'a fatura ' || s.fatura_id || ' guarda ' || s.lotes"
    " || ' lote(s), esperado {1}, recebido {3}; a recontagem não acha nenhum lote enviado',"
    " s.esperado, 0, s.recebido, 0 FROM fatura_saldo s"
    " WHERE (s.lotes <> 0 OR s.enviado <> 0 OR s.liberado <> 0 OR s.glosado <> 0"
    " OR s.recursado <> 0 OR s.deferido <> 0 OR s.esperado <> 0 OR s.recebido <> 0"
    " OR s.recuperado <> 0) AND NOT EXISTS (SELECT 1 FROM fatura_lote fl JOIN lote l"
    " ON l.id = fl.lote_id WHERE fl.fatura_id = s.fatura_id AND l.status <> 'aberto'"
    " AND l.status <> 'fechado')";
static const char sql_fatura_recebimento[] =
    "SELECT 'recebimento', r.recebimento_id, 'o recebimento ' || r.recebimento_id"
    " || ' guarda {1} em ' || coalesce(s.guias, 0) || ' guia(s) da fatura ' || r.fatura_id"
    " || ' (' || coalesce(s.data, 'sem data') || '); a recontagem dá {2} em ' || r.guias"
    " || ' (' || coalesce(r.data, 'sem data') || ')', coalesce(s.valor, 0), r.valor"
    " FROM (" FAT_FATURA_RECEBIMENTO_RECONTAGEM ") r LEFT JOIN fatura_recebimento s"
    " ON s.fatura_id = r.fatura_id AND s.recebimento_id = r.recebimento_id"
    " WHERE s.valor IS NOT r.valor OR s.guias IS NOT r.guias"
    " OR ((r.valor <> 0 OR r.guias <> 0)"
    "  AND (s.data IS NOT r.data OR s.recuperado IS NOT r.recuperado))"
    " UNION ALL"
    " SELECT 'recebimento', s.recebimento_id, 'o recebimento ' || s.recebimento_id"
    " || ' guarda {1} em ' || s.guias || ' guia(s) da fatura ' || s.fatura_id"
    " || '; a recontagem não acha nenhuma', s.valor, 0 FROM fatura_recebimento s"
    " WHERE (s.valor <> 0 OR s.guias <> 0) AND NOT EXISTS (SELECT 1 FROM fatura_lote fl"
    " JOIN lote l ON l.id = fl.lote_id JOIN lote_recebimento lr ON lr.lote_id = l.id"
    " WHERE fl.fatura_id = s.fatura_id AND lr.recebimento_id = s.recebimento_id"
    " AND l.status <> 'aberto' AND l.status <> 'fechado')";

/* the resumo of glosas (migration 103): the counters against a recount */
#define GLOSA_RESUMO_ONDE(T)                                                                \
  "'o resumo de glosas da competência ' || coalesce(nullif(" T ".competencia, ''), '(sem)')" \
  " || ' guarda ' || coalesce(s.n, 0) || ' glosa(s), {1}, em ' || CASE " T ".dim"             \
  " WHEN 1 THEN 'grupo' WHEN 2 THEN 'procedimento' WHEN 3 THEN 'profissional'"               \
  " WHEN 4 THEN 'classificação' ELSE 'previsão' END || ' ' || " T ".chave"
static const char sql_glosa_resumo[] =
    "SELECT 'operadora', r.operadora_id, " GLOSA_RESUMO_ONDE("r")
    " || '; a recontagem dá ' || r.n || ', {2}', coalesce(s.valor, 0), r.valor"
    " FROM (" FAT_GLOSA_RESUMO_RECONTAGEM ") r LEFT JOIN glosa_resumo s"
    " ON s.competencia = r.competencia AND s.dim = r.dim AND s.operadora_id = r.operadora_id"
    " AND s.chave = r.chave AND s.sub = r.sub"
    " WHERE s.n IS NOT r.n OR s.valor IS NOT r.valor"
    " UNION ALL"
    " SELECT 'operadora', s.operadora_id, " GLOSA_RESUMO_ONDE("s")
    " || '; a recontagem não acha nenhuma', s.valor, 0"
    " FROM glosa_resumo s LEFT JOIN (" FAT_GLOSA_RESUMO_RECONTAGEM ") r"
    " ON r.competencia = s.competencia AND r.dim = s.dim AND r.operadora_id = s.operadora_id"
    " AND r.chave = s.chave AND r.sub = s.sub"
    " WHERE r.n IS NULL AND (s.n <> 0 OR s.valor <> 0)";

/* the panel's mapa de lotes (migration 104): the counters against a recount */
#define LOTE_MAPA_MES_ONDE(T)                                                               \
  "'o mapa de lotes da competência ' || coalesce(nullif(" T ".competencia, ''), '(sem)')"    \
  " || ' guarda ' || coalesce(s.n, 0) || ' lote(s) ' || " T ".status"                         \
  " || CASE WHEN " T ".previsao <> '' THEN ' com previsão ' || " T ".previsao ELSE '' END"    \
  " || ' (enviado {1}, recebido {3})'"
static const char sql_lote_mapa_mes[] =
    "SELECT 'operadora', r.operadora_id, " LOTE_MAPA_MES_ONDE("r")
    " || '; a recontagem dá ' || r.n || ' (enviado {2}, recebido {4})',"
    " coalesce(s.enviado, 0), r.enviado, coalesce(s.recebido, 0), r.recebido"
    " FROM (" FAT_LOTE_MAPA_MES_RECONTAGEM ") r LEFT JOIN lote_mapa_mes s"
    " ON s.competencia = r.competencia AND s.operadora_id = r.operadora_id"
    " AND s.status = r.status AND s.previsao = r.previsao"
    " WHERE s.n IS NOT r.n OR s.guias IS NOT r.guias OR s.enviado IS NOT r.enviado"
    " OR s.liberado IS NOT r.liberado OR s.glosado IS NOT r.glosado"
    " OR s.recebido IS NOT r.recebido"
    " UNION ALL"
    " SELECT 'operadora', s.operadora_id, " LOTE_MAPA_MES_ONDE("s")
    " || '; a recontagem não acha nenhum', s.enviado, 0, s.recebido, 0"
    " FROM lote_mapa_mes s LEFT JOIN (" FAT_LOTE_MAPA_MES_RECONTAGEM ") r"
    " ON r.competencia = s.competencia AND r.operadora_id = s.operadora_id"
    " AND r.status = s.status AND r.previsao = s.previsao"
    " WHERE r.n IS NULL AND (s.n <> 0 OR s.guias <> 0 OR s.enviado <> 0 OR s.liberado <> 0"
    " OR s.glosado <> 0 OR s.recebido <> 0)";

/* The aging's counters (migration 102) against a recount, in two checks:
** every lote's expected date and open balance (a missing or stray row
** counts), and the per-(operadora, expected date) sums both ways (a stored
** row left at zero is no difference). */
static const char sql_aging_lote[] =
    "SELECT 'lote', r.lote_id, 'o saldo em aberto guardado do lote ' || coalesce((SELECT"
    " l.numero FROM lote l WHERE l.id = r.lote_id), r.lote_id) || CASE WHEN s.lote_id IS NULL"
    " THEN ' não existe' ELSE ' é {1}, previsto para ' || " VERIF_DATA("s.previsao") " END"
    " || '; a recontagem dá {2}, previsto para ' || " VERIF_DATA("r.previsao") ","
    " coalesce(s.saldo, 0), r.saldo"
    " FROM (" FAT_AGING_LOTE_RECONTAGEM ") r LEFT JOIN aging_lote s ON s.lote_id = r.lote_id"
    " WHERE s.previsao IS NOT r.previsao OR s.saldo IS NOT r.saldo"
    " OR s.operadora_id IS NOT r.operadora_id"
    " UNION ALL"
    " SELECT 'lote', s.lote_id, 'há saldo em aberto guardado do lote ' || s.lote_id"
    " || ', que não existe ({1})', s.saldo, 0 FROM aging_lote s"
    " WHERE NOT EXISTS (SELECT 1 FROM lote l WHERE l.id = s.lote_id)";
static const char sql_aging_dia[] =
    "SELECT 'operadora', r.operadora_id, 'o saldo em aberto guardado da operadora '"
    " || coalesce((SELECT o.nome FROM operadora o WHERE o.id = r.operadora_id), r.operadora_id)"
    " || ' com previsão ' || " VERIF_DATA("nullif(r.previsao, '')")
    " || ' dá ' || coalesce(s.lotes, 0) || ' lote(s) e {1}; a recontagem dá ' || r.lotes"
    " || ' lote(s) e {2}', coalesce(s.saldo, 0), r.saldo"
    " FROM (" FAT_AGING_DIA_RECONTAGEM ") r LEFT JOIN aging_dia s"
    " ON s.operadora_id = r.operadora_id AND s.sem_previsao = r.sem_previsao"
    " AND s.previsao = r.previsao"
    " WHERE s.lotes IS NOT r.lotes OR s.saldo IS NOT r.saldo"
    " UNION ALL"
    " SELECT 'operadora', s.operadora_id, 'o saldo em aberto guardado da operadora '"
    " || s.operadora_id || ' com previsão ' || " VERIF_DATA("nullif(s.previsao, '')")
    " || ' dá ' || s.lotes || ' lote(s) e {1}; a recontagem não acha nenhum', s.saldo, 0"
    " FROM aging_dia s WHERE (s.lotes <> 0 OR s.saldo <> 0) AND NOT EXISTS (SELECT 1 FROM ("
    FAT_AGING_DIA_RECONTAGEM ") r WHERE r.operadora_id = s.operadora_id"
    " AND r.sem_previsao = s.sem_previsao AND r.previsao = s.previsao)";

/* The glosas awaiting a recurso per deadline (migration 102) against a
** recount, both ways (a stored day left at zero is no difference). */
static const char sql_glosa_prazo_dia[] =
    "SELECT 'prazo', 0, 'as glosas aguardando recurso guardadas com prazo '"
    " || " VERIF_DATA("r.prazo_recurso") " || ' são ' || coalesce(s.glosas, 0)"
    " || '; a recontagem dá ' || r.glosas"
    " FROM (" FAT_GLOSA_PRAZO_DIA_RECONTAGEM ") r LEFT JOIN glosa_prazo_dia s"
    " ON s.prazo_recurso = r.prazo_recurso WHERE s.glosas IS NOT r.glosas"
    " UNION ALL"
    " SELECT 'prazo', 0, 'as glosas aguardando recurso guardadas com prazo '"
    " || " VERIF_DATA("s.prazo_recurso") " || ' são ' || s.glosas"
    " || '; a recontagem não acha nenhuma' FROM glosa_prazo_dia s"
    " WHERE s.glosas <> 0 AND NOT EXISTS (SELECT 1 FROM glosa g INDEXED BY glosa_aguardando_prazo"
    " WHERE g.prazo_recurso = s.prazo_recurso AND g.situacao = 'aberta'"
    " AND g.classificacao <> 'devida')";

/* ---- the audit trail (Part A) ---- */

static const char sql_auditoria[] =
    "SELECT 'auditoria', a.id,"
    " 'faltam registros de auditoria antes do ' || a.id || ' (o anterior é ' ||"
    " coalesce((SELECT 'o ' || max(b.id) FROM auditoria b WHERE b.id < a.id), 'nenhum') || ')'"
    " FROM auditoria a"
    " WHERE a.id > 1 AND NOT EXISTS (SELECT 1 FROM auditoria b WHERE b.id = a.id - 1)"
    " ORDER BY a.id";

/* The invariants, in the order they run. Add yours in your part's section. */
static const fat_verif_check checks[] = {
  /* Part A: base */
  {"auditoria_continua",
   "a auditoria não tem buracos: nenhum registro foi apagado", sql_auditoria, NULL},
  /* Parts B, C: regras e conferir */
  {"regra_geracao_integra",
   "cada script guardado de uma geração de regras confere com seu SHA-256 e a geração com "
   "seu hash", NULL, fat_verif_regra_geracao},
  {"regra_geracao_ativa",
   "havendo gerações de regras, uma delas está ativa", sql_geracao_ativa, NULL},
  {"achado_geracao",
   "todo achado, conferência e lote aponta uma geração de regras existente",
   sql_achado_geracao, NULL},
  {"achado_versao_script",
   "todo achado de script aponta a versão do script que está na sua geração",
   sql_achado_versao, NULL},
  {"achado_item_da_guia", "o item de um achado é da guia do achado", sql_achado_item, NULL},
  {"conferencia_revisao",
   "conferência e achados não são de uma revisão da guia que ainda não existe",
   sql_conferencia_revisao, NULL},
  {"achado_resumo_recontado",
   "os totais da lista de achados (por operadora, competência, código e severidade) "
   "conferem com a recontagem dos achados",
   sql_achado_resumo, NULL},
  {"guia_aberto_recontado",
   "os achados em aberto guardados de cada guia (bloqueios, alertas, valor em risco) conferem "
   "com a recontagem dos achados da revisão atual",
   sql_guia_aberto, NULL},
  {"painel_achados_recontado",
   "as guias a faturar com bloqueio e o valor em risco do painel de cada operadora conferem "
   "com a recontagem dos achados",
   sql_painel_achados, NULL},
  {"conferir_contando_vazia",
   "nenhuma marca de gravação do conferir ficou no banco (os gatilhos dos contadores de "
   "achados estão ligados)",
   sql_conferir_contando, NULL},
  /* Part E: lotes */
  {"lote_prazo_protocolo_recontado",
   "o prazo usual de protocolo de cada operadora (lotes protocolados e dias) confere com a "
   "recontagem dos lotes",
   sql_lote_prazo_protocolo, NULL},
  {"lote_saldo_recontado",
   "o saldo de cada lote (esperado, recuperável, recebido, recursado, glosas recuperadas) e o "
   "recebido por lote de cada recebimento conferem com a recontagem das guias",
   sql_lote_saldo, NULL},
  {"rel_previsto_lote_recontado",
   "a previsão de pagamento e o valor esperado guardados de cada lote para o previsto × "
   "realizado conferem com o lote e a sua fatura",
   sql_rel_previsto, NULL},
  {"rel_previsto_mes_recontado",
   "os lotes e o valor previstos por mês e operadora conferem com a recontagem dos lotes",
   sql_rel_previsto_mes, NULL},
  {"rel_previsto_recebimento_recontado",
   "o recebido de cada recebimento por mês previsto dos seus lotes confere com a recontagem "
   "das linhas de recebimento por lote",
   sql_rel_previsto_recebimento, NULL},
  {"mapa_lote_recontado",
   "cada lote enviado está no mapa de faturas com a sua fatura e os seus valores (enviado, "
   "liberado, glosado, recursado, deferido, esperado)",
   sql_mapa_lote, NULL},
  {"fatura_saldo_recontado",
   "as somas guardadas de cada fatura (lotes, enviado, liberado, glosado, recursado, esperado, "
   "recebido, recuperado, primeiro lote) conferem com a recontagem dos seus lotes",
   sql_fatura_saldo_fatura, NULL},
  {"fatura_recebimento_recontado",
   "o recebido de cada recebimento por fatura, a sua data e se é dinheiro recuperado conferem "
   "com a recontagem das linhas de recebimento por lote",
   sql_fatura_recebimento, NULL},
  {"lote_mapa_mes_recontado",
   "os lotes, as guias e os valores guardados do mapa de lotes (por competência, operadora, "
   "situação e previsão de pagamento) conferem com a recontagem dos lotes e pagamentos",
   sql_lote_mapa_mes, NULL},
  {"aging_lote_recontado",
   "o saldo em aberto e a previsão de pagamento guardados de cada lote para o aging conferem "
   "com o lote, a sua fatura e o seu saldo",
   sql_aging_lote, NULL},
  {"aging_dia_recontado",
   "os lotes e o saldo em aberto por operadora e previsão de pagamento conferem com a "
   "recontagem dos lotes",
   sql_aging_dia, NULL},
  {"glosa_prazo_dia_recontado",
   "as glosas aguardando recurso contadas por prazo (para o painel) conferem com a "
   "recontagem das glosas",
   sql_glosa_prazo_dia, NULL},
  {"lote_total_guias",
   "a quantidade e o valor informado de cada lote são os das suas guias", sql_lote_total,
   NULL},
  {"guia_status_lote",
   "a situação de cada guia combina com o seu lote (sem lote, em lote fechado, em lote "
   "enviado)", sql_guia_status, NULL},
  {"lote_inalterado_desde_hash",
   "o XML de todo lote fechado ou enviado confere com o hash com que foi fechado",
   NULL, fat_verif_lote_hash},
  {"lote_guias_como_enviadas",
   "as guias de cada lote são as do seu XML, com os valores enviados", NULL,
   fat_verif_lote_guias_xml},
  {"guia_em_dois_lotes", "nenhuma guia está em dois lotes", NULL, fat_verif_guia_dois_lotes},
  {"lote_eventos_encadeados",
   "os eventos de cada lote se encadeiam (cada um parte de onde o anterior deixou) e o "
   "último é a situação atual", sql_lote_eventos, NULL},
  /* Part F: retorno, glosas, recursos */
  {"retorno_guia_do_lote",
   "o retorno responde por cada guia no lote e na operadora em que ela está",
   sql_retorno_guia, NULL},
  {"glosa_item_da_guia", "o item de uma glosa é da guia da glosa", sql_glosa_item, NULL},
  {"glosa_de_lote_enviado", "toda glosa é de uma guia que está num lote enviado",
   sql_glosa_lote, NULL},
  {"glosado_ate_informado",
   "o glosado não passa do informado (por item, por guia e por lote)", sql_glosado, NULL},
  {"recurso_totais",
   "o recursado e o recuperado de cada recurso são a soma dos seus itens",
   sql_recurso_totais, NULL},
  {"recurso_estado_itens",
   "a situação de cada recurso combina com seus itens (resposta só em recurso respondido; "
   "recursado até o glosado, deferido até o recursado)", sql_recurso_estado, NULL},
  {"glosa_resumo_recontado",
   "as quantidades e os valores guardados do resumo de glosas (por competência, operadora, "
   "grupo, procedimento, profissional, classificação e previsão) conferem com a recontagem "
   "das glosas",
   sql_glosa_resumo, NULL},
  {"glosa_situacao_recurso",
   "a situação de cada glosa combina com o recurso dela (em recurso, recuperada, perdida)",
   sql_glosa_recurso, NULL},
  /* Part G: financeiro (each runs the check of the same name in fat_fin_check.h) */
  {"recebido_ate_liberado",
   "o recebido por guia não passa do liberado (ou do informado, antes do retorno) mais o "
   "recuperado em recurso, salvo excedente aceito", NULL, fat_verif_financeiro},
  {"credito_uma_vez",
   "cada crédito do extrato bancário está conciliado no máximo uma vez, e um crédito "
   "conciliado tem exatamente um recebimento", NULL, fat_verif_financeiro},
  {"rateio_recebimento",
   "as partes das guias de cada recebimento somam o seu valor bruto", NULL,
   fat_verif_financeiro},
  {"repasse_soma_base",
   "as linhas de cada repasse calculado somam a base recebida que ele reparte", NULL,
   fat_verif_financeiro},
};

const fat_verif_check *fat_verif_checks(size_t *n)
{
  *n = sizeof checks / sizeof checks[0];
  return checks;
}

fat_store *fat_verif_store(fat_verif_ctx *c) { return c->st; }

fat_rc fat_verif_reportar(fat_verif_ctx *c, const char *objeto, int64_t id, const char *detalhe,
                          fat_err *err)
{
  fat_verif_resultado *r = c->cur;
  fat_verif_violacao *v;

  r->total++;
  if (r->n >= FAT_VERIF_MAX_POR_CHECK)
    return FAT_OK;
  if (r->v == NULL) {
    r->v = fat_calloc(FAT_VERIF_MAX_POR_CHECK, sizeof *r->v);
    if (r->v == NULL)
      return fat_err_oom(err);
  }
  v = &r->v[r->n];
  v->objeto = fat_strdup(objeto != NULL ? objeto : "?");
  v->detalhe = fat_strdup(detalhe != NULL ? detalhe : "");
  v->id = id;
  if (v->objeto == NULL || v->detalhe == NULL) {
    fat_free(v->objeto);
    fat_free(v->detalhe);
    v->objeto = NULL;
    v->detalhe = NULL;
    return fat_err_oom(err);
  }
  r->n++;
  return FAT_OK;
}

/* detalhe with "{k}" replaced by column 2 + k as money, into b. */
static fat_rc expand(fat_stmt *s, const char *detalhe, fat_buf *b, fat_err *err)
{
  const char *p = detalhe;
  char money[48];
  int k, cols = fat_col_count(s);
  fat_rc rc = FAT_OK;

  fat_buf_reset(b);
  while (rc == FAT_OK && *p != '\0') {
    k = (p[0] == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}') ? p[1] - '0' : 0;
    if (k > 0 && 2 + k < cols) {
      fat_money_format_br(fat_col_int64(s, 2 + k), money, sizeof money);
      rc = fat_buf_puts(b, money, err);
      p += 3;
    } else {
      rc = fat_buf_append(b, p, 1, err);
      p++;
    }
  }
  if (rc == FAT_OK && b->data == NULL)
    rc = fat_buf_append(b, "", 0, err);
  return rc;
}

/* Run a query check: each row is a violation. */
static fat_rc run_sql(fat_verif_ctx *c, const char *sql, fat_err *err)
{
  fat_stmt *s;
  fat_buf b;
  int r = FAT_DONE;
  fat_rc rc;

  fat_buf_init(&b, 64 * 1024);
  rc = fat_store_prepare(c->st, sql, &s, err);
  if (rc != FAT_OK)
    goto out;
  while (rc == FAT_OK) {
    r = fat_stmt_step(s);
    if (r != FAT_ROW)
      break;
    rc = expand(s, fat_col_text(s, 2) != NULL ? fat_col_text(s, 2) : "", &b, err);
    if (rc == FAT_OK)
      rc = fat_verif_reportar(c, fat_col_text(s, 0), fat_col_int64(s, 1), b.data, err);
  }
  if (rc == FAT_OK && r != FAT_DONE)
    rc = fat_store_dberr(c->st, err, "erro ao verificar");
  fat_stmt_reset(s);
out:
  fat_buf_fini(&b);
  return rc;
}

static const fat_verif_check *find_check(const char *nome)
{
  size_t i;

  for (i = 0; i < sizeof checks / sizeof checks[0]; i++)
    if (strcmp(checks[i].nome, nome) == 0)
      return &checks[i];
  return NULL;
}

static void lotes_free(fat_verif_ctx *c)
{
  size_t i, k;

  for (i = 0; i < c->n_lotes; i++) {
    for (k = 0; k < c->lotes[i].n_guias; k++)
      fat_free(c->lotes[i].guias[k].numero);
    fat_free(c->lotes[i].guias);
    fat_free(c->lotes[i].erro);
  }
  fat_free(c->lotes);
  fat_free(c->refs);
  c->lotes = NULL;
  c->n_lotes = 0;
  c->refs = NULL;
  c->n_refs = 0;
}

void fat_verif_relatorio_fini(fat_verif_relatorio *rel)
{
  size_t i, k;

  if (rel == NULL)
    return;
  for (i = 0; i < rel->n; i++) {
    for (k = 0; k < rel->r[i].n; k++) {
      fat_free(rel->r[i].v[k].objeto);
      fat_free(rel->r[i].v[k].detalhe);
    }
    fat_free(rel->r[i].v);
  }
  fat_free(rel->r);
  memset(rel, 0, sizeof *rel);
}

fat_rc fat_verificar(fat_store *st, const char *const *nomes, fat_verif_relatorio *out,
                     fat_err *err)
{
  size_t n_all = sizeof checks / sizeof checks[0], n = n_all, i;
  const fat_verif_check **run = NULL;
  fat_verif_ctx c;
  int in_tx = 0;
  fat_rc rc = FAT_OK;

  memset(out, 0, sizeof *out);
  memset(&c, 0, sizeof c);
  c.st = st;
  if (nomes != NULL)
    for (n = 0; nomes[n] != NULL; n++)
      ;
  run = fat_calloc(n > 0 ? n : 1, sizeof *run);
  out->r = fat_calloc(n > 0 ? n : 1, sizeof *out->r);
  if (run == NULL || out->r == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  for (i = 0; i < n; i++) {
    run[i] = nomes != NULL ? find_check(nomes[i]) : &checks[i];
    if (run[i] == NULL) {
      rc = fat_err_set(err, FAT_EINVAL,
                       "invariante '%s' desconhecida (veja: faturo verificar --listar)",
                       nomes[i]);
      goto out;
    }
  }
  rc = fat_store_begin_read(st, err);
  if (rc != FAT_OK)
    goto out;
  in_tx = 1;
  for (i = 0; i < n && rc == FAT_OK; i++) {
    out->r[i].check = run[i];
    out->n = i + 1;
    c.cur = &out->r[i];
    if (run[i]->sql != NULL)
      rc = run_sql(&c, run[i]->sql, err);
    else
      rc = run[i]->fn(&c, err);
    if (rc != FAT_OK)
      fat_err_prefix(err, "invariante %s: ", run[i]->nome);
    out->violacoes += out->r[i].total;
  }
out:
  if (in_tx)
    fat_store_rollback(st);
  lotes_free(&c);
  fat_free(run);
  return rc;
}

cJSON *fat_verif_relatorio_json(const fat_verif_relatorio *rel)
{
  cJSON *o = cJSON_CreateObject(), *arr, *inv, *vs, *v;
  size_t i, k;
  int ok = o != NULL;

  ok = ok && cJSON_AddBoolToObject(o, "ok", rel->violacoes == 0) != NULL &&
       cJSON_AddNumberToObject(o, "violacoes", (double)rel->violacoes) != NULL;
  arr = ok ? cJSON_AddArrayToObject(o, "invariantes") : NULL;
  ok = ok && arr != NULL;
  for (i = 0; ok && i < rel->n; i++) {
    const fat_verif_resultado *r = &rel->r[i];

    inv = cJSON_CreateObject();
    ok = inv != NULL && cJSON_AddItemToArray(arr, inv);
    if (!ok) {
      cJSON_Delete(inv);
      break;
    }
    ok = cJSON_AddStringToObject(inv, "nome", r->check->nome) != NULL &&
         cJSON_AddStringToObject(inv, "descricao", r->check->descricao) != NULL &&
         cJSON_AddBoolToObject(inv, "ok", r->total == 0) != NULL &&
         cJSON_AddNumberToObject(inv, "total", (double)r->total) != NULL;
    vs = ok ? cJSON_AddArrayToObject(inv, "violacoes") : NULL;
    ok = ok && vs != NULL;
    for (k = 0; ok && k < r->n; k++) {
      v = cJSON_CreateObject();
      ok = v != NULL && cJSON_AddItemToArray(vs, v);
      if (!ok) {
        cJSON_Delete(v);
        break;
      }
      ok = cJSON_AddStringToObject(v, "objeto", r->v[k].objeto) != NULL &&
           cJSON_AddNumberToObject(v, "id", (double)r->v[k].id) != NULL &&
           cJSON_AddStringToObject(v, "detalhe", r->v[k].detalhe) != NULL;
    }
  }
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}
