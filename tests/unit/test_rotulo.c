/* test_rotulo.c: the one list of labels (fat_rotulo). Every key the schema
** allows for a status or situation has a label, every TISS transaction type of
** the official 4.01.00 XSD has one, the modules' *_rotulo functions answer
** from the same list, and the JSON the panel loads (GET /api/rotulos) holds
** each kind once with exactly the labels fat_rotulo gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "fat_fatura.h"
#include "fat_glosa.h"
#include "fat_lote.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_recurso.h"
#include "fat_rotulo.h"
#include "fat_tiss_read.h"

static char *slurp(const char *path)
{
  FILE *f = fopen(path, "rb");
  char *b;
  long n;

  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  n = ftell(f);
  assert_true(n > 0);
  rewind(f);
  b = malloc((size_t)n + 1);
  assert_non_null(b);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  b[n] = '\0';
  fclose(f);
  return b;
}

/* Each quoted value of "CHECK (<col> IN (...))" in the CREATE TABLE <table>
** of a migration must have a label of kind. Returns how many were checked. */
static int schema_keys_have_labels(const char *migration, const char *table, const char *col,
                                   const char *kind)
{
  char path[512], needle[128];
  char *sql, *p, *end;
  int n = 0;

  snprintf(path, sizeof path, "%s/schemas/%s", FAT_SOURCE_DIR, migration);
  sql = slurp(path);
  snprintf(needle, sizeof needle, "CREATE TABLE %s (", table);
  p = strstr(sql, needle);
  assert_non_null(p);
  snprintf(needle, sizeof needle, "CHECK (%s IN (", col);
  p = strstr(p, needle);
  assert_non_null(p);
  end = strstr(p, "))");
  assert_non_null(end);
  for (p = strchr(p, '\''); p != NULL && p < end; p = strchr(p, '\'')) {
    char key[64];
    char *q = strchr(p + 1, '\'');

    assert_non_null(q);
    assert_true((size_t)(q - p - 1) < sizeof key);
    memcpy(key, p + 1, (size_t)(q - p - 1));
    key[q - p - 1] = '\0';
    if (fat_rotulo(kind, key) == NULL)
      fail_msg("%s.%s '%s' has no label of kind '%s'", table, col, key, kind);
    n++;
    p = q + 1;
  }
  free(sql);
  return n;
}

static void test_every_status_the_schema_allows_has_a_label(void **state)
{
  (void)state;
  assert_int_equal(schema_keys_have_labels("001_init.sql", "guia", "status", "guia"), 9);
  assert_int_equal(schema_keys_have_labels("001_init.sql", "lote", "status", "lote"), 7);
  assert_int_equal(schema_keys_have_labels("001_init.sql", "glosa", "situacao", "glosa"), 6);
  assert_int_equal(
    schema_keys_have_labels("001_init.sql", "glosa", "classificacao", "classificacao"), 3);
  assert_int_equal(schema_keys_have_labels("001_init.sql", "recurso", "status", "recurso"), 4);
  assert_int_equal(schema_keys_have_labels("050_financeiro.sql", "fatura", "status", "fatura"), 4);
}

static void test_every_tiss_transaction_type_of_the_xsd_has_a_label(void **state)
{
  const char *dir = getenv("FATURO_XSD_DIR");
  char path[1024];
  xmlDocPtr doc;
  xmlXPathContextPtr x;
  xmlXPathObjectPtr r;
  int i, n;

  (void)state;
  if (dir == NULL || dir[0] == '\0')
    skip();
  snprintf(path, sizeof path, "%s/tissSimpleTypesV4_01_00.xsd", dir);
  doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
  assert_non_null(doc);
  x = xmlXPathNewContext(doc);
  assert_non_null(x);
  assert_int_equal(xmlXPathRegisterNs(x, BAD_CAST "xs", BAD_CAST "http://www.w3.org/2001/XMLSchema"),
                   0);
  r = xmlXPathEvalExpression(
    BAD_CAST "//xs:simpleType[@name='dm_tipoTransacao']//xs:enumeration/@value", x);
  assert_non_null(r);
  n = r->nodesetval != NULL ? r->nodesetval->nodeNr : 0;
  assert_true(n >= 27);
  for (i = 0; i < n; i++) {
    xmlChar *v = xmlNodeGetContent(r->nodesetval->nodeTab[i]);
    const char *l = fat_rotulo("transacao", (const char *)v);

    if (l == NULL)
      fail_msg("tipo de transação '%s' sem rótulo", (const char *)v);
    assert_string_equal(fat_tiss_transacao_rotulo((const char *)v), l);
    xmlFree(v);
  }
  xmlXPathFreeObject(r);
  xmlXPathFreeContext(x);
  xmlFreeDoc(doc);
}

static void test_module_labels_come_from_the_one_list(void **state)
{
  (void)state;
  assert_string_equal(fat_guia_status_rotulo("em_lote"), "em lote");
  assert_string_equal(fat_guia_tipo_rotulo("sp-sadt"), "SP/SADT");
  assert_string_equal(fat_lote_status_rotulo("pago_parcial"), "pago em parte");
  assert_string_equal(fat_fatura_status_rotulo("paga_parcial"), "paga em parte");
  assert_string_equal(fat_glosa_situacao_rotulo("recuperada_parcial"), "recuperada em parte");
  assert_string_equal(fat_glosa_situacao_rotulo("a_classificar"), "a classificar");
  assert_string_equal(fat_glosa_grupo_rotulo("cobranca"), "cobrança/valor");
  assert_string_equal(fat_recurso_situacao_rotulo("deferido_parcial"), "deferido em parte");
  assert_string_equal(fat_tiss_transacao_rotulo("DEMONSTRATIVO_PAGAMENTO"),
                      "demonstrativo de pagamento");
  /* unknown keys read as themselves; NULL as nothing; an unknown group is "outros" */
  assert_string_equal(fat_lote_status_rotulo("novo_status"), "novo_status");
  assert_string_equal(fat_lote_status_rotulo(NULL), "");
  assert_string_equal(fat_glosa_grupo_rotulo("inexistente"), "outros");
  assert_string_equal(fat_glosa_grupo_rotulo(NULL), "outros");
  assert_null(fat_rotulo("lote", NULL));
  assert_null(fat_rotulo("inexistente", "aberto"));
  assert_string_equal(fat_rotulo_ou("inexistente", "aberto"), "aberto");
}

static void test_panel_json_holds_each_kind_once_with_the_same_labels(void **state)
{
  static const char *const kinds[] = {"tipo", "guia", "lote", "fatura", "glosa", "classificacao",
                                      "recurso", "papel", "grupo", "severidade", "passo",
                                      "grupo_preco", "tabela_preco", "transacao"};
  cJSON *j = NULL, *k, *e;
  fat_err err;
  size_t i;
  int nkinds = 0, nlabels = 0;

  (void)state;
  fat_err_clear(&err);
  assert_int_equal(fat_rotulo_json(&j, &err), FAT_OK);
  cJSON_ArrayForEach(k, j)
  {
    cJSON *o;
    int twice = 0;

    cJSON_ArrayForEach(o, j)
      twice += strcmp(o->string, k->string) == 0;
    assert_int_equal(twice, 1);
    nkinds++;
    cJSON_ArrayForEach(e, k)
    {
      assert_true(cJSON_IsString(e));
      assert_string_equal(e->valuestring, fat_rotulo(k->string, e->string));
      nlabels++;
    }
  }
  assert_int_equal(nkinds, (int)(sizeof kinds / sizeof kinds[0]));
  for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    assert_non_null(cJSON_GetObjectItemCaseSensitive(j, kinds[i]));
  assert_true(nlabels > 100);
  assert_string_equal(
    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "papel"), "admin")
      ->valuestring,
    "administrador");
  cJSON_Delete(j);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_status_the_schema_allows_has_a_label),
    cmocka_unit_test(test_every_tiss_transaction_type_of_the_xsd_has_a_label),
    cmocka_unit_test(test_module_labels_come_from_the_one_list),
    cmocka_unit_test(test_panel_json_holds_each_kind_once_with_the_same_labels),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
