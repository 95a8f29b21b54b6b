/* fat_tiss_erro.c: libxml2's parser and XSD errors in pt-BR (see
** fat_tiss_erro.h). The XSD messages of libxml2 2.9 have fixed shapes
** ("Element '{ns}name': [facet 'maxLength'] The value 'v' has a length of
** 'n'; ..."); the values are taken from them, the English is not kept. */
#include "fat_tiss_erro.h"

#include <stdio.h>
#include <string.h>

/* Text of e's str1 (or "?"). */
static const char *s1(const xmlError *e) { return e->str1 != NULL ? e->str1 : "?"; }

void fat_tiss_erro_sintaxe(const xmlError *e, char *out, size_t len)
{
  if (e == NULL) {
    snprintf(out, len, "erro de sintaxe XML");
    return;
  }
  switch (e->code) {
  case XML_ERR_DOCUMENT_EMPTY: snprintf(out, len, "documento vazio"); break;
  case XML_ERR_DOCUMENT_END:
  case XML_ERR_EXTRA_CONTENT:
    snprintf(out, len, "há conteúdo depois do fim do documento");
    break;
  case XML_ERR_TAG_NAME_MISMATCH:
    snprintf(out, len, "o elemento %s (aberto na linha %d) é fechado como %s", s1(e), e->int1,
             e->str2 != NULL ? e->str2 : "?");
    break;
  case XML_ERR_TAG_NOT_FINISHED:
    snprintf(out, len, "o arquivo termina antes de fechar o elemento %s (aberto na linha %d)",
             s1(e), e->int1);
    break;
  case XML_ERR_GT_REQUIRED: snprintf(out, len, "falta '>' ao fim de uma tag"); break;
  case XML_ERR_LTSLASH_REQUIRED: snprintf(out, len, "falta '</' ao fechar um elemento"); break;
  case XML_ERR_NAME_REQUIRED:
    snprintf(out, len, "tag malformada (nome de elemento esperado)");
    break;
  case XML_ERR_RESERVED_XML_NAME:
    snprintf(out, len, "declaração <?xml?> fora do início do arquivo");
    break;
  case XML_ERR_UNDECLARED_ENTITY:
  case XML_WAR_UNDECLARED_ENTITY:
    snprintf(out, len, "entidade &%s; não declarada (para o caractere & escreva &amp;)",
             s1(e));
    break;
  case XML_ERR_ENTITYREF_SEMICOL_MISSING:
    snprintf(out, len, "'&' sem ';' (para o caractere & escreva &amp;)");
    break;
  case XML_ERR_INVALID_CHAR:
    snprintf(out, len, "caractere não permitido em XML");
    break;
  case XML_ERR_INVALID_ENCODING:
  case XML_ERR_UNKNOWN_ENCODING:
  case XML_ERR_UNSUPPORTED_ENCODING:
    snprintf(out, len, "bytes que não correspondem à codificação declarada");
    break;
  case XML_NS_ERR_UNDEFINED_NAMESPACE:
    snprintf(out, len, "prefixo de namespace %s não declarado", s1(e));
    break;
  case XML_ERR_ATTRIBUTE_WITHOUT_VALUE:
  case XML_ERR_ATTRIBUTE_NOT_STARTED:
  case XML_ERR_ATTRIBUTE_NOT_FINISHED:
  case XML_ERR_EQUAL_REQUIRED:
  case XML_ERR_STRING_NOT_STARTED:
  case XML_ERR_STRING_NOT_CLOSED:
  case XML_ERR_LT_IN_ATTRIBUTE:
    snprintf(out, len, "atributo malformado");
    break;
  case XML_ERR_ATTRIBUTE_REDEFINED: snprintf(out, len, "atributo %s repetido", s1(e)); break;
  case XML_ERR_COMMENT_NOT_FINISHED: snprintf(out, len, "comentário não fechado"); break;
  case XML_ERR_CDATA_NOT_FINISHED: snprintf(out, len, "seção CDATA não fechada"); break;
  case XML_ERR_XMLDECL_NOT_FINISHED:
  case XML_ERR_XMLDECL_NOT_STARTED:
  case XML_ERR_VERSION_MISSING:
    snprintf(out, len, "declaração <?xml?> malformada");
    break;
  case XML_ERR_LT_REQUIRED:
  case XML_ERR_NOT_WELL_BALANCED:
    snprintf(out, len, "conteúdo fora de um elemento ou elementos desbalanceados");
    break;
  case XML_ERR_PI_NOT_FINISHED:
  case XML_ERR_PI_NOT_STARTED:
    snprintf(out, len, "instrução de processamento <? ?> malformada");
    break;
  case XML_ERR_HYPHEN_IN_COMMENT: snprintf(out, len, "'--' dentro de um comentário"); break;
  case XML_ERR_NO_MEMORY: snprintf(out, len, "memória insuficiente ao ler o XML"); break;
  default:
    snprintf(out, len, "erro de sintaxe XML (código %d da libxml2)", e->code);
    break;
  }
}

/* Copy the local name of "{ns}name" or "name" (at most len - 1 bytes). */
static void local_name(const char *p, size_t n, char *out, size_t len)
{
  const char *close = memchr(p, '}', n);

  if (p[0] == '{' && close != NULL) {
    n -= (size_t)(close + 1 - p);
    p = close + 1;
  }
  if (n >= len)
    n = len - 1;
  memcpy(out, p, n);
  out[n] = '\0';
}

/* The text between the k-th pair of single quotes after `after` in msg
** (k = 0 the first), as a local name when asked; "" when absent. */
static void quoted(const char *msg, const char *after, int k, int local, char *out, size_t len)
{
  const char *p = after != NULL ? strstr(msg, after) : msg, *q;

  out[0] = '\0';
  if (p == NULL)
    return;
  if (after != NULL)
    p += strlen(after);
  for (;;) {
    p = strchr(p, '\'');
    if (p == NULL)
      return;
    q = strchr(p + 1, '\'');
    if (q == NULL)
      return;
    if (k-- == 0)
      break;
    p = q + 1;
  }
  if (local) {
    local_name(p + 1, (size_t)(q - p - 1), out, len);
  } else {
    size_t n = (size_t)(q - p - 1);

    if (n >= len)
      n = len - 1;
    memcpy(out, p + 1, n);
    out[n] = '\0';
  }
}

/* "( {ns}a, {ns}b )" after `after` as "a, b" (local names) into out. */
static void expected(const char *msg, char *out, size_t len)
{
  const char *p = strstr(msg, "( "), *end, *tok, *next;
  size_t o = 0;
  char name[96];

  out[0] = '\0';
  if (p == NULL)
    return;
  p += 2;
  end = strstr(p, " )");
  if (end == NULL)
    return;
  for (tok = p; tok < end && o + 1 < len; tok = next) {
    next = memchr(tok, ',', (size_t)(end - tok));
    if (next == NULL)
      next = end;
    local_name(tok, (size_t)(next - tok), name, sizeof name);
    o += (size_t)snprintf(out + o, len - o, "%s%s", o > 0 ? ", " : "", name);
    if (o >= len)
      o = len - 1;
    if (next < end)
      next += 2; /* ", " */
  }
}

void fat_tiss_erro_xsd(const xmlError *e, char *out, size_t len, char *elemento, size_t elen)
{
  const char *m = e != NULL && e->message != NULL ? e->message : "";
  char v[160], a[64], b[64], lista[240];

  elemento[0] = '\0';
  if (strncmp(m, "Element '", 9) == 0)
    quoted(m, NULL, 0, 1, elemento, elen);
  if (strstr(m, "This element is not expected") != NULL) {
    expected(m, lista, sizeof lista);
    if (lista[0] != '\0')
      snprintf(out, len, "elemento fora de lugar ou não previsto pelo XSD; esperado aqui: %s",
               lista);
    else
      snprintf(out, len, "elemento fora de lugar ou não previsto pelo XSD");
  } else if (strstr(m, "Missing child element") != NULL) {
    expected(m, lista, sizeof lista);
    snprintf(out, len, "falta o elemento obrigatório %s", lista[0] != '\0' ? lista : "(filho)");
  } else if (strstr(m, "[facet 'enumeration']") != NULL) {
    quoted(m, "The value ", 0, 0, v, sizeof v);
    snprintf(out, len, "o valor '%s' não está entre os códigos que o XSD TISS aceita", v);
  } else if (strstr(m, "[facet 'pattern']") != NULL) {
    quoted(m, "The value ", 0, 0, v, sizeof v);
    quoted(m, "pattern ", 0, 0, a, sizeof a);
    snprintf(out, len, "o valor '%s' não segue o formato exigido (%s)", v, a);
  } else if (strstr(m, "[facet 'maxLength']") != NULL ||
             strstr(m, "[facet 'minLength']") != NULL ||
             strstr(m, "[facet 'length']") != NULL) {
    quoted(m, "has a length of ", 0, 0, a, sizeof a);
    quoted(m, "length of ", 1, 0, b, sizeof b);
    if (b[0] == '\0')
      quoted(m, "allowed length of ", 0, 0, b, sizeof b);
    snprintf(out, len, "texto com %s caracteres; %s %s", a,
             strstr(m, "maxLength") != NULL   ? "o máximo é"
             : strstr(m, "minLength") != NULL ? "o mínimo é"
                                               : "deve ter exatamente",
             b);
  } else if (strstr(m, "[facet 'totalDigits']") != NULL) {
    quoted(m, "The value ", 0, 0, v, sizeof v);
    quoted(m, "allowed ", 0, 0, a, sizeof a);
    snprintf(out, len, "o valor '%s' tem mais dígitos do que os %s permitidos", v, a);
  } else if (strstr(m, "[facet 'fractionDigits']") != NULL) {
    quoted(m, "The value ", 0, 0, v, sizeof v);
    quoted(m, "allowed ", 0, 0, a, sizeof a);
    snprintf(out, len, "o valor '%s' tem mais de %s casas decimais", v, a);
  } else if (strstr(m, "[facet 'minInclusive']") != NULL ||
             strstr(m, "[facet 'minExclusive']") != NULL) {
    quoted(m, "The value ", 0, 0, v, sizeof v);
    quoted(m, "allowed ", 0, 0, a, sizeof a);
    snprintf(out, len, "o valor '%s' é menor que o mínimo permitido (%s)", v, a);
  } else if (strstr(m, "[facet 'maxInclusive']") != NULL ||
             strstr(m, "[facet 'maxExclusive']") != NULL) {
    quoted(m, "The value ", 0, 0, v, sizeof v);
    quoted(m, "allowed ", 0, 0, a, sizeof a);
    snprintf(out, len, "o valor '%s' é maior que o máximo permitido (%s)", v, a);
  } else if (strstr(m, "is not a valid value of the") != NULL) {
    quoted(m, "': ", 0, 0, v, sizeof v);
    quoted(m, "type ", 0, 1, a, sizeof a);
    snprintf(out, len, "o valor '%s' não é válido para o tipo %s%s", v, a,
             strcmp(a, "st_data") == 0 ? " (data AAAA-MM-DD)" : "");
  } else if (strstr(m, "No matching global declaration") != NULL) {
    snprintf(out, len, "o elemento raiz não é uma mensagem TISS 4.01.00 (mensagemTISS)");
  } else if (strstr(m, "Character content other than whitespace") != NULL) {
    snprintf(out, len, "texto solto num elemento que só contém outros elementos");
  } else if (strstr(m, "attribute") != NULL && strstr(m, "is not allowed") != NULL) {
    quoted(m, "attribute ", 0, 1, a, sizeof a);
    snprintf(out, len, "o atributo %s não é permitido", a);
  } else if (strstr(m, "is not allowed") != NULL || e->code == XML_SCHEMAV_NOTEMPTY) {
    snprintf(out, len, "conteúdo não permitido neste elemento");
  } else {
    snprintf(out, len, "valor ou estrutura que o XSD TISS não aceita (código %d da libxml2)",
             e != NULL ? e->code : 0);
  }
}
