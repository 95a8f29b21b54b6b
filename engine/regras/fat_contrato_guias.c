/* fat_contrato_guias.c: the contract's rules about guias (fat_contrato.h):
** attachments required per procedure, sessions per SP/SADT guia, physical
** papers; and the checks conferir runs with them (fat_contrato_conferir).
*/
#include "fat_contrato.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fat_finding.h"
#include "fat_model.h"
#include "fat_money.h"

/* The attachment types (the CHECK of guia_anexo.tipo, migration 041). */
static const char *const anexo_tipos[] = {"laudo", "pedido_medico", "autorizacao", "termo",
                                          "outro"};
static const char *const anexo_rotulos[] = {"laudo", "pedido médico", "autorização", "termo",
                                            "anexo"};

static const char *anexo_rotulo(const char *tipo)
{
  size_t i;

  for (i = 0; i < sizeof anexo_tipos / sizeof anexo_tipos[0]; i++)
    if (strcmp(tipo, anexo_tipos[i]) == 0)
      return anexo_rotulos[i];
  return tipo;
}

static fat_rc gfail(fat_err *err, const char *path, const char *fmt, ...) FAT_PRINTF(3, 4);

/* "contrato, campo <path>: <msg>": the rules host finds the script line by
** the first name of path (rows are "anexos_exigidos[2]", so the line is the
** one that sets anexos_exigidos). */
static fat_rc gfail(fat_err *err, const char *path, const char *fmt, ...)
{
  char msg[300];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return fat_err_set(err, FAT_EINVAL, "contrato, campo %s: %s", path, msg);
}

/* A code as the script wrote it (text or integer) without dots, dashes and
** spaces: digits only, 1..15 of them; 0 when it is not one. */
static int code_of(const cJSON *v, char out[16])
{
  char raw[32];
  size_t i, n = 0;

  if (cJSON_IsString(v))
    snprintf(raw, sizeof raw, "%s", v->valuestring);
  else if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e15 &&
           v->valuedouble == (double)(int64_t)v->valuedouble)
    snprintf(raw, sizeof raw, "%lld", (long long)v->valuedouble);
  else
    return 0;
  for (i = 0; raw[i] != '\0'; i++) {
    if (raw[i] == '.' || raw[i] == '-' || raw[i] == ' ')
      continue;
    if (raw[i] < '0' || raw[i] > '9' || n >= 15)
      return 0;
    out[n++] = raw[i];
  }
  out[n] = '\0';
  return n > 0;
}

/* One row {codigos = {...}, prefixo|grupo = "4.08", tipo = ..., max = N}. */
static fat_rc parse_proc(const cJSON *it, const char *path, int com_tipo, fat_contrato_proc *p,
                         fat_err *err)
{
  const cJSON *cods = cJSON_GetObjectItemCaseSensitive(it, "codigos");
  const cJSON *pre = cJSON_GetObjectItemCaseSensitive(it, "prefixo");
  const cJSON *v, *c, *lista;
  size_t i;

  memset(p, 0, sizeof *p);
  if (!cJSON_IsObject(it))
    return gfail(err, path, "precisa ser uma tabela { codigos = {...} ou prefixo = \"...\", %s }",
                 com_tipo ? "tipo = \"laudo\"" : "max = N");
  cJSON_ArrayForEach(v, it)
  {
    static const char *const ok[] = {"codigos", "prefixo", "grupo", "tipo", "max", "codigo"};
    int known = 0;

    for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
      known |= v->string != NULL && strcmp(v->string, ok[i]) == 0;
    if (!known || (com_tipo && strcmp(v->string, "max") == 0) ||
        (!com_tipo && strcmp(v->string, "tipo") == 0))
      return gfail(err, path, "campo desconhecido '%s' (use codigos, prefixo e %s)",
                   v->string != NULL ? v->string : "?", com_tipo ? "tipo" : "max");
  }
  if (pre == NULL)
    pre = cJSON_GetObjectItemCaseSensitive(it, "grupo");
  if (cods == NULL)
    cods = cJSON_GetObjectItemCaseSensitive(it, "codigo");
  if (cods != NULL && !cJSON_IsArray(cods)) {
    if (!code_of(cods, p->codigos[0]))
      return gfail(err, path, "código inválido (use os dígitos do código TUSS)");
    p->n_codigos = 1;
  }
  lista = cJSON_IsArray(cods) ? cods : NULL;
  cJSON_ArrayForEach(c, lista)
  {
    if (p->n_codigos >= FAT_CONTRATO_MAX_CODIGOS)
      return gfail(err, path, "mais de %d códigos (use prefixo para um grupo)",
                   FAT_CONTRATO_MAX_CODIGOS);
    if (!code_of(c, p->codigos[p->n_codigos]))
      return gfail(err, path, "código %d inválido (use os dígitos do código TUSS)",
                   p->n_codigos + 1);
    p->n_codigos++;
  }
  if (pre != NULL && !code_of(pre, p->prefixo))
    return gfail(err, path, "prefixo inválido (use o início do código, ex.: \"4.08\")");
  if (p->n_codigos == 0 && p->prefixo[0] == '\0')
    return gfail(err, path, "informe codigos = {...} ou prefixo = \"...\"");
  if (com_tipo) {
    v = cJSON_GetObjectItemCaseSensitive(it, "tipo");
    for (i = 0; cJSON_IsString(v) && i < sizeof anexo_tipos / sizeof anexo_tipos[0]; i++)
      if (strcmp(v->valuestring, anexo_tipos[i]) == 0)
        break;
    if (!cJSON_IsString(v) || i == sizeof anexo_tipos / sizeof anexo_tipos[0])
      return gfail(err, path, "tipo deve ser laudo, pedido_medico, autorizacao, termo ou outro");
    snprintf(p->tipo, sizeof p->tipo, "%s", v->valuestring);
  } else {
    v = cJSON_GetObjectItemCaseSensitive(it, "max");
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int)v->valuedouble || v->valuedouble < 1 ||
        v->valuedouble > FAT_CONTRATO_MAX_SESSOES)
      return gfail(err, path, "max deve ser um número inteiro de 1 a %d", FAT_CONTRATO_MAX_SESSOES);
    p->max = (int)v->valuedouble;
  }
  return FAT_OK;
}

static fat_rc parse_lista(const cJSON *t, const char *nome, int com_tipo, fat_contrato_proc *v,
                          int *n, fat_err *err)
{
  const cJSON *it;
  char path[48];
  fat_rc rc;

  *n = 0;
  if (t == NULL || (cJSON_IsArray(t) && cJSON_GetArraySize(t) == 0))
    return FAT_OK;
  if (!cJSON_IsArray(t))
    return gfail(err, nome, "precisa ser uma lista { {...}, {...} }");
  cJSON_ArrayForEach(it, t)
  {
    snprintf(path, sizeof path, "%s[%d]", nome, *n + 1);
    if (*n >= FAT_CONTRATO_MAX_PROC)
      return gfail(err, nome, "mais de %d regras", FAT_CONTRATO_MAX_PROC);
    rc = parse_proc(it, path, com_tipo, &v[*n], err);
    if (rc != FAT_OK)
      return rc;
    (*n)++;
  }
  return FAT_OK;
}

fat_rc fat_contrato_guias_parse(const cJSON *d, fat_contrato_guias *out, fat_err *err)
{
  const cJSON *v;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  rc = parse_lista(cJSON_GetObjectItemCaseSensitive(d, "anexos_exigidos"), "anexos_exigidos", 1,
                   out->anexos, &out->n_anexos, err);
  if (rc == FAT_OK)
    rc = parse_lista(cJSON_GetObjectItemCaseSensitive(d, "sessoes_por_procedimento"),
                     "sessoes_por_procedimento", 0, out->sessoes, &out->n_sessoes, err);
  if (rc != FAT_OK)
    return rc;
  v = cJSON_GetObjectItemCaseSensitive(d, "sessoes_max_por_guia");
  if (v != NULL && !cJSON_IsNull(v)) {
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int)v->valuedouble || v->valuedouble < 1 ||
        v->valuedouble > FAT_CONTRATO_MAX_SESSOES)
      return gfail(err, "sessoes_max_por_guia", "deve ser um número inteiro de 1 a %d",
                   FAT_CONTRATO_MAX_SESSOES);
    out->sessoes_max_por_guia = (int)v->valuedouble;
  }
  v = cJSON_GetObjectItemCaseSensitive(d, "papel_fisico");
  if (v != NULL && !cJSON_IsNull(v) && !cJSON_IsBool(v))
    return gfail(err, "papel_fisico", "precisa ser true ou false");
  out->papel_fisico = cJSON_IsTrue(v);
  return FAT_OK;
}

int fat_contrato_proc_cobre(const fat_contrato_proc *p, const char *codigo)
{
  char c[16];
  size_t i, n = 0;
  int k;

  if (codigo == NULL)
    return 0;
  for (i = 0; codigo[i] != '\0' && n < sizeof c - 1; i++)
    if (codigo[i] >= '0' && codigo[i] <= '9')
      c[n++] = codigo[i];
  c[n] = '\0';
  if (n == 0)
    return 0;
  for (k = 0; k < p->n_codigos; k++)
    if (strcmp(p->codigos[k], c) == 0)
      return 1;
  return p->prefixo[0] != '\0' && strncmp(c, p->prefixo, strlen(p->prefixo)) == 0;
}

int fat_contrato_sessoes_max(const fat_contrato *c, const char *codigo)
{
  int i;

  if (c == NULL)
    return 0;
  for (i = 0; i < c->guias.n_sessoes; i++)
    if (fat_contrato_proc_cobre(&c->guias.sessoes[i], codigo))
      return c->guias.sessoes[i].max;
  return c->guias.sessoes_max_por_guia;
}

static int is_proc(const fat_item *it)
{
  return it->codigo != NULL && it->codigo[0] != '\0' &&
         (it->tipo == NULL || strcmp(it->tipo, "procedimento") == 0);
}

int fat_contrato_anexos_cobre(const fat_contrato *c, const fat_guia *g)
{
  size_t i;
  int r;

  if (c == NULL)
    return 0;
  for (i = 0; i < g->n_itens; i++) {
    if (!is_proc(&g->itens[i]))
      continue;
    for (r = 0; r < c->guias.n_anexos; r++)
      if (fat_contrato_proc_cobre(&c->guias.anexos[r], g->itens[i].codigo))
        return 1;
  }
  return 0;
}

static int item_valor(const fat_item *it)
{
  return it->valor_total != FAT_ABSENT && it->valor_total > 0;
}

static fat_rc check_anexos(const fat_contrato *c, const fat_guia *g, const char *const *anexos,
                           size_t n_anexos, fat_findings *out, fat_err *err)
{
  fat_rc rc = FAT_OK;
  int r, k;
  size_t i, j;

  for (r = 0; r < c->guias.n_anexos && rc == FAT_OK; r++) {
    const char *tipo = c->guias.anexos[r].tipo;
    const fat_item *first = NULL;
    int64_t risco = 0;
    size_t nproc = 0;
    char campo[32], msg[600], val[32];
    int tem = 0, dup = 0;

    for (j = 0; j < n_anexos; j++)
      tem |= anexos[j] != NULL && strcmp(anexos[j], tipo) == 0;
    for (k = 0; k < r; k++) /* an earlier rule already asked for this type */
      dup |= strcmp(c->guias.anexos[k].tipo, tipo) == 0;
    if (tem || dup)
      continue;
    for (i = 0; i < g->n_itens; i++) {
      const fat_item *it = &g->itens[i];

      for (k = r; k < c->guias.n_anexos; k++) {
        if (strcmp(c->guias.anexos[k].tipo, tipo) == 0 && is_proc(it) &&
            fat_contrato_proc_cobre(&c->guias.anexos[k], it->codigo))
          break;
      }
      if (k == c->guias.n_anexos)
        continue;
      if (first == NULL)
        first = it;
      nproc++;
      if (item_valor(it))
        risco += it->valor_total;
    }
    if (first == NULL)
      continue;
    snprintf(campo, sizeof campo, "anexos.%s", tipo);
    fat_money_format_br(risco, val, sizeof val);
    if (nproc > 1)
      snprintf(msg, sizeof msg,
               "o procedimento %s (item %d) e mais %zu exigem %s anexado pela %s: anexe o %s "
               "à guia (faturo guia anexar) antes de enviar; %s em risco",
               first->codigo, first->sequencial, nproc - 1, anexo_rotulo(tipo),
               c->nome != NULL ? c->nome : "operadora", anexo_rotulo(tipo), val);
    else
      snprintf(msg, sizeof msg,
               "o procedimento %s (item %d) exige %s anexado pela %s: anexe o %s à guia "
               "(faturo guia anexar) antes de enviar; %s em risco",
               first->codigo, first->sequencial, anexo_rotulo(tipo),
               c->nome != NULL ? c->nome : "operadora", anexo_rotulo(tipo), val);
    rc = fat_findings_add(out, "ANEXO_AUSENTE", FAT_BLOQUEIO, campo, msg, NULL, risco, 0,
                          "builtin:contrato", NULL, 0, err);
  }
  return rc;
}

static fat_rc check_sessoes(const fat_contrato *c, const fat_guia *g, fat_findings *out,
                            fat_err *err)
{
  fat_rc rc = FAT_OK;
  size_t i, j;

  if (g->tipo != FAT_GUIA_SADT)
    return FAT_OK;
  for (i = 0; i < g->n_itens && rc == FAT_OK; i++) {
    const fat_item *it = &g->itens[i];
    int max, n = 0, seen = 0;
    int64_t risco = 0;
    char campo[48], msg[600], val[32];

    if (!is_proc(it))
      continue;
    for (j = 0; j < i && !seen; j++) /* the first item of each code speaks for it */
      seen = is_proc(&g->itens[j]) && strcmp(g->itens[j].codigo, it->codigo) == 0;
    max = fat_contrato_sessoes_max(c, it->codigo);
    if (seen || max <= 0)
      continue;
    for (j = i; j < g->n_itens; j++) {
      const fat_item *o = &g->itens[j];

      if (!is_proc(o) || strcmp(o->codigo, it->codigo) != 0)
        continue;
      if (++n > max && item_valor(o))
        risco += o->valor_total;
    }
    if (n <= max)
      continue;
    snprintf(campo, sizeof campo, "itens[%zu].codigo", i);
    fat_money_format_br(risco, val, sizeof val);
    snprintf(msg, sizeof msg,
             "o procedimento %s tem %d sessões nesta guia, mas a %s aceita até %d por guia: "
             "leve as sessões %d a %d para outra guia (%s em risco)",
             it->codigo, n, c->nome != NULL ? c->nome : "operadora", max, max + 1, n, val);
    rc = fat_findings_add(out, "SESSOES_EXCEDIDAS", FAT_BLOQUEIO, campo, msg, NULL, risco,
                          it->sequencial, "builtin:contrato", NULL, 0, err);
  }
  return rc;
}

fat_rc fat_contrato_conferir(const fat_contrato *c, const fat_guia *g, const char *const *anexos,
                             size_t n_anexos, fat_findings *out, fat_err *err)
{
  fat_rc rc;

  if (c == NULL || g == NULL)
    return FAT_OK;
  rc = check_anexos(c, g, anexos, n_anexos, out, err);
  if (rc == FAT_OK)
    rc = check_sessoes(c, g, out, err);
  return rc;
}
