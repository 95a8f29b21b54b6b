/* fat_busca.c: look-ups for typing a guia (fat_busca.h). */
#include "fat_busca.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_operadora.h"
#include "fat_store_int.h"

/* A search text: a number (digits only) or up to N words as LIKE patterns. */
typedef struct termo {
  int digitos;                          /* 1: search codes and documents */
  char num[72];                         /* "12345%" */
  char pal[FAT_BUSCA_MAX_PALAVRAS][80]; /* "%word%" (LIKE-escaped) */
  int n;
} termo;

static fat_rc termo_ler(const char *s, termo *t, int *limite, fat_err *err)
{
  size_t i, k = 0, len = s != NULL ? strlen(s) : 0;
  int so_digitos = 1, chars = 0;

  memset(t, 0, sizeof *t);
  if (*limite <= 0)
    *limite = FAT_BUSCA_LIMITE;
  if (*limite > FAT_BUSCA_LIMITE_MAX)
    *limite = FAT_BUSCA_LIMITE_MAX;
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];

    if (c < 0x20 || c == 0x7f)
      return fat_err_set(err, FAT_EINVAL, "busca com caractere de controle");
    if (c != ' ' && c != '.' && c != '-' && c != '/')
      chars++;
    if (!(c >= '0' && c <= '9') && c != ' ' && c != '.' && c != '-' && c != '/')
      so_digitos = 0;
  }
  if (chars < 2 || len > 120)
    return fat_err_set(err, FAT_EINVAL, "digite de 2 a 120 caracteres para buscar");
  if (so_digitos) {
    t->digitos = 1;
    for (i = 0; i < len && k + 2 < sizeof t->num; i++)
      if (s[i] >= '0' && s[i] <= '9')
        t->num[k++] = s[i];
    t->num[k++] = '%';
    t->num[k] = '\0';
    return FAT_OK;
  }
  i = 0;
  while (i < len && t->n < FAT_BUSCA_MAX_PALAVRAS) {
    char *p = t->pal[t->n];
    size_t o = 0;

    while (i < len && s[i] == ' ')
      i++;
    if (i >= len)
      break;
    p[o++] = '%';
    while (i < len && s[i] != ' ' && o + 4 < sizeof t->pal[0]) {
      if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
        p[o++] = '\\';
      p[o++] = s[i++];
    }
    while (i < len && s[i] != ' ')
      i++;
    p[o++] = '%';
    p[o] = '\0';
    t->n++;
  }
  return FAT_OK;
}

/* Bind the words at params first..first+N-1 (absent ones as NULL). */
static void bind_palavras(fat_stmt *s, int first, const termo *t)
{
  int i;

  for (i = 0; i < FAT_BUSCA_MAX_PALAVRAS; i++)
    fat_bind_text(s, first + i, i < t->n ? t->pal[i] : NULL);
}

#define PALAVRAS(col, a, b, c, d)                                                              \
  "(?" #a " IS NULL OR " col " LIKE ?" #a " ESCAPE '\\') AND (?" #b " IS NULL OR " col          \
  " LIKE ?" #b " ESCAPE '\\') AND (?" #c " IS NULL OR " col " LIKE ?" #c " ESCAPE '\\') AND "  \
  "(?" #d " IS NULL OR " col " LIKE ?" #d " ESCAPE '\\')"

/* {======================================================================
** Procedures
** ======================================================================= */

typedef struct codigo {
  char tabela[4];
  char codigo[24];
  char descricao[200];
  const char *fonte;
} codigo;

typedef struct codigos {
  codigo *v;
  size_t n, cap;
} codigos;

static int cmp_codigo(const void *a, const void *b)
{
  const codigo *x = a, *y = b;
  int c = strcmp(x->codigo, y->codigo);

  return c != 0 ? c : strcmp(x->tabela, y->tabela);
}

static int ja_tem(const codigos *c, const char *tabela, const char *cod)
{
  size_t i;

  for (i = 0; i < c->n; i++)
    if (strcmp(c->v[i].tabela, tabela) == 0 && strcmp(c->v[i].codigo, cod) == 0)
      return 1;
  return 0;
}

/* Rows (tabela, codigo, descricao) of s into c, skipping codes already there. */
static fat_rc colher(fat_store *st, fat_stmt *s, const char *fonte, codigos *c, fat_err *err)
{
  int step = fat_stmt_step(s);
  fat_rc rc = FAT_OK;

  while (step == FAT_ROW) {
    const char *tab = fat_col_text(s, 0);
    const char *cod = fat_col_text(s, 1);
    const char *desc = fat_col_text(s, 2);

    if (tab != NULL && cod != NULL && !ja_tem(c, tab, cod)) {
      if (c->n == c->cap) {
        size_t nc = c->cap != 0 ? c->cap * 2 : 32;
        codigo *nv = fat_realloc(c->v, nc * sizeof *nv);

        if (nv == NULL) {
          rc = fat_err_oom(err);
          break;
        }
        c->v = nv;
        c->cap = nc;
      }
      snprintf(c->v[c->n].tabela, sizeof c->v[0].tabela, "%s", tab);
      snprintf(c->v[c->n].codigo, sizeof c->v[0].codigo, "%s", cod);
      snprintf(c->v[c->n].descricao, sizeof c->v[0].descricao, "%s", desc != NULL ? desc : "");
      c->v[c->n].fonte = fonte;
      c->n++;
    }
    step = fat_stmt_step(s);
  }
  fat_stmt_reset(s);
  if (rc == FAT_OK && step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao buscar códigos");
  return rc;
}

fat_rc fat_busca_procedimentos(fat_store *st, const char *termo_s, const char *tabela,
                               const char *data, int limite, cJSON **out, fat_err *err)
{
  /* ?1 tabela, ?2 data, ?3 code prefix, ?4..?7 words, ?8 limit */
#define VIG                                                                                      \
  "(?2 IS NULL OR (vigencia_inicio <= ?2 AND (vigencia_fim IS NULL OR ?2 <= vigencia_fim)))"
  static const char sql_tuss[] =
    "SELECT tabela, codigo, descricao, max(vigencia_inicio) FROM tuss_termo "
    "WHERE (?1 IS NULL OR tabela = ?1) AND " VIG " AND (?3 IS NULL OR codigo LIKE ?3) AND "
    PALAVRAS("descricao", 4, 5, 6, 7)
    " GROUP BY codigo, tabela ORDER BY codigo, tabela LIMIT ?8";
  static const char sql_cbhpm[] =
    "SELECT '22', codigo, descricao, max(vigencia_inicio) FROM cbhpm_procedimento "
    "WHERE (?1 IS NULL OR ?1 = '22') AND " VIG " AND (?3 IS NULL OR codigo LIKE ?3) AND "
    PALAVRAS("descricao", 4, 5, 6, 7) " GROUP BY codigo ORDER BY codigo LIMIT ?8";
  static const char sql_insumo[] =
    "SELECT CASE tabela WHEN 'brasindice' THEN '20' ELSE '19' END AS t, codigo, "
    "descricao || CASE WHEN apresentacao IS NULL THEN '' ELSE ' ' || apresentacao END, "
    "max(vigencia_inicio), tabela FROM preco_insumo "
    "WHERE (?1 IS NULL OR ?1 = CASE tabela WHEN 'brasindice' THEN '20' ELSE '19' END) AND " VIG
    " AND (?3 IS NULL OR codigo LIKE ?3) AND " PALAVRAS("descricao", 4, 5, 6, 7)
    " GROUP BY codigo, tabela ORDER BY codigo, tabela LIMIT ?8";
#undef VIG
  static const char *const sqls[] = {sql_tuss, sql_cbhpm, sql_insumo};
  static const char *const fontes[] = {"tuss", "cbhpm", "insumo"};
  codigos c = {NULL, 0, 0};
  cJSON *arr = NULL;
  fat_stmt *s;
  termo t;
  size_t i;
  fat_rc rc;

  *out = NULL;
  rc = termo_ler(termo_s, &t, &limite, err);
  if (rc == FAT_OK && data != NULL && !fat_dia_valida(data))
    rc = fat_err_set(err, FAT_EINVAL, "data inválida '%s' (use AAAA-MM-DD)", data);
  for (i = 0; i < 3 && rc == FAT_OK; i++) {
    size_t antes = c.n, k;

    rc = fat_store_prepare(st, sqls[i], &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_text(s, 1, tabela != NULL && tabela[0] != '\0' ? tabela : NULL);
    fat_bind_text(s, 2, data);
    fat_bind_text(s, 3, t.digitos ? t.num : NULL);
    bind_palavras(s, 4, &t);
    fat_bind_int(s, 8, limite);
    rc = colher(st, s, fontes[i], &c, err);
    for (k = antes; k < c.n && i == 2; k++)
      c.v[k].fonte = strcmp(c.v[k].tabela, "20") == 0 ? "brasindice" : "simpro";
  }
  if (rc == FAT_OK) {
    qsort(c.v, c.n, sizeof *c.v, cmp_codigo);
    arr = cJSON_CreateArray();
    if (arr == NULL)
      rc = fat_err_oom(err);
  }
  for (i = 0; i < c.n && (int)i < limite && rc == FAT_OK; i++) {
    cJSON *o = cJSON_CreateObject();

    if (o == NULL || !cJSON_AddItemToArray(arr, o) ||
        cJSON_AddStringToObject(o, "tabela", c.v[i].tabela) == NULL ||
        cJSON_AddStringToObject(o, "codigo", c.v[i].codigo) == NULL ||
        cJSON_AddStringToObject(o, "descricao", c.v[i].descricao) == NULL ||
        cJSON_AddStringToObject(o, "fonte", c.v[i].fonte) == NULL) {
      if (arr != NULL && o != NULL && cJSON_GetArraySize(arr) == (int)i)
        cJSON_Delete(o);
      rc = fat_err_oom(err);
    }
  }
  fat_free(c.v);
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  *out = arr;
  return FAT_OK;
}

fat_rc fat_busca_prestadores(fat_store *st, cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT id, nome, cnpj, cpf, cnes FROM prestador ORDER BY nome, id LIMIT ?1";
  fat_stmt *s;
  fat_rc rc;

  *out = NULL;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, FAT_BUSCA_LIMITE_MAX);
  return fat_store_rows_json(st, s, 1, "erro ao listar os prestadores", out, err);
}

/* }====================================================================== */

/* {======================================================================
** Beneficiários and profissionais
** ======================================================================= */

static fat_rc carteiras(fat_store *st, cJSON *b, int64_t id, int64_t operadora_id, fat_err *err)
{
  static const char sql[] =
    "SELECT o.registro_ans AS registro_ans, o.nome AS operadora, c.numero AS numero, "
    "c.validade AS validade, p.codigo AS plano FROM carteira c "
    "JOIN operadora o ON o.id = c.operadora_id LEFT JOIN plano p ON p.id = c.plano_id "
    "WHERE c.beneficiario_id = ?1 AND (?2 = 0 OR c.operadora_id = ?2) ORDER BY o.nome, c.numero";
  fat_stmt *s;
  cJSON *arr = NULL;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  fat_bind_int(s, 2, operadora_id);
  rc = fat_store_rows_json(st, s, 1, "erro ao ler as carteiras", &arr, err);
  if (rc == FAT_OK && !cJSON_AddItemToObject(b, "carteiras", arr)) {
    cJSON_Delete(arr);
    rc = fat_err_oom(err);
  }
  return rc;
}

/* The range [de, ate) of the texts that start with the digits of t->num
** ("123%"): ate is the prefix with its last character one higher. */
static void faixa(const termo *t, char *de, char *ate, size_t n)
{
  size_t len = strlen(t->num);

  snprintf(de, n, "%.*s", (int)(len > 0 ? len - 1 : 0), t->num); /* without the '%' */
  snprintf(ate, n, "%s", de);
  len = strlen(ate);
  if (len > 0)
    ate[len - 1] = (char)(ate[len - 1] + 1);
}

fat_rc fat_busca_beneficiarios(fat_store *st, const char *termo_s, const char *operadora,
                               int limite, cJSON **out, fat_err *err)
{
  /* digits: the ranges of three indexes (CPF, CNS, card number) */
  static const char sql_dig[] =
    "SELECT b.id AS id, b.nome AS nome, b.nome_social AS nome_social, b.cpf AS cpf, "
    "b.cns AS cns, b.nascimento AS nascimento, b.sexo AS sexo FROM beneficiario b "
    "WHERE b.id IN (SELECT id FROM beneficiario WHERE cpf >= ?1 AND cpf < ?2"
    " UNION SELECT id FROM beneficiario WHERE cns >= ?1 AND cns < ?2"
    " UNION SELECT beneficiario_id FROM carteira WHERE numero >= ?1 AND numero < ?2)"
    " AND (?6 = 0 OR EXISTS (SELECT 1 FROM carteira c WHERE c.beneficiario_id = b.id AND "
    "c.operadora_id = ?6)) ORDER BY b.nome, b.id LIMIT ?7";
  /* words: the names in order until the limit is met, reading the index alone
  ** (beneficiario_nome_busca holds nome_social too: migration 091) */
  static const char sql_nome[] =
    "SELECT b.id AS id, b.nome AS nome, b.nome_social AS nome_social, b.cpf AS cpf, "
    "b.cns AS cns, b.nascimento AS nascimento, b.sexo AS sexo"
    " FROM beneficiario b INDEXED BY beneficiario_nome_busca WHERE "
    PALAVRAS("b.nome || ' ' || COALESCE(b.nome_social, '')", 2, 3, 4, 5)
    " AND (?6 = 0 OR EXISTS (SELECT 1 FROM carteira c WHERE c.beneficiario_id = b.id AND "
    "c.operadora_id = ?6)) ORDER BY b.nome, b.id LIMIT ?7";
  int64_t op = 0;
  fat_stmt *s;
  cJSON *arr = NULL, *b;
  char de[72], ate[72];
  termo t;
  fat_rc rc;

  *out = NULL;
  rc = termo_ler(termo_s, &t, &limite, err);
  if (rc == FAT_OK && operadora != NULL && operadora[0] != '\0')
    rc = fat_operadora_resolver(st, operadora, &op, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, t.digitos ? sql_dig : sql_nome, &s, err);
  if (rc != FAT_OK)
    return rc;
  if (t.digitos) {
    faixa(&t, de, ate, sizeof de);
    fat_bind_text(s, 1, de);
    fat_bind_text(s, 2, ate);
  } else {
    bind_palavras(s, 2, &t);
  }
  fat_bind_int(s, 6, op);
  fat_bind_int(s, 7, limite);
  rc = fat_store_rows_json(st, s, 1, "erro ao buscar beneficiários", &arr, err);
  if (rc != FAT_OK)
    return rc;
  cJSON_ArrayForEach(b, arr)
  {
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(b, "id");

    rc = carteiras(st, b, cJSON_IsNumber(id) ? (int64_t)id->valuedouble : 0, op, err);
    if (rc != FAT_OK) {
      cJSON_Delete(arr);
      return rc;
    }
  }
  *out = arr;
  return FAT_OK;
}

fat_rc fat_busca_profissionais(fat_store *st, const char *termo_s, int limite, cJSON **out,
                               fat_err *err)
{
  static const char sql[] =
    "SELECT id, nome, cpf, conselho, numero_conselho, uf, cbo, especialidade FROM profissional "
    "WHERE (?1 IS NULL OR cpf LIKE ?1 OR numero_conselho LIKE ?1) AND "
    PALAVRAS("nome", 2, 3, 4, 5) " ORDER BY nome, id LIMIT ?6";
  fat_stmt *s;
  termo t;
  fat_rc rc;

  *out = NULL;
  rc = termo_ler(termo_s, &t, &limite, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, t.digitos ? t.num : NULL);
  bind_palavras(s, 2, &t);
  fat_bind_int(s, 6, limite);
  return fat_store_rows_json(st, s, 1, "erro ao buscar profissionais", out, err);
}

/* }====================================================================== */
