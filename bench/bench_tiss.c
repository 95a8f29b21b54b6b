/* bench_tiss.c: time to write + hash + XSD-validate a lote of 100 SP/SADT
** guias with 10 items each, next to `xmllint --noout --schema` alone on the
** same file. Figures are printed, not asserted (ctest label bench). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <libxml/parser.h>

#include "fat_mem.h"
#include "fat_model.h"
#include "fat_tiss_validate.h"
#include "fat_tiss_write.h"

#define N_GUIAS 100
#define N_ITENS 10
#define ROUNDS 5

static fat_guia *make_guia(int k)
{
  char json[16384];
  size_t off;
  int i;
  cJSON *j;
  fat_guia *g = NULL;
  fat_err err;

  off = (size_t)snprintf(
    json, sizeof json,
    "{\"tipo\": \"sp-sadt\", \"operadora\": {\"registro_ans\": \"312347\"},"
    " \"prestador\": {\"nome\": \"Cl\xc3\xadnica S\xc3\xa3o Jo\xc3\xa3o\", \"cnpj\":"
    " \"11222333000181\", \"cnes\": \"1234567\", \"codigo_na_operadora\": \"A-10234\"},"
    " \"numero_prestador\": \"B%05d\", \"carteira_numero\": \"00123456%04d\","
    " \"senha\": \"S%d\", \"data_autorizacao\": \"2025-03-01\", \"tipo_atendimento\": \"03\","
    " \"data_inicio\": \"2025-03-10\", \"cid\": \"M545\", \"valor_total\": \"1000.00\","
    " \"executante\": {\"nome\": \"Dra. In\xc3\xaas Ara\xc3\xbajo\", \"conselho\": \"CRM\","
    " \"numero_conselho\": \"123456\", \"uf\": \"SP\", \"cbo\": \"225125\"}, \"itens\": [",
    k, k, k);
  for (i = 1; i <= N_ITENS; i++)
    off += (size_t)snprintf(json + off, sizeof json - off,
                            "%s{\"sequencial\": %d, \"tipo\": \"procedimento\", \"codigo_tabela\":"
                            " \"22\", \"codigo\": \"4030%04d\", \"descricao\": \"Exame n\xc2\xba"
                            " %d\", \"quantidade\": \"1\", \"valor_unitario\": \"100.00\","
                            " \"valor_total\": \"100.00\"}",
                            i > 1 ? ", " : "", i, i, i);
  snprintf(json + off, sizeof json - off, "]}");
  j = cJSON_Parse(json);
  if (j == NULL || fat_guia_from_json(j, &g, &err) != FAT_OK) {
    fprintf(stderr, "bench_tiss: guia inválida: %s\n", j == NULL ? "json" : err.msg);
    exit(1);
  }
  cJSON_Delete(j);
  return g;
}

int main(void)
{
  const char *xsd = getenv("FATURO_XSD_DIR");
  fat_guia *gs[N_GUIAS];
  fat_tiss_envio e;
  fat_tiss_doc doc;
  fat_tiss_xsd_result r;
  fat_err err;
  char path[256], cmd[1024];
  int64_t t0, t_write = 0, t_valid = 0, t_xmllint = 0, best_ours = INT64_MAX, best_lint = INT64_MAX;
  int i, k;

  if (xsd == NULL) {
    fprintf(stderr, "bench_tiss: defina FATURO_XSD_DIR\n");
    return 1;
  }
  xmlInitParser();
  for (k = 0; k < N_GUIAS; k++)
    gs[k] = make_guia(k + 1);
  memset(&e, 0, sizeof e);
  e.numero_lote = "1";
  e.data = "2025-03-26";
  e.hora = "12:00:00";
  /* first validation loads and caches the schema; time it apart */
  t0 = fat_now_ns();
  if (fat_tiss_schema_load(xsd, &err) != FAT_OK) {
    fprintf(stderr, "bench_tiss: %s\n", err.msg);
    return 1;
  }
  printf("carga do XSD (uma vez por processo): %.1f ms\n", (double)(fat_now_ns() - t0) / 1e6);
  snprintf(path, sizeof path, "bench_tiss_%ld.xml", (long)getpid());
  for (i = 0; i < ROUNDS; i++) {
    int64_t a, b, c, d;

    a = fat_now_ns();
    if (fat_tiss_write_lote(&e, (const fat_guia *const *)gs, N_GUIAS, &doc, &err) != FAT_OK) {
      fprintf(stderr, "bench_tiss: %s\n", err.msg);
      return 1;
    }
    b = fat_now_ns();
    if (fat_tiss_validate_memory(xsd, doc.xml, doc.len, &r, &err) != FAT_OK || !r.valido) {
      fprintf(stderr, "bench_tiss: XML inválido: %s\n", err.msg);
      return 1;
    }
    c = fat_now_ns();
    fat_tiss_xsd_result_fini(&r);
    if (fat_file_write(path, doc.xml, doc.len, &err) != FAT_OK) {
      fprintf(stderr, "bench_tiss: %s\n", err.msg);
      return 1;
    }
    snprintf(cmd, sizeof cmd, "xmllint --noout --nonet --schema '%s/tissV4_01_00.xsd' '%s' "
                              ">/dev/null 2>&1", xsd, path);
    d = fat_now_ns();
    if (system(cmd) != 0) {
      fprintf(stderr, "bench_tiss: xmllint falhou ou recusou o arquivo\n");
      return 1;
    }
    d = fat_now_ns() - d;
    t_write += b - a;
    t_valid += c - b;
    t_xmllint += d;
    if (c - a < best_ours)
      best_ours = c - a;
    if (d < best_lint)
      best_lint = d;
    if (i == 0)
      printf("lote: %d guias SP/SADT x %d itens, %zu bytes, hash %s\n", N_GUIAS, N_ITENS,
             doc.len, doc.hash);
    fat_tiss_doc_fini(&doc);
  }
  unlink(path);
  printf("faturo escrita + hash (média de %d): %.2f ms\n", ROUNDS,
         (double)t_write / ROUNDS / 1e6);
  printf("faturo validação XSD, esquema em cache (média): %.2f ms\n",
         (double)t_valid / ROUNDS / 1e6);
  printf("faturo escrita + hash + validação (média): %.2f ms (melhor %.2f ms)\n",
         (double)(t_write + t_valid) / ROUNDS / 1e6, (double)best_ours / 1e6);
  printf("xmllint --noout --schema sozinho (média): %.2f ms (melhor %.2f ms)\n",
         (double)t_xmllint / ROUNDS / 1e6, (double)best_lint / 1e6);
  printf("razão faturo / xmllint: %.2f (médias), %.2f (melhores)\n",
         (double)(t_write + t_valid) / (double)t_xmllint, (double)best_ours / (double)best_lint);
  for (k = 0; k < N_GUIAS; k++)
    fat_guia_free(gs[k]);
  xmlCleanupParser();
  return 0;
}
