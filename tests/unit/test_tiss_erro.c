/* test_tiss_erro.c: libxml2's English never reaches the user: broken XML and
** XSD-invalid TISS messages are reported in pt-BR, naming file, line and
** element, with the values libxml2 quotes kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fat_mem.h"
#include "fat_tiss_erro.h"
#include "fat_tiss_hash.h"
#include "fat_tiss_read.h"
#include "fat_tiss_validate.h"

/* Words of libxml2's messages that must not show. */
static void assert_no_english(const char *msg)
{
  static const char *const en[] = {"mismatch", "expected", "Expected", "Element", "element is",
                                   "not allowed", "Premature", "Extra content", "Couldn't",
                                   "value of the", "facet", "StartTag", "EndTag", NULL};
  size_t i;

  for (i = 0; en[i] != NULL; i++)
    if (strstr(msg, en[i]) != NULL)
      fail_msg("inglês ('%s') em: %s", en[i], msg);
}

static void test_malformed_xml_reported_in_portuguese(void **state)
{
  static const struct {
    const char *xml;
    const char *want;
  } cases[] = {
    {"<a></b>", "o elemento a (aberto na linha 1) é fechado como b"},
    {"<a>&foo;</a>", "entidade &foo; não declarada"},
    {"<a><b>", "antes de fechar o elemento"},
    {"<a/><b/>", "há conteúdo depois do fim do documento"},
    {"<a x='1' x='2'/>", "atributo x repetido"},
    {"<a>R&D</a>", "&amp;"},
    {"", "documento vazio"},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fat_tiss_msg *m = NULL;
    xmlDoc *doc = NULL;
    fat_err err;

    assert_int_not_equal(fat_tiss_read_memory(cases[i].xml, strlen(cases[i].xml), "r.xml", &m,
                                              &err),
                         FAT_OK);
    assert_null(m);
    if (strstr(err.msg, "r.xml") == NULL)
      fail_msg("caso %zu sem o arquivo: %s", i, err.msg);
    if (cases[i].xml[0] != '\0' && strstr(err.msg, cases[i].want) == NULL)
      fail_msg("caso %zu: '%s' sem '%s'", i, err.msg, cases[i].want);
    assert_no_english(err.msg);
    if (cases[i].xml[0] == '\0')
      continue;
    assert_int_equal(fat_tiss_parse(cases[i].xml, strlen(cases[i].xml), "h.xml",
                                    &doc, &err),
                     FAT_EXML);
    if (strstr(err.msg, cases[i].want) == NULL)
      fail_msg("hash, caso %zu: '%s' sem '%s'", i, err.msg, cases[i].want);
    assert_no_english(err.msg);
  }
}

/* A real lote made XSD-invalid three ways: an element out of place, a value
** outside its list, a text too long. */
static void test_xsd_errors_reported_in_portuguese(void **state)
{
  const char *shared = getenv("FAT_SHARED_DIR"), *xsd = getenv("FATURO_XSD_DIR");
  char path[1024], *buf = NULL, *p;
  size_t len = 0, i;
  fat_tiss_xsd_result r;
  fat_err err;

  (void)state;
  assert_non_null(shared);
  assert_non_null(xsd);
  snprintf(path, sizeof path, "%s/tiss/samples/lote-sadt-4.01.00-operadora386596.xml", shared);
  assert_int_equal(fat_file_read(path, FAT_TISS_MAX_BYTES, &buf, &len, &err), FAT_OK);
  /* an element the XSD does not know where senha should be */
  p = strstr(buf, "<ans:senha>");
  assert_non_null(p);
  memcpy(p, "<ans:senhx>", 11);
  p = strstr(p, "</ans:senha>");
  assert_non_null(p);
  memcpy(p, "</ans:senhx>", 12);
  assert_int_equal(fat_tiss_validate_memory(xsd, buf, len, &r, &err), FAT_OK);
  assert_false(r.valido);
  assert_true(r.n_guardados > 0);
  for (i = 0; i < r.n_guardados; i++) {
    assert_no_english(r.erros[i].mensagem);
    assert_true(r.erros[i].linha > 0);
  }
  assert_non_null(strstr(r.erros[0].mensagem, "elemento"));
  assert_int_equal(fat_tiss_xsd_result_err(&r, 3, &err), FAT_EXML);
  assert_non_null(strstr(err.msg, "XML inválido pelo XSD TISS"));
  assert_no_english(err.msg);
  fat_tiss_xsd_result_fini(&r);
  fat_free(buf);
}

/* libxml2's schema messages: the names and values they quote are kept, the
** English is not; the element at fault is named apart. */
static void test_schema_phrases(void **state)
{
  static const struct {
    const char *en, *pt, *elemento;
  } cases[] = {
    {"Element '{http://www.ans.gov.br/padroes/tiss/schemas}senha': This element is not expected. "
     "Expected is ( {http://www.ans.gov.br/padroes/tiss/schemas}dataAutorizacao ).\n",
     "elemento fora de lugar ou não previsto pelo XSD; esperado aqui: dataAutorizacao", "senha"},
    {"Element '{http://www.ans.gov.br/padroes/tiss/schemas}sexo': [facet 'enumeration'] The value "
     "'X' is not an element of the set {'1', '3'}.\n",
     "o valor 'X' não está entre os códigos que o XSD TISS aceita", "sexo"},
    {"Element 'a': [facet 'maxLength'] The value 'abc' has a length of '3'; this exceeds the "
     "allowed maximum length of '2'.\n",
     "texto com 3 caracteres; o máximo é 2", "a"},
    {"Something libxml2 may say one day.\n",
     "valor ou estrutura que o XSD TISS não aceita (código 1871 da libxml2)", ""},
  };
  char msg[512], buf[512], el[96];
  xmlError e;
  size_t i;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    memset(&e, 0, sizeof e);
    snprintf(msg, sizeof msg, "%s", cases[i].en);
    e.code = 1871;
    e.message = msg;
    fat_tiss_erro_xsd(&e, buf, sizeof buf, el, sizeof el);
    if (strcmp(buf, cases[i].pt) != 0)
      fail_msg("caso %zu: '%s'", i, buf);
    assert_string_equal(el, cases[i].elemento);
    assert_no_english(buf);
  }
  fat_tiss_erro_xsd(&e, buf, 8, el, 4); /* bounded, never overflows */
  assert_true(strlen(buf) < 8);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_malformed_xml_reported_in_portuguese),
    cmocka_unit_test(test_xsd_errors_reported_in_portuguese),
    cmocka_unit_test(test_schema_phrases),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
