/* fat_model_json.c: the JSON form of a guia (fat_guia_to_json,
** fat_guia_from_json): the one interchange shape of docs/formatos.md.
**
** The form is driven by field tables (one per struct) so that to_json,
** from_json and the CSV importer agree on names and on validation: each
** field carries its kind and its maximum (TISS XSD size of a text, range of
** a value), and every text passes fat_text_check.
*/
#include "fat_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_money.h"
#include "fat_text.h"

/* {====================================================================
** Field tables for the JSON form
** ===================================================================== */

typedef enum fkind {
  K_STR,   /* one line of text */
  K_MEMO,  /* free text, line breaks allowed */
  K_DATE,  /* AAAA-MM-DD */
  K_TIME,  /* HH:MM[:SS], stored HH:MM:SS */
  K_COMP,  /* AAAA-MM */
  K_DOC,   /* document number: '.', '-', '/', ' ' removed */
  K_ENUM,  /* one of `allowed` ("a|b|c") */
  K_BOOL,  /* int 0/1 */
  K_MONEY, /* int64 centavos, "1234.56" in JSON */
  K_QTY,   /* int64 e4, "1.5000" */
  K_FATOR, /* int64 e2, "1.00" */
  K_INT    /* int (sequencial) */
} fkind;

typedef struct fdef {
  const char *name;
  size_t off;
  fkind k;
  const char *allowed;
  int64_t max; /* text: characters (TISS XSD, else FIELD_MAX); money/numbers: value */
} fdef;

/* Fields without a size in the TISS XSD (plan names, specialties...). */
#define FIELD_MAX 200
/* Long free text (indicação clínica, observação: st_texto500) may hold line
** breaks and tabs; every other text field is one line. */
#define MEMO_MAX 500

#define GF(name, k, a, max) {#name, offsetof(fat_guia, name), k, a, max}
#define IF(name, k, a, max) {#name, offsetof(fat_item, name), k, a, max}
#define SF(type, name, k, a, max) {#name, offsetof(type, name), k, a, max}

static const fdef guia_fields[] = {
  GF(numero_prestador, K_STR, NULL, 20),
  GF(numero_operadora, K_STR, NULL, 20),
  GF(numero_principal, K_STR, NULL, 20),
  GF(beneficiario_nome, K_STR, NULL, 70),
  GF(carteira_numero, K_STR, NULL, 20),
  GF(carteira_validade, K_DATE, NULL, 0),
  GF(cns, K_DOC, NULL, 15),
  GF(atendimento_rn, K_BOOL, NULL, 0),
  GF(senha, K_STR, NULL, 20),
  GF(data_autorizacao, K_DATE, NULL, 0),
  GF(validade_senha, K_DATE, NULL, 0),
  GF(carater_atendimento, K_ENUM, "1|2", 0),
  GF(tipo_atendimento, K_STR, NULL, 2),
  GF(tipo_consulta, K_STR, NULL, 1),
  GF(regime_atendimento, K_STR, NULL, 2),
  GF(indicacao_acidente, K_STR, NULL, 1),
  GF(cid, K_STR, NULL, 5),              /* st_texto4, plus the dot users write (J06.9) */
  GF(cid_secundarios, K_STR, NULL, 64), /* up to 4 more CIDs, comma-separated */
  GF(data_solicitacao, K_DATE, NULL, 0),
  GF(indicacao_clinica, K_MEMO, NULL, MEMO_MAX),
  GF(data_inicio, K_DATE, NULL, 0),
  GF(hora_inicio, K_TIME, NULL, 0),
  GF(data_fim, K_DATE, NULL, 0),
  GF(hora_fim, K_TIME, NULL, 0),
  GF(tipo_internacao, K_STR, NULL, 1),
  GF(regime_internacao, K_STR, NULL, 1),
  GF(motivo_encerramento, K_STR, NULL, 2),
  GF(assinatura_beneficiario, K_BOOL, NULL, 0),
  GF(pedido_medico, K_BOOL, NULL, 0),
  GF(laudo, K_BOOL, NULL, 0),
  GF(observacao, K_MEMO, NULL, MEMO_MAX),
  GF(valor_total, K_MONEY, NULL, FAT_MONEY_MAX),
  GF(competencia, K_COMP, NULL, 0),
  {NULL, 0, K_STR, NULL, 0}
};

static const fdef operadora_fields[] = {
  SF(fat_operadora, registro_ans, K_STR, NULL, 6),
  SF(fat_operadora, nome, K_STR, NULL, 70),
  SF(fat_operadora, script, K_STR, NULL, 64),
  {NULL, 0, K_STR, NULL, 0}
};

static const fdef prestador_fields[] = {
  SF(fat_prestador, cnpj, K_DOC, NULL, 14),
  SF(fat_prestador, cpf, K_DOC, NULL, 11),
  SF(fat_prestador, nome, K_STR, NULL, 70),
  SF(fat_prestador, cnes, K_STR, NULL, 7),
  SF(fat_prestador, codigo_na_operadora, K_STR, NULL, 14),
  {NULL, 0, K_STR, NULL, 0}
};

static const fdef plano_fields[] = {
  SF(fat_plano, codigo, K_STR, NULL, 20),
  SF(fat_plano, nome, K_STR, NULL, FIELD_MAX),
  SF(fat_plano, acomodacao, K_ENUM, "enfermaria|apartamento|ambulatorial", 0),
  {NULL, 0, K_STR, NULL, 0}
};

static const fdef benef_fields[] = {
  SF(fat_beneficiario, nome, K_STR, NULL, 70),
  SF(fat_beneficiario, nome_social, K_STR, NULL, 70),
  SF(fat_beneficiario, cpf, K_DOC, NULL, 11),
  SF(fat_beneficiario, cns, K_DOC, NULL, 15),
  SF(fat_beneficiario, nascimento, K_DATE, NULL, 0),
  SF(fat_beneficiario, sexo, K_ENUM, "M|F|I", 0),
  {NULL, 0, K_STR, NULL, 0}
};

static const fdef prof_fields[] = {
  SF(fat_profissional, nome, K_STR, NULL, 70),
  SF(fat_profissional, cpf, K_DOC, NULL, 11),
  SF(fat_profissional, conselho, K_STR, NULL, 10),
  SF(fat_profissional, numero_conselho, K_STR, NULL, 15),
  SF(fat_profissional, uf, K_STR, NULL, 2),
  SF(fat_profissional, cbo, K_STR, NULL, 6),
  SF(fat_profissional, especialidade, K_STR, NULL, FIELD_MAX),
  {NULL, 0, K_STR, NULL, 0}
};

static const fdef item_fields[] = {
  IF(sequencial, K_INT, NULL, 0),
  IF(tipo, K_ENUM, "procedimento|material|medicamento|opme|taxa|diaria|gas", 0),
  IF(codigo_tabela, K_STR, NULL, 2),
  IF(codigo, K_STR, NULL, 10),
  IF(descricao, K_STR, NULL, 150),
  {"quantidade", offsetof(fat_item, quantidade_e4), K_QTY, NULL, FAT_MONEY_QTY_MAX},
  IF(valor_unitario, K_MONEY, NULL, FAT_MONEY_MAX_ITEM),
  IF(valor_total, K_MONEY, NULL, FAT_MONEY_MAX_ITEM),
  IF(data, K_DATE, NULL, 0),
  IF(hora_inicio, K_TIME, NULL, 0),
  IF(hora_fim, K_TIME, NULL, 0),
  IF(via_acesso, K_STR, NULL, 1),
  IF(tecnica, K_STR, NULL, 1),
  IF(grau_participacao, K_STR, NULL, 2),
  {"fator", offsetof(fat_item, fator_e2), K_FATOR, NULL, 999}, /* st_decimal3-2: 9,99 */
  IF(unidade_medida, K_STR, NULL, 3),
  IF(registro_anvisa, K_STR, NULL, 15),
  IF(codigo_fabricante, K_STR, NULL, 60),
  {NULL, 0, K_STR, NULL, 0}
};

#define FSTR(base, f) ((char **)(void *)((char *)(base) + (f)->off))
#define FINT(base, f) ((int *)(void *)((char *)(base) + (f)->off))
#define FI64(base, f) ((int64_t *)(void *)((char *)(base) + (f)->off))
#define CFSTR(base, f) ((char *const *)(const void *)((const char *)(base) + (f)->off))
#define CFINT(base, f) ((const int *)(const void *)((const char *)(base) + (f)->off))
#define CFI64(base, f) ((const int64_t *)(const void *)((const char *)(base) + (f)->off))

/* Is field f of base present in the JSON form? */
static int field_present(const fdef *f, const void *base)
{
  switch (f->k) {
  case K_BOOL:
  case K_INT: return 1;
  case K_MONEY:
  case K_QTY:
  case K_FATOR: return *CFI64(base, f) != FAT_ABSENT;
  default: return *CFSTR(base, f) != NULL;
  }
}

/* How many fields of one struct the JSON form holds. */
static int fields_count(const fdef *defs, const void *base)
{
  const fdef *f;
  int n = 0;

  for (f = defs; f->name != NULL; f++)
    n += field_present(f, base);
  return n;
}

/* Visit the fields of one struct; returns 0 when the visitor stopped. */
static int fields_visit(const fat_guia_visitor *v, void *ud, const fdef *defs, const void *base)
{
  const fdef *f;
  char buf[48];
  int ok = 1;

  for (f = defs; ok && f->name != NULL; f++) {
    if (!field_present(f, base))
      continue;
    switch (f->k) {
    case K_BOOL: ok = v->boolean(ud, f->name, *CFINT(base, f) != 0); break;
    case K_INT: ok = v->num(ud, f->name, *CFINT(base, f)); break;
    case K_MONEY:
    case K_FATOR:
      if (v->fixed != NULL) {
        ok = v->fixed(ud, f->name, *CFI64(base, f), 2);
        break;
      }
      if (f->k == K_MONEY)
        fat_money_format(*CFI64(base, f), buf, sizeof buf);
      else
        fat_money_format_fixed(*CFI64(base, f), 2, '.', buf, sizeof buf);
      ok = v->str(ud, f->name, buf);
      break;
    case K_QTY:
      if (v->fixed != NULL) {
        ok = v->fixed(ud, f->name, *CFI64(base, f), 4);
        break;
      }
      fat_money_qty_format(*CFI64(base, f), buf, sizeof buf);
      ok = v->str(ud, f->name, buf);
      break;
    default: ok = v->str(ud, f->name, *CFSTR(base, f)); break;
    }
  }
  return ok;
}

/* Does a nested object appear (some string field set, or `always`)? */
static int sub_present(const fdef *defs, const void *base, int always)
{
  const fdef *f;

  if (always)
    return 1;
  for (f = defs; f->name != NULL; f++)
    if (f->k != K_BOOL && f->k != K_INT && f->k != K_MONEY && f->k != K_QTY &&
        f->k != K_FATOR && *CFSTR(base, f) != NULL)
      return 1;
  return 0;
}

/* Visit a nested object with the given fields when it is present. */
static int sub_visit(const fat_guia_visitor *v, void *ud, const char *name, const fdef *defs,
                     const void *base, int always)
{
  if (!sub_present(defs, base, always))
    return 1;
  return v->obj_begin(ud, name, v->no_counts ? -1 : fields_count(defs, base)) &&
         fields_visit(v, ud, defs, base) &&
         v->end(ud);
}

static int item_visit(const fat_guia_visitor *v, void *ud, const fat_item *it)
{
  int n = v->no_counts ? -1
                       : (it->id > 0) + fields_count(item_fields, it) + (it->profissional != NULL);

  if (!v->obj_begin(ud, NULL, n))
    return 0;
  if (it->id > 0 && !v->num(ud, "id", (double)it->id))
    return 0;
  if (!fields_visit(v, ud, item_fields, it))
    return 0;
  if (it->profissional != NULL &&
      !sub_visit(v, ud, "profissional", prof_fields, it->profissional, 1))
    return 0;
  return v->end(ud);
}

int fat_guia_visit(const fat_guia *g, const fat_guia_visitor *v, void *ud)
{
  int n = -1;
  size_t i;

  if (!v->no_counts)
    n = (g->id > 0) + 3 + sub_present(plano_fields, &g->plano, 0) +
        sub_present(benef_fields, &g->beneficiario, 0) + fields_count(guia_fields, g) +
        (g->solicitante != NULL) + (g->executante != NULL) + (g->status != NULL) +
        (g->revisao > 0) + (g->lote_id > 0) + (g->origem != NULL) + 1;
  if (!v->obj_begin(ud, NULL, n))
    return 0;
  if (g->id > 0 && !v->num(ud, "id", (double)g->id))
    return 0;
  if (!v->str(ud, "tipo", fat_guia_tipo_str(g->tipo)))
    return 0;
  if (!sub_visit(v, ud, "operadora", operadora_fields, &g->operadora, 1) ||
      !sub_visit(v, ud, "prestador", prestador_fields, &g->prestador, 1) ||
      !sub_visit(v, ud, "plano", plano_fields, &g->plano, 0) ||
      !sub_visit(v, ud, "beneficiario", benef_fields, &g->beneficiario, 0))
    return 0;
  if (!fields_visit(v, ud, guia_fields, g))
    return 0;
  if (g->solicitante != NULL && !sub_visit(v, ud, "solicitante", prof_fields, g->solicitante, 1))
    return 0;
  if (g->executante != NULL && !sub_visit(v, ud, "executante", prof_fields, g->executante, 1))
    return 0;
  if (g->status != NULL && !v->str(ud, "status", g->status))
    return 0;
  if (g->revisao > 0 && !v->num(ud, "revisao", (double)g->revisao))
    return 0;
  if (g->lote_id > 0 && !v->num(ud, "lote_id", (double)g->lote_id))
    return 0;
  if (g->origem != NULL && !v->str(ud, "origem", g->origem))
    return 0;
  if (!v->arr_begin(ud, "itens", v->no_counts ? -1 : (int)g->n_itens))
    return 0;
  for (i = 0; i < g->n_itens; i++)
    if (!item_visit(v, ud, &g->itens[i]))
      return 0;
  return v->end(ud) && v->end(ud);
}

/* ---- the visitor building the cJSON tree ---- */

#define JB_DEPTH 8

typedef struct jbuild {
  cJSON *stack[JB_DEPTH];
  int top;     /* index of the innermost open container, -1 before the root */
  cJSON *root;
} jbuild;

/* Attach item under name to the innermost container (or make it the root). */
static int jb_add(jbuild *b, const char *name, cJSON *item)
{
  cJSON *parent;

  if (item == NULL)
    return 0;
  if (b->top < 0) {
    b->root = item;
    return 1;
  }
  parent = b->stack[b->top];
  if (cJSON_IsArray(parent))
    return cJSON_AddItemToArray(parent, item);
  if (!cJSON_AddItemToObject(parent, name, item)) {
    cJSON_Delete(item);
    return 0;
  }
  return 1;
}

static int jb_open(jbuild *b, const char *name, cJSON *c)
{
  if (b->top + 1 >= JB_DEPTH || !jb_add(b, name, c)) {
    if (b->top + 1 >= JB_DEPTH)
      cJSON_Delete(c);
    return 0;
  }
  b->stack[++b->top] = c;
  return 1;
}

static int jb_obj(void *ud, const char *name, int n)
{
  (void)n;
  return jb_open(ud, name, cJSON_CreateObject());
}

static int jb_arr(void *ud, const char *name, int n)
{
  (void)n;
  return jb_open(ud, name, cJSON_CreateArray());
}

static int jb_end(void *ud)
{
  jbuild *b = ud;

  b->top--;
  return 1;
}

static int jb_str(void *ud, const char *name, const char *v)
{
  return jb_add(ud, name, cJSON_CreateString(v));
}

static int jb_num(void *ud, const char *name, double v)
{
  return jb_add(ud, name, cJSON_CreateNumber(v));
}

static int jb_bool(void *ud, const char *name, int v)
{
  return jb_add(ud, name, cJSON_CreateBool(v));
}

cJSON *fat_guia_to_json(const fat_guia *g)
{
  static const fat_guia_visitor jv = {jb_obj, jb_arr, jb_end, jb_str, jb_num, jb_bool, NULL, 0};
  jbuild b;

  memset(&b, 0, sizeof b);
  b.top = -1;
  if (!fat_guia_visit(g, &jv, &b)) {
    cJSON_Delete(b.root);
    return NULL;
  }
  return b.root;
}

/* Parsing context: the field path of the error goes to `campo`. */
typedef struct jctx {
  char *campo;
  size_t campo_len;
  fat_err *err;
} jctx;

static fat_rc jfail(jctx *c, const char *path, const char *name, fat_rc rc, const char *msg)
{
  if (c->campo != NULL && c->campo_len > 0)
    snprintf(c->campo, c->campo_len, "%s%s", path, name);
  return fat_err_set(c->err, rc, "%s", msg);
}

static fat_rc jfail_oom(jctx *c, const char *path, const char *name)
{
  return jfail(c, path, name, FAT_ENOMEM, fat_rc_str(FAT_ENOMEM));
}

/* Text of a JSON scalar: strings as is; integral numbers and decimal numbers
** through cJSON's shortest text (so 12.5 reads as "12.5"). *dyn receives an
** allocation to free. Returns NULL with *bad set when the type is wrong. */
static const char *scalar_text(const cJSON *v, char **dyn, int *bad, int *oom)
{
  *dyn = NULL;
  if (cJSON_IsString(v))
    return v->valuestring;
  if (cJSON_IsNumber(v)) {
    *dyn = cJSON_PrintUnformatted(v);
    if (*dyn == NULL)
      *oom = 1;
    return *dyn;
  }
  *bad = 1;
  return NULL;
}

static int enum_ok(const char *allowed, const char *s)
{
  size_t n = strlen(s);
  const char *p = allowed;

  if (n == 0)
    return 0;
  while (p != NULL && *p != '\0') {
    const char *bar = strchr(p, '|');
    size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);

    if (len == n && strncmp(p, s, n) == 0)
      return 1;
    p = bar != NULL ? bar + 1 : NULL;
  }
  return 0;
}

static void enum_list(const char *allowed, char *buf, size_t len)
{
  size_t i, o = 0;

  for (i = 0; allowed[i] != '\0' && o + 4 < len; i++) {
    if (allowed[i] == '|') {
      buf[o++] = ',';
      buf[o++] = ' ';
    } else {
      buf[o++] = allowed[i];
    }
  }
  buf[o] = '\0';
}

/* Read the fields `defs` of JSON object o into base. path is the prefix for
** error paths ("itens[2]."). Unknown keys are ignored. */
#define FIELDS_MAX 48 /* more fields than any table above */

static fat_rc fields_from_json(jctx *c, const cJSON *o, const fdef *defs, void *base,
                               const char *path)
{
  const fdef *f;
  char msg[sizeof ((fat_err *)NULL)->msg];
  const cJSON *found[FIELDS_MAX], *ch;
  size_t nd, k, m, start;

  /* each member of o matched to its field once (the first member of a name
  ** wins, as cJSON_GetObjectItemCaseSensitive has it); asking o for every
  ** field in turn compared each name with every member: ~6% of importar */
  for (nd = 0; defs[nd].name != NULL; nd++)
    found[nd < FIELDS_MAX ? nd : FIELDS_MAX - 1] = NULL;
  if (nd > FIELDS_MAX)
    return jfail(c, path, "", FAT_EINVAL, "erro interno: campos demais na tabela");
  /* the search for each member starts after the field the previous one
  ** matched: members mostly come in the table's order (the export writes
  ** them so), and a full pass per member was ~3% of importar */
  start = 0;
  for (ch = o != NULL ? o->child : NULL; ch != NULL; ch = ch->next) {
    if (ch->string == NULL)
      continue;
    for (m = 0; m < nd; m++) {
      k = start + m < nd ? start + m : start + m - nd;
      if (found[k] == NULL && defs[k].name[0] == ch->string[0] &&
          strcmp(defs[k].name, ch->string) == 0) {
        found[k] = ch;
        start = k + 1 < nd ? k + 1 : 0;
        break;
      }
    }
  }
  for (f = defs; f->name != NULL; f++) {
    const cJSON *v = found[f - defs];
    char *dyn = NULL;
    const char *s;
    int bad = 0, oom = 0;

    if (v == NULL || cJSON_IsNull(v))
      continue;
    if (f->k == K_BOOL) {
      int b;

      if (cJSON_IsBool(v)) {
        b = cJSON_IsTrue(v);
      } else if (cJSON_IsNumber(v) && (v->valueint == 0 || v->valueint == 1) &&
                 v->valuedouble == v->valueint) {
        b = v->valueint;
      } else if (cJSON_IsString(v) &&
                 (strcmp(v->valuestring, "1") == 0 || strcmp(v->valuestring, "S") == 0 ||
                  strcmp(v->valuestring, "s") == 0 || strcmp(v->valuestring, "sim") == 0 ||
                  strcmp(v->valuestring, "true") == 0)) {
        b = 1;
      } else if (cJSON_IsString(v) &&
                 (strcmp(v->valuestring, "0") == 0 || strcmp(v->valuestring, "N") == 0 ||
                  strcmp(v->valuestring, "n") == 0 || strcmp(v->valuestring, "não") == 0 ||
                  strcmp(v->valuestring, "nao") == 0 || strcmp(v->valuestring, "false") == 0 ||
                  v->valuestring[0] == '\0')) {
        b = 0;
      } else {
        return jfail(c, path, f->name, FAT_EINVAL, "valor lógico inválido (use true/false, 1/0 ou S/N)");
      }
      *FINT(base, f) = b;
      continue;
    }
    if (f->k == K_INT) {
      if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 100000 ||
          v->valuedouble != (double)v->valueint) {
        if (cJSON_IsString(v)) {
          long n = 0;
          const char *q = v->valuestring;

          while (*q >= '0' && *q <= '9' && n <= 100000)
            n = n * 10 + (*q++ - '0');
          if (*q == '\0' && q != v->valuestring && n >= 1 && n <= 100000) {
            *FINT(base, f) = (int)n;
            continue;
          }
        }
        return jfail(c, path, f->name, FAT_EINVAL, "número inteiro inválido (de 1 a 100000)");
      }
      *FINT(base, f) = v->valueint;
      continue;
    }
    s = scalar_text(v, &dyn, &bad, &oom);
    if (oom)
      return jfail_oom(c, path, f->name);
    if (bad)
      return jfail(c, path, f->name, FAT_EINVAL, "tipo inválido (esperado texto)");
    if (f->k == K_MONEY || f->k == K_QTY || f->k == K_FATOR) {
      int64_t x = 0;
      const char *why;

      if (s[0] == '\0') {
        cJSON_free(dyn);
        continue; /* empty = absent */
      }
      why = fat_money_scan(s, f->k == K_QTY ? 4 : 2, f->k == K_MONEY ? FAT_MONEY_THOUSANDS : 0,
                           &x);
      if (why != NULL) {
        char shown[64];

        if (fat_text_check(s, 60, 0, shown, sizeof shown) != 0)
          snprintf(msg, sizeof msg, "número inválido: %s", why);
        else
          snprintf(msg, sizeof msg, "número inválido '%s': %s", s, why);
        cJSON_free(dyn);
        return jfail(c, path, f->name, FAT_EINVAL, msg);
      }
      if (x > f->max) { /* the TISS XSD's range of the field */
        char lim[40];

        if (f->k == K_MONEY)
          fat_money_format_br(f->max, lim, sizeof lim);
        else
          fat_money_format_fixed(f->max, f->k == K_QTY ? 4 : 2, ',', lim, sizeof lim);
        snprintf(msg, sizeof msg, "valor acima do máximo de %s", lim);
        cJSON_free(dyn);
        return jfail(c, path, f->name, FAT_EINVAL, msg);
      }
      *FI64(base, f) = x;
      cJSON_free(dyn);
      continue;
    }
    /* text kinds */
    {
      char tbuf[FAT_DIA_ISO_LEN], docbuf[64];
      fat_err why;
      const char *val = s;
      char **slot = FSTR(base, f);

      if (s[0] == '\0') { /* empty string = absent */
        cJSON_free(dyn);
        continue;
      }
      /* every text: valid UTF-8, no control characters, the field's size */
      if (fat_text_check(s, f->k == K_STR || f->k == K_MEMO ? (size_t)f->max : 0, f->k == K_MEMO,
                         msg, sizeof msg) != 0) {
        cJSON_free(dyn);
        return jfail(c, path, f->name, FAT_EINVAL, msg);
      }
      switch (f->k) {
      case K_DATE:
        if (fat_dia_ler(s, NULL, tbuf, &why) != FAT_OK) {
          bad = 1;
          snprintf(msg, sizeof msg, "%s", why.msg);
        }
        val = tbuf;
        break;
      case K_TIME:
        if (fat_dia_hora_norm(s, tbuf) != 0) {
          bad = 1;
          snprintf(msg, sizeof msg, "hora inválida '%.40s' (use HH:MM ou HH:MM:SS)", s);
        }
        val = tbuf;
        break;
      case K_COMP:
        if (fat_dia_competencia_ler(s, tbuf, &why) != FAT_OK) {
          bad = 1;
          snprintf(msg, sizeof msg, "%s", why.msg);
        }
        val = tbuf;
        break;
      case K_ENUM:
        if (!enum_ok(f->allowed, s)) {
          char lst[120];

          enum_list(f->allowed, lst, sizeof lst);
          bad = 1;
          snprintf(msg, sizeof msg, "valor inválido '%.40s' (use %s)", s, lst);
        }
        break;
      case K_DOC: {
        size_t i, o2 = 0;

        for (i = 0; s[i] != '\0' && o2 + 1 < sizeof docbuf; i++)
          if (s[i] != '.' && s[i] != '-' && s[i] != '/' && s[i] != ' ')
            docbuf[o2++] = s[i];
        if (s[i] != '\0' || o2 > (size_t)f->max) {
          bad = 1;
          snprintf(msg, sizeof msg, "documento longo demais '%.40s' (no máximo %d caracteres "
                   "sem a pontuação)", s, (int)f->max);
        }
        docbuf[o2] = '\0';
        val = docbuf;
        break;
      }
      default:
        break;
      }
      if (bad) {
        cJSON_free(dyn);
        return jfail(c, path, f->name, FAT_EINVAL, msg);
      }
      fat_free(*slot);
      *slot = fat_strdup(val);
      cJSON_free(dyn);
      if (*slot == NULL)
        return jfail_oom(c, path, f->name);
    }
  }
  return FAT_OK;
}

/* dst = a b c cut to cap - 1 bytes, as snprintf "%s%s%s" would: field
** paths are built ~10 times per imported guia, printf was ~2% of importar. */
static void join3(char *dst, size_t cap, const char *a, const char *b, const char *c)
{
  const char *part[3];
  size_t o = 0, k;

  part[0] = a;
  part[1] = b;
  part[2] = c;
  for (k = 0; k < 3; k++)
    for (a = part[k]; *a != '\0' && o + 1 < cap; a++)
      dst[o++] = *a;
  dst[o] = '\0';
}

/* Read optional nested object `name` (v: its value, NULL when absent). */
static fat_rc sub_from_json(jctx *c, const cJSON *v, const char *name, const fdef *defs,
                            void *base, const char *path)
{
  char p[96];

  if (v == NULL || cJSON_IsNull(v))
    return FAT_OK;
  if (!cJSON_IsObject(v))
    return jfail(c, path, name, FAT_EINVAL, "objeto esperado");
  join3(p, sizeof p, path, name, ".");
  return fields_from_json(c, v, defs, base, p);
}

static fat_rc prof_from_json(jctx *c, const cJSON *v, const char *name, fat_profissional **out,
                             const char *path)
{
  fat_profissional *p;
  fat_rc rc;

  *out = NULL;
  if (v == NULL || cJSON_IsNull(v))
    return FAT_OK;
  if (!cJSON_IsObject(v))
    return jfail(c, path, name, FAT_EINVAL, "objeto esperado");
  p = fat_calloc(1, sizeof *p);
  if (p == NULL)
    return jfail_oom(c, path, name);
  *out = p;
  {
    char pp[96];

    join3(pp, sizeof pp, path, name, ".");
    rc = fields_from_json(c, v, prof_fields, p, pp);
  }
  return rc;
}

/* The members of o named names[0..n) in found[0..n) (NULL when absent):
** the first of each name, as cJSON_GetObjectItemCaseSensitive finds it, in
** one walk over o (asking o for each name in turn was ~2% of importar). */
static void pick(const cJSON *o, const char *const *names, size_t n, const cJSON **found)
{
  const cJSON *ch;
  size_t k;

  for (k = 0; k < n; k++)
    found[k] = NULL;
  for (ch = o->child; ch != NULL && ch->string != NULL; ch = ch->next) {
    for (k = 0; k < n; k++) {
      if (found[k] == NULL && names[k][0] == ch->string[0] && strcmp(names[k], ch->string) == 0) {
        found[k] = ch;
        break;
      }
    }
  }
}

static int64_t json_int64(const cJSON *v)
{
  if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble < 9007199254740992.0)
    return (int64_t)v->valuedouble;
  return 0;
}

/* The guia's members read by name (other than its fields), in pick order. */
enum {
  T_TIPO, T_ID, T_REVISAO, T_LOTE, T_STATUS, T_ORIGEM, T_OPERADORA, T_PRESTADOR, T_PLANO,
  T_BENEF, T_SOLIC, T_EXEC, T_ITENS, T_N
};
static const char *const top_names[T_N] = {
  "tipo",      "id",        "revisao", "lote_id",      "status",      "origem",    "operadora",
  "prestador", "plano",     "beneficiario", "solicitante", "executante", "itens"};
static const char *const item_names[2] = {"id", "profissional"};

static fat_rc guia_from_json(jctx *c, const cJSON *j, fat_guia **out)
{
  fat_guia *g;
  const cJSON *v, *itens, *top[T_N], *in[2];
  fat_rc rc;
  size_t i, n;

  *out = NULL;
  if (!cJSON_IsObject(j))
    return jfail(c, "", "", FAT_EINVAL, "a guia deve ser um objeto JSON");
  g = fat_calloc(1, sizeof *g);
  if (g == NULL)
    return jfail_oom(c, "", "");
  g->valor_total = FAT_ABSENT;

  pick(j, top_names, T_N, top);
  v = top[T_TIPO];
  if (v == NULL || cJSON_IsNull(v)) {
    rc = jfail(c, "", "tipo", FAT_EINVAL, "campo obrigatório ausente");
    goto fail;
  }
  if (!cJSON_IsString(v) || fat_guia_tipo_parse(v->valuestring) < 0) {
    rc = jfail(c, "", "tipo", FAT_EINVAL,
               "tipo de guia inválido (use consulta, sp-sadt, honorarios ou resumo-internacao)");
    goto fail;
  }
  g->tipo = (fat_guia_tipo)fat_guia_tipo_parse(v->valuestring);
  g->id = json_int64(top[T_ID]);
  g->revisao = json_int64(top[T_REVISAO]);
  g->lote_id = json_int64(top[T_LOTE]);
  v = top[T_STATUS];
  if (cJSON_IsString(v)) {
    static const char st_allowed[] =
        "digitada|conferida|pendente|em_lote|enviada|processada|paga|glosada|cancelada";

    if (!enum_ok(st_allowed, v->valuestring)) {
      rc = jfail(c, "", "status", FAT_EINVAL, "situação da guia inválida");
      goto fail;
    }
    g->status = fat_strdup(v->valuestring);
    if (g->status == NULL) {
      rc = jfail_oom(c, "", "status");
      goto fail;
    }
  }
  v = top[T_ORIGEM];
  if (cJSON_IsString(v)) {
    g->origem = fat_strdup(v->valuestring);
    if (g->origem == NULL) {
      rc = jfail_oom(c, "", "origem");
      goto fail;
    }
  }
  rc = sub_from_json(c, top[T_OPERADORA], "operadora", operadora_fields, &g->operadora, "");
  if (rc == FAT_OK)
    rc = sub_from_json(c, top[T_PRESTADOR], "prestador", prestador_fields, &g->prestador, "");
  if (rc == FAT_OK)
    rc = sub_from_json(c, top[T_PLANO], "plano", plano_fields, &g->plano, "");
  if (rc == FAT_OK)
    rc = sub_from_json(c, top[T_BENEF], "beneficiario", benef_fields, &g->beneficiario, "");
  if (rc == FAT_OK)
    rc = fields_from_json(c, j, guia_fields, g, "");
  if (rc == FAT_OK)
    rc = prof_from_json(c, top[T_SOLIC], "solicitante", &g->solicitante, "");
  if (rc == FAT_OK)
    rc = prof_from_json(c, top[T_EXEC], "executante", &g->executante, "");
  if (rc != FAT_OK)
    goto fail;
  if (g->operadora.registro_ans == NULL) {
    rc = jfail(c, "", "operadora.registro_ans", FAT_EINVAL, "campo obrigatório ausente");
    goto fail;
  }
  if (g->prestador.cnpj == NULL && g->prestador.cpf == NULL) {
    rc = jfail(c, "", "prestador.cnpj", FAT_EINVAL,
               "campo obrigatório ausente (informe o CNPJ ou o CPF do prestador)");
    goto fail;
  }
  if (g->numero_prestador == NULL) {
    rc = jfail(c, "", "numero_prestador", FAT_EINVAL, "campo obrigatório ausente");
    goto fail;
  }
  if (g->beneficiario_nome == NULL && g->beneficiario.nome != NULL) {
    g->beneficiario_nome = fat_strdup(g->beneficiario.nome);
    if (g->beneficiario_nome == NULL) {
      rc = jfail_oom(c, "", "beneficiario_nome");
      goto fail;
    }
  }

  itens = top[T_ITENS];
  if (itens == NULL || !cJSON_IsArray(itens) || cJSON_GetArraySize(itens) == 0) {
    rc = jfail(c, "", "itens", FAT_EINVAL,
               itens == NULL || cJSON_IsArray(itens) ? "a guia precisa de pelo menos um item"
                                                     : "lista esperada");
    goto fail;
  }
  n = (size_t)cJSON_GetArraySize(itens);
  if (n > 10000) {
    rc = jfail(c, "", "itens", FAT_ELIMIT, "itens demais (máximo 10000 por guia)");
    goto fail;
  }
  g->itens = fat_calloc(n, sizeof *g->itens);
  if (g->itens == NULL) {
    rc = jfail_oom(c, "", "itens");
    goto fail;
  }
  i = 0;
  cJSON_ArrayForEach(v, itens)
  {
    fat_item *it = &g->itens[i];
    char path[48];
    size_t k;

    g->n_itens = i + 1;
    it->quantidade_e4 = FAT_ABSENT;
    it->valor_unitario = FAT_ABSENT;
    it->valor_total = FAT_ABSENT;
    it->fator_e2 = 100;
    {
      char num[24];
      size_t k2 = sizeof num - 1, x = i;

      num[k2] = '\0';
      do
        num[--k2] = (char)('0' + x % 10);
      while ((x /= 10) > 0);
      join3(path, sizeof path, "itens[", num + k2, "].");
    }
    if (!cJSON_IsObject(v)) {
      rc = jfail(c, path, "", FAT_EINVAL, "objeto esperado");
      goto fail;
    }
    pick(v, item_names, 2, in);
    it->id = json_int64(in[0]);
    rc = fields_from_json(c, v, item_fields, it, path);
    if (rc == FAT_OK)
      rc = prof_from_json(c, in[1], "profissional", &it->profissional, path);
    if (rc != FAT_OK)
      goto fail;
    if (it->sequencial == 0)
      it->sequencial = (int)i + 1;
    for (k = 0; k < i; k++) {
      if (g->itens[k].sequencial == it->sequencial) {
        rc = jfail(c, path, "sequencial", FAT_EINVAL, "sequencial repetido na mesma guia");
        goto fail;
      }
    }
    if (it->codigo_tabela == NULL) {
      rc = jfail(c, path, "codigo_tabela", FAT_EINVAL, "campo obrigatório ausente");
      goto fail;
    }
    if (it->codigo == NULL) {
      rc = jfail(c, path, "codigo", FAT_EINVAL, "campo obrigatório ausente");
      goto fail;
    }
    if (it->quantidade_e4 == FAT_ABSENT) {
      rc = jfail(c, path, "quantidade", FAT_EINVAL, "campo obrigatório ausente");
      goto fail;
    }
    if (it->tipo == NULL) {
      it->tipo = fat_strdup("procedimento");
      if (it->tipo == NULL) {
        rc = jfail_oom(c, path, "tipo");
        goto fail;
      }
    }
    i++;
  }
  if (g->valor_total == FAT_ABSENT) {
    int64_t sum = 0;

    for (i = 0; i < g->n_itens; i++)
      if (g->itens[i].valor_total != FAT_ABSENT)
        sum += g->itens[i].valor_total;
    g->valor_total = sum;
  }
  *out = g;
  return FAT_OK;
fail:
  fat_guia_free(g);
  return rc;
}

fat_rc fat_guia_from_json_campo(const cJSON *j, fat_guia **out, char *campo, size_t campo_len,
                                fat_err *err)
{
  jctx c;

  if (campo != NULL && campo_len > 0)
    campo[0] = '\0';
  c.campo = campo;
  c.campo_len = campo_len;
  c.err = err;
  return guia_from_json(&c, j, out);
}

fat_rc fat_guia_from_json(const cJSON *j, fat_guia **out, fat_err *err)
{
  char campo[128];
  fat_rc rc = fat_guia_from_json_campo(j, out, campo, sizeof campo, err);

  if (rc != FAT_OK && campo[0] != '\0')
    fat_err_prefix(err, "%s: ", campo);
  return rc;
}

/* }==================================================================== */
