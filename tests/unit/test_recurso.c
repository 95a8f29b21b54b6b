/* test_recurso.c: recursos de glosa (fat_recurso): one recurso per protocolo
** (glosas of several lotes are split, each XML names its own lote and
** protocolo, valid against the XSD); a justification never reaches the XML or
** the report with an unfilled {marker}, and the refusal names the glosa; the
** recurso's state follows its items; the CSV report uses the Brazilian
** convention; glosas outside a sent lote are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <libxml/parser.h>

#include "fat_mem.h"
#include "fat_model.h"
#include "fat_recurso.h"
#include "fat_rules.h"
#include "fat_store_int.h"
#include "fat_store_sqlite.h"
#include "fat_tiss_read.h"
#include "fat_tiss_validate.h"

static const char *db_path = "test_recurso.db";

static void remove_db(void)
{
  unlink(db_path);
  unlink("test_recurso.db-wal");
  unlink("test_recurso.db-shm");
}

/* Two protocolados lotes (7 -> 111111, 8 -> 222222), one sent without a
** protocolo (9), a guia outside any lote; glosas:
**  1: N1 item 1, 1705, R$ 15,00, lote 7      2: N2 item 2, 1705, R$ 10,00, lote 7 (N2 has no CID)
**  3: N3 whole guia, 1403, R$ 250,00, lote 8  4: N4 item 1, 1705, R$ 30,00, lote 9
**  5: N5 item 1, 1705, R$ 5,00, no lote      6: N1 item 2, 1714, R$ 20,00, lote 7 */
static fat_store *clinic(void)
{
  static const char *const sql[] = {
    "INSERT INTO prestador (id, nome, cnpj, cnes) VALUES (1, 'Clínica Teste', '11222333000181',"
    " '1234567')",
    "INSERT INTO operadora (id, registro_ans, nome, script) VALUES (1, '312347', 'Aurora Saúde',"
    " 'aurora')",
    "INSERT INTO prestador_operadora VALUES (1, 1, 'A-10234')",
    "INSERT INTO lote (id, operadora_id, prestador_id, numero, tipo_guia, competencia, status,"
    " protocolo, protocolo_data) VALUES"
    " (1, 1, 1, 7, 'sp-sadt', '2025-03', 'protocolado', '111111', '2025-03-27'),"
    " (2, 1, 1, 8, 'sp-sadt', '2025-03', 'protocolado', '222222', '2025-03-28'),"
    " (3, 1, 1, 9, 'sp-sadt', '2025-03', 'enviado', NULL, NULL)",
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5)"
    " INSERT INTO guia (id, prestador_id, operadora_id, tipo, numero_prestador, carteira_numero,"
    " carteira_validade, senha, data_autorizacao, validade_senha, data_inicio, valor_total,"
    " competencia, status, lote_id, cid, assinatura_beneficiario) SELECT i, 1, 1, 'sp-sadt',"
    " 'N' || i, 'C' || i, '2026-01-01', 'S' || i, '2025-03-01', '2025-04-30',"
    " printf('2025-03-%02d', i), 25000, '2025-03', 'glosada', CASE i WHEN 1 THEN 1 WHEN 2 THEN 1"
    " WHEN 3 THEN 2 WHEN 4 THEN 3 END, CASE WHEN i = 2 THEN NULL ELSE 'J069' END, 1 FROM n",
    "INSERT INTO item (guia_id, sequencial, codigo_tabela, codigo, descricao, quantidade_e4,"
    " valor_unitario, valor_total, data) SELECT id, 1, '22', '40301010', 'Exame', 10000, 15000,"
    " 15000, data_inicio FROM guia",
    "INSERT INTO item (guia_id, sequencial, codigo_tabela, codigo, descricao, quantidade_e4,"
    " valor_unitario, valor_total, data) SELECT id, 2, '22', '40302016', 'Outro exame', 10000,"
    " 10000, 10000, data_inicio FROM guia",
    "INSERT INTO glosa (id, guia_id, item_id, codigo, valor, origem, classificacao, situacao,"
    " lote_id, data_demonstrativo, evidencia) VALUES"
    " (1, 1, (SELECT id FROM item WHERE guia_id = 1 AND sequencial = 1), '1705', 1500,"
    "  'retorno', 'indevida', 'aberta', 1, '2025-04-20', 'valor do contrato'),"
    " (2, 2, (SELECT id FROM item WHERE guia_id = 2 AND sequencial = 2), '1705', 1000,"
    "  'retorno', 'indevida', 'aberta', 1, '2025-04-20', 'valor do contrato'),"
    " (3, 3, NULL, '1403', 25000, 'retorno', 'indevida', 'aberta', 2, '2025-04-21',"
    "  'senha válida'),"
    " (4, 4, (SELECT id FROM item WHERE guia_id = 4 AND sequencial = 1), '1705', 3000,"
    "  'retorno', 'indevida', 'aberta', 3, '2025-04-22', 'valor do contrato'),"
    " (5, 5, (SELECT id FROM item WHERE guia_id = 5 AND sequencial = 1), '1705', 500,"
    "  'manual', 'indevida', 'aberta', NULL, NULL, 'valor do contrato'),"
    " (6, 1, (SELECT id FROM item WHERE guia_id = 1 AND sequencial = 2), '1714', 2000,"
    "  'retorno', 'indevida', 'aberta', 1, '2025-04-20', 'valor do contrato')",
    NULL};
  fat_store *st = NULL;
  fat_err err;
  size_t i;

  remove_db();
  assert_int_equal(fat_store_create(db_path, &st, &err), FAT_OK);
  for (i = 0; sql[i] != NULL; i++)
    if (fat_store_exec(st, sql[i], &err) != FAT_OK)
      fail_msg("%s: %s", sql[i], err.msg);
  return st;
}

static int64_t count(fat_store *st, const char *sql)
{
  sqlite3_stmt *s;
  int64_t n = -1;

  assert_int_equal(sqlite3_prepare_v2(fat_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW)
    n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

static fat_gen *rules(void)
{
  const char *dir = getenv("FATURO_REGRAS");
  fat_gen *gen = NULL;
  fat_err err;

  assert_non_null(dir);
  if (fat_gen_build(dir, NULL, NULL, NULL, &gen, &err) != FAT_OK)
    fail_msg("regras: %s", err.msg);
  return gen;
}

/* The XML of recurso id: valid against the XSD, with its lote and protocol. */
static void xml_names(fat_store *st, int64_t id, const char *lote, const char *prot)
{
  const char *xsd = getenv("FATURO_XSD_DIR");
  fat_tiss_xsd_result vr;
  fat_err err;
  char *xml = NULL, name[128], want[64];
  size_t len = 0;
  int validado = 0;

  assert_non_null(xsd);
  if (fat_recurso_xml(st, NULL, id, xsd, &xml, &len, name, sizeof name, &validado, &err) !=
      FAT_OK)
    fail_msg("recurso %lld: %s", (long long)id, err.msg);
  assert_true(validado);
  memset(&vr, 0, sizeof vr);
  assert_int_equal(fat_tiss_validate_memory(xsd, xml, len, &vr, &err), FAT_OK);
  assert_true(vr.valido);
  fat_tiss_xsd_result_fini(&vr);
  snprintf(want, sizeof want, "<ans:numeroLote>%s</ans:numeroLote>", lote);
  assert_non_null(strstr(xml, want));
  snprintf(want, sizeof want, "<ans:numeroProtocolo>%s</ans:numeroProtocolo>", prot);
  assert_non_null(strstr(xml, want));
  assert_null(strchr(xml, '{'));
  fat_free(xml);
}

/* Glosas of lotes 7 and 8 give two recursos, each naming its own lote and
** protocolo. */
static void test_criar_splits_by_protocolo(void **state)
{
  static const int64_t gl[] = {1, 3, 6};
  fat_store *st = clinic();
  fat_recurso_criados r;
  fat_err err;

  (void)state;
  if (fat_recurso_criar(st, NULL, gl, 3, 0, &r, &err) != FAT_OK)
    fail_msg("criar: %s", err.msg);
  assert_int_equal(r.n, 2);
  assert_int_equal(count(st, "SELECT count(*) FROM recurso"), 2);
  assert_int_equal(count(st, "SELECT count(*) FROM recurso r JOIN recurso_item ri"
                             " ON ri.recurso_id = r.id JOIN glosa g ON g.id = ri.glosa_id"
                             " WHERE r.lote_id IS NOT g.lote_id"),
                   0);
  assert_int_equal(count(st, "SELECT count(*) FROM glosa WHERE situacao = 'em_recurso'"), 3);
  xml_names(st, r.ids[0], "7", "111111");
  xml_names(st, r.ids[1], "8", "222222");
  assert_int_equal(count(st, "SELECT count(DISTINCT numero) FROM recurso"), 2);
  fat_recurso_criados_fini(&r);
  fat_store_close(st);
}

/* A glosa outside a sent lote has no protocolo to appeal to: refused, named;
** a lote without a protocolo cannot be written. */
static void test_criar_refuses_without_lote(void **state)
{
  static const int64_t gl5[] = {1, 5}, gl4[] = {4};
  fat_store *st = clinic();
  fat_recurso_criados r;
  fat_err err;
  char *xml = NULL, name[128];
  size_t len;
  int validado;

  (void)state;
  assert_int_equal(fat_recurso_criar(st, NULL, gl5, 2, 0, &r, &err), FAT_ESTATE);
  assert_non_null(strstr(err.msg, "glosa 5"));
  assert_non_null(strstr(err.msg, "N5"));
  assert_int_equal(count(st, "SELECT count(*) FROM recurso"), 0);
  assert_int_equal(count(st, "SELECT count(*) FROM glosa WHERE situacao <> 'aberta'"), 0);
  assert_int_equal(fat_recurso_criar(st, NULL, gl4, 1, 0, &r, &err), FAT_OK);
  assert_int_equal(fat_recurso_xml(st, NULL, r.ids[0], NULL, &xml, &len, name, sizeof name,
                                   &validado, &err),
                   FAT_ESTATE);
  assert_non_null(strstr(err.msg, "lote 9"));
  assert_non_null(strstr(err.msg, "faturo lote protocolo"));
  assert_null(xml);
  fat_recurso_criados_fini(&r);
  fat_store_close(st);
}

/* A glosa with no date of demonstrativo counts its deadline from the day
** it was recorded in the clinic: recorded at 22:30 of March 31st in UTC-3
** (01:30 UTC of April 1st), the recurso's base day is 2026-03-31, and its
** deadline counts from there. */
static void test_base_do_prazo_e_o_dia_local_da_glosa(void **state)
{
  static const int64_t gl4[] = {4};
  fat_store *st = clinic();
  fat_gen *gen = rules();
  fat_recurso_criados r;
  fat_err err;

  (void)state;
  setenv("TZ", "<-03>3", 1);
  tzset();
  assert_int_equal(fat_store_exec(st,
                                  "UPDATE glosa SET data_demonstrativo = NULL,"
                                  " criado_em = '2026-04-01T01:30:00Z' WHERE id = 4",
                                  &err),
                   FAT_OK);
  assert_int_equal(fat_recurso_criar(st, gen, gl4, 1, 0, &r, &err), FAT_OK);
  assert_int_equal(count(st, "SELECT count(*) FROM recurso WHERE base_data = '2026-03-31'"), 1);
  /* Aurora's contract: 60 days after that base (not after April 1st) */
  assert_int_equal(count(st, "SELECT count(*) FROM recurso WHERE prazo = '2026-05-30'"), 1);
  fat_recurso_criados_fini(&r);
  fat_gen_release(gen);
  fat_store_close(st);
}

/* A template marker the data cannot fill ({cid} on a guia without CID) never
** reaches the XML or the report: writing is refused naming the glosa until a
** person writes the justification. The generic text has no marker and no
** empty parentheses when the glosa table is missing. */
static void test_marker_never_written(void **state)
{
  static const int64_t gl2[] = {2}, gl1[] = {1};
  fat_store *st = clinic();
  fat_gen *gen = rules();
  fat_recurso_criados r, r1;
  cJSON *list, *items, *it;
  fat_err err;
  char *xml = NULL, name[128], *rep = NULL;
  size_t len;
  int validado;
  int64_t item;

  (void)state;
  assert_int_equal(fat_recurso_criar(st, gen, gl2, 1, 0, &r, &err), FAT_OK);
  /* the listing says which item still needs a justification */
  assert_int_equal(fat_recurso_listar(st, r.ids[0], NULL, &list, &err), FAT_OK);
  items = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(list, 0), "itens");
  it = cJSON_GetArrayItem(items, 0);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "justificativa_pendente")));
  item = (int64_t)cJSON_GetObjectItemCaseSensitive(it, "id")->valuedouble;
  cJSON_Delete(list);
  assert_int_equal(fat_recurso_xml(st, gen, r.ids[0], NULL, &xml, &len, name, sizeof name,
                                   &validado, &err),
                   FAT_EINVAL);
  assert_null(xml);
  assert_non_null(strstr(err.msg, "glosa 2"));
  assert_non_null(strstr(err.msg, "guia N2"));
  assert_non_null(strstr(err.msg, "{cid}"));
  assert_non_null(strstr(err.msg, "faturo recurso editar"));
  assert_int_equal(fat_recurso_relatorio(st, r.ids[0], "html", &rep, &len, &err), FAT_EINVAL);
  assert_null(rep);
  assert_int_equal(fat_recurso_enviar(st, r.ids[0], "2025-04-25", &err), FAT_EINVAL);
  /* a justification with a marker is not accepted either */
  assert_int_equal(fat_recurso_editar(st, r.ids[0], item, "CID {cid} no pedido", &err),
                   FAT_EINVAL);
  assert_int_equal(fat_recurso_editar(st, r.ids[0], item, "Pedido médico anexo com o CID.",
                                      &err),
                   FAT_OK);
  xml_names(st, r.ids[0], "7", "111111");
  /* the generic text (no contract, no glosa table) has nothing left to fill */
  assert_int_equal(fat_recurso_criar(st, NULL, gl1, 1, 0, &r1, &err), FAT_OK);
  assert_int_equal(count(st, "SELECT count(*) FROM recurso_item WHERE glosa_id = 1"
                             " AND (justificativa LIKE '%{%' OR justificativa LIKE '%()%')"),
                   0);
  assert_int_equal(fat_recurso_relatorio(st, r1.ids[0], "html", &rep, &len, &err), FAT_OK);
  assert_null(strstr(rep, "{descricao_glosa}"));
  assert_null(strstr(rep, "{procedimento}"));
  assert_null(strstr(rep, "()"));
  fat_free(rep);
  fat_recurso_criados_fini(&r);
  fat_recurso_criados_fini(&r1);
  fat_gen_release(gen);
  fat_store_close(st);
}

/* Answering one item keeps the recurso open with the other glosa em_recurso;
** the last answer closes it with the result its items give. */
static void test_state_follows_items(void **state)
{
  static const int64_t gl[] = {1, 6};
  fat_store *st = clinic();
  fat_recurso_criados r;
  fat_recurso_resposta a;
  fat_err err;
  int64_t id;

  (void)state;
  assert_int_equal(fat_recurso_criar(st, NULL, gl, 2, 0, &r, &err), FAT_OK);
  id = r.ids[0];
  assert_int_equal(fat_recurso_enviar(st, id, "2025-04-25", &err), FAT_OK);
  assert_int_equal(fat_recurso_protocolo(st, id, "R-1", "2025-04-26", &err), FAT_OK);
  memset(&a, 0, sizeof a);
  a.resultado = "deferido";
  a.valor = FAT_ABSENT;
  a.item = 1; /* glosa 1 */
  a.valor_item = 1500;
  a.data = "2025-05-10";
  assert_int_equal(fat_recurso_responder(st, id, &a, &err), FAT_OK);
  assert_int_equal(count(st, "SELECT count(*) FROM recurso WHERE status = 'protocolado'"
                             " AND resultado IS NULL AND valor_recuperado = 1500"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM glosa WHERE id = 1 AND situacao = 'recuperada'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM glosa WHERE id = 6 AND situacao = 'em_recurso'"),
                   1);
  a.item = 6;
  a.valor_item = 0;
  a.resultado = "indeferido";
  assert_int_equal(fat_recurso_responder(st, id, &a, &err), FAT_OK);
  assert_int_equal(count(st, "SELECT count(*) FROM recurso WHERE status = 'respondido'"
                             " AND resultado = 'deferido_parcial' AND valor_recuperado = 1500"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM glosa WHERE id = 6 AND situacao = 'perdida'"),
                   1);
  fat_recurso_criados_fini(&r);
  fat_store_close(st);
}

/* The panel answers an item by its value alone (no resultado); the whole
** recurso still needs one. */
static void test_item_answer_needs_no_resultado(void **state)
{
  static const int64_t gl[] = {1, 6};
  fat_store *st = clinic();
  fat_recurso_criados r;
  fat_recurso_resposta a;
  fat_err err;
  int64_t id;

  (void)state;
  assert_int_equal(fat_recurso_criar(st, NULL, gl, 2, 0, &r, &err), FAT_OK);
  id = r.ids[0];
  assert_int_equal(fat_recurso_enviar(st, id, "2025-04-25", &err), FAT_OK);
  memset(&a, 0, sizeof a);
  a.valor = FAT_ABSENT;
  assert_int_equal(fat_recurso_responder(st, id, &a, &err), FAT_EINVAL);
  a.item = 1;
  a.valor_item = 700;
  assert_int_equal(fat_recurso_responder(st, id, &a, &err), FAT_OK);
  assert_int_equal(
    count(st, "SELECT count(*) FROM glosa WHERE id = 1 AND situacao = 'recuperada_parcial'"
              " AND valor_recuperado = 700"),
    1);
  a.resultado = "talvez";
  a.item = 6;
  a.valor_item = 0;
  assert_int_equal(fat_recurso_responder(st, id, &a, &err), FAT_EINVAL);
  fat_recurso_criados_fini(&r);
  fat_store_close(st);
}

/* The CSV report: UTF-8 with BOM, ';', decimal comma. */
static void test_csv_brazilian(void **state)
{
  static const int64_t gl[] = {1};
  fat_store *st = clinic();
  fat_recurso_criados r;
  fat_err err;
  char *csv = NULL;
  size_t len;

  (void)state;
  assert_int_equal(fat_recurso_criar(st, NULL, gl, 1, 0, &r, &err), FAT_OK);
  assert_int_equal(fat_recurso_relatorio(st, r.ids[0], "csv", &csv, &len, &err), FAT_OK);
  assert_true(len > 3);
  assert_memory_equal(csv, "\xEF\xBB\xBF", 3);
  assert_non_null(strstr(csv, ";"));
  assert_non_null(strstr(csv, "15,00"));
  assert_null(strstr(csv, "15.00"));
  fat_free(csv);
  fat_recurso_criados_fini(&r);
  fat_store_close(st);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_criar_splits_by_protocolo),
    cmocka_unit_test(test_criar_refuses_without_lote),
    cmocka_unit_test(test_base_do_prazo_e_o_dia_local_da_glosa),
    cmocka_unit_test(test_marker_never_written),
    cmocka_unit_test(test_state_follows_items),
    cmocka_unit_test(test_item_answer_needs_no_resultado),
    cmocka_unit_test(test_csv_brazilian),
  };
  int r;

  xmlInitParser();
  r = cmocka_run_group_tests(tests, NULL, NULL);
  remove_db();
  xmlCleanupParser();
  return r;
}
