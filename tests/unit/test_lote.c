/* test_lote.c: closing periods, grouping by period and type, max guias,
** numbering, all-or-nothing on XSD failure, the state machine (a sent lote
** is immutable), listings and the HTML relação. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <sodium.h>

#include <libxml/parser.h>

#include "fat_acesso_log.h"
#include "fat_lote.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_rules.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"
#include "fat_tiss_hash.h"
#include "fat_tiss_validate.h"

static const char *db_path = "test_lote.db";

/* CNPJ of the prestador add_guia gives its guias (a test may switch it). */
static const char *g_cnpj = "11222333000181";

static void remove_db(void)
{
  unlink(db_path);
  unlink("test_lote.db-wal");
  unlink("test_lote.db-shm");
}

static int64_t q_int(fat_store *st, const char *sql)
{
  sqlite3_stmt *s;
  int64_t v = -1;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

static void exec(fat_store *st, const char *sql)
{
  fat_err err;

  if (fat_store_exec(st, sql, &err) != FAT_OK)
    fail_msg("%s: %s", sql, err.msg);
}

static fat_store *open_fresh(void)
{
  fat_store *st = NULL;
  fat_err err;

  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  exec(st, "INSERT INTO operadora (id, registro_ans, nome, script) VALUES "
           "(1, '312347', 'Aurora Saúde', 'aurora')");
  exec(st, "INSERT INTO prestador (id, nome, cnpj, cnes) VALUES "
           "(1, 'Clínica São João', '11222333000181', '1234567')");
  exec(st, "INSERT INTO prestador_operadora (prestador_id, operadora_id, codigo) VALUES "
           "(1, 1, 'A-10234')");
  return st;
}

/* Store one guia from JSON and mark it 'conferida'. cbo lets a test plant a
** value the writer accepts but the XSD refuses. */
static int64_t add_guia(fat_store *st, const char *tipo, const char *numero, const char *data,
                        const char *benef, const char *cbo)
{
  char json[4096];
  cJSON *j;
  fat_guia *g = NULL;
  fat_err err;
  int64_t id;
  sqlite3_stmt *s;
  int consulta = strcmp(tipo, "consulta") == 0;

  snprintf(json, sizeof json,
           "{\"tipo\": \"%s\", \"operadora\": {\"registro_ans\": \"312347\"},"
           " \"prestador\": {\"cnpj\": \"%s\"}, \"numero_prestador\": \"%s\","
           " \"carteira_numero\": \"0012345678\", \"beneficiario_nome\": \"%s\","
           " \"data_inicio\": \"%s\", \"tipo_consulta\": \"1\", \"tipo_atendimento\": \"%s\","
           " \"senha\": \"S1\", \"data_autorizacao\": \"%s\", \"cid\": \"J069\","
           " \"valor_total\": \"100.00\", \"competencia\": \"%.7s\","
           " \"executante\": {\"nome\": \"Dra. Inês\", \"cpf\": \"52998224725\", \"conselho\":"
           " \"CRM\", \"numero_conselho\": \"%s\", \"uf\": \"SP\", \"cbo\": \"%s\"},"
           " \"itens\": [{\"sequencial\": 1, \"tipo\": \"procedimento\", \"codigo_tabela\": \"22\","
           " \"codigo\": \"%s\", \"descricao\": \"Procedimento\", \"quantidade\": \"1\","
           " \"valor_unitario\": \"100.00\", \"valor_total\": \"100.00\"}]}",
           tipo, g_cnpj, numero, benef, data, consulta ? "04" : "03", data, data, cbo, cbo,
           consulta ? "10101012" : "40301010");
  j = cJSON_Parse(json);
  assert_non_null(j);
  if (fat_guia_from_json(j, &g, &err) != FAT_OK)
    fail_msg("from_json: %s", err.msg);
  cJSON_Delete(j);
  if (fat_guia_save(st, g, &err) != FAT_OK)
    fail_msg("save: %s", err.msg);
  id = g->id;
  fat_guia_free(g);
  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st),
                                      "UPDATE guia SET status = 'conferida' WHERE id = ?1", -1,
                                      &s, NULL),
                   SQLITE_OK);
  sqlite3_bind_int64(s, 1, id);
  assert_int_equal(sqlite3_step(s), SQLITE_DONE);
  sqlite3_finalize(s);
  return id;
}

static cJSON *contract(const char *lote_json)
{
  char buf[1024];
  cJSON *c;

  snprintf(buf, sizeof buf, "{\"registro_ans\": \"312347\", \"lote\": %s,"
                            " \"pagamento\": {\"prazo_dias\": 30}}", lote_json);
  c = cJSON_Parse(buf);
  assert_non_null(c);
  return c;
}

static void periodo_is(const fat_lote_cfg *cfg, const char *d, const char *ini, const char *fim)
{
  char a[11], b[11];
  fat_err err;

  assert_int_equal(fat_lote_periodo(cfg, d, a, b, &err), FAT_OK);
  assert_string_equal(a, ini);
  assert_string_equal(b, fim);
}

static void test_periodos(void **state)
{
  cJSON *c;
  fat_lote_cfg *cfg = fat_malloc(sizeof *cfg);
  fat_err err;
  char a[11], b[11];

  (void)state;
  assert_non_null(cfg);
  /* mensal, closes on the 25th (aurora) */
  c = contract("{\"periodicidade\": \"mensal\", \"fechamento_dia\": 25, \"prazo_envio_dias\": 10,"
               " \"max_guias\": 100}");
  assert_int_equal(fat_lote_cfg_from_contract(c, cfg, &err), FAT_OK);
  assert_int_equal(cfg->prazo_envio_dias, 10);
  assert_int_equal(cfg->pagamento_prazo_dias, 30);
  assert_int_equal(cfg->hash_enc, FAT_TISS_ISO88591);
  periodo_is(cfg, "2025-03-10", "2025-02-26", "2025-03-25");
  periodo_is(cfg, "2025-03-25", "2025-02-26", "2025-03-25");
  periodo_is(cfg, "2025-03-26", "2025-03-26", "2025-04-25");
  periodo_is(cfg, "2025-12-30", "2025-12-26", "2026-01-25");
  cJSON_Delete(c);
  /* max_guias above the XSD's 100 is refused (the rules refuse it at reload) */
  c = contract("{\"periodicidade\": \"quinzenal\", \"fechamento_dias\": [15, \"ultimo\"],"
               " \"prazo_envio_dias\": 5, \"max_guias\": 500}");
  assert_int_equal(fat_lote_cfg_from_contract(c, cfg, &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "lote.max_guias"));
  cJSON_Delete(c);
  /* quinzenal, 15 and the last day (vitalis) */
  c = contract("{\"periodicidade\": \"quinzenal\", \"fechamento_dias\": [15, \"ultimo\"],"
               " \"prazo_envio_dias\": 5, \"max_guias\": 100}");
  assert_int_equal(fat_lote_cfg_from_contract(c, cfg, &err), FAT_OK);
  assert_int_equal(cfg->max_guias, 100);
  periodo_is(cfg, "2024-02-20", "2024-02-16", "2024-02-29");
  periodo_is(cfg, "2025-03-01", "2025-03-01", "2025-03-15");
  periodo_is(cfg, "2025-03-15", "2025-03-01", "2025-03-15");
  cJSON_Delete(c);
  /* semanal, closes on Sunday (horizonte); 2025-03-12 is a Wednesday */
  c = contract("{\"periodicidade\": \"semanal\", \"fechamento_dia_semana\": \"domingo\","
               " \"prazo_envio_dias\": 3, \"max_guias\": 100}");
  assert_int_equal(fat_lote_cfg_from_contract(c, cfg, &err), FAT_OK);
  periodo_is(cfg, "2025-03-12", "2025-03-10", "2025-03-16");
  periodo_is(cfg, "2025-03-16", "2025-03-10", "2025-03-16");
  periodo_is(cfg, "2025-03-17", "2025-03-17", "2025-03-23");
  cJSON_Delete(c);
  /* explicit calendar (serena), with the UTF-8 hash setting */
  c = contract("{\"periodicidade\": \"calendario\", \"calendario\": [\"2025-04-10\","
               " \"2025-03-10\", \"2025-05-12\"], \"prazo_envio_dias\": 7, \"max_guias\": 80}");
  cJSON_AddItemToObject(c, "tiss", cJSON_Parse("{\"hash_encoding\": \"UTF-8\"}"));
  assert_int_equal(fat_lote_cfg_from_contract(c, cfg, &err), FAT_OK);
  assert_int_equal(cfg->hash_enc, FAT_TISS_UTF8);
  periodo_is(cfg, "2025-03-11", "2025-03-11", "2025-04-10");
  periodo_is(cfg, "2025-04-11", "2025-04-11", "2025-05-12");
  periodo_is(cfg, "2025-03-01", "2025-02-11", "2025-03-10");
  assert_int_equal(fat_lote_periodo(cfg, "2025-06-01", a, b, &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "calendário"));
  cJSON_Delete(c);
  /* contracts that cannot be used */
  c = contract("{\"periodicidade\": \"bimestral\"}");
  assert_int_equal(fat_lote_cfg_from_contract(c, cfg, &err), FAT_EINVAL);
  assert_non_null(strstr(err.msg, "bimestral"));
  cJSON_Delete(c);
  c = cJSON_Parse("{\"registro_ans\": \"1\"}");
  assert_int_equal(fat_lote_cfg_from_contract(c, cfg, &err), FAT_EINVAL);
  cJSON_Delete(c);
  fat_free(cfg);
}

static const char *xsd(void) { return getenv("FATURO_XSD_DIR"); }

static void test_fechar_agrupa(void **state)
{
  fat_store *st = open_fresh();
  fat_lote_fechar_opts o;
  fat_lote_fechar_res res;
  cJSON *c;
  fat_err err;
  int64_t bloq, dig, late;
  size_t i;
  char *xml;
  size_t len;
  char arq[80];

  (void)state;
  add_guia(st, "sp-sadt", "S1", "2025-03-01", "Ana", "225125");
  add_guia(st, "sp-sadt", "S2", "2025-03-02", "Bia", "225125");
  add_guia(st, "sp-sadt", "S3", "2025-03-03", "Caio", "225125");
  add_guia(st, "sp-sadt", "S4", "2025-03-04", "Davi", "225125");
  add_guia(st, "sp-sadt", "S5", "2025-03-05", "Eva", "225125");
  add_guia(st, "sp-sadt", "S6", "2025-03-27", "Fábio", "225125"); /* next period */
  add_guia(st, "consulta", "C1", "2025-03-06", "Gil", "225125");
  add_guia(st, "consulta", "C2", "2025-03-07", "Hugo", "225125");
  bloq = add_guia(st, "sp-sadt", "S7", "2025-03-08", "Ivo", "225125");
  exec(st, "INSERT INTO achado (guia_id, codigo, severidade, mensagem, regra, guia_revisao) "
           "SELECT id, 'SENHA_AUSENTE', 'bloqueio', 'sem senha', 'builtin:x', 1 FROM guia "
           "WHERE numero_prestador = 'S7'");
  /* an acknowledged bloqueio and an alerta do not hold a guia back */
  exec(st, "INSERT INTO achado (guia_id, codigo, severidade, mensagem, regra, guia_revisao,"
           " reconhecido_em) SELECT id, 'X', 'bloqueio', 'ok', 'builtin:x', 1,"
           " '2025-03-10T00:00:00Z' FROM guia WHERE numero_prestador = 'S1'");
  exec(st, "INSERT INTO achado (guia_id, codigo, severidade, mensagem, regra, guia_revisao) "
           "SELECT id, 'Y', 'alerta', 'atenção', 'builtin:y', 1 FROM guia "
           "WHERE numero_prestador = 'S2'");
  dig = add_guia(st, "sp-sadt", "S8", "2025-03-09", "Juca", "225125");
  exec(st, "UPDATE guia SET status = 'digitada' WHERE numero_prestador = 'S8'");
  late = add_guia(st, "sp-sadt", "S9", "2025-04-02", "Lia", "225125"); /* after --ate */

  c = contract("{\"periodicidade\": \"mensal\", \"fechamento_dia\": 25, \"prazo_envio_dias\": 10,"
               " \"max_guias\": 2}");
  memset(&o, 0, sizeof o);
  o.operadora = "aurora";
  o.ate = "2025-03-31";
  o.hoje = "2025-04-01";
  o.xsd_dir = xsd();
  if (fat_lote_fechar_contrato(st, &o, c, &res, &err) != FAT_OK)
    fail_msg("fechar: %s", err.msg);
  assert_true(res.validado);
  /* consulta: 1 lote of 2; SADT period 1 (S1..S5): 3 lotes (2, 2, 1);
  ** SADT period 2 (S6): 1 lote */
  assert_int_equal(res.n, 5);
  assert_int_equal(res.guias, 8);
  {
    int sadt_p1 = 0, sadt_p2 = 0, cons = 0;

    for (i = 0; i < res.n; i++) {
      const fat_lote_info *l = &res.lotes[i];

      assert_int_equal(l->numero, (int64_t)i + 1); /* numbered from proximo_lote = 1 */
      assert_true(l->qtd_guias >= 1 && l->qtd_guias <= 2);
      assert_int_equal(strlen(l->arquivo), 20 + 1 + 32 + 4);
      assert_memory_equal(l->arquivo, "0000000000000000000", 19);
      if (strcmp(l->tipo, "consulta") == 0) {
        cons += l->qtd_guias;
        assert_string_equal(l->periodo_fim, "2025-03-25");
      } else if (strcmp(l->periodo_fim, "2025-03-25") == 0) {
        sadt_p1 += l->qtd_guias;
        assert_string_equal(l->periodo_inicio, "2025-02-26");
        assert_string_equal(l->prazo_envio, "2025-04-04");
      } else {
        assert_string_equal(l->periodo_fim, "2025-04-25");
        sadt_p2 += l->qtd_guias;
      }
      /* the stored XML is the file: XSD-valid, hash = epilogo = name */
      assert_int_equal(fat_lote_xml(st, l->id, &xml, &len, arq, &err), FAT_OK);
      assert_string_equal(arq, l->arquivo);
      {
        fat_tiss_hash_check hc;
        fat_tiss_xsd_result xr;

        assert_int_equal(fat_tiss_hash_check_memory(xml, len, FAT_TISS_ISO88591, &hc, &err),
                         FAT_OK);
        assert_true(hc.confere);
        assert_string_equal(hc.calculado, l->hash);
        assert_int_equal(fat_tiss_validate_memory(xsd(), xml, len, &xr, &err), FAT_OK);
        assert_true(xr.valido);
        fat_tiss_xsd_result_fini(&xr);
      }
      fat_free(xml);
    }
    assert_int_equal(cons, 2);
    assert_int_equal(sadt_p1, 5);
    assert_int_equal(sadt_p2, 1);
  }
  assert_int_equal(q_int(st, "SELECT proximo_lote FROM operadora WHERE id = 1"), 6);
  assert_int_equal(q_int(st, "SELECT COUNT(*) FROM guia WHERE status = 'em_lote' AND lote_id "
                             "IS NOT NULL"), 8);
  assert_int_equal(q_int(st, "SELECT COUNT(*) FROM lote WHERE status = 'fechado' AND validado"),
                   5);
  assert_int_equal(q_int(st, "SELECT COUNT(*) FROM lote_evento WHERE para = 'fechado'"), 5);
  (void)bloq;
  (void)dig;
  (void)late;
  assert_int_equal(q_int(st, "SELECT COUNT(*) FROM guia WHERE numero_prestador IN ('S7', 'S8',"
                             " 'S9') AND lote_id IS NULL"), 3);
  fat_lote_fechar_res_fini(&res);
  /* nothing left: a second run closes nothing */
  assert_int_equal(fat_lote_fechar_contrato(st, &o, c, &res, &err), FAT_OK);
  assert_int_equal(res.n, 0);
  fat_lote_fechar_res_fini(&res);
  /* --competencia filters */
  o.ate = "2025-04-30";
  o.competencia = "2025-05";
  assert_int_equal(fat_lote_fechar_contrato(st, &o, c, &res, &err), FAT_OK);
  assert_int_equal(res.n, 0);
  fat_lote_fechar_res_fini(&res);
  cJSON_Delete(c);
  fat_store_close(st);
}

/* One guia the TISS XSD cannot carry no longer stops the operadora's lotes:
** it is held back, named with the reason, and the others close. S2 has a CBO
** the writer writes but the XSD refuses; S3 has no carteira (its CARTEIRA
** bloqueio acknowledged), which the XSD requires. */
static void test_fechar_retem_so_o_que_nao_pode_ir(void **state)
{
  fat_store *st = open_fresh();
  fat_lote_fechar_opts o;
  fat_lote_fechar_res res;
  cJSON *c;
  fat_err err;
  size_t i;
  int s2 = 0, s3 = 0;

  (void)state;
  add_guia(st, "sp-sadt", "S1", "2025-03-01", "Ana", "225125");
  add_guia(st, "consulta", "C1", "2025-03-02", "Bia", "225125");
  /* 123456 is not a dm_CBOS code: the writer writes it, the XSD refuses it */
  add_guia(st, "sp-sadt", "S2", "2025-03-03", "Caio", "123456");
  add_guia(st, "sp-sadt", "S3", "2025-03-04", "Duda", "225125");
  exec(st, "UPDATE guia SET carteira_numero = NULL WHERE numero_prestador = 'S3'");
  exec(st, "INSERT INTO achado (guia_id, codigo, severidade, mensagem, regra, guia_revisao,"
           " reconhecido_em, reconhecido_por, reconhecido_motivo) SELECT id, 'CARTEIRA_AUSENTE',"
           " 'bloqueio', 'sem carteira', 'builtin:t', 1, '2025-03-31T10:00:00Z', 'ana', 'pedida'"
           " FROM guia WHERE numero_prestador = 'S3'");
  c = contract("{\"periodicidade\": \"mensal\", \"fechamento_dia\": 25, \"prazo_envio_dias\": 10,"
               " \"max_guias\": 100}");
  memset(&o, 0, sizeof o);
  o.operadora = "312347";
  o.ate = "2025-03-31";
  o.hoje = "2025-04-01";
  o.xsd_dir = xsd();
  if (fat_lote_fechar_contrato(st, &o, c, &res, &err) != FAT_OK)
    fail_msg("fechar: %s", err.msg);
  assert_int_equal(res.n, 2); /* sp-sadt with S1, consulta with C1 */
  assert_true(res.validado);
  assert_int_equal(res.guias, 2);
  assert_int_equal(res.n_retidas, 2);
  for (i = 0; i < res.n_retidas; i++) {
    if (strcmp(res.retidas[i].numero, "S2") == 0) {
      s2 = 1;
      assert_non_null(strstr(res.retidas[i].motivo, "CBOS"));
    } else if (strcmp(res.retidas[i].numero, "S3") == 0) {
      s3 = 1;
      assert_string_equal(res.retidas[i].campo, "carteira_numero");
      assert_non_null(strstr(res.retidas[i].motivo, "carteira"));
    }
  }
  assert_true(s2 && s3);
  fat_lote_fechar_res_fini(&res);
  assert_int_equal(q_int(st, "SELECT COUNT(*) FROM guia WHERE numero_prestador IN ('S2', 'S3')"
                             " AND status = 'conferida' AND lote_id IS NULL"), 2);
  assert_int_equal(q_int(st, "SELECT COUNT(*) FROM guia WHERE numero_prestador IN ('S1', 'C1')"
                             " AND status = 'em_lote'"), 2);
  /* no number burned by the refused file */
  assert_int_equal(q_int(st, "SELECT min(numero) = 1 AND max(numero) = 2 AND count(*) = 2"
                             " FROM lote"), 1);
  assert_int_equal(q_int(st, "SELECT proximo_lote FROM operadora"), 3);
  /* without an XSD folder S2 goes (not validated); S3 never can */
  o.xsd_dir = NULL;
  assert_int_equal(fat_lote_fechar_contrato(st, &o, c, &res, &err), FAT_OK);
  assert_int_equal(res.n, 1);
  assert_false(res.validado);
  assert_int_equal(res.n_retidas, 1);
  assert_string_equal(res.retidas[0].numero, "S3");
  fat_lote_fechar_res_fini(&res);
  /* unknown operadora and broken XSD folder are refused before any work */
  o.operadora = "999999";
  assert_int_equal(fat_lote_fechar_contrato(st, &o, c, &res, &err), FAT_ENOTFOUND);
  o.operadora = "aurora";
  o.xsd_dir = "/nao/existe";
  assert_int_equal(fat_lote_fechar_contrato(st, &o, c, &res, &err), FAT_EIO);
  cJSON_Delete(c);
  fat_store_close(st);
}

/* Out of memory at every allocation of a closing: a clean FAT_ENOMEM and
** nothing written, until the closing succeeds (ASan checks for leaks). */
/* A guia that enters another lote while the lote is being written (another
** process) fails the whole closing with its id, and nothing stays written:
** the guias are marked with one statement per lote (the UPDATE of all of
** them), checked by count, and the guia named is the one not free. */
static void test_fechar_guia_tomada_por_outro_lote_desfaz_tudo(void **state)
{
  fat_store *st = open_fresh();
  fat_lote_fechar_opts o;
  fat_lote_fechar_res res;
  cJSON *c;
  fat_err err;
  char want[48];
  int64_t s2;

  (void)state;
  add_guia(st, "sp-sadt", "S1", "2025-03-01", "Ana", "225125");
  s2 = add_guia(st, "sp-sadt", "S2", "2025-03-02", "Bia", "225125");
  add_guia(st, "sp-sadt", "S3", "2025-03-03", "Caio", "225125");
  exec(st, "INSERT INTO lote (id, operadora_id, prestador_id, numero, tipo_guia, status)"
           " VALUES (99, 1, 1, 99, 'consulta', 'aberto');"
           /* a schema trigger, not a TEMP one: the closing's transaction
           ** sets temp_store (fat_store_begin_bulk), which drops TEMP objects */
           "CREATE TRIGGER tomada AFTER INSERT ON lote_xml BEGIN"
           " UPDATE guia SET lote_id = 99 WHERE numero_prestador = 'S2'; END");
  c = contract("{\"periodicidade\": \"mensal\", \"fechamento_dia\": 25, \"prazo_envio_dias\": 10,"
               " \"max_guias\": 100}");
  memset(&o, 0, sizeof o);
  o.operadora = "aurora";
  o.ate = "2025-03-31";
  o.hoje = "2025-04-01";
  o.xsd_dir = xsd();
  assert_int_equal(fat_lote_fechar_contrato(st, &o, c, &res, &err), FAT_ESTATE);
  snprintf(want, sizeof want, "guia %" PRId64 " entrou em outro lote", s2);
  assert_non_null(strstr(err.msg, want));
  assert_int_equal(q_int(st, "SELECT count(*) FROM lote"), 1);
  assert_int_equal(q_int(st, "SELECT count(*) FROM lote_xml"), 0);
  assert_int_equal(q_int(st, "SELECT count(*) FROM guia WHERE lote_id IS NOT NULL"), 0);
  assert_int_equal(q_int(st, "SELECT count(*) FROM guia WHERE status = 'conferida'"), 3);
  cJSON_Delete(c);
  fat_store_close(st);
  remove_db();
}

static void test_fechar_oom(void **state)
{
  fat_store *st = open_fresh();
  fat_lote_fechar_opts o;
  fat_lote_fechar_res res;
  cJSON *c;
  fat_err err;
  fat_rc rc;
  long n;
  int ok = 0;

  (void)state;
  add_guia(st, "sp-sadt", "S1", "2025-03-01", "Ana", "225125");
  add_guia(st, "sp-sadt", "S2", "2025-03-03", "Caio", "123456"); /* held back by the XSD */
  add_guia(st, "consulta", "C1", "2025-03-02", "Bia", "225125");
  c = contract("{\"periodicidade\": \"mensal\", \"fechamento_dia\": 25, \"prazo_envio_dias\": 10,"
               " \"max_guias\": 100}");
  memset(&o, 0, sizeof o);
  o.operadora = "312347";
  o.ate = "2025-03-31";
  o.hoje = "2025-04-01";
  o.xsd_dir = xsd();
  /* load the schema outside the loop: it is cached per process */
  assert_int_equal(fat_tiss_schema_load(o.xsd_dir, &err), FAT_OK);
  for (n = 0; !ok && n < 100000; n++) {
    fat_err_clear(&err);
    fat_test_fail_alloc_after(n);
    rc = fat_lote_fechar_contrato(st, &o, c, &res, &err);
    fat_test_fail_alloc_after(-1);
    if (rc == FAT_OK) {
      ok = 1;
      assert_int_equal(res.n, 2);
      assert_int_equal(res.n_retidas, 1);
      fat_lote_fechar_res_fini(&res);
      break;
    }
    if (rc != FAT_ENOMEM)
      fail_msg("falha %ld: código %d (%s)", n, rc, err.msg);
    assert_int_equal(res.n, 0);
    assert_null(res.lotes);
    assert_null(res.retidas);
    assert_int_equal(q_int(st, "SELECT COUNT(*) FROM lote"), 0);
    assert_int_equal(q_int(st, "SELECT proximo_lote FROM operadora"), 1);
    assert_int_equal(q_int(st, "SELECT COUNT(*) FROM guia WHERE lote_id IS NOT NULL"), 0);
  }
  assert_true(ok);
  assert_true(n > 20);
  cJSON_Delete(c);
  fat_store_close(st);
}

/* Append what one closing did to t: each lote (number, group, period,
** count, value, hash, file name, a BLAKE2b of its XML bytes, its guias by
** número) and each guia held back (número, field, reason). */
static void digest_closing(fat_store *st, const fat_lote_fechar_res *res, char *t, size_t cap)
{
  size_t i, len = strlen(t);
  fat_err err;

  for (i = 0; i < res->n; i++) {
    const fat_lote_info *l = &res->lotes[i];
    unsigned char h[16];
    char hex[33], arq[80], sql[160];
    char *xml;
    size_t xlen;
    sqlite3_stmt *s;

    assert_int_equal(fat_lote_xml(st, l->id, &xml, &xlen, arq, &err), FAT_OK);
    crypto_generichash(h, sizeof h, (const unsigned char *)xml, xlen, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    fat_free(xml);
    len += (size_t)snprintf(t + len, cap - len,
                            "L %lld %s %s %s..%s %s %d %lld %s %s %d %s:", (long long)l->numero,
                            l->tipo, l->competencia, l->periodo_inicio, l->periodo_fim,
                            l->prazo_envio, l->qtd_guias, (long long)l->valor, l->hash,
                            l->arquivo, l->reaberto, hex);
    snprintf(sql, sizeof sql, "SELECT numero_prestador FROM guia WHERE lote_id = %lld ORDER BY id",
             (long long)l->id);
    assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW)
      len += (size_t)snprintf(t + len, cap - len, " %s", sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    len += (size_t)snprintf(t + len, cap - len, "\n");
    assert_true(len < cap);
  }
  for (i = 0; i < res->n_retidas; i++)
    len += (size_t)snprintf(t + len, cap - len, "R %s %s %s\n", res->retidas[i].numero,
                            res->retidas[i].campo, res->retidas[i].motivo);
  assert_true(len < cap);
}

static void digest_is(const char *t, const char *expected)
{
  unsigned char h[16];
  char hex[33];

  crypto_generichash(h, sizeof h, (const unsigned char *)t, strlen(t), NULL, 0);
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  if (strcmp(hex, expected) != 0) {
    FILE *f = fopen("test_lote_fechamento.txt", "w"); /* cmocka cuts long messages */

    if (f != NULL) {
      fputs(t, f);
      fclose(f);
    }
    fail_msg("resumo %s, esperado %s; o fechamento está em test_lote_fechamento.txt:\n%s", hex,
             expected, t);
  }
}

/* Many lotes of two prestadores, two guia types, two competências and three
** periods, with guias the XSD cannot carry, guias it refuses, blocked ones,
** later ones and a reopened lote, closed at a fixed hora: the lotes, their
** guias, numbers, hashes and XML bytes are exactly those the closing gave
** when it loaded every ready guia at once (the digests below were taken
** from that closing, main at a9d4102), now that it reads them page by page. */
static void test_fechar_em_paginas_igual_ao_fechamento_de_uma_vez(void **state)
{
  static char t[64 * 1024];
  fat_store *st = open_fresh();
  fat_lote_fechar_opts o;
  fat_lote_fechar_res res;
  cJSON *c;
  fat_err err;
  char num[16], data[11], nome[16];
  int i;

  (void)state;
  assert_true(sodium_init() >= 0);
  exec(st, "INSERT INTO prestador (id, nome, cnpj, cnes) VALUES "
           "(2, 'Clínica Vila Nova', '11444777000161', '7654321')");
  exec(st, "INSERT INTO prestador_operadora (prestador_id, operadora_id, codigo) VALUES "
           "(2, 1, 'B-20077')");
  for (i = 0; i < 130; i++) {
    int p2 = i % 3 == 2;

    g_cnpj = p2 ? "11444777000161" : "11222333000181";
    snprintf(num, sizeof num, "%s-%03d", p2 ? "B" : "A", i);
    snprintf(nome, sizeof nome, "Pessoa %d", i);
    if (i % 11 == 10)
      snprintf(data, sizeof data, "2025-04-%02d", 1 + (i * 7) % 20); /* some after --ate */
    else
      snprintf(data, sizeof data, "2025-03-%02d", 1 + (i * 13) % 31);
    add_guia(st, i % 4 == 0 ? "consulta" : "sp-sadt", num, data, nome,
             i % 17 == 5 ? "123456" : "225125");
  }
  g_cnpj = "11222333000181";
  /* no carteira (bloqueio acknowledged): the XSD cannot carry them */
  exec(st, "UPDATE guia SET carteira_numero = NULL WHERE id % 13 = 7");
  exec(st, "INSERT INTO achado (guia_id, codigo, severidade, mensagem, regra, guia_revisao,"
           " reconhecido_em) SELECT id, 'CARTEIRA_AUSENTE', 'bloqueio', 'sem carteira',"
           " 'builtin:t', 1, '2025-03-31T10:00:00Z' FROM guia WHERE id % 13 = 7");
  /* an open bloqueio: not ready */
  exec(st, "INSERT INTO achado (guia_id, codigo, severidade, mensagem, regra, guia_revisao) "
           "SELECT id, 'SENHA_AUSENTE', 'bloqueio', 'sem senha', 'builtin:x', 1 FROM guia "
           "WHERE id % 19 = 3");
  /* competência other than the month of the date, or none */
  exec(st, "UPDATE guia SET competencia = '2025-02' WHERE id % 23 = 4");
  exec(st, "UPDATE guia SET competencia = NULL WHERE id % 29 = 6");
  c = contract("{\"periodicidade\": \"quinzenal\", \"fechamento_dias\": [15, \"ultimo\"],"
               " \"prazo_envio_dias\": 5, \"max_guias\": 7}");
  memset(&o, 0, sizeof o);
  o.operadora = "aurora";
  o.ate = "2025-04-10";
  o.hoje = "2025-04-11";
  o.hora = "10:20:30";
  o.xsd_dir = xsd();
  /* 1: only competência 2025-02; then its first lote is reopened */
  o.competencia = "2025-02";
  t[0] = '\0';
  if (fat_lote_fechar_contrato(st, &o, c, &res, &err) != FAT_OK)
    fail_msg("fechar: %s", err.msg);
  assert_true(res.n >= 1);
  digest_closing(st, &res, t, sizeof t);
  assert_int_equal(fat_lote_reabrir(st, res.lotes[0].id, "teste", &err), FAT_OK);
  fat_lote_fechar_res_fini(&res);
  digest_is(t, "472aab49f43bed635416db2595159a34");
  /* 2: everything up to --ate */
  o.competencia = NULL;
  t[0] = '\0';
  if (fat_lote_fechar_contrato(st, &o, c, &res, &err) != FAT_OK)
    fail_msg("fechar: %s", err.msg);
  assert_true(res.n > 10);
  assert_true(res.n_retidas > 5);
  digest_closing(st, &res, t, sizeof t);
  fat_lote_fechar_res_fini(&res);
  digest_is(t, "6d2c8a8c94d5132b72f27ef9b98193ec");
  cJSON_Delete(c);
  fat_store_close(st);
}

/* Close one lote of two guias under pagamento_json, send it on envio, return
** its previsão; then protocol it on protocolo and return the new one in p2. */
static void previsao_de(const char *pagamento_json, const char *envio, const char *protocolo,
                        char p1[11], char p2[11])
{
  fat_store *st = open_fresh();
  fat_lote_fechar_opts o;
  fat_lote_fechar_res res;
  char buf[1024];
  cJSON *c;
  fat_err err;
  int64_t id;
  sqlite3_stmt *s;

  add_guia(st, "sp-sadt", "S1", "2025-03-01", "Ana", "225125");
  snprintf(buf, sizeof buf,
           "{\"registro_ans\": \"312347\", \"lote\": {\"periodicidade\": \"mensal\","
           " \"fechamento_dia\": 25, \"prazo_envio_dias\": 10, \"max_guias\": 100},"
           " \"pagamento\": %s}",
           pagamento_json);
  c = cJSON_Parse(buf);
  assert_non_null(c);
  memset(&o, 0, sizeof o);
  o.operadora = "aurora";
  o.ate = "2025-03-31";
  o.hoje = "2025-04-01";
  assert_int_equal(fat_lote_fechar_contrato(st, &o, c, &res, &err), FAT_OK);
  assert_int_equal(res.n, 1);
  id = res.lotes[0].id;
  fat_lote_fechar_res_fini(&res);
  cJSON_Delete(c);
  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st),
                                      "SELECT COALESCE(previsao_pagamento, '') FROM lote"
                                      " WHERE id = ?1",
                                      -1, &s, NULL),
                   SQLITE_OK);
  sqlite3_bind_int64(s, 1, id);
  assert_int_equal(fat_lote_enviado(st, id, envio, &err), FAT_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  snprintf(p1, 11, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_reset(s);
  assert_int_equal(fat_lote_protocolo(st, id, "P-1", protocolo, &err), FAT_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  snprintf(p2, 11, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  fat_store_close(st);
}

/* The whole content of file path (fat_free), its length in *len; NULL when
** it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;

  *len = 0;
  if (f == NULL)
    return NULL;
  if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return NULL;
  }
  buf = fat_malloc((size_t)n + 1);
  if (buf != NULL)
    *len = fread(buf, 1, (size_t)n, f);
  fclose(f);
  return buf;
}

/* Files in dir (not . and ..). */
static int count_files(const char *dir)
{
  char cmd[300];
  FILE *p;
  int n = -1;

  snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
  p = popen(cmd, "r");
  if (p == NULL || fscanf(p, "%d", &n) != 1)
    n = -1;
  if (p != NULL)
    pclose(p);
  return n;
}

/* --saida: the closing writes each lote's file itself, from the XML it has
** just validated: the bytes are those stored for the lote (fat_lote_xml), no
** .tmp is left, and each file is one access-log row naming its guias and
** their beneficiários, as the files written after the closing were. */
static void test_fechar_com_saida_grava_os_bytes_guardados_e_o_acesso(void **state)
{
  fat_store *st = open_fresh();
  fat_lote_fechar_opts o;
  fat_lote_fechar_res res;
  fat_leitor leitor = {NULL, FAT_PAPEL_NENHUM, "cli", "lote fechar", NULL, 1};
  char dir[] = "test_lote_saidaXXXXXX", path[400], arq[80], want[160];
  char *xml, *file;
  size_t len, flen, i;
  cJSON *c;
  fat_err err;
  int64_t g1, g3;

  (void)state;
  assert_non_null(mkdtemp(dir));
  exec(st, "INSERT INTO beneficiario (id, nome, cpf) VALUES (7, 'Ana', '52998224725')");
  g1 = add_guia(st, "sp-sadt", "S1", "2025-03-01", "Ana", "225125");
  add_guia(st, "sp-sadt", "S2", "2025-03-02", "Bia", "225125");
  g3 = add_guia(st, "sp-sadt", "S3", "2025-03-03", "Caio", "225125");
  exec(st, "UPDATE guia SET beneficiario_id = CASE numero_prestador WHEN 'S2' THEN NULL"
           " ELSE 7 END");
  c = contract("{\"periodicidade\": \"mensal\", \"fechamento_dia\": 25, \"prazo_envio_dias\": 10,"
               " \"max_guias\": 2}");
  memset(&o, 0, sizeof o);
  o.operadora = "aurora";
  o.ate = "2025-03-31";
  o.hoje = "2025-04-01";
  o.hora = "09:00:00";
  o.xsd_dir = xsd();
  o.saida = dir;
  o.leitor = &leitor;
  if (fat_lote_fechar_contrato(st, &o, c, &res, &err) != FAT_OK)
    fail_msg("fechar: %s", err.msg);
  assert_int_equal(res.n, 2);
  assert_int_equal(res.arquivos.rc, FAT_OK);
  assert_int_equal(count_files(dir), 2);
  for (i = 0; i < res.n; i++) {
    assert_int_equal(fat_lote_xml(st, res.lotes[i].id, &xml, &len, arq, &err), FAT_OK);
    assert_string_equal(arq, res.lotes[i].arquivo);
    snprintf(path, sizeof path, "%s/%s", dir, arq);
    file = slurp(path, &flen);
    assert_non_null(file);
    assert_int_equal(flen, len);
    assert_memory_equal(file, xml, len);
    fat_free(file);
    fat_free(xml);
    unlink(path);
  }
  assert_int_equal(q_int(st, "SELECT count(*) FROM acesso WHERE acao = 'lote fechar'"
                             " AND objeto = 'guia' AND completo = 1"),
                   2);
  snprintf(want, sizeof want,
           "SELECT count(*) FROM acesso WHERE registros = '%" PRId64 "-%" PRId64 "'", g1, g1 + 1);
  assert_int_equal(q_int(st, want), 1); /* the first lote: S1 and S2 */
  snprintf(want, sizeof want, "SELECT count(*) FROM acesso WHERE registros = '%" PRId64 "'", g3);
  assert_int_equal(q_int(st, want), 1);
  assert_int_equal(q_int(st, "SELECT count(*) FROM acesso WHERE beneficiarios = ',7,'"), 2);
  /* the same rows as the lookup by lote (how the files were logged before) */
  leitor.acao = "conferencia";
  for (i = 0; i < res.n; i++)
    assert_int_equal(fat_acesso_registrar_lote(st, &leitor, res.lotes[i].id, 1, &err), FAT_OK);
  assert_int_equal(q_int(st, "SELECT count(*) FROM acesso a JOIN acesso b"
                             " ON b.acao = 'conferencia' AND b.registros = a.registros"
                             " AND b.beneficiarios IS a.beneficiarios AND b.n = a.n"
                             " WHERE a.acao = 'lote fechar'"),
                   2);
  fat_lote_fechar_res_fini(&res);
  cJSON_Delete(c);
  fat_store_close(st);
  rmdir(dir);
  remove_db();
}

/* A closing with --saida that fails after its first lote's file was written
** closes nothing and leaves no file (nor a .tmp) and no access-log row; a
** folder that does not exist closes nothing either. */
static void test_fechar_com_saida_que_falha_nao_deixa_arquivo(void **state)
{
  fat_store *st = open_fresh();
  fat_lote_fechar_opts o;
  fat_lote_fechar_res res;
  fat_leitor leitor = {NULL, FAT_PAPEL_NENHUM, "cli", "lote fechar", NULL, 1};
  char dir[] = "test_lote_saidaXXXXXX", nodir[64];
  cJSON *c;
  fat_err err;

  (void)state;
  assert_non_null(mkdtemp(dir));
  add_guia(st, "sp-sadt", "S1", "2025-03-01", "Ana", "225125");
  add_guia(st, "sp-sadt", "S2", "2025-03-02", "Bia", "225125");
  add_guia(st, "sp-sadt", "S3", "2025-03-03", "Caio", "225125");
  exec(st, "CREATE TRIGGER segundo_falha AFTER INSERT ON lote"
           " WHEN (SELECT count(*) FROM lote) > 1"
           " BEGIN SELECT RAISE(ABORT, 'segundo lote recusado'); END");
  c = contract("{\"periodicidade\": \"mensal\", \"fechamento_dia\": 25, \"prazo_envio_dias\": 10,"
               " \"max_guias\": 2}");
  memset(&o, 0, sizeof o);
  o.operadora = "aurora";
  o.ate = "2025-03-31";
  o.hoje = "2025-04-01";
  o.xsd_dir = xsd();
  o.saida = dir;
  o.leitor = &leitor;
  assert_int_not_equal(fat_lote_fechar_contrato(st, &o, c, &res, &err), FAT_OK);
  assert_int_equal(count_files(dir), 0);
  assert_int_equal(q_int(st, "SELECT count(*) FROM lote"), 0);
  assert_int_equal(q_int(st, "SELECT count(*) FROM acesso"), 0);
  assert_int_equal(q_int(st, "SELECT count(*) FROM guia WHERE status = 'conferida'"), 3);
  exec(st, "DROP TRIGGER segundo_falha");
  snprintf(nodir, sizeof nodir, "%s/nao_existe", dir);
  o.saida = nodir;
  assert_int_equal(fat_lote_fechar_contrato(st, &o, c, &res, &err), FAT_EIO);
  assert_non_null(strstr(err.msg, "nao_existe"));
  assert_int_equal(q_int(st, "SELECT count(*) FROM lote"), 0);
  assert_int_equal(q_int(st, "SELECT count(*) FROM acesso"), 0);
  cJSON_Delete(c);
  fat_store_close(st);
  rmdir(dir);
  remove_db();
}

static void test_previsao_do_lote_segue_os_termos_do_contrato(void **state)
{
  char p1[11], p2[11];

  (void)state;
  /* 10 business days from the protocolo, paid on day 5 or 20. Sent Wed
  ** 2025-04-02, no protocolo yet: counted from the envio, 04-03..04-16 ->
  ** day 20 (Sunday) -> 21 is Tiradentes -> Tue 2025-04-22. Protocolled Mon
  ** 2025-04-07: 04-08..04-17, skipping Good Friday 04-18 and 04-21, -> 04-23
  ** -> next fixed day is 2025-05-05 (Monday). */
  previsao_de("{\"prazo_dias\": 10, \"contar_de\": \"protocolo\", \"dias_uteis\": true,"
              " \"dias_do_mes\": [20, 5]}",
              "2025-04-02", "2025-04-07", p1, p2);
  assert_string_equal(p1, "2025-04-22");
  assert_string_equal(p2, "2025-05-05");
  /* 30 calendar days from the envio: 2025-04-05 (Sat) + 30 = 2025-05-05
  ** (Mon); the protocolo on 2025-04-10 does not move it. */
  previsao_de("{\"prazo_dias\": 30}", "2025-04-05", "2025-04-10", p1, p2);
  assert_string_equal(p1, "2025-05-05");
  assert_string_equal(p2, "2025-05-05");
  /* no pagamento term: no previsão */
  previsao_de("{}", "2025-04-05", "2025-04-10", p1, p2);
  assert_string_equal(p1, "");
  assert_string_equal(p2, "");
}

static void test_estados(void **state)
{
  fat_store *st = open_fresh();
  fat_lote_fechar_opts o;
  fat_lote_fechar_res res;
  cJSON *c, *list, *it, *mapa;
  fat_err err;
  int64_t id, numero;
  char *html;
  size_t len;

  (void)state;
  add_guia(st, "sp-sadt", "S1", "2025-03-01", "Ana <b>&amp; \\\"Zé\\\"</b>", "225125");
  add_guia(st, "sp-sadt", "S2", "2025-03-02", "Bia", "225125");
  c = contract("{\"periodicidade\": \"mensal\", \"fechamento_dia\": 25, \"prazo_envio_dias\": 10,"
               " \"max_guias\": 100}");
  memset(&o, 0, sizeof o);
  o.operadora = "aurora";
  o.ate = "2025-03-31";
  o.hoje = "2025-04-01";
  o.xsd_dir = xsd();
  assert_int_equal(fat_lote_fechar_contrato(st, &o, c, &res, &err), FAT_OK);
  assert_int_equal(res.n, 1);
  id = res.lotes[0].id;
  numero = res.lotes[0].numero;
  fat_lote_fechar_res_fini(&res);

  /* listing: prazo 2025-04-04; on 04-02 it is due soon, on 04-10 late */
  assert_int_equal(fat_lote_listar(st, "aurora", "2025-04-02", &list, &err), FAT_OK);
  it = cJSON_GetArrayItem(list, 0);
  assert_string_equal(cJSON_GetObjectItem(it, "situacao_prazo")->valuestring, "vence_em_breve");
  assert_int_equal(cJSON_GetObjectItem(it, "dias_para_prazo")->valueint, 2);
  cJSON_Delete(list);
  assert_int_equal(fat_lote_listar(st, NULL, "2025-04-10", &list, &err), FAT_OK);
  it = cJSON_GetArrayItem(list, 0);
  assert_string_equal(cJSON_GetObjectItem(it, "situacao_prazo")->valuestring, "atrasado");
  cJSON_Delete(list);

  /* reopen: guias go back, number kept for the next closing */
  assert_int_equal(fat_lote_reabrir(st, id, NULL, &err), FAT_EINVAL);
  assert_int_equal(fat_lote_reabrir(st, id, "guia S2 com valor errado", &err), FAT_OK);
  assert_int_equal(q_int(st, "SELECT COUNT(*) FROM guia WHERE status = 'conferida' AND lote_id"
                             " IS NULL"), 2);
  assert_int_equal(q_int(st, "SELECT COUNT(*) FROM auditoria WHERE acao = 'lote.reabrir'"), 1);
  assert_int_equal(fat_lote_reabrir(st, id, "de novo", &err), FAT_ESTATE);
  assert_int_equal(fat_lote_enviado(st, id, "2025-04-02", &err), FAT_ESTATE);
  assert_int_equal(fat_lote_fechar_contrato(st, &o, c, &res, &err), FAT_OK);
  assert_int_equal(res.n, 1);
  assert_int_equal(res.lotes[0].id, id);
  assert_int_equal(res.lotes[0].numero, numero);
  assert_true(res.lotes[0].reaberto);
  fat_lote_fechar_res_fini(&res);
  assert_int_equal(q_int(st, "SELECT proximo_lote FROM operadora"), 2);

  /* protocol before sending is refused; send; then it is immutable */
  assert_int_equal(fat_lote_protocolo(st, id, "P1", "2025-04-03", &err), FAT_ESTATE);
  assert_int_equal(fat_lote_enviado(st, id, "2025-04-31", &err), FAT_EINVAL);
  assert_int_equal(fat_lote_enviado(st, id, "2025-04-02", &err), FAT_OK);
  assert_int_equal(q_int(st, "SELECT COUNT(*) FROM guia WHERE status = 'enviada'"), 2);
  assert_int_equal(fat_lote_reabrir(st, id, "esqueci uma guia", &err), FAT_ESTATE);
  assert_non_null(strstr(err.msg, "enviado"));
  assert_int_equal(fat_lote_enviado(st, id, "2025-04-03", &err), FAT_ESTATE);
  /* even direct SQL cannot change a sent lote or take a guia out of it */
  assert_int_not_equal(fat_store_exec(st, "UPDATE lote_xml SET xml = 'x'", &err), FAT_OK);
  assert_int_not_equal(fat_store_exec(st, "DELETE FROM lote_xml", &err), FAT_OK);
  assert_int_equal(q_int(st, "SELECT count(*) FROM lote_xml"), 1);
  assert_int_not_equal(fat_store_exec(st, "UPDATE guia SET lote_id = NULL", &err), FAT_OK);
  assert_int_not_equal(fat_store_exec(st, "DELETE FROM lote", &err), FAT_OK);
  assert_int_equal(fat_lote_protocolo(st, id, "PROT-123", "2025-04-05", &err), FAT_OK);
  assert_int_equal(fat_lote_situacao(st, id, "pago", NULL, &err), FAT_OK);
  assert_int_equal(fat_lote_situacao(st, id, "processado", NULL, &err), FAT_ESTATE);
  assert_int_equal(q_int(st, "SELECT COUNT(*) FROM lote_evento WHERE lote_id = 1"), 6);

  /* mapa: protocol, values and expected payment (the contract counts 30
  ** calendar days from the envio, 2025-04-02: a Friday, kept at protocolo) */
  assert_int_equal(fat_lote_mapa(st, "aurora", "2025-03", "2025-04-10", &mapa, &err), FAT_OK);
  it = cJSON_GetArrayItem(mapa, 0);
  assert_non_null(it);
  assert_string_equal(cJSON_GetObjectItem(it, "competencia")->valuestring, "2025-03");
  assert_int_equal(cJSON_GetObjectItem(it, "valor_enviado")->valueint, 20000);
  it = cJSON_GetArrayItem(cJSON_GetObjectItem(it, "lotes"), 0);
  assert_string_equal(cJSON_GetObjectItem(it, "protocolo")->valuestring, "PROT-123");
  assert_string_equal(cJSON_GetObjectItem(it, "previsao_pagamento")->valuestring, "2025-05-02");
  assert_string_equal(cJSON_GetObjectItem(it, "situacao")->valuestring, "pago");
  cJSON_Delete(mapa);

  /* relação: escaped, with total */
  assert_int_equal(fat_lote_relacao_html(st, id, &html, &len, &err), FAT_OK);
  assert_int_equal(strlen(html), len);
  assert_non_null(strstr(html, "<html lang=\"pt-BR\">"));
  assert_non_null(strstr(html, "Ana &lt;b&gt;&amp;amp; &quot;Zé&quot;&lt;/b&gt;"));
  assert_null(strstr(html, "<b>&amp;"));
  assert_non_null(strstr(html, "R$ 200,00"));
  assert_non_null(strstr(html, "Total: 2 guias"));
  /* what users read: MM/AAAA, DD/MM/AAAA, the type's label; no internal form */
  assert_non_null(strstr(html, "<dd>03/2025</dd>"));
  assert_null(strstr(html, "2025-03"));
  assert_null(strstr(html, "sp-sadt"));
  assert_null(strstr(html, ">consulta<"));
  fat_free(html);
  assert_int_equal(fat_lote_relacao_html(st, 99, &html, &len, &err), FAT_ENOTFOUND);
  cJSON_Delete(c);
  fat_store_close(st);
}

/* Through the real rules engine, when the operator scripts exist. */
/* SOLIC_STATUS_PROTOCOLO and CANCELA_GUIA reach the operadora: each
** written, valid against the XSD, kept with its hash and audited; refused
** when there is no protocolo, for a lote not sent yet, for a guia of
** another lote, and without a motivo. */
static void test_status_e_cancelamento(void **state)
{
  static const char *const uma[] = {"S2"}, *const fora[] = {"X9"};
  fat_store *st = open_fresh();
  fat_lote_fechar_opts o;
  fat_lote_fechar_res res;
  fat_lote_mensagem m;
  fat_tiss_xsd_result vr;
  cJSON *c, *list;
  fat_err err;
  int64_t id;

  (void)state;
  add_guia(st, "sp-sadt", "S1", "2025-03-01", "Ana", "225125");
  add_guia(st, "sp-sadt", "S2", "2025-03-02", "Bia", "225125");
  c = contract("{\"periodicidade\": \"mensal\", \"fechamento_dia\": 25, \"prazo_envio_dias\": 10,"
               " \"max_guias\": 100}");
  memset(&o, 0, sizeof o);
  o.operadora = "aurora";
  o.ate = "2025-03-31";
  o.hoje = "2025-04-01";
  o.xsd_dir = xsd();
  assert_int_equal(fat_lote_fechar_contrato(st, &o, c, &res, &err), FAT_OK);
  id = res.lotes[0].id;
  fat_lote_fechar_res_fini(&res);
  /* not sent: nothing to cancel at the operadora; no protocolo: no status */
  assert_int_equal(fat_lote_cancelar(st, id, NULL, 0, "erro", xsd(), &m, &err), FAT_ESTATE);
  assert_non_null(strstr(err.msg, "reabrir"));
  assert_int_equal(fat_lote_status_protocolo(st, id, xsd(), &m, &err), FAT_ESTATE);
  assert_non_null(strstr(err.msg, "faturo lote protocolo"));
  assert_int_equal(fat_lote_enviado(st, id, "2025-04-02", &err), FAT_OK);
  assert_int_equal(fat_lote_protocolo(st, id, "PRT77", "2025-04-03", &err), FAT_OK);

  assert_int_equal(fat_lote_status_protocolo(st, id, xsd(), &m, &err), FAT_OK);
  assert_true(m.validado);
  assert_non_null(strstr(m.xml, "<ans:tipoTransacao>SOLIC_STATUS_PROTOCOLO<"));
  assert_non_null(strstr(m.xml, "<ans:numeroProtocolo>PRT77<"));
  memset(&vr, 0, sizeof vr);
  assert_int_equal(fat_tiss_validate_memory(xsd(), m.xml, m.len, &vr, &err), FAT_OK);
  assert_true(vr.valido);
  fat_tiss_xsd_result_fini(&vr);
  fat_lote_mensagem_fini(&m);

  assert_int_equal(fat_lote_cancelar(st, id, uma, 1, NULL, xsd(), &m, &err), FAT_EINVAL);
  assert_int_equal(fat_lote_cancelar(st, id, fora, 1, "erro", xsd(), &m, &err), FAT_ENOTFOUND);
  assert_non_null(strstr(err.msg, "X9"));
  assert_int_equal(fat_lote_cancelar(st, id, uma, 1, "guia duplicada", xsd(), &m, &err),
                   FAT_OK);
  assert_non_null(strstr(m.xml, "<ans:tipoCancelamentoGuia>"));
  assert_non_null(strstr(m.xml, "<ans:numeroGuiaPrestador>S2<"));
  memset(&vr, 0, sizeof vr);
  assert_int_equal(fat_tiss_validate_memory(xsd(), m.xml, m.len, &vr, &err), FAT_OK);
  assert_true(vr.valido);
  fat_tiss_xsd_result_fini(&vr);
  fat_lote_mensagem_fini(&m);
  assert_int_equal(fat_lote_cancelar(st, id, NULL, 0, "lote inteiro errado", xsd(), &m, &err),
                   FAT_OK);
  assert_non_null(strstr(m.xml, "<ans:tipoCancelamentoLote>"));
  fat_lote_mensagem_fini(&m);

  assert_int_equal(fat_lote_mensagens(st, id, &list, &err), FAT_OK);
  assert_int_equal(cJSON_GetArraySize(list), 3);
  cJSON_Delete(list);
  assert_int_equal(q_int(st, "SELECT count(*) FROM mensagem_enviada WHERE validado = 1"
                             " AND length(hash) = 32 AND length(xml) > 0"), 3);
  assert_int_equal(q_int(st, "SELECT count(*) FROM auditoria WHERE acao IN ('lote.status',"
                             " 'lote.cancelar')"), 3);
  /* the request changes no status: the operadora's answer decides */
  assert_int_equal(q_int(st, "SELECT count(*) FROM guia WHERE status = 'enviada'"), 2);
  cJSON_Delete(c);
  fat_store_close(st);
}

static void test_contrato_real(void **state)
{
  const char *dir = getenv("FATURO_REGRAS");
  char path[1024];
  fat_gen *g = NULL;
  cJSON *c = NULL;
  fat_lote_cfg *cfg;
  fat_err err;

  (void)state;
  snprintf(path, sizeof path, "%s/operators/aurora.lua", dir != NULL ? dir : ".");
  if (dir == NULL || access(path, R_OK) != 0)
    fail_msg("FATURO_REGRAS sem operators/aurora.lua: %s", path);
  if (fat_gen_build(dir, NULL, NULL, NULL, &g, &err) != FAT_OK)
    fail_msg("regras: %s", err.msg);
  assert_int_equal(fat_gen_contract(g, "aurora", &c, &err), FAT_OK);
  cfg = fat_malloc(sizeof *cfg);
  assert_non_null(cfg);
  if (fat_lote_cfg_from_contract(c, cfg, &err) != FAT_OK)
    fail_msg("contrato aurora: %s", err.msg);
  assert_int_equal(cfg->periodicidade, FAT_PER_MENSAL);
  assert_int_equal(cfg->prazo_envio_dias, 10);
  assert_int_equal(cfg->max_guias, 100);
  periodo_is(cfg, "2025-03-26", "2025-03-26", "2025-04-25");
  fat_free(cfg);
  cJSON_Delete(c);
  fat_gen_release(g);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_periodos),
    cmocka_unit_test(test_fechar_agrupa),
    cmocka_unit_test(test_fechar_retem_so_o_que_nao_pode_ir),
    cmocka_unit_test(test_fechar_guia_tomada_por_outro_lote_desfaz_tudo),
    cmocka_unit_test(test_fechar_oom),
    cmocka_unit_test(test_fechar_em_paginas_igual_ao_fechamento_de_uma_vez),
    cmocka_unit_test(test_fechar_com_saida_grava_os_bytes_guardados_e_o_acesso),
    cmocka_unit_test(test_fechar_com_saida_que_falha_nao_deixa_arquivo),
    cmocka_unit_test(test_estados),
    cmocka_unit_test(test_previsao_do_lote_segue_os_termos_do_contrato),
    cmocka_unit_test(test_status_e_cancelamento),
    cmocka_unit_test(test_contrato_real),
  };
  int rc;

  xmlInitParser();
  rc = cmocka_run_group_tests(tests, NULL, NULL);
  xmlCleanupParser();
  remove_db();
  return rc;
}
