/* fat_guia_edit.c: correct and cancel stored guias (fat_guia_edit.h). */
#include "fat_guia_edit.h"
#include "fat_guias_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_achado_papel.h"
#include "fat_conferir.h"
#include "fat_dia.h"
#include "fat_money.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_revisao.h"
#include "fat_store_int.h"

#define MAX_VIZINHAS 200 /* guias of the same beneficiário re-checked after a change */

static int blank(const char *s) { return s == NULL || s[0] == '\0'; }

void fat_guia_mudanca_init(fat_guia_mudanca *m) { memset(m, 0, sizeof *m); }

void fat_guia_mudanca_fini(fat_guia_mudanca *m)
{
  if (m == NULL)
    return;
  cJSON_Delete(m->alteracoes);
  cJSON_Delete(m->achados);
  memset(m, 0, sizeof *m);
}

cJSON *fat_guia_mudanca_json(const fat_guia_mudanca *m)
{
  cJSON *o = cJSON_CreateObject(), *alt = NULL, *ach = NULL;

  if (o == NULL)
    return NULL;
  alt = m->alteracoes != NULL ? cJSON_Duplicate(m->alteracoes, 1) : cJSON_CreateArray();
  if (alt == NULL || !cJSON_AddItemToObject(o, "alteracoes", alt))
    goto oom;
  alt = NULL;
  ach = m->achados != NULL ? cJSON_Duplicate(m->achados, 1) : cJSON_CreateArray();
  if (ach == NULL || !cJSON_AddItemToObject(o, "achados", ach))
    goto oom;
  ach = NULL;
  if (cJSON_AddNumberToObject(o, "guia_id", (double)m->guia_id) == NULL ||
      cJSON_AddNumberToObject(o, "revisao", (double)m->revisao) == NULL ||
      cJSON_AddStringToObject(o, "status", m->status) == NULL ||
      cJSON_AddNumberToObject(o, "bloqueios", (double)m->bloqueios) == NULL ||
      cJSON_AddNumberToObject(o, "alertas", (double)m->alertas) == NULL ||
      cJSON_AddNumberToObject(o, "valor_risco", (double)m->valor_risco) == NULL ||
      cJSON_AddNumberToObject(o, "reconferidas", (double)m->reconferidas) == NULL ||
      cJSON_AddBoolToObject(o, "pronta_para_lote", strcmp(m->status, "conferida") == 0) == NULL ||
      (m->erro[0] != '\0' && cJSON_AddStringToObject(o, "erro", m->erro) == NULL))
    goto oom;
  return o;
oom:
  cJSON_Delete(alt);
  cJSON_Delete(ach);
  cJSON_Delete(o);
  return NULL;
}

/* {======================================================================
** Can the guia change?
** ======================================================================= */

typedef fat_guias_estado estado;

static void copy_col(char *dst, size_t len, fat_stmt *s, int k)
{
  const char *v = fat_col_text(s, k);

  snprintf(dst, len, "%s", v != NULL ? v : "");
}

fat_rc fat_guias_estado_load(fat_store *st, int64_t id, fat_guias_estado *e, fat_err *err)
{
  static const char sql[] =
    "SELECT g.status, g.numero_prestador, COALESCE(g.lote_id, 0), COALESCE(l.numero, 0), "
    "l.status, substr(l.enviado_em, 1, 10), COALESCE(g.beneficiario_id, 0), g.operadora_id, "
    "g.carteira_numero FROM guia g LEFT JOIN lote l ON l.id = g.lote_id WHERE g.id = ?1";
  fat_stmt *s;
  int step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  memset(e, 0, sizeof *e);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  step = fat_stmt_step(s);
  if (step == FAT_ROW) {
    copy_col(e->status, sizeof e->status, s, 0);
    copy_col(e->numero, sizeof e->numero, s, 1);
    e->lote_id = fat_col_int64(s, 2);
    e->lote_numero = fat_col_int64(s, 3);
    copy_col(e->lote_status, sizeof e->lote_status, s, 4);
    copy_col(e->enviado_em, sizeof e->enviado_em, s, 5);
    e->beneficiario_id = fat_col_int64(s, 6);
    e->operadora_id = fat_col_int64(s, 7);
    copy_col(e->carteira, sizeof e->carteira, s, 8);
  }
  fat_stmt_reset(s);
  if (step == FAT_DONE)
    return fat_err_set(err, FAT_ENOTFOUND, "guia %lld não encontrada", (long long)id);
  if (step != FAT_ROW)
    return fat_store_dberr(st, err, "erro ao ler a guia");
  return FAT_OK;
}

static int lote_enviado(const char *status)
{
  return status[0] != '\0' && strcmp(status, "aberto") != 0 && strcmp(status, "fechado") != 0;
}

/* The refusal for a guia that may not change, or FAT_OK. `o_que` is
** "corrigida" or "cancelada" for the message. */
static fat_rc estado_permite(const estado *e, int64_t id, const char *o_que, fat_err *err)
{
  char quando[32];

  if (strcmp(e->status, "cancelada") == 0)
    return fat_err_set(err, FAT_ESTATE,
                       "a guia %s (id %lld) está cancelada e não pode ser %s", e->numero,
                       (long long)id, o_que);
  if (e->lote_id > 0 && lote_enviado(e->lote_status)) {
    snprintf(quando, sizeof quando, "%s", fat_dia_br_ou(e->enviado_em, "").s);
    return fat_err_set(err, FAT_ESTATE,
                       "a guia %s (id %lld) está no lote %lld, já enviado à operadora%s%s: "
                       "não pode ser %s. Peça o cancelamento à operadora (faturo lote cancelar "
                       "%lld --guia %s --motivo \"...\", que gera o CANCELA_GUIA) e digite uma "
                       "nova guia",
                       e->numero, (long long)id, (long long)e->lote_numero,
                       quando[0] != '\0' ? " em " : "", quando, o_que, (long long)e->lote_id,
                       e->numero);
  }
  if (e->lote_id > 0)
    return fat_err_set(err, FAT_ESTATE,
                       "a guia %s (id %lld) está no lote %lld (%s, ainda não enviado): reabra o "
                       "lote antes (faturo lote reabrir %lld --motivo \"...\"), pois o XML dele "
                       "já leva esta guia",
                       e->numero, (long long)id, (long long)e->lote_numero,
                       e->lote_status[0] != '\0' ? e->lote_status : "?", (long long)e->lote_id);
  if (strcmp(e->status, "digitada") != 0 && strcmp(e->status, "conferida") != 0 &&
      strcmp(e->status, "pendente") != 0)
    return fat_err_set(err, FAT_ESTATE,
                       "a guia %s (id %lld) está na situação %s e não pode ser %s", e->numero,
                       (long long)id, e->status, o_que);
  return FAT_OK;
}

fat_rc fat_guia_editavel(fat_store *st, int64_t id, fat_err *err)
{
  estado e;
  fat_rc rc = fat_guias_estado_load(st, id, &e, err);

  return rc != FAT_OK ? rc : estado_permite(&e, id, "corrigida", err);
}

static fat_rc motivo_ok(const char *motivo, int obrigatorio, fat_err *err)
{
  size_t n = motivo != NULL ? strlen(motivo) : 0;

  if (n == 0 && !obrigatorio)
    return FAT_OK;
  if (n < FAT_MOTIVO_MIN || n > FAT_MOTIVO_MAX)
    return fat_err_set(err, FAT_EINVAL, "informe o motivo (de %d a %d caracteres)",
                       FAT_MOTIVO_MIN, FAT_MOTIVO_MAX);
  return FAT_OK;
}

/* }====================================================================== */

/* {======================================================================
** The re-check after a change
** ======================================================================= */

typedef struct visto {
  fat_guia_mudanca *m;
  int64_t guia_id;
} visto;

static void on_guia(void *ud, const fat_conferir_guia *r)
{
  visto *v = ud;

  if (r->guia_id != v->guia_id)
    return;
  snprintf(v->m->status, sizeof v->m->status, "%s", r->status != NULL ? r->status : "");
  v->m->valor_risco = r->valor_risco;
  snprintf(v->m->erro, sizeof v->m->erro, "%s", r->erro != NULL ? r->erro : "");
}

static fat_rc conferir_uma(fat_store *st, int64_t id, const fat_guia_edit_opts *o,
                           fat_conferir_cb cb, void *ud, fat_err *err)
{
  fat_conferir_opts co;
  fat_conferir_resumo res;

  memset(&co, 0, sizeof co);
  co.uma_guia = 1;
  co.guia_id = id;
  co.hoje = o->hoje;
  co.todas = 1;
  return fat_conferir(st, o->rules, &co, cb, ud, &res, err);
}

/* The other guias of the same beneficiário (or carteira at the same
** operadora) not yet in a lote: a duplicate or a "retorno" may have appeared
** or gone with this change. */
static fat_rc vizinhas(fat_store *st, int64_t id, const estado *e, int64_t **out, size_t *n,
                       fat_err *err)
{
  static const char sql[] =
    "SELECT id FROM guia WHERE id <> ?1 AND status IN ('digitada', 'conferida', 'pendente') "
    "AND ((?2 > 0 AND beneficiario_id = ?2) OR (?3 IS NOT NULL AND carteira_numero = ?3 "
    "AND operadora_id = ?4)) ORDER BY id LIMIT 200";
  fat_stmt *s;
  int64_t *v = NULL;
  size_t cnt = 0;
  int step;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *out = NULL;
  *n = 0;
  if (rc != FAT_OK)
    return rc;
  v = fat_calloc(MAX_VIZINHAS, sizeof *v);
  if (v == NULL)
    return fat_err_oom(err);
  fat_bind_int(s, 1, id);
  fat_bind_int(s, 2, e->beneficiario_id);
  fat_bind_text(s, 3, e->carteira[0] != '\0' ? e->carteira : NULL);
  fat_bind_int(s, 4, e->operadora_id);
  step = fat_stmt_step(s);
  while (step == FAT_ROW && cnt < MAX_VIZINHAS) {
    v[cnt++] = fat_col_int64(s, 0);
    step = fat_stmt_step(s);
  }
  fat_stmt_reset(s);
  if (step != FAT_ROW && step != FAT_DONE) {
    fat_free(v);
    return fat_store_dberr(st, err, "erro ao procurar as guias do beneficiário");
  }
  *out = v;
  *n = cnt;
  return FAT_OK;
}

static int contem(const int64_t *v, size_t n, int64_t x)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (v[i] == x)
      return 1;
  return 0;
}

/* Re-check guia id, then its neighbours before (antes) and after the
** change, and fill the answer. */
fat_rc fat_guias_reconferir(fat_store *st, int64_t id, const fat_guias_estado *antes,
                            const fat_guia_edit_opts *o, fat_guia_mudanca *m, fat_err *err)
{
  int64_t *va = NULL, *vd = NULL;
  size_t na = 0, nd = 0, i;
  estado depois;
  visto vis;
  cJSON *a;
  fat_rc rc;

  vis.m = m;
  vis.guia_id = id;
  rc = fat_guias_estado_load(st, id, &depois, err);
  if (rc == FAT_OK && strcmp(depois.status, "cancelada") != 0)
    rc = conferir_uma(st, id, o, on_guia, &vis, err);
  else if (rc == FAT_OK)
    snprintf(m->status, sizeof m->status, "cancelada");
  if (rc == FAT_OK)
    rc = vizinhas(st, id, antes, &va, &na, err);
  if (rc == FAT_OK)
    rc = vizinhas(st, id, &depois, &vd, &nd, err);
  for (i = 0; i < na + nd && rc == FAT_OK; i++) {
    int64_t g = i < na ? va[i] : vd[i - na];

    if (i >= na && contem(va, na, g))
      continue;
    rc = conferir_uma(st, g, o, NULL, NULL, err);
    if (rc == FAT_OK)
      m->reconferidas++;
  }
  fat_free(va);
  fat_free(vd);
  if (rc == FAT_OK)
    rc = fat_achado_listar(st, id, &m->achados, err);
  if (rc != FAT_OK)
    return rc;
  cJSON_ArrayForEach(a, m->achados)
  {
    const cJSON *sev = cJSON_GetObjectItemCaseSensitive(a, "severidade");
    int aberto = cJSON_GetObjectItemCaseSensitive(a, "reconhecido_em") == NULL;

    if (!aberto || !cJSON_IsString(sev))
      continue;
    if (strcmp(sev->valuestring, "bloqueio") == 0)
      m->bloqueios++;
    else
      m->alertas++;
  }
  return FAT_OK;
}

/* }====================================================================== */

/* {======================================================================
** The patch
** ======================================================================= */

/* Members of the JSON form a patch may not set, and why. */
static const struct {
  const char *nome, *porque;
} proibidos[] = {
  {"tipo", "o tipo de uma guia não muda: cancele-a e digite outra"},
  {"operadora", "a operadora de uma guia não muda: cancele-a e digite outra"},
  {"prestador", "o prestador de uma guia não muda: cancele-a e digite outra"},
  {"id", "o id é da guia, não muda"},
  {"revisao", "a revisão é contada pelo faturo"},
  {"status", "a situação muda pela conferência, pelos lotes ou por faturo guia cancelar"},
  {"lote_id", "o lote muda por faturo lote"},
  {"origem", "a origem diz de onde a guia veio"},
};

int fat_guias_seq(const cJSON *it)
{
  const cJSON *s = cJSON_GetObjectItemCaseSensitive(it, "sequencial");
  long n;
  char *end;

  if (cJSON_IsNumber(s) && s->valuedouble >= 1 && s->valuedouble <= 100000 &&
      s->valuedouble == (double)s->valueint)
    return s->valueint;
  if (cJSON_IsString(s)) {
    n = strtol(s->valuestring, &end, 10);
    if (end != s->valuestring && *end == '\0' && n >= 1 && n <= 100000)
      return (int)n;
  }
  return s == NULL || cJSON_IsNull(s) ? 0 : -1;
}

static const cJSON *item_por_seq_c(const cJSON *itens, int seq)
{
  const cJSON *it;

  cJSON_ArrayForEach(it, itens)
  {
    if (fat_guias_seq(it) == seq)
      return it;
  }
  return NULL;
}

static cJSON *item_por_seq(cJSON *itens, int seq)
{
  cJSON *it;

  cJSON_ArrayForEach(it, itens)
  {
    if (fat_guias_seq(it) == seq)
      return it;
  }
  return NULL;
}

/* Merge patch object p into object d (null removes; objects merge).
** skip (may be NULL) names members left alone. Returns 0 on OOM. */
static int merge(cJSON *d, const cJSON *p, const char *skip)
{
  const cJSON *m;

  cJSON_ArrayForEach(m, p)
  {
    cJSON *cur;

    if (m->string == NULL || (skip != NULL && strcmp(m->string, skip) == 0))
      continue;
    cur = cJSON_GetObjectItemCaseSensitive(d, m->string);
    if (cJSON_IsNull(m) || (cJSON_IsString(m) && m->valuestring[0] == '\0')) {
      cJSON_DeleteItemFromObjectCaseSensitive(d, m->string);
    } else if (cJSON_IsObject(m) && cJSON_IsObject(cur)) {
      if (!merge(cur, m, NULL))
        return 0;
    } else {
      cJSON *dup = cJSON_Duplicate(m, 1);

      if (dup == NULL)
        return 0;
      if (cur != NULL) {
        if (!cJSON_ReplaceItemInObjectCaseSensitive(d, m->string, dup)) {
          cJSON_Delete(dup);
          return 0;
        }
      } else if (!cJSON_AddItemToObject(d, m->string, dup)) {
        cJSON_Delete(dup);
        return 0;
      }
    }
  }
  return 1;
}

static int max_seq(const cJSON *itens)
{
  const cJSON *it;
  int mx = 0;

  cJSON_ArrayForEach(it, itens)
  {
    int s = fat_guias_seq(it);

    if (s > mx)
      mx = s;
  }
  return mx;
}

/* Apply the item changes of patch array pi to the form's item list. Items
** added without a número get base + 1, base + 2, ... */
static fat_rc aplicar_itens(cJSON *form, const cJSON *pi, int base, fat_err *err)
{
  cJSON *itens = cJSON_GetObjectItemCaseSensitive(form, "itens");
  const cJSON *op;
  int pos = 0, novos = 0;

  if (!cJSON_IsArray(pi))
    return fat_err_set(err, FAT_EINVAL,
                       "itens: use uma lista de alterações de itens, cada uma com o número do "
                       "item (sequencial)");
  if (itens == NULL) {
    itens = cJSON_AddArrayToObject(form, "itens");
    if (itens == NULL)
      return fat_err_oom(err);
  }
  cJSON_ArrayForEach(op, pi)
  {
    const cJSON *rem = cJSON_GetObjectItemCaseSensitive(op, "remover");
    int seq = fat_guias_seq(op);
    cJSON *cur;

    pos++;
    if (!cJSON_IsObject(op))
      return fat_err_set(err, FAT_EINVAL, "itens, alteração %d: objeto esperado", pos);
    if (seq < 0)
      return fat_err_set(err, FAT_EINVAL,
                         "itens, alteração %d: sequencial deve ser o número do item (1, 2, ...)",
                         pos);
    if (rem != NULL && !cJSON_IsBool(rem))
      return fat_err_set(err, FAT_EINVAL, "itens, alteração %d: remover deve ser true ou false",
                         pos);
    cur = seq > 0 ? item_por_seq(itens, seq) : NULL;
    if (cJSON_IsTrue(rem)) {
      if (cur == NULL)
        return fat_err_set(err, FAT_EINVAL, "item %d: não existe na guia, não pode ser removido",
                           seq);
      cJSON_DetachItemViaPointer(itens, cur);
      cJSON_Delete(cur);
      continue;
    }
    if (cur != NULL) {
      if (!merge(cur, op, "remover"))
        return fat_err_oom(err);
      continue;
    }
    cur = cJSON_CreateObject();
    if (cur == NULL || !cJSON_AddItemToArray(itens, cur)) {
      cJSON_Delete(cur);
      return fat_err_oom(err);
    }
    if (!merge(cur, op, "remover"))
      return fat_err_oom(err);
    if (seq == 0) {
      cJSON_DeleteItemFromObjectCaseSensitive(cur, "sequencial");
      if (cJSON_AddNumberToObject(cur, "sequencial", base + ++novos) == NULL)
        return fat_err_oom(err);
    }
  }
  return FAT_OK;
}

/* The item index i of "itens[i]..." in an error path becomes its número. */
void fat_guias_numerar_campo(const cJSON *form, const char *campo, char *out, size_t len)
{
  const cJSON *itens = cJSON_GetObjectItemCaseSensitive(form, "itens");
  const cJSON *it;
  char *end;
  long i;

  snprintf(out, len, "%s", campo);
  if (strncmp(campo, "itens[", 6) != 0)
    return;
  i = strtol(campo + 6, &end, 10);
  if (end == campo + 6 || *end != ']' || i < 0)
    return;
  it = cJSON_GetArrayItem(itens, (int)i);
  if (it != NULL && fat_guias_seq(it) > 0)
    snprintf(out, len, "itens[%d]%s", fat_guias_seq(it), end + 1);
  else
    snprintf(out, len, "itens[%ld]%s", i + 1, end + 1);
}

/* Every member the patch sets to a value must exist in the re-read form
** (a member the JSON form does not know was silently ignored). */
static fat_rc conhecidos(const cJSON *p, const cJSON *lido, const char *prefix, fat_err *err)
{
  const cJSON *m;

  cJSON_ArrayForEach(m, p)
  {
    const cJSON *l;

    if (m->string == NULL || cJSON_IsNull(m) ||
        (cJSON_IsString(m) && m->valuestring[0] == '\0') || strcmp(m->string, "itens") == 0 ||
        strcmp(m->string, "remover") == 0 || strcmp(m->string, "sequencial") == 0)
      continue;
    l = cJSON_GetObjectItemCaseSensitive(lido, m->string);
    if (l == NULL)
      return fat_err_set(err, FAT_EINVAL,
                         "%s%s: campo desconhecido (veja os campos da guia em docs/formatos.md)",
                         prefix, m->string);
    if (cJSON_IsObject(m) && cJSON_IsObject(l)) {
      char sub[96];
      fat_rc rc;

      snprintf(sub, sizeof sub, "%s%s.", prefix, m->string);
      rc = conhecidos(m, l, sub, err);
      if (rc != FAT_OK)
        return rc;
    }
  }
  return FAT_OK;
}

static fat_rc conhecidos_itens(const cJSON *pi, const cJSON *lido, int base, fat_err *err)
{
  const cJSON *itens = cJSON_GetObjectItemCaseSensitive(lido, "itens");
  const cJSON *op;
  int novos = 0;

  cJSON_ArrayForEach(op, pi)
  {
    int seq = fat_guias_seq(op);
    const cJSON *l;
    char prefix[32];
    fat_rc rc;

    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(op, "remover")))
      continue;
    if (seq == 0)
      seq = base + ++novos;
    l = item_por_seq_c(itens, seq);
    snprintf(prefix, sizeof prefix, "itens[%d].", seq);
    rc = conhecidos(op, l, prefix, err);
    if (rc != FAT_OK)
      return rc;
  }
  return FAT_OK;
}

static int64_t soma_itens(const fat_guia *g, int *absent)
{
  int64_t s = 0;
  size_t i;

  *absent = 0;
  for (i = 0; i < g->n_itens; i++) {
    if (g->itens[i].valor_total == FAT_ABSENT)
      *absent = 1;
    else
      s += g->itens[i].valor_total;
  }
  return s;
}

/* Build the corrected guia from g and the patch: *ng owned by the caller,
** *alt the alterações. */
static fat_rc aplicar(const fat_guia *g, const cJSON *patch, fat_guia **ng, cJSON **alt,
                      fat_err *err)
{
  cJSON *antes = NULL, *form = NULL, *lido = NULL;
  const cJSON *pi;
  char campo[128], num[140];
  size_t i;
  int ab_antes, ab_depois, base = 0;
  fat_rc rc = FAT_OK;

  *ng = NULL;
  *alt = NULL;
  if (!cJSON_IsObject(patch))
    return fat_err_set(err, FAT_EINVAL, "a alteração deve ser um objeto JSON com os campos "
                                        "que mudam");
  for (i = 0; i < sizeof proibidos / sizeof proibidos[0]; i++)
    if (cJSON_GetObjectItemCaseSensitive(patch, proibidos[i].nome) != NULL)
      return fat_err_set(err, FAT_EINVAL, "%s: %s", proibidos[i].nome, proibidos[i].porque);
  antes = fat_guia_to_json(g);
  form = antes != NULL ? cJSON_Duplicate(antes, 1) : NULL;
  if (form == NULL || !merge(form, patch, "itens")) {
    rc = fat_err_oom(err);
    goto out;
  }
  pi = cJSON_GetObjectItemCaseSensitive(patch, "itens");
  if (pi != NULL) {
    base = max_seq(cJSON_GetObjectItemCaseSensitive(antes, "itens"));
    if (cJSON_IsArray(pi) && max_seq(pi) > base)
      base = max_seq(pi);
    rc = aplicar_itens(form, pi, base, err);
  }
  if (rc != FAT_OK)
    goto out;
  rc = fat_guia_from_json_campo(form, ng, campo, sizeof campo, err);
  if (rc != FAT_OK) {
    if (campo[0] != '\0') {
      fat_guias_numerar_campo(form, campo, num, sizeof num);
      fat_err_prefix(err, "%s: ", num);
    }
    goto out;
  }
  lido = fat_guia_to_json(*ng);
  if (lido == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  rc = conhecidos(patch, lido, "", err);
  if (rc == FAT_OK && pi != NULL)
    rc = conhecidos_itens(pi, lido, base, err);
  if (rc != FAT_OK)
    goto out;
  /* items changed, total not given: a total that was the sum follows it */
  if (pi != NULL && cJSON_GetObjectItemCaseSensitive(patch, "valor_total") == NULL &&
      g->valor_total == soma_itens(g, &ab_antes)) {
    int64_t s = soma_itens(*ng, &ab_depois);

    (*ng)->valor_total = s;
    cJSON_Delete(lido);
    lido = fat_guia_to_json(*ng);
    if (lido == NULL) {
      rc = fat_err_oom(err);
      goto out;
    }
  }
  rc = fat_revisao_diff(antes, lido, alt, err);
  (void)ab_depois;
  if (rc == FAT_OK && cJSON_GetArraySize(*alt) == 0)
    rc = fat_err_set(err, FAT_EINVAL, "nenhuma alteração: a guia já tem esses valores");
out:
  cJSON_Delete(antes);
  cJSON_Delete(form);
  cJSON_Delete(lido);
  if (rc != FAT_OK) {
    fat_guia_free(*ng);
    *ng = NULL;
    cJSON_Delete(*alt);
    *alt = NULL;
  }
  return rc;
}

/* }====================================================================== */

/* {======================================================================
** editar, cancelar, histórico
** ======================================================================= */

static fat_rc set_str(char **dst, const char *v, fat_err *err)
{
  char *c = v != NULL ? fat_strdup(v) : NULL;

  if (v != NULL && c == NULL)
    return fat_err_oom(err);
  fat_free(*dst);
  *dst = c;
  return FAT_OK;
}

fat_rc fat_guia_editar(fat_store *st, int64_t id, const cJSON *patch,
                       const fat_guia_edit_opts *o, fat_guia_mudanca *out, fat_err *err)
{
  fat_guia *g = NULL, *ng = NULL;
  cJSON *alt = NULL;
  estado e;
  fat_rc rc;

  fat_guia_mudanca_init(out);
  rc = motivo_ok(o->motivo, 0, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_guias_estado_load(st, id, &e, err);
  if (rc == FAT_OK)
    rc = estado_permite(&e, id, "corrigida", err);
  if (rc == FAT_OK)
    rc = fat_guia_load(st, id, &g, err);
  if (rc == FAT_OK)
    rc = aplicar(g, patch, &ng, &alt, err);
  if (rc != FAT_OK)
    goto out;
  ng->id = g->id;
  ng->lote_id = 0;
  rc = set_str(&ng->status, "digitada", err);
  if (rc == FAT_OK)
    rc = set_str(&ng->origem, g->origem, err);
  if (rc == FAT_OK)
    rc = fat_guia_save(st, ng, err);
  if (rc == FAT_OK)
    rc = fat_revisao_gravar(st, id, ng->revisao, "editar", o->motivo, alt, err);
  if (rc != FAT_OK)
    goto out;
  out->guia_id = id;
  out->revisao = ng->revisao;
  rc = fat_guias_reconferir(st, id, &e, o, out, err);
  /* the alterações as recorded, with labels and pt-BR values */
  if (rc == FAT_OK)
    rc = fat_revisao_rotular(alt, err);
out:
  fat_guia_free(g);
  fat_guia_free(ng);
  if (rc != FAT_OK) {
    cJSON_Delete(alt);
    fat_store_rollback(st);
    return rc;
  }
  rc = fat_store_commit(st, err);
  if (rc != FAT_OK) {
    cJSON_Delete(alt);
    return rc;
  }
  out->alteracoes = alt;
  return FAT_OK;
}

fat_rc fat_guia_cancelar(fat_store *st, int64_t id, const fat_guia_edit_opts *o,
                         fat_guia_mudanca *out, fat_err *err)
{
  static const char sql[] =
    "UPDATE guia SET status = 'cancelada', revisao = revisao + 1 WHERE id = ?1 RETURNING revisao";
  fat_stmt *s;
  cJSON *alt = NULL, *a;
  char obj[32], *det = NULL;
  estado e;
  int step;
  fat_rc rc;

  fat_guia_mudanca_init(out);
  rc = motivo_ok(o->motivo, 1, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_guias_estado_load(st, id, &e, err);
  if (rc == FAT_OK)
    rc = estado_permite(&e, id, "cancelada", err);
  if (rc == FAT_OK)
    rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, id);
  step = fat_stmt_step(s);
  if (step == FAT_ROW)
    out->revisao = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  if (step != FAT_ROW) {
    rc = fat_store_dberr(st, err, "erro ao cancelar a guia");
    goto out;
  }
  out->guia_id = id;
  alt = cJSON_CreateArray();
  a = cJSON_CreateObject();
  if (alt == NULL || a == NULL || !cJSON_AddItemToArray(alt, a) ||
      cJSON_AddStringToObject(a, "campo", "status") == NULL ||
      cJSON_AddStringToObject(a, "de", e.status) == NULL ||
      cJSON_AddStringToObject(a, "para", "cancelada") == NULL) {
    if (alt == NULL || cJSON_GetArraySize(alt) == 0)
      cJSON_Delete(a);
    rc = fat_err_oom(err);
    goto out;
  }
  rc = fat_revisao_gravar(st, id, out->revisao, "cancelar", o->motivo, alt, err);
  if (rc != FAT_OK)
    goto out;
  snprintf(obj, sizeof obj, "guia:%lld", (long long)id);
  det = fat_asprintf("guia %s, revisão %lld: %s", e.numero, (long long)out->revisao, o->motivo);
  rc = det != NULL ? fat_store_audit(st, "guia.cancelar", obj, det, err) : fat_err_oom(err);
  if (rc == FAT_OK)
    rc = fat_guias_reconferir(st, id, &e, o, out, err);
  if (rc == FAT_OK)
    rc = fat_revisao_rotular(alt, err);
out:
  fat_free(det);
  if (rc != FAT_OK) {
    cJSON_Delete(alt);
    fat_store_rollback(st);
    return rc;
  }
  rc = fat_store_commit(st, err);
  if (rc != FAT_OK) {
    cJSON_Delete(alt);
    return rc;
  }
  out->alteracoes = alt;
  return FAT_OK;
}

fat_rc fat_guia_historico(fat_store *st, int64_t id, cJSON **out, fat_err *err)
{
  /* the caller records the read (fat_acesso_registrar), as for guia mostrar */
  return fat_revisao_listar(st, id, out, err);
}

/* }====================================================================== */

/* {======================================================================
** Building a patch from "campo=valor"
** ======================================================================= */

/* DD/MM/AAAA typed by a user -> AAAA-MM-DD (else the value as it is). */
static void data_iso(const char *v, char *buf, size_t len)
{
  if (strlen(v) == 10 && v[2] == '/' && v[5] == '/') {
    snprintf(buf, len, "%.4s-%.2s-%.2s", v + 6, v + 3, v);
    if (fat_dia_valida(buf))
      return;
  }
  snprintf(buf, len, "%s", v);
}

/* Set member path (a.b.c) of object o to v (a new string or null). */
static fat_rc set_path(cJSON *o, const char *path, const char *v, const char *full,
                       fat_err *err)
{
  const char *dot = strchr(path, '.');
  char nome[64], val[64];
  cJSON *cur, *nv;
  size_t n = dot != NULL ? (size_t)(dot - path) : strlen(path);
  size_t k;

  if (n == 0 || n >= sizeof nome)
    return fat_err_set(err, FAT_EINVAL, "campo '%s' inválido", full);
  for (k = 0; k < n; k++)
    if (!((path[k] >= 'a' && path[k] <= 'z') || (path[k] >= '0' && path[k] <= '9') ||
          path[k] == '_'))
      return fat_err_set(err, FAT_EINVAL,
                         "campo '%s' inválido (use nomes como senha, executante.cbo ou "
                         "itens[2].quantidade)",
                         full);
  memcpy(nome, path, n);
  nome[n] = '\0';
  cur = cJSON_GetObjectItemCaseSensitive(o, nome);
  if (dot != NULL) {
    if (!cJSON_IsObject(cur)) {
      cJSON_DeleteItemFromObjectCaseSensitive(o, nome);
      cur = cJSON_AddObjectToObject(o, nome);
      if (cur == NULL)
        return fat_err_oom(err);
    }
    return set_path(cur, dot + 1, v, full, err);
  }
  if (v != NULL)
    data_iso(v, val, sizeof val);
  nv = v == NULL ? cJSON_CreateNull() : cJSON_CreateString(strlen(v) < sizeof val - 1 ? val : v);
  if (nv == NULL)
    return fat_err_oom(err);
  cJSON_DeleteItemFromObjectCaseSensitive(o, nome);
  if (!cJSON_AddItemToObject(o, nome, nv)) {
    cJSON_Delete(nv);
    return fat_err_oom(err);
  }
  return FAT_OK;
}

/* The change of item número seq in patch (created when absent). */
static cJSON *item_op(cJSON *patch, int seq)
{
  cJSON *itens = cJSON_GetObjectItemCaseSensitive(patch, "itens"), *op;

  if (!cJSON_IsArray(itens)) {
    cJSON_DeleteItemFromObjectCaseSensitive(patch, "itens");
    itens = cJSON_AddArrayToObject(patch, "itens");
    if (itens == NULL)
      return NULL;
  }
  op = item_por_seq(itens, seq);
  if (op != NULL)
    return op;
  op = cJSON_CreateObject();
  if (op == NULL || !cJSON_AddItemToArray(itens, op)) {
    cJSON_Delete(op);
    return NULL;
  }
  return cJSON_AddNumberToObject(op, "sequencial", seq) != NULL ? op : NULL;
}

fat_rc fat_guia_patch_campo(cJSON *patch, const char *caminho, const char *valor, fat_err *err)
{
  const char *v = blank(valor) ? NULL : valor;
  char *end;
  long seq;
  cJSON *op;

  if (!cJSON_IsObject(patch) || blank(caminho))
    return fat_err_set(err, FAT_EINVAL, "informe o campo a alterar (campo=valor)");
  if (strncmp(caminho, "itens[", 6) != 0)
    return set_path(patch, caminho, v, caminho, err);
  seq = strtol(caminho + 6, &end, 10);
  if (end == caminho + 6 || *end != ']' || seq < 1 || seq > 100000 || end[1] != '.')
    return fat_err_set(err, FAT_EINVAL,
                       "campo '%s' inválido: use itens[N].campo, com N o número do item (1, 2, "
                       "...)",
                       caminho);
  op = item_op(patch, (int)seq);
  if (op == NULL)
    return fat_err_oom(err);
  return set_path(op, end + 2, v, caminho, err);
}

fat_rc fat_guia_patch_remover_item(cJSON *patch, int seq, fat_err *err)
{
  cJSON *op;

  if (!cJSON_IsObject(patch) || seq < 1)
    return fat_err_set(err, FAT_EINVAL, "número de item inválido (%d)", seq);
  op = item_op(patch, seq);
  if (op == NULL)
    return fat_err_oom(err);
  cJSON_DeleteItemFromObjectCaseSensitive(op, "remover");
  return cJSON_AddTrueToObject(op, "remover") != NULL ? FAT_OK : fat_err_oom(err);
}

/* }====================================================================== */
