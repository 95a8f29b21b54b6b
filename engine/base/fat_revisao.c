/* fat_revisao.c: revisions of a guia (fat_revisao.h). */
#include "fat_revisao.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_money.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_store_int.h"

/* {======================================================================
** Labels and values for users
** ======================================================================= */

typedef struct rotulo {
  const char *nome, *texto;
} rotulo;

static const rotulo guia_rotulos[] = {
  {"tipo", "tipo de guia"},
  {"numero_prestador", "número da guia no prestador"},
  {"numero_operadora", "número da guia na operadora"},
  {"numero_principal", "número da guia principal"},
  {"beneficiario_nome", "nome do beneficiário"},
  {"carteira_numero", "número da carteira"},
  {"carteira_validade", "validade da carteira"},
  {"cns", "CNS"},
  {"atendimento_rn", "atendimento a recém-nato"},
  {"senha", "senha"},
  {"data_autorizacao", "data da autorização"},
  {"validade_senha", "validade da senha"},
  {"carater_atendimento", "caráter do atendimento"},
  {"tipo_atendimento", "tipo de atendimento"},
  {"tipo_consulta", "tipo de consulta"},
  {"regime_atendimento", "regime de atendimento"},
  {"indicacao_acidente", "indicação de acidente"},
  {"cid", "CID principal"},
  {"cid_secundarios", "CIDs secundários"},
  {"data_solicitacao", "data da solicitação"},
  {"indicacao_clinica", "indicação clínica"},
  {"data_inicio", "data do atendimento"},
  {"hora_inicio", "hora de início"},
  {"data_fim", "data final"},
  {"hora_fim", "hora final"},
  {"tipo_internacao", "tipo de internação"},
  {"regime_internacao", "regime de internação"},
  {"motivo_encerramento", "motivo do encerramento"},
  {"assinatura_beneficiario", "assinatura do beneficiário"},
  {"pedido_medico", "pedido médico"},
  {"laudo", "laudo"},
  {"observacao", "observação"},
  {"valor_total", "valor total da guia"},
  {"competencia", "competência"},
  {"status", "situação"},
  {NULL, NULL}
};

static const rotulo item_rotulos[] = {
  {"sequencial", "número do item"},
  {"tipo", "tipo do item"},
  {"codigo_tabela", "tabela"},
  {"codigo", "código"},
  {"descricao", "descrição"},
  {"quantidade", "quantidade"},
  {"valor_unitario", "valor unitário"},
  {"valor_total", "valor total"},
  {"data", "data de execução"},
  {"hora_inicio", "hora de início"},
  {"hora_fim", "hora final"},
  {"via_acesso", "via de acesso"},
  {"tecnica", "técnica"},
  {"grau_participacao", "grau de participação"},
  {"fator", "fator de redução/acréscimo"},
  {"unidade_medida", "unidade de medida"},
  {"registro_anvisa", "registro ANVISA"},
  {"codigo_fabricante", "código do fabricante"},
  {NULL, NULL}
};

/* operadora, prestador, plano, beneficiario and the profissionais */
static const rotulo sub_rotulos[] = {
  {"nome", "nome"},
  {"nome_social", "nome social"},
  {"cpf", "CPF"},
  {"cnpj", "CNPJ"},
  {"cns", "CNS"},
  {"nascimento", "nascimento"},
  {"sexo", "sexo"},
  {"registro_ans", "registro ANS"},
  {"script", "script"},
  {"cnes", "CNES"},
  {"codigo_na_operadora", "código na operadora"},
  {"codigo", "código"},
  {"acomodacao", "acomodação"},
  {"conselho", "conselho"},
  {"numero_conselho", "número no conselho"},
  {"uf", "UF do conselho"},
  {"cbo", "CBO"},
  {"especialidade", "especialidade"},
  {NULL, NULL}
};

static const rotulo obj_rotulos[] = {
  {"operadora", "operadora"},
  {"prestador", "prestador"},
  {"plano", "plano"},
  {"beneficiario", "beneficiário (cadastro)"},
  {"solicitante", "solicitante"},
  {"executante", "executante"},
  {"profissional", "profissional"},
  {NULL, NULL}
};

static const char *rotulo_de(const rotulo *t, const char *nome, size_t n)
{
  for (; t->nome != NULL; t++)
    if (strlen(t->nome) == n && strncmp(t->nome, nome, n) == 0)
      return t->texto;
  return NULL;
}

/* "obj.campo" or "campo" within a table of scalar labels. */
static void rotulo_sub(const char *p, const rotulo *escalares, char *buf, size_t len)
{
  const char *dot = strchr(p, '.');
  const char *o, *c;

  if (dot == NULL) {
    c = rotulo_de(escalares, p, strlen(p));
    snprintf(buf, len, "%s", c != NULL ? c : p);
    return;
  }
  o = rotulo_de(obj_rotulos, p, (size_t)(dot - p));
  c = rotulo_de(sub_rotulos, dot + 1, strlen(dot + 1));
  snprintf(buf, len, "%.*s: %s", o != NULL ? (int)strlen(o) : (int)(dot - p), o != NULL ? o : p,
           c != NULL ? c : dot + 1);
}

void fat_revisao_rotulo(const char *campo, char *buf, size_t len)
{
  char sub[96];
  long n;
  char *end;

  if (len == 0)
    return;
  buf[0] = '\0';
  if (campo == NULL)
    return;
  if (strncmp(campo, "itens[", 6) == 0) {
    n = strtol(campo + 6, &end, 10);
    if (end != campo + 6 && *end == ']') {
      if (end[1] == '\0') {
        snprintf(buf, len, "item %ld", n);
        return;
      }
      if (end[1] == '.') {
        rotulo_sub(end + 2, item_rotulos, sub, sizeof sub);
        snprintf(buf, len, "item %ld: %s", n, sub);
        return;
      }
    }
  }
  rotulo_sub(campo, guia_rotulos, buf, len);
}

/* The last component of a path ("itens[3].valor_total" -> "valor_total"). */
static const char *ultimo(const char *campo)
{
  const char *dot = strrchr(campo, '.');

  return dot != NULL ? dot + 1 : campo;
}

/* A quantity as users read it: 10000 -> "1", 25000 -> "2,5" (no "1,0000"). */
static void qtd_texto(int64_t e4, char *buf, size_t len)
{
  size_t n;

  fat_money_qty_format_br(e4, buf, len);
  if (strchr(buf, ',') == NULL)
    return;
  n = strlen(buf);
  while (n > 0 && buf[n - 1] == '0')
    buf[--n] = '\0';
  if (n > 0 && buf[n - 1] == ',')
    buf[--n] = '\0';
}

void fat_revisao_texto(const char *campo, const char *valor, char *buf, size_t len)
{
  const char *nome = campo != NULL ? ultimo(campo) : "";
  int64_t v;
  int32_t dia;

  if (len == 0)
    return;
  buf[0] = '\0';
  if (valor == NULL)
    return;
  if (strcmp(valor, "true") == 0 || strcmp(valor, "false") == 0) {
    snprintf(buf, len, "%s", valor[0] == 't' ? "sim" : "não");
    return;
  }
  if ((strcmp(nome, "valor_total") == 0 || strcmp(nome, "valor_unitario") == 0) &&
      fat_money_parse(valor, &v, NULL) == FAT_OK) {
    fat_money_format_br(v, buf, len);
    return;
  }
  if (strcmp(nome, "quantidade") == 0 && fat_money_qty_parse(valor, &v, NULL) == FAT_OK) {
    qtd_texto(v, buf, len);
    return;
  }
  if (fat_dia_parse(valor, &dia) == 0) {
    fat_dia_format_br(dia, buf, len);
    return;
  }
  if (strcmp(nome, "competencia") == 0 && fat_dia_competencia_valida(valor)) {
    snprintf(buf, len, "%s", fat_dia_competencia_br_ou(valor, "").s);
    return;
  }
  if (strcmp(nome, "fator") == 0) {
    size_t i;

    snprintf(buf, len, "%s", valor);
    for (i = 0; buf[i] != '\0'; i++)
      if (buf[i] == '.')
        buf[i] = ',';
    return;
  }
  snprintf(buf, len, "%s", valor);
}

/* }====================================================================== */

/* {======================================================================
** Diff of two JSON forms
** ======================================================================= */

/* Members of the JSON form that are bookkeeping, not content. */
static int ignorado(const char *k, int item)
{
  static const char *const guia_k[] = {"id", "revisao", "status", "lote_id", "origem", "itens",
                                       NULL};
  size_t i;

  if (item)
    return strcmp(k, "id") == 0 || strcmp(k, "sequencial") == 0;
  for (i = 0; guia_k[i] != NULL; i++)
    if (strcmp(k, guia_k[i]) == 0)
      return 1;
  return 0;
}

/* Text of a scalar in the JSON form (NULL for null/absent); *dyn receives an
** allocation to free; *oom set on failure. */
static const char *escalar(const cJSON *v, char **dyn, int *oom)
{
  char num[40];

  *dyn = NULL;
  if (v == NULL || cJSON_IsNull(v))
    return NULL;
  if (cJSON_IsString(v))
    return v->valuestring;
  if (cJSON_IsBool(v))
    return cJSON_IsTrue(v) ? "true" : "false";
  if (cJSON_IsNumber(v)) {
    if (v->valuedouble >= -9e15 && v->valuedouble <= 9e15 &&
        v->valuedouble == (double)(int64_t)v->valuedouble)
      snprintf(num, sizeof num, "%lld", (long long)(int64_t)v->valuedouble);
    else
      snprintf(num, sizeof num, "%.17g", v->valuedouble);
    *dyn = fat_strdup(num);
  } else {
    return NULL; /* objects are walked by the caller; the form has no other arrays */
  }
  if (*dyn == NULL)
    *oom = 1;
  return *dyn;
}

static int add_alt(cJSON *arr, const char *campo, const char *de, const char *para)
{
  cJSON *o = cJSON_CreateObject();

  if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
    cJSON_Delete(o);
    return 0;
  }
  return cJSON_AddStringToObject(o, "campo", campo) != NULL &&
         (de != NULL ? cJSON_AddStringToObject(o, "de", de) : cJSON_AddNullToObject(o, "de")) !=
             NULL &&
         (para != NULL ? cJSON_AddStringToObject(o, "para", para)
                       : cJSON_AddNullToObject(o, "para")) != NULL;
}

static int str_eq_null(const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return strcmp(a, b) == 0;
}

/* Compare member k of a and b (either may lack it) under prefix; objects
** are walked one level down. Returns 0 on OOM. */
static int diff_membro(cJSON *out, const char *prefix, const char *k, const cJSON *a,
                       const cJSON *b);

static int diff_obj(cJSON *out, const char *prefix, const cJSON *a, const cJSON *b, int item)
{
  const cJSON *m;

  cJSON_ArrayForEach(m, a)
  {
    if (m->string == NULL || ignorado(m->string, item))
      continue;
    if (!diff_membro(out, prefix, m->string, m, cJSON_GetObjectItemCaseSensitive(b, m->string)))
      return 0;
  }
  cJSON_ArrayForEach(m, b)
  {
    if (m->string == NULL || ignorado(m->string, item) ||
        cJSON_GetObjectItemCaseSensitive(a, m->string) != NULL)
      continue;
    if (!diff_membro(out, prefix, m->string, NULL, m))
      return 0;
  }
  return 1;
}

static int diff_membro(cJSON *out, const char *prefix, const char *k, const cJSON *a,
                       const cJSON *b)
{
  char campo[160];
  char *da = NULL, *db = NULL;
  const char *ta, *tb;
  int oom = 0, ok = 1;

  snprintf(campo, sizeof campo, "%s%s", prefix, k);
  if (cJSON_IsObject(a) || cJSON_IsObject(b)) {
    static const cJSON vazio;
    char sub[176];

    snprintf(sub, sizeof sub, "%s.", campo);
    return diff_obj(out, sub, cJSON_IsObject(a) ? a : &vazio, cJSON_IsObject(b) ? b : &vazio, 1);
  }
  ta = escalar(a, &da, &oom);
  tb = escalar(b, &db, &oom);
  if (!oom && !str_eq_null(ta, tb))
    ok = add_alt(out, campo, ta, tb);
  fat_free(da);
  fat_free(db);
  return ok && !oom;
}

static int item_seq(const cJSON *it)
{
  const cJSON *s = cJSON_GetObjectItemCaseSensitive(it, "sequencial");

  return cJSON_IsNumber(s) ? s->valueint : 0;
}

static const cJSON *item_por_seq(const cJSON *itens, int seq)
{
  const cJSON *it;

  cJSON_ArrayForEach(it, itens)
  {
    if (item_seq(it) == seq)
      return it;
  }
  return NULL;
}

/* "código 40301630 (tabela 22), quantidade 1" */
static void item_resumo(const cJSON *it, char *buf, size_t len)
{
  const cJSON *cod = cJSON_GetObjectItemCaseSensitive(it, "codigo");
  const cJSON *tab = cJSON_GetObjectItemCaseSensitive(it, "codigo_tabela");
  const cJSON *q = cJSON_GetObjectItemCaseSensitive(it, "quantidade");
  char qt[40] = "";
  int64_t e4;

  if (cJSON_IsString(q) && fat_money_qty_parse(q->valuestring, &e4, NULL) == FAT_OK)
    qtd_texto(e4, qt, sizeof qt);
  snprintf(buf, len, "código %s (tabela %s), quantidade %s",
           cJSON_IsString(cod) ? cod->valuestring : "?",
           cJSON_IsString(tab) ? tab->valuestring : "?", qt[0] != '\0' ? qt : "?");
}

static int diff_itens(cJSON *out, const cJSON *a, const cJSON *b)
{
  const cJSON *it, *other;
  char campo[48], resumo[160];

  cJSON_ArrayForEach(it, a)
  {
    int seq = item_seq(it);

    other = item_por_seq(b, seq);
    snprintf(campo, sizeof campo, "itens[%d]", seq);
    if (other == NULL) {
      item_resumo(it, resumo, sizeof resumo);
      if (!add_alt(out, campo, resumo, NULL))
        return 0;
      continue;
    }
    snprintf(campo, sizeof campo, "itens[%d].", seq);
    if (!diff_obj(out, campo, it, other, 1))
      return 0;
  }
  cJSON_ArrayForEach(it, b)
  {
    int seq = item_seq(it);

    if (item_por_seq(a, seq) != NULL)
      continue;
    snprintf(campo, sizeof campo, "itens[%d]", seq);
    item_resumo(it, resumo, sizeof resumo);
    if (!add_alt(out, campo, NULL, resumo))
      return 0;
  }
  return 1;
}

fat_rc fat_revisao_diff(const cJSON *antes, const cJSON *depois, cJSON **out, fat_err *err)
{
  cJSON *arr = cJSON_CreateArray();

  *out = NULL;
  if (arr == NULL || !diff_obj(arr, "", antes, depois, 0) ||
      !diff_itens(arr, cJSON_GetObjectItemCaseSensitive(antes, "itens"),
                  cJSON_GetObjectItemCaseSensitive(depois, "itens"))) {
    cJSON_Delete(arr);
    return fat_err_oom(err);
  }
  *out = arr;
  return FAT_OK;
}

/* }====================================================================== */

/* {======================================================================
** Store and list
** ======================================================================= */

fat_rc fat_revisao_gravar(fat_store *st, int64_t guia_id, int64_t revisao, const char *acao,
                          const char *motivo, const cJSON *alteracoes, fat_err *err)
{
  static const char sql[] =
    "INSERT INTO guia_revisao(guia_id, revisao, em, usuario, acao, motivo, alteracoes) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  fat_stmt *s;
  char now[32], *txt = NULL;
  fat_rc rc;

  txt = alteracoes != NULL ? cJSON_PrintUnformatted(alteracoes) : fat_strdup("[]");
  if (txt == NULL)
    return fat_err_oom(err);
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK) {
    fat_store_now(now, sizeof now);
    fat_bind_int(s, 1, guia_id);
    fat_bind_int(s, 2, revisao);
    fat_bind_text(s, 3, now);
    fat_bind_text(s, 4, fat_store_user(st));
    fat_bind_text(s, 5, acao);
    fat_bind_text(s, 6, motivo);
    fat_bind_text(s, 7, txt);
    rc = fat_store_step_done(st, s, "erro ao gravar a revisão da guia", err);
  }
  if (alteracoes != NULL)
    cJSON_free(txt);
  else
    fat_free(txt);
  return rc;
}

/* Add rotulo, de_texto and para_texto to each alteração of arr. */
static int enriquecer(cJSON *arr)
{
  cJSON *a;
  char buf[256];

  cJSON_ArrayForEach(a, arr)
  {
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(a, "campo");
    const cJSON *de = cJSON_GetObjectItemCaseSensitive(a, "de");
    const cJSON *para = cJSON_GetObjectItemCaseSensitive(a, "para");
    const char *campo = cJSON_IsString(c) ? c->valuestring : "";

    fat_revisao_rotulo(campo, buf, sizeof buf);
    if (cJSON_AddStringToObject(a, "rotulo", buf) == NULL)
      return 0;
    fat_revisao_texto(campo, cJSON_IsString(de) ? de->valuestring : NULL, buf, sizeof buf);
    if (cJSON_AddStringToObject(a, "de_texto", buf) == NULL)
      return 0;
    fat_revisao_texto(campo, cJSON_IsString(para) ? para->valuestring : NULL, buf, sizeof buf);
    if (cJSON_AddStringToObject(a, "para_texto", buf) == NULL)
      return 0;
  }
  return 1;
}

fat_rc fat_revisao_rotular(cJSON *alteracoes, fat_err *err)
{
  return enriquecer(alteracoes) ? FAT_OK : fat_err_oom(err);
}

/* Revision 1: the guia as it came in. */
static fat_rc primeira(fat_store *st, int64_t guia_id, cJSON *arr, fat_err *err)
{
  static const char sql_guia[] = "SELECT criado_em, origem FROM guia WHERE id = ?1";
  static const char sql_quem[] =
    "SELECT usuario FROM auditoria WHERE objeto = ?1 AND acao IN ('guia.digitar', "
    "'guia.importar') ORDER BY id LIMIT 1";
  fat_stmt *s;
  cJSON *o = NULL;
  char obj[32];
  int step, ok = 1;
  fat_rc rc = fat_store_prepare(st, sql_guia, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id);
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    const char *origem = fat_col_text(s, 1);

    o = cJSON_CreateObject();
    ok = o != NULL && cJSON_AddItemToArray(arr, o) &&
         cJSON_AddNumberToObject(o, "revisao", 1) != NULL &&
         cJSON_AddStringToObject(o, "em", fat_col_text(s, 0)) != NULL &&
         cJSON_AddStringToObject(o, "acao", origem != NULL ? "importar" : "digitar") != NULL &&
         (origem == NULL || cJSON_AddStringToObject(o, "origem", origem) != NULL) &&
         cJSON_AddArrayToObject(o, "alteracoes") != NULL;
    if (o != NULL && !ok && cJSON_GetArraySize(arr) == 0)
      cJSON_Delete(o);
  }
  fat_stmt_reset(s);
  if (step == FAT_DONE)
    return fat_err_set(err, FAT_ENOTFOUND, "guia %lld não encontrada", (long long)guia_id);
  if (step != FAT_ROW)
    return fat_store_dberr(st, err, "erro ao ler a guia");
  if (!ok)
    return fat_err_oom(err);
  rc = fat_store_prepare(st, sql_quem, &s, err);
  if (rc != FAT_OK)
    return rc;
  snprintf(obj, sizeof obj, "guia:%lld", (long long)guia_id);
  fat_bind_text(s, 1, obj);
  step = fat_stmt_step(s);
  if (step == FAT_ROW)
    ok = cJSON_AddStringToObject(o, "usuario", fat_col_text(s, 0)) != NULL;
  fat_stmt_reset(s);
  if (step != FAT_ROW && step != FAT_DONE)
    return fat_store_dberr(st, err, "erro ao ler a auditoria da guia");
  return ok ? FAT_OK : fat_err_oom(err);
}

fat_rc fat_revisao_listar(fat_store *st, int64_t guia_id, cJSON **out, fat_err *err)
{
  static const char sql[] =
    "SELECT revisao, em, usuario, acao, motivo, alteracoes FROM guia_revisao "
    "WHERE guia_id = ?1 ORDER BY revisao";
  cJSON *arr = cJSON_CreateArray();
  fat_stmt *s;
  int step = FAT_DONE;
  fat_rc rc;

  *out = NULL;
  if (arr == NULL)
    return fat_err_oom(err);
  rc = primeira(st, guia_id, arr, err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, guia_id);
  step = fat_stmt_step(s);
  while (step == FAT_ROW && rc == FAT_OK) {
    const char *motivo = fat_col_text(s, 4);
    const char *alt = fat_col_text(s, 5);
    cJSON *o = cJSON_CreateObject(), *a = alt != NULL ? cJSON_Parse(alt) : NULL;

    if (a == NULL)
      a = cJSON_CreateArray();
    if (o == NULL || a == NULL || !cJSON_AddItemToArray(arr, o)) {
      cJSON_Delete(o);
      cJSON_Delete(a);
      rc = fat_err_oom(err);
      break;
    }
    if (cJSON_AddNumberToObject(o, "revisao", (double)fat_col_int64(s, 0)) == NULL ||
        cJSON_AddStringToObject(o, "em", fat_col_text(s, 1)) == NULL ||
        cJSON_AddStringToObject(o, "usuario", fat_col_text(s, 2)) == NULL ||
        cJSON_AddStringToObject(o, "acao", fat_col_text(s, 3)) == NULL ||
        (motivo != NULL && cJSON_AddStringToObject(o, "motivo", motivo) == NULL) ||
        !cJSON_AddItemToObject(o, "alteracoes", a)) {
      if (cJSON_GetObjectItemCaseSensitive(o, "alteracoes") != a)
        cJSON_Delete(a);
      rc = fat_err_oom(err);
      break;
    }
    if (!enriquecer(a)) {
      rc = fat_err_oom(err);
      break;
    }
    step = fat_stmt_step(s);
  }
  if (rc == FAT_OK && step != FAT_DONE)
    rc = fat_store_dberr(st, err, "erro ao ler as revisões da guia");
  fat_stmt_reset(s);
out:
  if (rc != FAT_OK) {
    cJSON_Delete(arr);
    return rc;
  }
  *out = arr;
  return FAT_OK;
}

/* }====================================================================== */
