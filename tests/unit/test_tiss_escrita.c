/* test_tiss_escrita.c: the bytes the TISS writer produces, byte for byte,
** against files kept in tests/data/tiss/escrita (written by the writer as it
** was when the files were made: libxml2's xmlTextWriter, indented by two
** spaces, ISO-8859-1). The four guia types, text that needs escaping or
** falls outside ISO-8859-1, both hash encodings, a lote of several guias,
** the other prestador messages and an element left empty.
**
** FAT_ESCRITA_GERAR=1 rewrites the files instead of comparing (only when the
** output is meant to change; the diff then shows what changed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "fat_mem.h"
#include "fat_model.h"
#include "fat_tiss_write.h"

static const char common_fmt[] =
  "\"operadora\": {\"registro_ans\": \"312347\", \"nome\": \"Aurora Sa\xc3\xba" "de\"},"
  "\"prestador\": {\"nome\": \"Cl\xc3\xadnica S\xc3\xa3o Jo\xc3\xa3o\", \"cnpj\": "
  "\"11222333000181\", \"cnes\": \"1234567\", \"codigo_na_operadora\": \"A-10234\"},"
  "\"numero_prestador\": \"NUM\", \"carteira_numero\": \"0012345678901234\","
  "\"beneficiario_nome\": \"Jo\xc3\xa3o da Concei\xc3\xa7\xc3\xa3o\","
  "\"executante\": {\"nome\": \"Dra. In\xc3\xaas Ara\xc3\xbajo\", \"cpf\": \"52998224725\","
  " \"conselho\": \"CRM\", \"numero_conselho\": \"123456\", \"uf\": \"SP\", \"cbo\": \"225125\"},";

/* Text with every character the writer escapes or replaces: markup
** characters, CR and other controls, a character outside ISO-8859-1 (the em
** dash, U+2014), one outside the BMP (U+1F600) and accented Latin-1. */
#define ESPECIAL                                                                                  \
  "A&B <c> \\\"d\\\" 'e' \\t \\u2014 \\ud83d\\ude00 a\xc3\xa7\xc3\xa3o \xc3\xbf fim"

static const char *const guias_json[] = {
  "{\"tipo\": \"consulta\", COMMON \"data_inicio\": \"2025-03-10\", \"tipo_consulta\": \"1\","
  " \"cid\": \"J069\", \"observacao\": \"" ESPECIAL "\","
  " \"valor_total\": \"120.00\", \"itens\": [{\"sequencial\": 1, \"tipo\": \"procedimento\","
  " \"codigo_tabela\": \"22\", \"codigo\": \"10101012\", \"descricao\": \"Consulta em "
  "consult\xc3\xb3rio\", \"quantidade\": \"1\", \"valor_unitario\": \"120.00\","
  " \"valor_total\": \"120.00\"}]}",
  "{\"tipo\": \"sp-sadt\", COMMON \"data_inicio\": \"2025-03-11\", \"senha\": \"S123\","
  " \"data_autorizacao\": \"2025-03-01\", \"validade_senha\": \"2025-04-01\","
  " \"tipo_atendimento\": \"03\", \"carater_atendimento\": \"1\", \"cid\": \"M545\","
  " \"indicacao_clinica\": \"" ESPECIAL "\","
  " \"data_solicitacao\": \"2025-03-01\", \"valor_total\": \"285.50\","
  " \"solicitante\": {\"nome\": \"Dr. Jos\xc3\xa9 Lima\", \"conselho\": \"CRM\","
  " \"numero_conselho\": \"654321\", \"uf\": \"RJ\", \"cbo\": \"225125\"},"
  " \"itens\": [{\"sequencial\": 1, \"tipo\": \"procedimento\", \"codigo_tabela\": \"22\","
  " \"codigo\": \"40801012\", \"descricao\": \"RX <coluna> & lombar\", \"quantidade\": \"2\","
  " \"valor_unitario\": \"100.00\", \"valor_total\": \"200.00\", \"data\": \"2025-03-11\","
  " \"hora_inicio\": \"09:30\", \"via_acesso\": \"1\", \"tecnica\": \"1\"},"
  " {\"sequencial\": 2, \"tipo\": \"material\", \"codigo_tabela\": \"19\", \"codigo\":"
  " \"70000001\", \"descricao\": \"Seringa 10 ml\", \"quantidade\": \"2.5\","
  " \"valor_unitario\": \"10.00\", \"valor_total\": \"25.00\", \"unidade_medida\": \"036\"},"
  " {\"sequencial\": 3, \"tipo\": \"medicamento\", \"codigo_tabela\": \"20\", \"codigo\":"
  " \"90000001\", \"descricao\": \"Dipirona 1 g\", \"quantidade\": \"1\","
  " \"valor_unitario\": \"60.50\", \"valor_total\": \"60.50\"}]}",
  "{\"tipo\": \"honorarios\", COMMON \"numero_principal\": \"INT-777\", \"senha\": \"S999\","
  " \"data_inicio\": \"2025-03-05\", \"data_fim\": \"2025-03-08\", \"valor_total\": \"1500.00\","
  " \"itens\": [{\"sequencial\": 1, \"tipo\": \"procedimento\", \"codigo_tabela\": \"22\","
  " \"codigo\": \"31009018\", \"descricao\": \"Apendicectomia\", \"quantidade\": \"1\","
  " \"valor_unitario\": \"1200.00\", \"valor_total\": \"1200.00\", \"data\": \"2025-03-05\","
  " \"grau_participacao\": \"00\"},"
  " {\"sequencial\": 2, \"tipo\": \"procedimento\", \"codigo_tabela\": \"22\","
  " \"codigo\": \"31009018\", \"descricao\": \"Apendicectomia (auxiliar)\", \"quantidade\": \"1\","
  " \"valor_unitario\": \"300.00\", \"valor_total\": \"300.00\", \"data\": \"2025-03-05\","
  " \"grau_participacao\": \"01\", \"fator\": \"0.30\", \"profissional\": {\"nome\":"
  " \"Dr. Aux\xc3\xadlio\", \"cpf\": \"11144477735\", \"conselho\": \"CRM\","
  " \"numero_conselho\": \"777\", \"uf\": \"MG\", \"cbo\": \"225225\"}}]}",
  "{\"tipo\": \"resumo-internacao\", COMMON \"numero_principal\": \"INT-778\", \"senha\":"
  " \"S1000\", \"data_autorizacao\": \"2025-03-04\", \"carater_atendimento\": \"2\","
  " \"data_inicio\": \"2025-03-05\", \"hora_inicio\": \"08:00\", \"data_fim\": \"2025-03-08\","
  " \"hora_fim\": \"10:15:00\", \"tipo_internacao\": \"2\", \"regime_internacao\": \"1\","
  " \"cid\": \"K35.8\", \"cid_secundarios\": \"E11,I10\", \"motivo_encerramento\": \"12\","
  " \"valor_total\": \"2350.00\", \"observacao\": \"" ESPECIAL "\","
  " \"itens\": [{\"sequencial\": 1, \"tipo\": \"procedimento\", \"codigo_tabela\": \"22\","
  " \"codigo\": \"31009018\", \"descricao\": \"Apendicectomia\", \"quantidade\": \"1\","
  " \"valor_unitario\": \"1500.00\", \"valor_total\": \"1500.00\", \"data\": \"2025-03-05\","
  " \"grau_participacao\": \"00\", \"profissional\": {\"nome\": \"Dra. In\xc3\xaas Ara\xc3\xbajo\","
  " \"cpf\": \"52998224725\", \"conselho\": \"CRM\", \"numero_conselho\": \"123456\","
  " \"uf\": \"SP\", \"cbo\": \"225125\"}},"
  " {\"sequencial\": 2, \"tipo\": \"diaria\", \"codigo_tabela\": \"18\", \"codigo\": \"60000775\","
  " \"descricao\": \"Di\xc3\xa1ria de apartamento\", \"quantidade\": \"3\","
  " \"valor_unitario\": \"250.00\", \"valor_total\": \"750.00\"},"
  " {\"sequencial\": 3, \"tipo\": \"gas\", \"codigo_tabela\": \"18\", \"codigo\": \"60000001\","
  " \"descricao\": \"Oxig\xc3\xaanio\", \"quantidade\": \"0.5\", \"valor_unitario\": \"200.00\","
  " \"valor_total\": \"100.00\", \"unidade_medida\": \"010\"}]}",
};

/* s with every "from" replaced by "to" (fat_malloc'd). */
static char *replace(const char *s, const char *from, const char *to)
{
  size_t n = 0, lf = strlen(from), lt = strlen(to), o = 0;
  const char *p;
  char *out;

  for (p = strstr(s, from); p != NULL; p = strstr(p + lf, from))
    n++;
  out = fat_malloc(strlen(s) + n * lt + 1);
  assert_non_null(out);
  for (p = strstr(s, from); p != NULL; p = strstr(s, from)) {
    memcpy(out + o, s, (size_t)(p - s));
    o += (size_t)(p - s);
    memcpy(out + o, to, lt);
    o += lt;
    s = p + lf;
  }
  memcpy(out + o, s, strlen(s) + 1);
  return out;
}

static fat_guia *guia(size_t k, const char *numero)
{
  char *common = replace(common_fmt, "NUM", numero);
  char *json = replace(guias_json[k], "COMMON", common);
  cJSON *j = cJSON_Parse(json);
  fat_guia *g = NULL;
  fat_err err;

  assert_non_null(j);
  if (fat_guia_from_json(j, &g, &err) != FAT_OK)
    fail_msg("fat_guia_from_json: %s", err.msg);
  cJSON_Delete(j);
  fat_free(json);
  fat_free(common);
  return g;
}

/* doc against tests/data/tiss/escrita/name (or, with FAT_ESCRITA_GERAR, into it). */
static void same_bytes(const char *name, const fat_tiss_doc *doc)
{
  const char *src = getenv("FAT_SOURCE_DIR");
  char path[1024], *want = NULL;
  size_t len = 0, i;
  fat_err err;

  assert_non_null(src);
  snprintf(path, sizeof path, "%s/tests/data/tiss/escrita/%s", src, name);
  if (getenv("FAT_ESCRITA_GERAR") != NULL) {
    assert_int_equal(fat_file_write(path, doc->xml, doc->len, &err), FAT_OK);
    return;
  }
  if (fat_file_read(path, FAT_TISS_MAX_BYTES, &want, &len, &err) != FAT_OK)
    fail_msg("%s", err.msg);
  for (i = 0; i < len && i < doc->len && want[i] == doc->xml[i]; i++)
    ;
  if (i < len || i < doc->len)
    fail_msg("%s: bytes differ from offset %zu (%zu written, %zu expected): ...%.60s", name, i,
             doc->len, len, doc->xml + (i > 20 ? i - 20 : 0));
  fat_free(want);
}

static void lote(const char *name, const size_t *kinds, size_t n, fat_tiss_enc enc)
{
  fat_guia *g[8];
  const fat_guia *v[8];
  fat_tiss_envio e;
  fat_tiss_doc doc;
  fat_err err;
  char num[16];
  size_t i;

  for (i = 0; i < n; i++) {
    snprintf(num, sizeof num, "G-%zu", i + 1);
    g[i] = guia(kinds[i], num);
    v[i] = g[i];
  }
  memset(&e, 0, sizeof e);
  e.numero_lote = "42";
  e.data = "2025-03-20";
  e.hora = "10:11:12";
  e.hash_enc = enc;
  if (fat_tiss_write_lote(&e, v, n, &doc, &err) != FAT_OK)
    fail_msg("fat_tiss_write_lote: %s", err.msg);
  same_bytes(name, &doc);
  fat_tiss_doc_fini(&doc);
  for (i = 0; i < n; i++)
    fat_guia_free(g[i]);
}

static void test_lotes_same_bytes(void **state)
{
  static const size_t um[4][1] = {{0}, {1}, {2}, {3}}, consultas[3] = {0, 0, 0};
  static const char *const nomes[4] = {"consulta.xml", "sadt.xml", "honorarios.xml",
                                       "internacao.xml"};
  size_t k;

  (void)state;
  for (k = 0; k < 4; k++)
    lote(nomes[k], um[k], 1, FAT_TISS_ISO88591);
  lote("sadt-utf8.xml", um[1], 1, FAT_TISS_UTF8);
  lote("tres-consultas.xml", consultas, 3, FAT_TISS_ISO88591);
}

static void test_messages_same_bytes(void **state)
{
  fat_tiss_cabecalho cab;
  fat_tiss_cancela_guia cg[2];
  fat_tiss_writer *w = NULL;
  fat_tiss_doc doc;
  fat_err err;

  (void)state;
  memset(&cab, 0, sizeof cab);
  cab.sequencial = "9";
  cab.data = "2025-03-21";
  cab.hora = "08:09:10";
  cab.codigo_prestador = "A-10234";
  cab.registro_ans = "312347";
  assert_int_equal(fat_tiss_write_status_protocolo(&cab, FAT_TISS_ISO88591, "P123", &doc, &err),
                   FAT_OK);
  same_bytes("status.xml", &doc);
  fat_tiss_doc_fini(&doc);
  assert_int_equal(fat_tiss_write_cancela_lote(&cab, FAT_TISS_ISO88591, "42", "P1", &doc, &err),
                   FAT_OK);
  same_bytes("cancela-lote.xml", &doc);
  fat_tiss_doc_fini(&doc);
  memset(cg, 0, sizeof cg);
  cg[0].numero_prestador = "G-1";
  cg[1].numero_prestador = "G&2";
  cg[1].numero_operadora = "OP-2";
  cg[1].protocolo = "P1";
  assert_int_equal(fat_tiss_write_cancela_guias(&cab, FAT_TISS_UTF8, cg, 2, &doc, &err), FAT_OK);
  same_bytes("cancela-guias.xml", &doc);
  fat_tiss_doc_fini(&doc);

  /* building blocks: an element opened and closed with nothing inside, then
  ** one with a leaf, from the operadora's side */
  cab.da_operadora = 1;
  cab.tipo_transacao = "PROTOCOLO_RECEBIMENTO";
  assert_int_equal(fat_tiss_writer_new(FAT_TISS_ISO88591, &w, &err), FAT_OK);
  fat_tiss_w_begin(w, &cab);
  fat_tiss_w_start(w, "vazio");
  fat_tiss_w_end(w);
  fat_tiss_w_start(w, "cheio");
  fat_tiss_w_leaf(w, "texto", "x > y & \xc3\xa9 \r\x01\x7f \"q\"", 0);
  fat_tiss_w_leaf_opt(w, "nada", "", 0);
  fat_tiss_w_end(w);
  assert_int_equal(fat_tiss_w_finish(w, &doc, &err), FAT_OK);
  fat_tiss_writer_free(w);
  same_bytes("blocos.xml", &doc);
  fat_tiss_doc_fini(&doc);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_lotes_same_bytes),
    cmocka_unit_test(test_messages_same_bytes),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
