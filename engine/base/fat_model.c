/* fat_model.c: the guia data model: free, load, find, save, JSON form, and
** the money/quantity text helpers.
**
** The JSON form is driven by field tables (one per struct) so that to_json,
** from_json and the CSV importer agree on names and on validation.
*/
#include "fat_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_store_int.h"

/* {====================================================================
** Guia tipo
** ===================================================================== */

static const char *const tipo_names[] = {"consulta", "sp-sadt", "honorarios",
                                         "resumo-internacao"};

const char *fat_guia_tipo_str(fat_guia_tipo t)
{
  if ((int)t < 0 || (int)t > (int)FAT_GUIA_INTERNACAO)
    return "?";
  return tipo_names[t];
}

int fat_guia_tipo_parse(const char *s)
{
  int i;

  if (s == NULL)
    return -1;
  for (i = 0; i < 4; i++)
    if (strcmp(s, tipo_names[i]) == 0)
      return i;
  if (strcmp(s, "sadt") == 0 || strcmp(s, "sp_sadt") == 0)
    return FAT_GUIA_SADT;
  if (strcmp(s, "internacao") == 0 || strcmp(s, "resumo_internacao") == 0)
    return FAT_GUIA_INTERNACAO;
  return -1;
}

/* }==================================================================== */

/* {====================================================================
** Free
** ===================================================================== */

static void prof_fini(fat_profissional *p)
{
  fat_free(p->nome);
  fat_free(p->cpf);
  fat_free(p->conselho);
  fat_free(p->numero_conselho);
  fat_free(p->uf);
  fat_free(p->cbo);
  fat_free(p->especialidade);
  memset(p, 0, sizeof *p);
}

void fat_profissional_free(fat_profissional *p)
{
  if (p == NULL)
    return;
  prof_fini(p);
  fat_free(p);
}

static void item_fini(fat_item *it)
{
  fat_free(it->tipo);
  fat_free(it->codigo_tabela);
  fat_free(it->codigo);
  fat_free(it->descricao);
  fat_free(it->data);
  fat_free(it->hora_inicio);
  fat_free(it->hora_fim);
  fat_free(it->via_acesso);
  fat_free(it->tecnica);
  fat_free(it->grau_participacao);
  fat_profissional_free(it->profissional);
  fat_free(it->unidade_medida);
  fat_free(it->registro_anvisa);
  fat_free(it->codigo_fabricante);
}

void fat_guia_free(fat_guia *g)
{
  size_t i;

  if (g == NULL)
    return;
  fat_free(g->operadora.registro_ans);
  fat_free(g->operadora.nome);
  fat_free(g->operadora.script);
  fat_free(g->prestador.nome);
  fat_free(g->prestador.cnpj);
  fat_free(g->prestador.cpf);
  fat_free(g->prestador.cnes);
  fat_free(g->prestador.codigo_na_operadora);
  fat_free(g->plano.codigo);
  fat_free(g->plano.nome);
  fat_free(g->plano.acomodacao);
  fat_free(g->beneficiario.nome);
  fat_free(g->beneficiario.nome_social);
  fat_free(g->beneficiario.cpf);
  fat_free(g->beneficiario.cns);
  fat_free(g->beneficiario.nascimento);
  fat_free(g->beneficiario.sexo);
  fat_free(g->numero_prestador);
  fat_free(g->numero_operadora);
  fat_free(g->numero_principal);
  fat_free(g->beneficiario_nome);
  fat_free(g->carteira_numero);
  fat_free(g->carteira_validade);
  fat_free(g->cns);
  fat_free(g->senha);
  fat_free(g->data_autorizacao);
  fat_free(g->validade_senha);
  fat_free(g->carater_atendimento);
  fat_free(g->tipo_atendimento);
  fat_free(g->tipo_consulta);
  fat_free(g->regime_atendimento);
  fat_free(g->indicacao_acidente);
  fat_free(g->cid);
  fat_free(g->cid_secundarios);
  fat_free(g->data_solicitacao);
  fat_free(g->indicacao_clinica);
  fat_free(g->data_inicio);
  fat_free(g->hora_inicio);
  fat_free(g->data_fim);
  fat_free(g->hora_fim);
  fat_free(g->tipo_internacao);
  fat_free(g->regime_internacao);
  fat_free(g->motivo_encerramento);
  fat_profissional_free(g->solicitante);
  fat_profissional_free(g->executante);
  fat_free(g->observacao);
  fat_free(g->competencia);
  fat_free(g->status);
  fat_free(g->origem);
  for (i = 0; i < g->n_itens; i++)
    item_fini(&g->itens[i]);
  fat_free(g->itens);
  fat_free(g);
}

/* }==================================================================== */

/* {====================================================================
** Money, quantities, dates
** ===================================================================== */

int64_t fat_div_round(int64_t a, int64_t b)
{
  int64_t q = a / b;
  int64_t r = a % b;   /* same sign as a (C99) */
  int64_t ar = r < 0 ? -r : r;

  if (ar >= b - ar)    /* 2|r| >= b without overflow */
    q += (a < 0) ? -1 : 1;
  return q;
}

/* Write |v| / 10^dec with `dec` decimals and separator `sep`, with an
** optional thousands separator, into buf (truncated like snprintf). Digits
** are written by hand, right to left: conferir formats every value of every
** guia for the scripts, and three snprintf calls per value were a tenth of
** its time. */
static void fmt_fixed(int64_t v, int dec, char sep, char thou, const char *prefix, char *buf,
                      size_t len)
{
  uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  char tmp[64];
  const char *q;
  size_t p = sizeof tmp, o = 0, i;
  int k, group = 0;

  if (len == 0)
    return;
  tmp[--p] = '\0';
  for (k = 0; k < dec; k++) {
    tmp[--p] = (char)('0' + (int)(mag % 10));
    mag /= 10;
  }
  if (dec > 0)
    tmp[--p] = sep;
  do {
    if (thou != '\0' && group == 3) {
      tmp[--p] = thou;
      group = 0;
    }
    tmp[--p] = (char)('0' + (int)(mag % 10));
    mag /= 10;
    group++;
  } while (mag > 0);
  if (v < 0 && o + 1 < len)
    buf[o++] = '-';
  for (i = 0; prefix[i] != '\0' && o + 1 < len; i++)
    buf[o++] = prefix[i];
  for (q = tmp + p; *q != '\0' && o + 1 < len; q++)
    buf[o++] = *q;
  buf[o] = '\0';
}

void fat_money_format(int64_t centavos, char *buf, size_t len)
{
  fmt_fixed(centavos, 2, '.', '\0', "", buf, len);
}

void fat_money_format_br(int64_t centavos, char *buf, size_t len)
{
  fmt_fixed(centavos, 2, ',', '.', "R$ ", buf, len);
}

void fat_qty_format(int64_t e4, char *buf, size_t len) { fmt_fixed(e4, 4, '.', '\0', "", buf, len); }

void fat_qty_format_br(int64_t e4, char *buf, size_t len)
{
  fmt_fixed(e4, 4, ',', '\0', "", buf, len);
}

/* Parse a decimal number with at most max_dec decimals into an integer scaled
** by 10^max_dec. Accepts an optional sign, "R$", surrounding blanks, '.' or ','
** as decimal separator and (when allow_thou) Brazilian/US thousands groups.
** Returns NULL on success or a static pt-BR reason. */
static const char *parse_fixed(const char *s, int max_dec, int allow_thou, int64_t *out)
{
  const char *p, *end, *dec_at = NULL;
  char dsep = '\0', tsep = '\0';
  int neg = 0, ndec = 0, nint = 0, k;
  uint64_t v = 0, limit;
  const char *q;

  if (s == NULL)
    return "valor vazio";
  p = s;
  while (*p == ' ' || *p == '\t')
    p++;
  end = p + strlen(p);
  while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
    end--;
  if (p < end && (*p == '-' || *p == '+')) {
    neg = *p == '-';
    p++;
  }
  if (end - p >= 2 && p[0] == 'R' && p[1] == '$') {
    p += 2;
    while (p < end && *p == ' ')
      p++;
    if (!neg && p < end && *p == '-') {
      neg = 1;
      p++;
    }
  }
  if (p == end)
    return "valor vazio";
  /* find the separators used */
  {
    int ndot = 0, ncomma = 0;
    const char *ldot = NULL, *lcomma = NULL;

    for (q = p; q < end; q++) {
      if (*q == '.') {
        ndot++;
        ldot = q;
      } else if (*q == ',') {
        ncomma++;
        lcomma = q;
      } else if (*q < '0' || *q > '9') {
        return "caractere inválido";
      }
    }
    if (ndot > 0 && ncomma > 0) {
      if (!allow_thou)
        return "separadores misturados";
      if (ldot > lcomma) {
        if (ndot > 1)
          return "separador decimal repetido";
        dsep = '.';
        tsep = ',';
        dec_at = ldot;
      } else {
        if (ncomma > 1)
          return "separador decimal repetido";
        dsep = ',';
        tsep = '.';
        dec_at = lcomma;
      }
    } else if (ncomma > 1 || ndot > 1) {
      if (!allow_thou)
        return "separador decimal repetido";
      tsep = ncomma > 1 ? ',' : '.';
    } else if (ncomma == 1) {
      dsep = ',';
      dec_at = lcomma;
    } else if (ndot == 1) {
      dsep = '.';
      dec_at = ldot;
    }
  }
  (void)dsep;
  /* integer part, validating thousands groups */
  {
    const char *iend = dec_at != NULL ? dec_at : end;
    int group = -1; /* digits since last thousands separator; -1 = none seen */
    int first_group = 0;

    for (q = p; q < iend; q++) {
      if (*q == tsep && tsep != '\0') {
        if (group == -1) {
          if (first_group < 1 || first_group > 3)
            return "separador de milhar mal posicionado";
        } else if (group != 3) {
          return "separador de milhar mal posicionado";
        }
        group = 0;
        continue;
      }
      if (group == -1)
        first_group++;
      else
        group++;
      if (v > (UINT64_MAX - 9) / 10)
        return "valor grande demais";
      v = v * 10 + (uint64_t)(*q - '0');
      nint++;
    }
    if (group != -1 && group != 3)
      return "separador de milhar mal posicionado";
  }
  if (dec_at != NULL) {
    for (q = dec_at + 1; q < end; q++) {
      if (ndec == max_dec)
        return max_dec == 2 ? "mais de 2 casas decimais" : "casas decimais demais";
      v = v * 10 + (uint64_t)(*q - '0');
      ndec++;
    }
    if (nint == 0 && ndec == 0)
      return "valor vazio";
  } else if (nint == 0) {
    return "valor vazio";
  }
  for (k = ndec; k < max_dec; k++) {
    if (v > UINT64_MAX / 10)
      return "valor grande demais";
    v *= 10;
  }
  limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  if (v > limit || (neg && v == limit)) /* keep INT64_MIN free: it is FAT_ABSENT */
    return "valor grande demais";
  *out = neg ? -(int64_t)v : (int64_t)v;
  return NULL;
}

fat_rc fat_money_parse(const char *s, int64_t *out, fat_err *err)
{
  const char *why = parse_fixed(s, 2, 1, out);

  if (why != NULL)
    return fat_err_set(err, FAT_EINVAL, "valor monetário inválido '%s': %s", s != NULL ? s : "",
                       why);
  return FAT_OK;
}

fat_rc fat_qty_parse(const char *s, int64_t *out_e4, fat_err *err)
{
  const char *why = parse_fixed(s, 4, 0, out_e4);

  if (why != NULL)
    return fat_err_set(err, FAT_EINVAL, "quantidade inválida '%s': %s", s != NULL ? s : "", why);
  return FAT_OK;
}

static int all_digits(const char *s, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

static int two(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

int fat_date_valid(const char *s)
{
  int32_t d;

  return s != NULL && fat_dia_parse(s, &d) == 0 && atoi(s) >= 1900;
}

int fat_competencia_valid(const char *s)
{
  int m;

  if (s == NULL || strlen(s) != 7 || s[4] != '-' || !all_digits(s, 4) || !all_digits(s + 5, 2))
    return 0;
  m = two(s + 5);
  return m >= 1 && m <= 12;
}

/* HH:MM or HH:MM:SS; writes the HH:MM:SS form into out[9]. */
static int time_norm(const char *s, char out[9])
{
  size_t n = s != NULL ? strlen(s) : 0;

  if ((n != 5 && n != 8) || s[2] != ':' || !all_digits(s, 2) || !all_digits(s + 3, 2))
    return 0;
  if (n == 8 && (s[5] != ':' || !all_digits(s + 6, 2) || two(s + 6) > 59))
    return 0;
  if (two(s) > 23 || two(s + 3) > 59)
    return 0;
  snprintf(out, 9, "%.2s:%.2s:%.2s", s, s + 3, n == 8 ? s + 6 : "00");
  return 1;
}

/* }==================================================================== */

/* {====================================================================
** Field tables for the JSON form
** ===================================================================== */

typedef enum fkind {
  K_STR,   /* free text */
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
} fdef;

#define GF(name, k, a) {#name, offsetof(fat_guia, name), k, a}
#define IF(name, k, a) {#name, offsetof(fat_item, name), k, a}

static const fdef guia_fields[] = {
  GF(numero_prestador, K_STR, NULL),
  GF(numero_operadora, K_STR, NULL),
  GF(numero_principal, K_STR, NULL),
  GF(beneficiario_nome, K_STR, NULL),
  GF(carteira_numero, K_STR, NULL),
  GF(carteira_validade, K_DATE, NULL),
  GF(cns, K_DOC, NULL),
  GF(atendimento_rn, K_BOOL, NULL),
  GF(senha, K_STR, NULL),
  GF(data_autorizacao, K_DATE, NULL),
  GF(validade_senha, K_DATE, NULL),
  GF(carater_atendimento, K_ENUM, "1|2"),
  GF(tipo_atendimento, K_STR, NULL),
  GF(tipo_consulta, K_STR, NULL),
  GF(regime_atendimento, K_STR, NULL),
  GF(indicacao_acidente, K_STR, NULL),
  GF(cid, K_STR, NULL),
  GF(cid_secundarios, K_STR, NULL),
  GF(data_solicitacao, K_DATE, NULL),
  GF(indicacao_clinica, K_STR, NULL),
  GF(data_inicio, K_DATE, NULL),
  GF(hora_inicio, K_TIME, NULL),
  GF(data_fim, K_DATE, NULL),
  GF(hora_fim, K_TIME, NULL),
  GF(tipo_internacao, K_STR, NULL),
  GF(regime_internacao, K_STR, NULL),
  GF(motivo_encerramento, K_STR, NULL),
  GF(assinatura_beneficiario, K_BOOL, NULL),
  GF(pedido_medico, K_BOOL, NULL),
  GF(laudo, K_BOOL, NULL),
  GF(observacao, K_STR, NULL),
  GF(valor_total, K_MONEY, NULL),
  GF(competencia, K_COMP, NULL),
  {NULL, 0, K_STR, NULL}
};

static const fdef operadora_fields[] = {
  {"registro_ans", offsetof(fat_operadora, registro_ans), K_STR, NULL},
  {"nome", offsetof(fat_operadora, nome), K_STR, NULL},
  {"script", offsetof(fat_operadora, script), K_STR, NULL},
  {NULL, 0, K_STR, NULL}
};

static const fdef prestador_fields[] = {
  {"cnpj", offsetof(fat_prestador, cnpj), K_DOC, NULL},
  {"cpf", offsetof(fat_prestador, cpf), K_DOC, NULL},
  {"nome", offsetof(fat_prestador, nome), K_STR, NULL},
  {"cnes", offsetof(fat_prestador, cnes), K_STR, NULL},
  {"codigo_na_operadora", offsetof(fat_prestador, codigo_na_operadora), K_STR, NULL},
  {NULL, 0, K_STR, NULL}
};

static const fdef plano_fields[] = {
  {"codigo", offsetof(fat_plano, codigo), K_STR, NULL},
  {"nome", offsetof(fat_plano, nome), K_STR, NULL},
  {"acomodacao", offsetof(fat_plano, acomodacao), K_ENUM, "enfermaria|apartamento|ambulatorial"},
  {NULL, 0, K_STR, NULL}
};

static const fdef benef_fields[] = {
  {"nome", offsetof(fat_beneficiario, nome), K_STR, NULL},
  {"nome_social", offsetof(fat_beneficiario, nome_social), K_STR, NULL},
  {"cpf", offsetof(fat_beneficiario, cpf), K_DOC, NULL},
  {"cns", offsetof(fat_beneficiario, cns), K_DOC, NULL},
  {"nascimento", offsetof(fat_beneficiario, nascimento), K_DATE, NULL},
  {"sexo", offsetof(fat_beneficiario, sexo), K_ENUM, "M|F|I"},
  {NULL, 0, K_STR, NULL}
};

static const fdef prof_fields[] = {
  {"nome", offsetof(fat_profissional, nome), K_STR, NULL},
  {"cpf", offsetof(fat_profissional, cpf), K_DOC, NULL},
  {"conselho", offsetof(fat_profissional, conselho), K_STR, NULL},
  {"numero_conselho", offsetof(fat_profissional, numero_conselho), K_STR, NULL},
  {"uf", offsetof(fat_profissional, uf), K_STR, NULL},
  {"cbo", offsetof(fat_profissional, cbo), K_STR, NULL},
  {"especialidade", offsetof(fat_profissional, especialidade), K_STR, NULL},
  {NULL, 0, K_STR, NULL}
};

static const fdef item_fields[] = {
  IF(sequencial, K_INT, NULL),
  IF(tipo, K_ENUM, "procedimento|material|medicamento|opme|taxa|diaria|gas"),
  IF(codigo_tabela, K_STR, NULL),
  IF(codigo, K_STR, NULL),
  IF(descricao, K_STR, NULL),
  {"quantidade", offsetof(fat_item, quantidade_e4), K_QTY, NULL},
  IF(valor_unitario, K_MONEY, NULL),
  IF(valor_total, K_MONEY, NULL),
  IF(data, K_DATE, NULL),
  IF(hora_inicio, K_TIME, NULL),
  IF(hora_fim, K_TIME, NULL),
  IF(via_acesso, K_STR, NULL),
  IF(tecnica, K_STR, NULL),
  IF(grau_participacao, K_STR, NULL),
  {"fator", offsetof(fat_item, fator_e2), K_FATOR, NULL},
  IF(unidade_medida, K_STR, NULL),
  IF(registro_anvisa, K_STR, NULL),
  IF(codigo_fabricante, K_STR, NULL),
  {NULL, 0, K_STR, NULL}
};

#define FSTR(base, f) ((char **)(void *)((char *)(base) + (f)->off))
#define FINT(base, f) ((int *)(void *)((char *)(base) + (f)->off))
#define FI64(base, f) ((int64_t *)(void *)((char *)(base) + (f)->off))
#define CFSTR(base, f) ((char *const *)(const void *)((const char *)(base) + (f)->off))
#define CFINT(base, f) ((const int *)(const void *)((const char *)(base) + (f)->off))
#define CFI64(base, f) ((const int64_t *)(const void *)((const char *)(base) + (f)->off))

/* Add the fields of one struct to obj; returns 0 on OOM. */
static int fields_to_json(cJSON *obj, const fdef *defs, const void *base)
{
  const fdef *f;
  char buf[48];

  for (f = defs; f->name != NULL; f++) {
    switch (f->k) {
    case K_BOOL:
      if (cJSON_AddBoolToObject(obj, f->name, *CFINT(base, f) != 0) == NULL)
        return 0;
      break;
    case K_INT:
      if (cJSON_AddNumberToObject(obj, f->name, *CFINT(base, f)) == NULL)
        return 0;
      break;
    case K_MONEY:
    case K_QTY:
    case K_FATOR: {
      int64_t v = *CFI64(base, f);

      if (v == FAT_ABSENT)
        break;
      if (f->k == K_MONEY)
        fat_money_format(v, buf, sizeof buf);
      else if (f->k == K_QTY)
        fat_qty_format(v, buf, sizeof buf);
      else
        fmt_fixed(v, 2, '.', '\0', "", buf, sizeof buf);
      if (cJSON_AddStringToObject(obj, f->name, buf) == NULL)
        return 0;
      break;
    }
    default: {
      const char *s = *CFSTR(base, f);

      if (s != NULL && cJSON_AddStringToObject(obj, f->name, s) == NULL)
        return 0;
      break;
    }
    }
  }
  return 1;
}

/* Add a nested object with the given fields (only when some string field is
** set, or always when `always`). Returns 0 on OOM. */
static int sub_to_json(cJSON *parent, const char *name, const fdef *defs, const void *base,
                       int always)
{
  cJSON *o;
  const fdef *f;
  int any = always;

  for (f = defs; !any && f->name != NULL; f++)
    if (f->k != K_BOOL && f->k != K_INT && f->k != K_MONEY && f->k != K_QTY &&
        f->k != K_FATOR && *CFSTR(base, f) != NULL)
      any = 1;
  if (!any)
    return 1;
  o = cJSON_AddObjectToObject(parent, name);
  if (o == NULL)
    return 0;
  return fields_to_json(o, defs, base);
}

cJSON *fat_guia_to_json(const fat_guia *g)
{
  cJSON *j = cJSON_CreateObject(), *arr;
  size_t i;

  if (j == NULL)
    return NULL;
  if (g->id > 0 && cJSON_AddNumberToObject(j, "id", (double)g->id) == NULL)
    goto oom;
  if (cJSON_AddStringToObject(j, "tipo", fat_guia_tipo_str(g->tipo)) == NULL)
    goto oom;
  if (!sub_to_json(j, "operadora", operadora_fields, &g->operadora, 1) ||
      !sub_to_json(j, "prestador", prestador_fields, &g->prestador, 1) ||
      !sub_to_json(j, "plano", plano_fields, &g->plano, 0) ||
      !sub_to_json(j, "beneficiario", benef_fields, &g->beneficiario, 0))
    goto oom;
  if (!fields_to_json(j, guia_fields, g))
    goto oom;
  if (g->solicitante != NULL && !sub_to_json(j, "solicitante", prof_fields, g->solicitante, 1))
    goto oom;
  if (g->executante != NULL && !sub_to_json(j, "executante", prof_fields, g->executante, 1))
    goto oom;
  if (g->status != NULL && cJSON_AddStringToObject(j, "status", g->status) == NULL)
    goto oom;
  if (g->revisao > 0 && cJSON_AddNumberToObject(j, "revisao", (double)g->revisao) == NULL)
    goto oom;
  if (g->lote_id > 0 && cJSON_AddNumberToObject(j, "lote_id", (double)g->lote_id) == NULL)
    goto oom;
  if (g->origem != NULL && cJSON_AddStringToObject(j, "origem", g->origem) == NULL)
    goto oom;
  arr = cJSON_AddArrayToObject(j, "itens");
  if (arr == NULL)
    goto oom;
  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
      goto oom;
    cJSON_AddItemToArray(arr, o);
    if (it->id > 0 && cJSON_AddNumberToObject(o, "id", (double)it->id) == NULL)
      goto oom;
    if (!fields_to_json(o, item_fields, it))
      goto oom;
    if (it->profissional != NULL &&
        !sub_to_json(o, "profissional", prof_fields, it->profissional, 1))
      goto oom;
  }
  return j;
oom:
  cJSON_Delete(j);
  return NULL;
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
static fat_rc fields_from_json(jctx *c, const cJSON *o, const fdef *defs, void *base,
                               const char *path)
{
  const fdef *f;
  char msg[300];

  for (f = defs; f->name != NULL; f++) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, f->name);
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
      return jfail(c, path, f->name, FAT_ENOMEM, "memória insuficiente");
    if (bad)
      return jfail(c, path, f->name, FAT_EINVAL, "tipo inválido (esperado texto)");
    if (f->k == K_MONEY || f->k == K_QTY || f->k == K_FATOR) {
      int64_t x = 0;
      const char *why = s[0] == '\0' ? NULL : parse_fixed(s, f->k == K_QTY ? 4 : 2, f->k == K_MONEY, &x);

      if (s[0] == '\0') {
        fat_free(dyn);
        continue; /* empty = absent */
      }
      if (why == NULL && (f->k == K_QTY || f->k == K_FATOR) && x < 0)
        why = "valor negativo";
      if (why != NULL) {
        snprintf(msg, sizeof msg, "número inválido '%.60s': %s", s, why);
        fat_free(dyn);
        return jfail(c, path, f->name, FAT_EINVAL, msg);
      }
      *FI64(base, f) = x;
      fat_free(dyn);
      continue;
    }
    /* text kinds */
    {
      char tbuf[9], docbuf[64];
      const char *val = s;
      char **slot = FSTR(base, f);

      if (s[0] == '\0') { /* empty string = absent */
        fat_free(dyn);
        continue;
      }
      switch (f->k) {
      case K_DATE:
        if (!fat_date_valid(s))
          bad = 1;
        if (bad)
          snprintf(msg, sizeof msg, "data inválida '%.40s' (use AAAA-MM-DD)", s);
        break;
      case K_TIME:
        if (!time_norm(s, tbuf)) {
          bad = 1;
          snprintf(msg, sizeof msg, "hora inválida '%.40s' (use HH:MM ou HH:MM:SS)", s);
        }
        val = tbuf;
        break;
      case K_COMP:
        if (!fat_competencia_valid(s)) {
          bad = 1;
          snprintf(msg, sizeof msg, "competência inválida '%.40s' (use AAAA-MM)", s);
        }
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
        if (s[i] != '\0') {
          bad = 1;
          snprintf(msg, sizeof msg, "documento longo demais '%.40s'", s);
        }
        docbuf[o2] = '\0';
        val = docbuf;
        break;
      }
      default:
        break;
      }
      if (bad) {
        fat_free(dyn);
        return jfail(c, path, f->name, FAT_EINVAL, msg);
      }
      fat_free(*slot);
      *slot = fat_strdup(val);
      fat_free(dyn);
      if (*slot == NULL)
        return jfail(c, path, f->name, FAT_ENOMEM, "memória insuficiente");
    }
  }
  return FAT_OK;
}

/* Read optional nested object `name` of o. */
static fat_rc sub_from_json(jctx *c, const cJSON *o, const char *name, const fdef *defs,
                            void *base, const char *path)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  char p[96];

  if (v == NULL || cJSON_IsNull(v))
    return FAT_OK;
  if (!cJSON_IsObject(v))
    return jfail(c, path, name, FAT_EINVAL, "objeto esperado");
  snprintf(p, sizeof p, "%s%s.", path, name);
  return fields_from_json(c, v, defs, base, p);
}

static fat_rc prof_from_json(jctx *c, const cJSON *o, const char *name, fat_profissional **out,
                             const char *path)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  fat_profissional *p;
  fat_rc rc;

  *out = NULL;
  if (v == NULL || cJSON_IsNull(v))
    return FAT_OK;
  if (!cJSON_IsObject(v))
    return jfail(c, path, name, FAT_EINVAL, "objeto esperado");
  p = fat_calloc(1, sizeof *p);
  if (p == NULL)
    return jfail(c, path, name, FAT_ENOMEM, "memória insuficiente");
  *out = p;
  {
    char pp[96];

    snprintf(pp, sizeof pp, "%s%s.", path, name);
    rc = fields_from_json(c, v, prof_fields, p, pp);
  }
  return rc;
}

static int64_t json_int64(const cJSON *o, const char *name)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

  if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble < 9007199254740992.0)
    return (int64_t)v->valuedouble;
  return 0;
}

static fat_rc guia_from_json(jctx *c, const cJSON *j, fat_guia **out)
{
  fat_guia *g;
  const cJSON *v, *itens;
  fat_rc rc;
  size_t i, n;

  *out = NULL;
  if (!cJSON_IsObject(j))
    return jfail(c, "", "", FAT_EINVAL, "a guia deve ser um objeto JSON");
  g = fat_calloc(1, sizeof *g);
  if (g == NULL)
    return jfail(c, "", "", FAT_ENOMEM, "memória insuficiente");
  g->valor_total = FAT_ABSENT;

  v = cJSON_GetObjectItemCaseSensitive(j, "tipo");
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
  g->id = json_int64(j, "id");
  g->revisao = json_int64(j, "revisao");
  g->lote_id = json_int64(j, "lote_id");
  v = cJSON_GetObjectItemCaseSensitive(j, "status");
  if (cJSON_IsString(v)) {
    static const char st_allowed[] =
        "digitada|conferida|pendente|em_lote|enviada|processada|paga|glosada|cancelada";

    if (!enum_ok(st_allowed, v->valuestring)) {
      rc = jfail(c, "", "status", FAT_EINVAL, "situação da guia inválida");
      goto fail;
    }
    g->status = fat_strdup(v->valuestring);
    if (g->status == NULL) {
      rc = jfail(c, "", "status", FAT_ENOMEM, "memória insuficiente");
      goto fail;
    }
  }
  v = cJSON_GetObjectItemCaseSensitive(j, "origem");
  if (cJSON_IsString(v)) {
    g->origem = fat_strdup(v->valuestring);
    if (g->origem == NULL) {
      rc = jfail(c, "", "origem", FAT_ENOMEM, "memória insuficiente");
      goto fail;
    }
  }
  rc = sub_from_json(c, j, "operadora", operadora_fields, &g->operadora, "");
  if (rc == FAT_OK)
    rc = sub_from_json(c, j, "prestador", prestador_fields, &g->prestador, "");
  if (rc == FAT_OK)
    rc = sub_from_json(c, j, "plano", plano_fields, &g->plano, "");
  if (rc == FAT_OK)
    rc = sub_from_json(c, j, "beneficiario", benef_fields, &g->beneficiario, "");
  if (rc == FAT_OK)
    rc = fields_from_json(c, j, guia_fields, g, "");
  if (rc == FAT_OK)
    rc = prof_from_json(c, j, "solicitante", &g->solicitante, "");
  if (rc == FAT_OK)
    rc = prof_from_json(c, j, "executante", &g->executante, "");
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
      rc = jfail(c, "", "beneficiario_nome", FAT_ENOMEM, "memória insuficiente");
      goto fail;
    }
  }

  itens = cJSON_GetObjectItemCaseSensitive(j, "itens");
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
    rc = jfail(c, "", "itens", FAT_ENOMEM, "memória insuficiente");
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
    snprintf(path, sizeof path, "itens[%zu].", i);
    if (!cJSON_IsObject(v)) {
      rc = jfail(c, path, "", FAT_EINVAL, "objeto esperado");
      goto fail;
    }
    it->id = json_int64(v, "id");
    rc = fields_from_json(c, v, item_fields, it, path);
    if (rc == FAT_OK)
      rc = prof_from_json(c, v, "profissional", &it->profissional, path);
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
        rc = jfail(c, path, "tipo", FAT_ENOMEM, "memória insuficiente");
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

/* {====================================================================
** Load and find
** ===================================================================== */

#define OOMCHK(x)                                                                                  \
  do {                                                                                             \
    if (oom)                                                                                       \
      return fat_err_set(err, FAT_ENOMEM, "memória insuficiente ao ler %s", x);                    \
  } while (0)

/* Text column as an owned string, '' mapped to NULL. */
static char *col_str(fat_stmt *s, int i, int *oom)
{
  const char *t;

  if (fat_col_is_null(s, i))
    return NULL;
  t = fat_col_text(s, i);
  if (t != NULL && t[0] == '\0')
    return NULL;
  return fat_col_strdup(s, i, oom);
}

static fat_rc load_prof(fat_store *st, int64_t id, fat_profissional **out, fat_err *err)
{
  static const char sql[] = "SELECT id, nome, cpf, conselho, numero_conselho, uf, cbo, "
                            "especialidade FROM profissional WHERE id = ?1";
  fat_stmt *s;
  fat_profissional *p;
  int oom = 0, r;
  fat_rc rc;

  *out = NULL;
  if (id <= 0)
    return FAT_OK;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  r = fat_stmt_step(s);
  if (r != FAT_ROW) {
    fat_stmt_reset(s);
    return r == FAT_DONE ? FAT_OK : fat_store_dberr(st, err, "erro ao ler profissional");
  }
  p = fat_calloc(1, sizeof *p);
  if (p == NULL) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ENOMEM, "memória insuficiente ao ler profissional");
  }
  p->id = fat_col_int64(s, 0);
  p->nome = col_str(s, 1, &oom);
  p->cpf = col_str(s, 2, &oom);
  p->conselho = col_str(s, 3, &oom);
  p->numero_conselho = col_str(s, 4, &oom);
  p->uf = col_str(s, 5, &oom);
  p->cbo = col_str(s, 6, &oom);
  p->especialidade = col_str(s, 7, &oom);
  fat_stmt_reset(s);
  *out = p;
  OOMCHK("profissional");
  return FAT_OK;
}

static fat_rc load_guia_row(fat_store *st, int64_t id, fat_guia *g, int64_t ref[6], fat_err *err)
{
  static const char sql[] =
      "SELECT tipo, numero_prestador, numero_operadora, numero_principal, beneficiario_nome, "
      "carteira_numero, carteira_validade, cns, atendimento_rn, senha, data_autorizacao, "
      "validade_senha, carater_atendimento, tipo_atendimento, tipo_consulta, regime_atendimento, "
      "indicacao_acidente, cid, cid_secundarios, data_solicitacao, indicacao_clinica, data_inicio, "
      "hora_inicio, data_fim, hora_fim, tipo_internacao, regime_internacao, motivo_encerramento, "
      "assinatura_beneficiario, pedido_medico, laudo, observacao, valor_total, competencia, "
      "status, revisao, lote_id, origem, operadora_id, prestador_id, plano_id, beneficiario_id, "
      "solicitante_id, executante_id FROM guia WHERE id = ?1";
  fat_stmt *s;
  int oom = 0, r, k;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  r = fat_stmt_step(s);
  if (r != FAT_ROW) {
    fat_stmt_reset(s);
    if (r == FAT_DONE)
      return fat_err_set(err, FAT_ENOTFOUND, "guia %lld não encontrada", (long long)id);
    return fat_store_dberr(st, err, "erro ao ler guia");
  }
  g->id = id;
  {
    const char *t = fat_col_text(s, 0);
    int tp = fat_guia_tipo_parse(t);

    g->tipo = tp < 0 ? FAT_GUIA_CONSULTA : (fat_guia_tipo)tp;
  }
  g->numero_prestador = col_str(s, 1, &oom);
  g->numero_operadora = col_str(s, 2, &oom);
  g->numero_principal = col_str(s, 3, &oom);
  g->beneficiario_nome = col_str(s, 4, &oom);
  g->carteira_numero = col_str(s, 5, &oom);
  g->carteira_validade = col_str(s, 6, &oom);
  g->cns = col_str(s, 7, &oom);
  g->atendimento_rn = fat_col_int(s, 8);
  g->senha = col_str(s, 9, &oom);
  g->data_autorizacao = col_str(s, 10, &oom);
  g->validade_senha = col_str(s, 11, &oom);
  g->carater_atendimento = col_str(s, 12, &oom);
  g->tipo_atendimento = col_str(s, 13, &oom);
  g->tipo_consulta = col_str(s, 14, &oom);
  g->regime_atendimento = col_str(s, 15, &oom);
  g->indicacao_acidente = col_str(s, 16, &oom);
  g->cid = col_str(s, 17, &oom);
  g->cid_secundarios = col_str(s, 18, &oom);
  g->data_solicitacao = col_str(s, 19, &oom);
  g->indicacao_clinica = col_str(s, 20, &oom);
  g->data_inicio = col_str(s, 21, &oom);
  g->hora_inicio = col_str(s, 22, &oom);
  g->data_fim = col_str(s, 23, &oom);
  g->hora_fim = col_str(s, 24, &oom);
  g->tipo_internacao = col_str(s, 25, &oom);
  g->regime_internacao = col_str(s, 26, &oom);
  g->motivo_encerramento = col_str(s, 27, &oom);
  g->assinatura_beneficiario = fat_col_int(s, 28);
  g->pedido_medico = fat_col_int(s, 29);
  g->laudo = fat_col_int(s, 30);
  g->observacao = col_str(s, 31, &oom);
  g->valor_total = fat_col_int64(s, 32);
  g->competencia = col_str(s, 33, &oom);
  g->status = col_str(s, 34, &oom);
  g->revisao = fat_col_int64(s, 35);
  g->lote_id = fat_col_int64(s, 36);
  g->origem = col_str(s, 37, &oom);
  for (k = 0; k < 6; k++)
    ref[k] = fat_col_int64(s, 38 + k);
  fat_stmt_reset(s);
  OOMCHK("guia");
  return FAT_OK;
}

static fat_rc load_refs(fat_store *st, fat_guia *g, const int64_t ref[6], fat_err *err)
{
  static const char sql_op[] = "SELECT registro_ans, nome, script FROM operadora WHERE id = ?1";
  static const char sql_pr[] =
      "SELECT p.nome, p.cnpj, p.cpf, p.cnes, po.codigo FROM prestador p "
      "LEFT JOIN prestador_operadora po ON po.prestador_id = p.id AND po.operadora_id = ?2 "
      "WHERE p.id = ?1";
  static const char sql_pl[] = "SELECT codigo, nome, acomodacao FROM plano WHERE id = ?1";
  static const char sql_be[] =
      "SELECT nome, nome_social, cpf, cns, nascimento, sexo FROM beneficiario WHERE id = ?1";
  fat_stmt *s;
  int oom = 0;
  fat_rc rc;

  g->operadora.id = ref[0];
  rc = fat_store_prepare(st, sql_op, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, ref[0]);
  if (fat_stmt_step(s) == FAT_ROW) {
    g->operadora.registro_ans = col_str(s, 0, &oom);
    g->operadora.nome = col_str(s, 1, &oom);
    g->operadora.script = col_str(s, 2, &oom);
  }
  fat_stmt_reset(s);
  OOMCHK("operadora");

  g->prestador.id = ref[1];
  rc = fat_store_prepare(st, sql_pr, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, ref[1]);
  fat_bind_int(s, 2, ref[0]);
  if (fat_stmt_step(s) == FAT_ROW) {
    g->prestador.nome = col_str(s, 0, &oom);
    g->prestador.cnpj = col_str(s, 1, &oom);
    g->prestador.cpf = col_str(s, 2, &oom);
    g->prestador.cnes = col_str(s, 3, &oom);
    g->prestador.codigo_na_operadora = col_str(s, 4, &oom);
  }
  fat_stmt_reset(s);
  OOMCHK("prestador");

  if (ref[2] > 0) {
    g->plano.id = ref[2];
    rc = fat_store_prepare(st, sql_pl, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, ref[2]);
    if (fat_stmt_step(s) == FAT_ROW) {
      g->plano.codigo = col_str(s, 0, &oom);
      g->plano.nome = col_str(s, 1, &oom);
      g->plano.acomodacao = col_str(s, 2, &oom);
    }
    fat_stmt_reset(s);
    OOMCHK("plano");
  }
  if (ref[3] > 0) {
    g->beneficiario.id = ref[3];
    rc = fat_store_prepare(st, sql_be, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, ref[3]);
    if (fat_stmt_step(s) == FAT_ROW) {
      g->beneficiario.nome = col_str(s, 0, &oom);
      g->beneficiario.nome_social = col_str(s, 1, &oom);
      g->beneficiario.cpf = col_str(s, 2, &oom);
      g->beneficiario.cns = col_str(s, 3, &oom);
      g->beneficiario.nascimento = col_str(s, 4, &oom);
      g->beneficiario.sexo = col_str(s, 5, &oom);
    }
    fat_stmt_reset(s);
    OOMCHK("beneficiário");
  }
  rc = load_prof(st, ref[4], &g->solicitante, err);
  if (rc == FAT_OK)
    rc = load_prof(st, ref[5], &g->executante, err);
  return rc;
}

static fat_rc load_items(fat_store *st, fat_guia *g, fat_err *err)
{
  static const char sql_n[] = "SELECT count(*) FROM item WHERE guia_id = ?1";
  static const char sql[] =
      "SELECT id, sequencial, tipo, codigo_tabela, codigo, descricao, quantidade_e4, "
      "valor_unitario, valor_total, data, hora_inicio, hora_fim, via_acesso, tecnica, "
      "grau_participacao, fator_e2, unidade_medida, registro_anvisa, codigo_fabricante, "
      "profissional_id FROM item WHERE guia_id = ?1 ORDER BY sequencial";
  fat_stmt *s;
  size_t n = 0, cap;
  int oom = 0, r;
  int64_t *prof_ids;
  fat_rc rc = fat_store_prepare(st, sql_n, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, g->id);
  cap = fat_stmt_step(s) == FAT_ROW ? (size_t)fat_col_int64(s, 0) : 0;
  fat_stmt_reset(s);
  if (cap == 0)
    return FAT_OK;
  g->itens = fat_calloc(cap, sizeof *g->itens);
  prof_ids = fat_calloc(cap, sizeof *prof_ids);
  if (g->itens == NULL || prof_ids == NULL) {
    fat_free(prof_ids);
    return fat_err_set(err, FAT_ENOMEM, "memória insuficiente ao ler itens");
  }
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK) {
    fat_free(prof_ids);
    return rc;
  }
  fat_bind_int(s, 1, g->id);
  while (n < cap && (r = fat_stmt_step(s)) == FAT_ROW) {
    fat_item *it = &g->itens[n];

    g->n_itens = ++n;
    it->id = fat_col_int64(s, 0);
    it->sequencial = fat_col_int(s, 1);
    it->tipo = col_str(s, 2, &oom);
    it->codigo_tabela = col_str(s, 3, &oom);
    it->codigo = col_str(s, 4, &oom);
    it->descricao = col_str(s, 5, &oom);
    it->quantidade_e4 = fat_col_int64(s, 6);
    it->valor_unitario =
        fat_col_is_null(s, 7) ? FAT_ABSENT : fat_col_int64(s, 7);
    it->valor_total =
        fat_col_is_null(s, 8) ? FAT_ABSENT : fat_col_int64(s, 8);
    it->data = col_str(s, 9, &oom);
    it->hora_inicio = col_str(s, 10, &oom);
    it->hora_fim = col_str(s, 11, &oom);
    it->via_acesso = col_str(s, 12, &oom);
    it->tecnica = col_str(s, 13, &oom);
    it->grau_participacao = col_str(s, 14, &oom);
    it->fator_e2 = fat_col_int64(s, 15);
    it->unidade_medida = col_str(s, 16, &oom);
    it->registro_anvisa = col_str(s, 17, &oom);
    it->codigo_fabricante = col_str(s, 18, &oom);
    prof_ids[n - 1] = fat_col_int64(s, 19);
  }
  fat_stmt_reset(s);
  if (oom) {
    fat_free(prof_ids);
    return fat_err_set(err, FAT_ENOMEM, "memória insuficiente ao ler itens");
  }
  for (cap = 0; cap < n && rc == FAT_OK; cap++)
    rc = load_prof(st, prof_ids[cap], &g->itens[cap].profissional, err);
  fat_free(prof_ids);
  return rc;
}

fat_rc fat_guia_load(fat_store *st, int64_t id, fat_guia **out, fat_err *err)
{
  fat_guia *g;
  int64_t ref[6];
  fat_rc rc;

  *out = NULL;
  g = fat_calloc(1, sizeof *g);
  if (g == NULL)
    return fat_err_set(err, FAT_ENOMEM, "memória insuficiente ao ler guia");
  rc = load_guia_row(st, id, g, ref, err);
  if (rc == FAT_OK)
    rc = load_refs(st, g, ref, err);
  if (rc == FAT_OK)
    rc = load_items(st, g, err);
  if (rc != FAT_OK) {
    fat_guia_free(g);
    return rc;
  }
  *out = g;
  return FAT_OK;
}

fat_rc fat_guia_find(fat_store *st, const char *registro_ans, const char *numero_prestador,
                     int64_t *id, fat_err *err)
{
  static const char sql[] = "SELECT g.id FROM guia g JOIN operadora o ON o.id = g.operadora_id "
                            "WHERE o.registro_ans = ?1 AND g.numero_prestador = ?2 "
                            "ORDER BY g.id LIMIT 2";
  fat_stmt *s;
  int r, n = 0;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *id = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, registro_ans);
  fat_bind_text(s, 2, numero_prestador);
  while ((r = fat_stmt_step(s)) == FAT_ROW) {
    if (n++ == 0)
      *id = fat_col_int64(s, 0);
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE)
    return fat_store_dberr(st, err, "erro ao procurar guia");
  if (n == 0)
    return fat_err_set(err, FAT_ENOTFOUND, "guia %s da operadora %s não encontrada",
                       numero_prestador != NULL ? numero_prestador : "?",
                       registro_ans != NULL ? registro_ans : "?");
  if (n > 1) {
    *id = 0;
    return fat_err_set(err, FAT_EINVAL,
                       "há mais de uma guia %s na operadora %s (de prestadores diferentes)",
                       numero_prestador, registro_ans);
  }
  return FAT_OK;
}

/* }==================================================================== */

/* {====================================================================
** Save
** ===================================================================== */

/* SELECT returning one integer (0 when no row). */
static fat_rc query_id(fat_store *st, fat_stmt *s, int64_t *id, fat_err *err)
{
  int r = fat_stmt_step(s);

  *id = 0;
  if (r == FAT_ROW)
    *id = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  if (r != FAT_ROW && r != FAT_DONE)
    return fat_store_dberr(st, err, "erro ao consultar o banco");
  return FAT_OK;
}

fat_rc fat_operadora_id(fat_store *st, const char *registro_ans, int64_t *id, fat_err *err)
{
  static const char sql[] = "SELECT id FROM operadora WHERE registro_ans = ?1";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  *id = 0;
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, registro_ans);
  rc = query_id(st, s, id, err);
  if (rc == FAT_OK && *id == 0)
    return fat_err_set(err, FAT_ENOTFOUND,
                       "operadora com registro ANS %s não cadastrada (use: faturo cadastro "
                       "operadora)",
                       registro_ans != NULL ? registro_ans : "?");
  return rc;
}

fat_rc fat_prestador_id(fat_store *st, const char *cnpj, const char *cpf, int64_t *id,
                        fat_err *err)
{
  static const char sql_cnpj[] = "SELECT id FROM prestador WHERE cnpj = ?1";
  static const char sql_cpf[] = "SELECT id FROM prestador WHERE cpf = ?1 AND cnpj IS NULL";
  fat_stmt *s;
  fat_rc rc;

  *id = 0;
  rc = fat_store_prepare(st, cnpj != NULL ? sql_cnpj : sql_cpf, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, cnpj != NULL ? cnpj : cpf);
  rc = query_id(st, s, id, err);
  if (rc == FAT_OK && *id == 0)
    return fat_err_set(err, FAT_ENOTFOUND,
                       "prestador com %s %s não cadastrado (use: faturo cadastro prestador)",
                       cnpj != NULL ? "CNPJ" : "CPF", cnpj != NULL ? cnpj : (cpf ? cpf : "?"));
  return rc;
}

static fat_rc save_plano(fat_store *st, fat_guia *g, fat_err *err)
{
  static const char sql_sel[] = "SELECT id FROM plano WHERE operadora_id = ?1 AND codigo = ?2";
  static const char sql_ins[] =
      "INSERT INTO plano (operadora_id, codigo, nome, acomodacao) VALUES (?1, ?2, ?3, ?4)";
  fat_stmt *s;
  fat_rc rc;

  g->plano.id = 0;
  if (g->plano.codigo == NULL)
    return FAT_OK;
  rc = fat_store_prepare(st, sql_sel, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, g->operadora.id);
  fat_bind_text(s, 2, g->plano.codigo);
  rc = query_id(st, s, &g->plano.id, err);
  if (rc != FAT_OK || g->plano.id > 0)
    return rc;
  rc = fat_store_prepare(st, sql_ins, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, g->operadora.id);
  fat_bind_text(s, 2, g->plano.codigo);
  fat_bind_text(s, 3, g->plano.nome != NULL ? g->plano.nome : g->plano.codigo);
  fat_bind_text(s, 4, g->plano.acomodacao != NULL ? g->plano.acomodacao : "enfermaria");
  rc = fat_store_step_done(st, s, "erro ao gravar plano", err);
  if (rc == FAT_OK)
    g->plano.id = fat_store_last_id(st);
  return rc;
}

static fat_rc save_prestador_codigo(fat_store *st, fat_guia *g, fat_err *err)
{
  static const char sql[] = "INSERT OR IGNORE INTO prestador_operadora (prestador_id, "
                            "operadora_id, codigo) VALUES (?1, ?2, ?3)";
  fat_stmt *s;
  fat_rc rc;

  if (g->prestador.codigo_na_operadora == NULL)
    return FAT_OK;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, g->prestador.id);
  fat_bind_int(s, 2, g->operadora.id);
  fat_bind_text(s, 3, g->prestador.codigo_na_operadora);
  return fat_store_step_done(st, s, "erro ao gravar código do prestador", err);
}

/* Create or update the beneficiário and its carteira at the operadora. */
static fat_rc save_benef(fat_store *st, fat_guia *g, int64_t old_benef, fat_err *err)
{
  static const char sql_cpf[] = "SELECT id FROM beneficiario WHERE cpf = ?1 ORDER BY id LIMIT 1";
  static const char sql_cart[] =
      "SELECT beneficiario_id FROM carteira WHERE operadora_id = ?1 AND numero = ?2";
  static const char sql_ins[] = "INSERT INTO beneficiario (nome, nome_social, cpf, cns, "
                                "nascimento, sexo) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  static const char sql_upd[] =
      "UPDATE beneficiario SET nome = coalesce(?2, nome), nome_social = coalesce(?3, "
      "nome_social), cpf = coalesce(?4, cpf), cns = coalesce(?5, cns), nascimento = "
      "coalesce(?6, nascimento), sexo = coalesce(?7, sexo) WHERE id = ?1";
  static const char sql_cart_up[] =
      "INSERT INTO carteira (beneficiario_id, operadora_id, plano_id, numero, validade) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (operadora_id, numero) DO UPDATE SET "
      "beneficiario_id = excluded.beneficiario_id, plano_id = coalesce(excluded.plano_id, "
      "plano_id), validade = coalesce(excluded.validade, validade)";
  fat_beneficiario *b = &g->beneficiario;
  const char *nome = b->nome != NULL ? b->nome : g->beneficiario_nome;
  fat_stmt *s;
  int64_t id = 0;
  fat_rc rc;

  if (b->cpf != NULL) {
    rc = fat_store_prepare(st, sql_cpf, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_text(s, 1, b->cpf);
    rc = query_id(st, s, &id, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (id == 0 && g->carteira_numero != NULL) {
    rc = fat_store_prepare(st, sql_cart, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, g->operadora.id);
    fat_bind_text(s, 2, g->carteira_numero);
    rc = query_id(st, s, &id, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (id == 0 && b->cpf == NULL && g->carteira_numero == NULL)
    id = old_benef; /* nothing identifies the person: keep the previous link */
  if (id > 0) {
    rc = fat_store_prepare(st, sql_upd, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, id);
    fat_bind_text(s, 2, b->nome);
    fat_bind_text(s, 3, b->nome_social);
    fat_bind_text(s, 4, b->cpf);
    fat_bind_text(s, 5, b->cns != NULL ? b->cns : g->cns);
    fat_bind_text(s, 6, b->nascimento);
    fat_bind_text(s, 7, b->sexo);
    rc = fat_store_step_done(st, s, "erro ao atualizar beneficiário", err);
    if (rc != FAT_OK)
      return rc;
  } else if (nome != NULL) {
    rc = fat_store_prepare(st, sql_ins, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_text(s, 1, nome);
    fat_bind_text(s, 2, b->nome_social);
    fat_bind_text(s, 3, b->cpf);
    fat_bind_text(s, 4, b->cns != NULL ? b->cns : g->cns);
    fat_bind_text(s, 5, b->nascimento);
    fat_bind_text(s, 6, b->sexo);
    rc = fat_store_step_done(st, s, "erro ao gravar beneficiário", err);
    if (rc != FAT_OK)
      return rc;
    id = fat_store_last_id(st);
  }
  b->id = id;
  if (id > 0 && g->carteira_numero != NULL) {
    rc = fat_store_prepare(st, sql_cart_up, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, id);
    fat_bind_int(s, 2, g->operadora.id);
    fat_bind_int_or_null(s, 3, g->plano.id, g->plano.id <= 0);
    fat_bind_text(s, 4, g->carteira_numero);
    fat_bind_text(s, 5, g->carteira_validade);
    rc = fat_store_step_done(st, s, "erro ao gravar carteira", err);
    if (rc != FAT_OK)
      return rc;
  }
  return FAT_OK;
}

/* Match a profissional by conselho + número + UF (or, without número, by
** CPF or name among the incomplete ones), creating it when new; updates the
** descriptive fields that are informed. */
static fat_rc save_prof(fat_store *st, fat_profissional *p, fat_err *err)
{
  static const char sql_key[] = "SELECT id FROM profissional WHERE conselho = ?1 AND "
                                "numero_conselho = ?2 AND uf = ?3";
  static const char sql_inc[] =
      "SELECT id FROM profissional WHERE conselho = ?1 AND uf = ?2 AND numero_conselho IS "
      "NULL AND ((?3 IS NOT NULL AND cpf = ?3) OR (?3 IS NULL AND nome = ?4)) "
      "ORDER BY id LIMIT 1";
  static const char sql_ins[] = "INSERT INTO profissional (nome, cpf, conselho, numero_conselho, "
                                "uf, cbo, especialidade) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  static const char sql_upd[] =
      "UPDATE profissional SET nome = coalesce(?2, nome), cpf = coalesce(?3, cpf), cbo = "
      "coalesce(?4, cbo), especialidade = coalesce(?5, especialidade) WHERE id = ?1";
  const char *conselho = p->conselho != NULL ? p->conselho : "";
  const char *uf = p->uf != NULL ? p->uf : "";
  fat_stmt *s;
  int64_t id = 0;
  fat_rc rc;

  if (p->numero_conselho != NULL) {
    rc = fat_store_prepare(st, sql_key, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_text(s, 1, conselho);
    fat_bind_text(s, 2, p->numero_conselho);
    fat_bind_text(s, 3, uf);
  } else {
    rc = fat_store_prepare(st, sql_inc, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_text(s, 1, conselho);
    fat_bind_text(s, 2, uf);
    fat_bind_text(s, 3, p->cpf);
    fat_bind_text(s, 4, p->nome != NULL ? p->nome : "");
  }
  rc = query_id(st, s, &id, err);
  if (rc != FAT_OK)
    return rc;
  if (id > 0) {
    rc = fat_store_prepare(st, sql_upd, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, id);
    fat_bind_text(s, 2, p->nome);
    fat_bind_text(s, 3, p->cpf);
    fat_bind_text(s, 4, p->cbo);
    fat_bind_text(s, 5, p->especialidade);
    rc = fat_store_step_done(st, s, "erro ao atualizar profissional", err);
  } else {
    rc = fat_store_prepare(st, sql_ins, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_text(s, 1, p->nome != NULL ? p->nome : "");
    fat_bind_text(s, 2, p->cpf);
    fat_bind_text(s, 3, conselho);
    fat_bind_text(s, 4, p->numero_conselho);
    fat_bind_text(s, 5, uf);
    fat_bind_text(s, 6, p->cbo);
    fat_bind_text(s, 7, p->especialidade);
    rc = fat_store_step_done(st, s, "erro ao gravar profissional", err);
    if (rc != FAT_OK)
      return rc;
    id = fat_store_last_id(st);
  }
  if (rc == FAT_OK)
    p->id = id;
  return rc;
}

/* Bind the guia's own columns ?1..?44 in the order of guia_cols. */
static void bind_guia(fat_stmt *s, const fat_guia *g)
{
  int64_t sol = g->solicitante != NULL ? g->solicitante->id : 0;
  int64_t exe = g->executante != NULL ? g->executante->id : 0;

  fat_bind_text(s, 1, fat_guia_tipo_str(g->tipo));
  fat_bind_text(s, 2, g->numero_prestador);
  fat_bind_text(s, 3, g->numero_operadora);
  fat_bind_text(s, 4, g->numero_principal);
  fat_bind_text(s, 5, g->beneficiario_nome);
  fat_bind_text(s, 6, g->carteira_numero);
  fat_bind_text(s, 7, g->carteira_validade);
  fat_bind_text(s, 8, g->cns);
  fat_bind_int(s, 9, g->atendimento_rn != 0);
  fat_bind_text(s, 10, g->senha);
  fat_bind_text(s, 11, g->data_autorizacao);
  fat_bind_text(s, 12, g->validade_senha);
  fat_bind_text(s, 13, g->carater_atendimento);
  fat_bind_text(s, 14, g->tipo_atendimento);
  fat_bind_text(s, 15, g->tipo_consulta);
  fat_bind_text(s, 16, g->regime_atendimento);
  fat_bind_text(s, 17, g->indicacao_acidente);
  fat_bind_text(s, 18, g->cid);
  fat_bind_text(s, 19, g->cid_secundarios);
  fat_bind_text(s, 20, g->data_solicitacao);
  fat_bind_text(s, 21, g->indicacao_clinica);
  fat_bind_text(s, 22, g->data_inicio);
  fat_bind_text(s, 23, g->hora_inicio);
  fat_bind_text(s, 24, g->data_fim);
  fat_bind_text(s, 25, g->hora_fim);
  fat_bind_text(s, 26, g->tipo_internacao);
  fat_bind_text(s, 27, g->regime_internacao);
  fat_bind_text(s, 28, g->motivo_encerramento);
  fat_bind_int(s, 29, g->assinatura_beneficiario != 0);
  fat_bind_int(s, 30, g->pedido_medico != 0);
  fat_bind_int(s, 31, g->laudo != 0);
  fat_bind_text(s, 32, g->observacao);
  fat_bind_int(s, 33, g->valor_total == FAT_ABSENT ? 0 : g->valor_total);
  fat_bind_text(s, 34, g->competencia);
  fat_bind_text(s, 35, g->status != NULL ? g->status : "digitada");
  fat_bind_int(s, 36, g->revisao > 0 ? g->revisao : 1);
  fat_bind_int_or_null(s, 37, g->lote_id, g->lote_id <= 0);
  fat_bind_text(s, 38, g->origem);
  fat_bind_int(s, 39, g->operadora.id);
  fat_bind_int(s, 40, g->prestador.id);
  fat_bind_int_or_null(s, 41, g->plano.id, g->plano.id <= 0);
  fat_bind_int_or_null(s, 42, g->beneficiario.id, g->beneficiario.id <= 0);
  fat_bind_int_or_null(s, 43, sol, sol <= 0);
  fat_bind_int_or_null(s, 44, exe, exe <= 0);
}

static fat_rc save_items(fat_store *st, fat_guia *g, fat_err *err)
{
  static const char sql_up[] =
      "INSERT INTO item (guia_id, sequencial, tipo, codigo_tabela, codigo, descricao, "
      "quantidade_e4, valor_unitario, valor_total, data, hora_inicio, hora_fim, via_acesso, "
      "tecnica, grau_participacao, fator_e2, profissional_id, unidade_medida, registro_anvisa, "
      "codigo_fabricante) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
      "?15, ?16, ?17, ?18, ?19, ?20) ON CONFLICT (guia_id, sequencial) DO UPDATE SET "
      "tipo = excluded.tipo, codigo_tabela = excluded.codigo_tabela, codigo = excluded.codigo, "
      "descricao = excluded.descricao, quantidade_e4 = excluded.quantidade_e4, "
      "valor_unitario = excluded.valor_unitario, valor_total = excluded.valor_total, "
      "data = excluded.data, hora_inicio = excluded.hora_inicio, hora_fim = excluded.hora_fim, "
      "via_acesso = excluded.via_acesso, tecnica = excluded.tecnica, "
      "grau_participacao = excluded.grau_participacao, fator_e2 = excluded.fator_e2, "
      "profissional_id = excluded.profissional_id, unidade_medida = excluded.unidade_medida, "
      "registro_anvisa = excluded.registro_anvisa, codigo_fabricante = excluded.codigo_fabricante";
  static const char sql_id[] = "SELECT id FROM item WHERE guia_id = ?1 AND sequencial = ?2";
  static const char sql_old[] = "SELECT id, sequencial FROM item WHERE guia_id = ?1";
  static const char sql_del[] = "DELETE FROM item WHERE id = ?1";
  fat_stmt *s;
  size_t i, k, n_del = 0;
  int64_t *del = NULL;
  int r;
  fat_rc rc;

  /* items of the stored guia whose sequencial is gone are removed */
  rc = fat_store_prepare(st, sql_old, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, g->id);
  while ((r = fat_stmt_step(s)) == FAT_ROW) {
    int seq = fat_col_int(s, 1);
    int keep = 0;

    for (k = 0; k < g->n_itens && !keep; k++)
      keep = g->itens[k].sequencial == seq;
    if (!keep) {
      int64_t *nd = fat_realloc(del, (n_del + 1) * sizeof *del);

      if (nd == NULL) {
        fat_stmt_reset(s);
        fat_free(del);
        return fat_err_set(err, FAT_ENOMEM, "memória insuficiente");
      }
      del = nd;
      del[n_del++] = fat_col_int64(s, 0);
    }
  }
  fat_stmt_reset(s);
  if (r != FAT_DONE) {
    fat_free(del);
    return fat_store_dberr(st, err, "erro ao ler itens");
  }
  for (k = 0; k < n_del && rc == FAT_OK; k++) {
    rc = fat_store_prepare(st, sql_del, &s, err);
    if (rc == FAT_OK) {
      fat_bind_int(s, 1, del[k]);
      rc = fat_store_step_done(st, s, "erro ao remover item", err);
    }
  }
  fat_free(del);
  if (rc != FAT_OK)
    return rc;

  for (i = 0; i < g->n_itens; i++) {
    fat_item *it = &g->itens[i];

    if (it->profissional != NULL) {
      rc = save_prof(st, it->profissional, err);
      if (rc != FAT_OK)
        return fat_err_prefix(err, "itens[%zu].profissional: ", i);
    }
    rc = fat_store_prepare(st, sql_up, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, g->id);
    fat_bind_int(s, 2, it->sequencial);
    fat_bind_text(s, 3, it->tipo != NULL ? it->tipo : "procedimento");
    fat_bind_text(s, 4, it->codigo_tabela);
    fat_bind_text(s, 5, it->codigo);
    fat_bind_text(s, 6, it->descricao);
    fat_bind_int(s, 7, it->quantidade_e4 == FAT_ABSENT ? 0 : it->quantidade_e4);
    fat_bind_int_or_null(s, 8, it->valor_unitario, it->valor_unitario == FAT_ABSENT);
    fat_bind_int_or_null(s, 9, it->valor_total, it->valor_total == FAT_ABSENT);
    fat_bind_text(s, 10, it->data);
    fat_bind_text(s, 11, it->hora_inicio);
    fat_bind_text(s, 12, it->hora_fim);
    fat_bind_text(s, 13, it->via_acesso);
    fat_bind_text(s, 14, it->tecnica);
    fat_bind_text(s, 15, it->grau_participacao);
    fat_bind_int(s, 16, it->fator_e2 == FAT_ABSENT ? 100 : it->fator_e2);
    fat_bind_int_or_null(s, 17, it->profissional != NULL ? it->profissional->id : 0,
                         it->profissional == NULL);
    fat_bind_text(s, 18, it->unidade_medida);
    fat_bind_text(s, 19, it->registro_anvisa);
    fat_bind_text(s, 20, it->codigo_fabricante);
    rc = fat_store_step_done(st, s, "erro ao gravar item", err);
    if (rc != FAT_OK)
      return fat_err_prefix(err, "itens[%zu]: ", i);
    rc = fat_store_prepare(st, sql_id, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, g->id);
    fat_bind_int(s, 2, it->sequencial);
    rc = query_id(st, s, &it->id, err);
    if (rc != FAT_OK)
      return rc;
  }
  return FAT_OK;
}

static fat_rc guia_save_tx(fat_store *st, fat_guia *g, fat_err *err)
{
  static const char sql_old[] = "SELECT beneficiario_id, revisao FROM guia WHERE id = ?1";
  static const char sql_ins[] =
      "INSERT INTO guia (tipo, numero_prestador, numero_operadora, numero_principal, "
      "beneficiario_nome, carteira_numero, carteira_validade, cns, atendimento_rn, senha, "
      "data_autorizacao, validade_senha, carater_atendimento, tipo_atendimento, tipo_consulta, "
      "regime_atendimento, indicacao_acidente, cid, cid_secundarios, data_solicitacao, "
      "indicacao_clinica, data_inicio, hora_inicio, data_fim, hora_fim, tipo_internacao, "
      "regime_internacao, motivo_encerramento, assinatura_beneficiario, pedido_medico, laudo, "
      "observacao, valor_total, competencia, status, revisao, lote_id, origem, operadora_id, "
      "prestador_id, plano_id, beneficiario_id, solicitante_id, executante_id) VALUES (?1, ?2, "
      "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, "
      "?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, "
      "?40, ?41, ?42, ?43, ?44)";
  static const char sql_upd[] =
      "UPDATE guia SET tipo = ?1, numero_prestador = ?2, numero_operadora = ?3, "
      "numero_principal = ?4, beneficiario_nome = ?5, carteira_numero = ?6, carteira_validade = "
      "?7, cns = ?8, atendimento_rn = ?9, senha = ?10, data_autorizacao = ?11, validade_senha = "
      "?12, carater_atendimento = ?13, tipo_atendimento = ?14, tipo_consulta = ?15, "
      "regime_atendimento = ?16, indicacao_acidente = ?17, cid = ?18, cid_secundarios = ?19, "
      "data_solicitacao = ?20, indicacao_clinica = ?21, data_inicio = ?22, hora_inicio = ?23, "
      "data_fim = ?24, hora_fim = ?25, tipo_internacao = ?26, regime_internacao = ?27, "
      "motivo_encerramento = ?28, assinatura_beneficiario = ?29, pedido_medico = ?30, laudo = "
      "?31, observacao = ?32, valor_total = ?33, competencia = ?34, status = ?35, revisao = ?36, "
      "lote_id = ?37, origem = ?38, operadora_id = ?39, prestador_id = ?40, plano_id = ?41, "
      "beneficiario_id = ?42, solicitante_id = ?43, executante_id = ?44 WHERE id = ?45";
  fat_stmt *s;
  int64_t old_benef = 0;
  fat_rc rc;

  if (g->numero_prestador == NULL)
    return fat_err_set(err, FAT_EINVAL, "numero_prestador: campo obrigatório ausente");
  rc = fat_operadora_id(st, g->operadora.registro_ans, &g->operadora.id, err);
  if (rc != FAT_OK)
    return fat_err_prefix(err, "operadora.registro_ans: ");
  rc = fat_prestador_id(st, g->prestador.cnpj, g->prestador.cpf, &g->prestador.id, err);
  if (rc != FAT_OK)
    return fat_err_prefix(err, "prestador.cnpj: ");
  if (g->competencia == NULL && g->data_inicio != NULL) {
    g->competencia = fat_strndup(g->data_inicio, 7);
    if (g->competencia == NULL)
      return fat_err_set(err, FAT_ENOMEM, "memória insuficiente");
  }
  if (g->id > 0) {
    int r;

    rc = fat_store_prepare(st, sql_old, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, g->id);
    r = fat_stmt_step(s);
    if (r == FAT_ROW) {
      old_benef = fat_col_int64(s, 0);
      g->revisao = fat_col_int64(s, 1) + 1;
    }
    fat_stmt_reset(s);
    if (r == FAT_DONE)
      return fat_err_set(err, FAT_ENOTFOUND, "guia %lld não encontrada", (long long)g->id);
    if (r != FAT_ROW)
      return fat_store_dberr(st, err, "erro ao ler guia");
  } else {
    g->revisao = 1;
  }
  rc = save_plano(st, g, err);
  if (rc == FAT_OK)
    rc = save_prestador_codigo(st, g, err);
  if (rc == FAT_OK)
    rc = save_benef(st, g, old_benef, err);
  if (rc == FAT_OK && g->solicitante != NULL) {
    rc = save_prof(st, g->solicitante, err);
    if (rc != FAT_OK)
      fat_err_prefix(err, "solicitante: ");
  }
  if (rc == FAT_OK && g->executante != NULL) {
    rc = save_prof(st, g->executante, err);
    if (rc != FAT_OK)
      fat_err_prefix(err, "executante: ");
  }
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, g->id > 0 ? sql_upd : sql_ins, &s, err);
  if (rc != FAT_OK)
    return rc;
  bind_guia(s, g);
  if (g->id > 0)
    fat_bind_int(s, 45, g->id);
  rc = fat_store_step_done(st, s, "erro ao gravar guia", err);
  if (rc != FAT_OK)
    return rc;
  if (g->id == 0)
    g->id = fat_store_last_id(st);
  if (g->status == NULL) {
    g->status = fat_strdup("digitada");
    if (g->status == NULL)
      return fat_err_set(err, FAT_ENOMEM, "memória insuficiente");
  }
  return save_items(st, g, err);
}

fat_rc fat_guia_save(fat_store *st, fat_guia *g, fat_err *err)
{
  int64_t id0 = g->id;
  char obj[32], det[32];
  fat_rc rc = fat_store_begin(st, err);

  if (rc != FAT_OK)
    return rc;
  rc = guia_save_tx(st, g, err);
  /* who entered or corrected each guia: the team's productivity report
  ** (fat_rel_produtividade) counts these rows */
  if (rc == FAT_OK) {
    snprintf(obj, sizeof obj, "guia:%lld", (long long)g->id);
    snprintf(det, sizeof det, "revisão %lld", (long long)g->revisao);
    rc = fat_store_audit(st, id0 > 0 ? "guia.corrigir" : "guia.digitar", obj, det, err);
  }
  if (rc != FAT_OK) {
    fat_store_rollback(st);
    g->id = id0;
    return rc;
  }
  return fat_store_commit(st, err);
}

/* }==================================================================== */
