/* web_api_glosas.c: retornos, glosas and recursos (read side). The writes
** that need Part F's engine live in web_api_retorno_w.c. */
#include <stdio.h>
#include <string.h>

#include "fat_mem.h"
#include "fat_store_int.h"
#include "web_int.h"


static const char *qv(const web_req *rq, const char *key)
{
  const char *v = web_query(rq, key);

  return (v != NULL && v[0] != '\0') ? v : NULL;
}

static fat_rc list_into(web_req *rq, web_res *rs, const char *sql, const char *key,
                        const char *const *binds, int nbinds, int paged, fat_err *err)
{
  sqlite3_stmt *s;
  cJSON *rows = NULL;
  int64_t limit, offset;
  int i;
  fat_rc rc = fat_store_prepare(rq->st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  for (i = 0; i < nbinds; i++)
    fat_bind_text(s, i + 1, binds[i]);
  if (paged) {
    web_paging(rq, &limit, &offset, NULL);
    fat_bind_int(s, nbinds + 1, limit);
    fat_bind_int(s, nbinds + 2, offset);
  }
  rc = fat_store_rows_json(rq->st, s, 0, "erro ao consultar o banco", &rows, err);
  if (rc != FAT_OK)
    return rc;
  if (rs->json == NULL) {
    rs->json = cJSON_CreateObject();
    if (rs->json == NULL) {
      cJSON_Delete(rows);
      return fat_err_oom(err);
    }
  }
  return web_add(rs->json, key, rows) ? FAT_OK : fat_err_oom(err);
}

fat_rc api_retornos_listar(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql[] =
      "SELECT r.id, r.tipo, r.arquivo, r.importado_em, r.usuario, r.hash_ok, r.resumo,"
      " r.numero_demonstrativo, r.valor_informado, r.valor_liberado, r.valor_glosado,"
      " o.nome AS operadora,"
      " (SELECT count(*) FROM retorno_guia rg WHERE rg.retorno_id = r.id"
      "  AND rg.guia_id IS NOT NULL) AS guias_casadas,"
      " (SELECT count(*) FROM retorno_guia rg WHERE rg.retorno_id = r.id"
      "  AND rg.guia_id IS NULL) AS guias_sem_par,"
      " (SELECT count(*) FROM retorno_pendencia p WHERE p.retorno_id = r.id"
      "  AND p.resolvida = 0) AS pendencias"
      " FROM retorno r LEFT JOIN operadora o ON o.id = r.operadora_id"
      " ORDER BY r.id DESC LIMIT ?1 OFFSET ?2";

  return list_into(rq, rs, sql, "retornos", NULL, 0, 1, err);
}

fat_rc api_glosas_listar(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql[] =
      "SELECT gl.*, g.numero_prestador, g.beneficiario_nome, g.competencia,"
      " o.nome AS operadora, o.script AS operadora_chave"
      " FROM glosa gl JOIN guia g ON g.id = gl.guia_id JOIN operadora o ON o.id = g.operadora_id"
      " WHERE (?1 IS NULL OR o.script = ?1 OR o.registro_ans = ?1)"
      " AND (?2 IS NULL OR gl.situacao = ?2) AND (?3 IS NULL OR gl.classificacao = ?3)"
      " AND (?4 IS NULL OR gl.codigo = ?4) AND (?5 IS NULL OR g.competencia = ?5)"
      " ORDER BY gl.prazo_recurso IS NULL, gl.prazo_recurso, gl.id DESC LIMIT ?6 OFFSET ?7";
  const char *b[5];
  char opbuf[8];
  fat_rc rc = web_query_operadora(rq, "operadora", &b[0], opbuf, err);

  if (rc != FAT_OK)
    return rc;
  b[1] = qv(rq, "situacao");
  b[2] = qv(rq, "classificacao");
  b[3] = qv(rq, "codigo");
  b[4] = qv(rq, "competencia");
  return list_into(rq, rs, sql, "glosas", b, 5, 1, err);
}

fat_rc api_glosas_resumo(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql_codigo[] =
      "SELECT gl.codigo, max(gl.descricao) AS descricao, count(*) AS quantidade,"
      " sum(gl.valor) AS valor, sum(gl.valor_recuperado) AS valor_recuperado"
      " FROM glosa gl JOIN guia g ON g.id = gl.guia_id JOIN operadora o ON o.id = g.operadora_id"
      " WHERE (?1 IS NULL OR o.script = ?1 OR o.registro_ans = ?1)"
      " AND (?2 IS NULL OR g.competencia = ?2)"
      " GROUP BY gl.codigo ORDER BY valor DESC LIMIT 30";
  static const char sql_op[] =
      "SELECT o.nome AS operadora, o.script AS operadora_chave, count(*) AS quantidade,"
      " sum(gl.valor) AS valor, sum(gl.valor_recuperado) AS valor_recuperado"
      " FROM glosa gl JOIN guia g ON g.id = gl.guia_id JOIN operadora o ON o.id = g.operadora_id"
      " WHERE (?1 IS NULL OR o.script = ?1 OR o.registro_ans = ?1)"
      " AND (?2 IS NULL OR g.competencia = ?2)"
      " GROUP BY o.id ORDER BY valor DESC";
  static const char sql_sit[] =
      "SELECT gl.situacao, gl.classificacao, count(*) AS quantidade, sum(gl.valor) AS valor"
      " FROM glosa gl JOIN guia g ON g.id = gl.guia_id JOIN operadora o ON o.id = g.operadora_id"
      " WHERE (?1 IS NULL OR o.script = ?1 OR o.registro_ans = ?1)"
      " AND (?2 IS NULL OR g.competencia = ?2)"
      " GROUP BY gl.situacao, gl.classificacao ORDER BY valor DESC";
  const char *b[2];
  char opbuf[8];
  fat_rc rc = web_query_operadora(rq, "operadora", &b[0], opbuf, err);

  if (rc != FAT_OK)
    return rc;
  b[1] = qv(rq, "competencia");
  rc = list_into(rq, rs, sql_codigo, "por_codigo", b, 2, 0, err);
  if (rc == FAT_OK)
    rc = list_into(rq, rs, sql_op, "por_operadora", b, 2, 0, err);
  if (rc == FAT_OK)
    rc = list_into(rq, rs, sql_sit, "por_situacao", b, 2, 0, err);
  return rc;
}

fat_rc api_recursos_listar(web_req *rq, web_res *rs, fat_err *err)
{
  static const char sql[] =
      "SELECT r.id, r.numero, r.status, r.resultado, r.criado_em, r.prazo, r.enviado_em,"
      " r.protocolo, r.respondido_em, r.valor_recursado, r.valor_recuperado, r.hash,"
      " (r.xml IS NOT NULL) AS tem_xml, r.lote_id, o.nome AS operadora,"
      " o.script AS operadora_chave,"
      " (SELECT count(*) FROM recurso_item ri WHERE ri.recurso_id = r.id) AS itens"
      " FROM recurso r JOIN operadora o ON o.id = r.operadora_id"
      " WHERE (?1 IS NULL OR o.script = ?1 OR o.registro_ans = ?1)"
      " AND (?2 IS NULL OR r.status = ?2)"
      " ORDER BY r.id DESC LIMIT ?3 OFFSET ?4";
  const char *b[2];
  char opbuf[8];
  fat_rc rc = web_query_operadora(rq, "operadora", &b[0], opbuf, err);

  if (rc != FAT_OK)
    return rc;
  b[1] = qv(rq, "status");
  return list_into(rq, rs, sql, "recursos", b, 2, 1, err);
}

