/* fat_tiss_erro.c: libxml2 messages in pt-BR (see fat_tiss_erro.h). */
#include "fat_tiss_erro.h"

#include <stdio.h>
#include <string.h>

#include <libxml/xmlerror.h>

/* Well-formedness: one phrase per code a broken file produces. */
static const struct {
  int code;
  const char *pt;
} codigos[] = {
  {XML_ERR_DOCUMENT_EMPTY, "documento vazio"},
  {XML_ERR_DOCUMENT_END, "há conteúdo depois do fim do documento"},
  {XML_ERR_TAG_NAME_MISMATCH, "a tag de fechamento não corresponde à de abertura"},
  {XML_ERR_TAG_NOT_FINISHED, "elemento aberto e não fechado (arquivo cortado?)"},
  {XML_ERR_LTSLASH_REQUIRED, "falta a tag de fechamento"},
  {XML_ERR_GT_REQUIRED, "falta '>' no fim da tag"},
  {XML_ERR_LT_REQUIRED, "falta '<'"},
  {XML_ERR_NAME_REQUIRED, "nome de elemento ou atributo esperado"},
  {XML_ERR_LT_IN_ATTRIBUTE, "'<' dentro do valor de um atributo"},
  {XML_ERR_ATTRIBUTE_WITHOUT_VALUE, "atributo sem valor"},
  {XML_ERR_ATTRIBUTE_REDEFINED, "atributo repetido no mesmo elemento"},
  {XML_ERR_ATTRIBUTE_NOT_STARTED, "valor de atributo sem aspas"},
  {XML_ERR_ATTRIBUTE_NOT_FINISHED, "valor de atributo sem as aspas de fechamento"},
  {XML_ERR_INVALID_CHAR, "caractere inválido no XML"},
  {XML_ERR_INVALID_ENCODING, "byte inválido para a codificação declarada"},
  {XML_ERR_UNSUPPORTED_ENCODING, "codificação declarada não suportada"},
  {XML_ERR_UNKNOWN_ENCODING, "codificação declarada desconhecida"},
  {XML_ERR_UNDECLARED_ENTITY, "entidade não declarada (use &amp; para '&')"},
  {XML_WAR_UNDECLARED_ENTITY, "entidade não declarada (use &amp; para '&')"},
  {XML_ERR_ENTITYREF_SEMICOL_MISSING, "referência de entidade sem ';' (use &amp; para '&')"},
  {XML_ERR_XMLDECL_NOT_FINISHED, "declaração <?xml ...?> incompleta"},
  {XML_ERR_RESERVED_XML_NAME, "declaração <?xml ...?> fora do início do arquivo"},
  {XML_ERR_COMMENT_NOT_FINISHED, "comentário não fechado"},
  {XML_ERR_CDATA_NOT_FINISHED, "seção CDATA não fechada"},
  {XML_ERR_SPACE_REQUIRED, "falta um espaço"},
  {XML_ERR_EQUAL_REQUIRED, "falta '=' no atributo"},
  {XML_ERR_STRING_NOT_STARTED, "falta aspas"},
  {XML_ERR_STRING_NOT_CLOSED, "aspas não fechadas"},
  {XML_NS_ERR_UNDEFINED_NAMESPACE, "prefixo de namespace não declarado"},
  {XML_ERR_EXT_SUBSET_NOT_FINISHED, "DTD incompleto"},
};

/* Schema validation: libxml2's phrases and theirs in pt-BR, replaced in
** order (longer phrases first where one contains another). */
static const struct {
  const char *en, *pt;
} frases[] = {
  {"This element is not expected. Expected is one of ", "elemento fora do lugar; esperado um de "},
  {"This element is not expected. Expected is ", "elemento fora do lugar; esperado "},
  {"This element is not expected.", "elemento fora do lugar."},
  {"Missing child element(s). Expected is one of ", "faltam elementos; esperado um de "},
  {"Missing child element(s). Expected is ", "faltam elementos; esperado "},
  {"Missing child element(s).", "faltam elementos."},
  {"No matching global declaration available for the validation root.",
   "o elemento raiz não é uma mensagem TISS conhecida."},
  {"Character content other than whitespace is not allowed because the content type is "
   "'element-only'.",
   "texto não é permitido aqui (o elemento só contém outros elementos)."},
  {"Element content is not allowed, because the content type is a simple type definition.",
   "elementos não são permitidos aqui (o elemento só contém um valor)."},
  {"[facet 'enumeration'] ", ""},
  {"[facet 'pattern'] ", ""},
  {"[facet 'maxLength'] ", ""},
  {"[facet 'minLength'] ", ""},
  {"[facet 'length'] ", ""},
  {"[facet 'totalDigits'] ", ""},
  {"[facet 'fractionDigits'] ", ""},
  {"[facet 'minInclusive'] ", ""},
  {"[facet 'maxInclusive'] ", ""},
  {"is not an element of the set", "não está na lista"},
  {"is not accepted by the pattern", "não segue o padrão"},
  {"is not a valid value of the local atomic type.", "não é um valor válido para este campo."},
  {"is not a valid value of the atomic type", "não é um valor válido do tipo"},
  {"is not a valid value of the local union type.", "não é um valor válido para este campo."},
  {"is not a valid value of the union type", "não é um valor válido do tipo"},
  {"this exceeds the allowed maximum length of", "acima do máximo de"},
  {"this underruns the allowed minimum length of", "abaixo do mínimo de"},
  {"has a length of", "tem comprimento"},
  {"The number of fraction digits", "o número de casas decimais"},
  {"The number of digits", "o número de dígitos"},
  {"is greater than the allowed maximum", "passa do máximo"},
  {"is greater than", "é maior que"},
  {"is less than", "é menor que"},
  {"is not allowed.", "não é permitido."},
  {"The attribute ", "o atributo "},
  {"The value ", "o valor "},
  {"Element ", "elemento "},
  {"Attribute ", "atributo "},
  {"' is required but missing.", "' é obrigatório e está ausente."},
  {"'{http://www.ans.gov.br/padroes/tiss/schemas}", "'"},
  {"{http://www.ans.gov.br/padroes/tiss/schemas}", ""},
  {"'ans:", "'"},
};

void fat_tiss_erro_pt(int code, const char *message, char *buf, size_t len)
{
  const char *p;
  size_t i, o = 0, n;

  if (len == 0)
    return;
  buf[0] = '\0';
  for (i = 0; i < sizeof codigos / sizeof codigos[0]; i++) {
    if (codigos[i].code == code) {
      snprintf(buf, len, "%s", codigos[i].pt);
      return;
    }
  }
  if (message == NULL || code < XML_SCHEMAP_PREFIX_UNDEFINED) {
    /* a well-formedness error with no phrase of its own */
    snprintf(buf, len, "erro de sintaxe XML (código %d da libxml2)", code);
    return;
  }
  for (p = message; *p != '\0' && o + 1 < len;) {
    for (i = 0; i < sizeof frases / sizeof frases[0]; i++) {
      n = strlen(frases[i].en);
      if (strncmp(p, frases[i].en, n) == 0)
        break;
    }
    if (i < sizeof frases / sizeof frases[0]) {
      int w = snprintf(buf + o, len - o, "%s", frases[i].pt);

      o += w > 0 ? (size_t)w : 0;
      if (o >= len)
        o = len - 1;
      p += strlen(frases[i].en);
      continue;
    }
    buf[o++] = *p++;
  }
  buf[o] = '\0';
  while (o > 0 && (buf[o - 1] == '\n' || buf[o - 1] == ' '))
    buf[--o] = '\0';
}
