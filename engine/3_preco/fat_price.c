/* fat_price.c: contract pricing with explanations (integer arithmetic only). */
#include "fat_price.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_money.h"
#include "fat_store_int.h"
#include "fat_tabelas.h"
#include "fat_tabelas_cache.h"

/* ------------------------------------------------------------------------ */
/* The contract: precos{} as the rules generation parsed it (fat_contrato.h). */

enum { G_PROC = FAT_PRECO_PROCEDIMENTOS, G_EXAM = FAT_PRECO_EXAMES, G_MAT = FAT_PRECO_MATERIAIS,
       G_MED = FAT_PRECO_MEDICAMENTOS, G_TAX = FAT_PRECO_TAXAS, G_COUNT = FAT_PRECO_GRUPOS };
static const char *const grupo_names[G_COUNT] = {"procedimentos", "exames", "materiais",
                                                 "medicamentos", "taxas"};
enum { T_CBHPM = FAT_PRECO_CBHPM, T_NEG = FAT_PRECO_NEGOCIADA, T_SIMPRO = FAT_PRECO_SIMPRO,
       T_BRAS = FAT_PRECO_BRASINDICE };
static const char *const tabela_names[] = {"cbhpm", "negociada", "simpro", "brasindice"};
enum { A_ENF = FAT_PRECO_ENFERMARIA, A_APT = FAT_PRECO_APARTAMENTO,
       A_AMB = FAT_PRECO_AMBULATORIAL, A_COUNT = FAT_PRECO_ACOMODACOES };
static const char *const acom_names[A_COUNT] = {"enfermaria", "apartamento", "ambulatorial"};

#define MAX_REAJ FAT_PRECO_MAX_REAJUSTES
#define MAX_GRAU FAT_PRECO_MAX_GRAU

typedef fat_preco_ajuste adj;
typedef fat_preco_grupo grp;
typedef fat_preco_reajuste reaj;
typedef fat_contrato_precos contrato;

static int group_index(const char *s)
{
  int i;

  for (i = 0; i < G_COUNT; i++)
    if (strcmp(s, grupo_names[i]) == 0)
      return i;
  return -1;
}

/* precos{} of a contract held as JSON (the whole contract or the precos
** object itself), parsed by the one parser of the rules (fat_contrato.h). */
static fat_rc parse_json(const cJSON *contract, contrato *c, fat_err *err)
{
  const cJSON *p;

  if (contract == NULL || !cJSON_IsObject(contract))
    return fat_err_set(err, FAT_EINVAL, "contrato ausente ou não é um objeto");
  p = cJSON_GetObjectItemCaseSensitive(contract, "precos");
  return fat_contrato_precos_parse(p != NULL ? p : contract, c, err);
}

/* ------------------------------------------------------------------------ */
/* Arithmetic and text                                                       */

static int64_t rdiv(int64_t a, int64_t b, int truncar)
{
  if (truncar)
    return a / b;
  if (a >= 0)
    return (a + b / 2) / b;
  return -((-a + b / 2) / b);
}

static int mul_ok(int64_t a, int64_t b)
{
  if (a == 0 || b == 0)
    return 1;
  if (a < 0)
    a = -a;
  if (b < 0)
    b = -b;
  return a <= INT64_MAX / b;
}

static void fmt_money(int64_t c, char *buf, size_t len) { fat_money_format_br(c, buf, len); }

static void fmt_bp(int64_t bp, char *buf, size_t len)
{
  int64_t a = bp < 0 ? -bp : bp;

  snprintf(buf, len, "%s%lld,%02lld%%", bp < 0 ? "−" : "+", (long long)(a / 100),
           (long long)(a % 100));
}

static void fmt_pct(int64_t bp, char *buf, size_t len)
{
  snprintf(buf, len, "%lld,%02lld%%", (long long)(bp / 100), (long long)(bp % 100));
}

/* A stored date 'AAAA-MM-DD' as users read it, DD/MM/AAAA ("o início" for
** the tables' 0001-01-01, valid since always; other text as it is). */
static fat_dia_br dia_br(const char *iso)
{
  fat_dia_br b;

  if (strncmp(iso, "0001-", 5) != 0)
    return fat_dia_br_de(iso);
  snprintf(b.s, sizeof b.s, "o início");
  return b;
}

/* A quantity or fraction as users read it: 10000 -> "1", 25000 -> "2,5",
** 1234 -> "0,1234" (no trailing zeros). */
static void fmt_e4(int64_t e4, char *buf, size_t len)
{
  int64_t frac = e4 % 10000;
  int digits = 4;

  if (frac == 0) {
    snprintf(buf, len, "%lld", (long long)(e4 / 10000));
    return;
  }
  while (frac % 10 == 0) {
    frac /= 10;
    digits--;
  }
  snprintf(buf, len, "%lld,%0*lld", (long long)(e4 / 10000), digits, (long long)frac);
}

static void add_step(fat_price_out *o, const char *passo, int64_t valor, const char *fmt, ...)
  FAT_PRINTF(4, 5);

static void add_step(fat_price_out *o, const char *passo, int64_t valor, const char *fmt, ...)
{
  fat_price_step *s;
  va_list ap;

  if (o->sem_passos || o->n_steps >= FAT_PRICE_MAX_STEPS)
    return;
  s = &o->steps[o->n_steps++];
  snprintf(s->passo, sizeof s->passo, "%s", passo);
  va_start(ap, fmt);
  vsnprintf(s->texto, sizeof s->texto, fmt, ap);
  va_end(ap);
  s->valor = valor;
}

/* v × (10000 + bp) / 10000 rounded; FAT_ELIMIT on overflow. */
static fat_rc apply_bp(int64_t v, int64_t bp, int truncar, int64_t *out, fat_err *err)
{
  if (!mul_ok(v, 10000 + bp))
    return fat_err_set(err, FAT_ELIMIT, "valor grande demais para precificar");
  *out = rdiv(v * (10000 + bp), 10000, truncar);
  return FAT_OK;
}

static fat_rc mul_e4(int64_t v, int64_t e4, int truncar, int64_t *out, fat_err *err)
{
  if (!mul_ok(v, e4))
    return fat_err_set(err, FAT_ELIMIT, "valor grande demais para precificar");
  *out = rdiv(v * e4, 10000, truncar);
  return FAT_OK;
}

/* ------------------------------------------------------------------------ */
/* Item pricing                                                              */

static const char *tipo_of(const fat_price_in *in)
{
  if (in->tipo != NULL && in->tipo[0] != '\0')
    return in->tipo;
  if (in->codigo_tabela != NULL) {
    if (strcmp(in->codigo_tabela, "18") == 0)
      return "taxa";
    if (strcmp(in->codigo_tabela, "19") == 0)
      return "material";
    if (strcmp(in->codigo_tabela, "20") == 0)
      return "medicamento";
  }
  return "procedimento";
}

/* A small TISS code as a number ("06" -> 6, "3" -> 3); -1 when absent or not
** one or two digits. */
static int code_num(const char *s)
{
  if (s == NULL || s[0] < '0' || s[0] > '9')
    return -1;
  if (s[1] == '\0')
    return s[0] - '0';
  if (s[1] >= '0' && s[1] <= '9' && s[2] == '\0')
    return (s[0] - '0') * 10 + (s[1] - '0');
  return -1;
}

static int group_of(const contrato *c, const fat_price_in *in)
{
  const char *t = tipo_of(in);

  if (strcmp(t, "material") == 0 || strcmp(t, "opme") == 0)
    return G_MAT;
  if (strcmp(t, "medicamento") == 0)
    return G_MED;
  if (strcmp(t, "taxa") == 0 || strcmp(t, "diaria") == 0 || strcmp(t, "gas") == 0)
    return G_TAX;
  if (in->codigo[0] == '4' && c->g[G_EXAM].on)
    return G_EXAM;
  return G_PROC;
}

static int acom_of(const char *s)
{
  int i;

  if (s == NULL)
    return -1;
  for (i = 0; i < A_COUNT; i++)
    if (strcmp(s, acom_names[i]) == 0)
      return i;
  return -1;
}

/* Is the act in horário especial by the contract's window? */
static int is_horario_especial(const contrato *c, const fat_price_in *in, const char **why)
{
  int32_t d;
  int m, w;

  if (fat_dia_parse(in->data, &d) == 0 && c->hesp_fds) {
    w = fat_dia_semana(d);
    if (w == 0 || w == 6) {
      *why = w == 0 ? "domingo" : "sábado";
      return 1;
    }
  }
  m = fat_dia_hora_minutos(in->hora);
  if (m < 0)
    return 0;
  *why = "horário noturno";
  if (c->hesp_ini > c->hesp_fim)
    return m >= c->hesp_ini || m < c->hesp_fim;
  return m >= c->hesp_ini && m < c->hesp_fim;
}

static const char *grau_nome(int grau)
{
  switch (grau) {
  case 1: return "1º auxiliar";
  case 2: return "2º auxiliar";
  case 3: return "3º auxiliar";
  case 4: return "4º auxiliar";
  default: return "auxiliar";
  }
}

/* Apply one adjustment with a step; *v updated. */
static fat_rc step_adj(fat_price_out *o, const char *passo, const char *label, int64_t bp,
                       const char *sobre, int truncar, int64_t *v, fat_err *err)
{
  char p[48], m[32];
  fat_rc rc = apply_bp(*v, bp, truncar, v, err);

  if (rc != FAT_OK || o->sem_passos)
    return rc;
  fmt_bp(bp, p, sizeof p);
  fmt_money(*v, m, sizeof m);
  add_step(o, passo, *v, "%s %s sobre %s: %s", label, p, sobre, m);
  return FAT_OK;
}

static fat_rc price_cbhpm(fat_store *st, fat_tcache *tc, const contrato *c, const grp *g,
                          const fat_price_in *in, fat_price_out *o, int64_t *unit, fat_err *err)
{
  fat_cbhpm_proc pr;
  int64_t porte_v = 0, hon = 0, co = 0, filme = 0;
  char vig[11], m1[32], m2[32], m3[32], e4[24];
  int grau = -1, acom = acom_of(in->acomodacao), hesp;
  const char *why = "";
  fat_rc rc;

  rc = fat_tcache_cbhpm(tc, st, g->edicao, in->codigo, in->data, &pr, err);
  if (rc != FAT_OK)
    return rc;
  fat_strcpy_cut(o->descricao, sizeof o->descricao, pr.descricao);
  if (in->grau != NULL && in->grau[0] != '\0')
    grau = code_num(in->grau);
  if (grau == 6) {
    char an[16];

    if (pr.porte_anestesico <= 0)
      return fat_err_set(err, FAT_ENOTFOUND,
                         "código %s não tem porte anestésico na CBHPM %s: anestesista sem valor",
                         in->codigo, g->edicao);
    snprintf(an, sizeof an, "AN%d", pr.porte_anestesico);
    rc = fat_tcache_porte(tc, st, g->edicao, an, in->data, &hon, vig, err);
    if (rc != FAT_OK)
      return rc;
    if (!o->sem_passos) {
      fmt_money(hon, m1, sizeof m1);
      add_step(o, "anestesista", hon,
               "anestesista (grau 06): porte anestésico %s da CBHPM %s (vigência desde %s): %s",
               an, g->edicao, dia_br(vig).s, m1);
    }
  } else if (strcmp(pr.porte, "0") != 0) {
    rc = fat_tcache_porte(tc, st, g->edicao, pr.porte, in->data, &porte_v, vig, err);
    if (rc != FAT_OK)
      return rc;
    rc = mul_e4(porte_v, pr.fracao_porte_e4, c->truncar, &hon, err);
    if (rc != FAT_OK)
      return rc;
    if (!o->sem_passos) {
      fmt_money(porte_v, m1, sizeof m1);
      fmt_money(hon, m2, sizeof m2);
      fmt_e4(pr.fracao_porte_e4, e4, sizeof e4);
      add_step(o, "porte", hon, "porte %s da CBHPM %s (vigência desde %s): %s × fração %s = %s",
               pr.porte, g->edicao, dia_br(vig).s, m1, e4, m2);
    }
  }
  if (hon > 0 && g->ajuste_bp != 0) {
    rc = step_adj(o, "ajuste", g->ajuste_bp < 0 ? "deflator de" : "inflator de", g->ajuste_bp,
                  "o porte", c->truncar, &hon, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (hon > 0 && acom >= 0 && g->plano[acom].on && !g->plano[acom].total) {
    char lab[48];

    snprintf(lab, sizeof lab, "plano %s", acom_names[acom]);
    rc = step_adj(o, "plano", lab, g->plano[acom].bp, "os honorários", c->truncar, &hon, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (hon > 0 && in->carater == 2 && c->urg.on && !c->urg.total) {
    rc = step_adj(o, "urgencia", "urgência/emergência (caráter 2)", c->urg.bp, "os honorários",
                  c->truncar, &hon, err);
    if (rc != FAT_OK)
      return rc;
  }
  hesp = c->hesp.on && is_horario_especial(c, in, &why);
  if (hon > 0 && hesp && !c->hesp.total) {
    char lab[64];

    snprintf(lab, sizeof lab, "horário especial (%s)", why);
    rc = step_adj(o, "horario_especial", lab, c->hesp.bp, "os honorários", c->truncar, &hon, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (grau >= 1 && grau <= 4) {
    char p[48];

    rc = mul_e4(hon, c->aux_bp[grau], c->truncar, &hon, err);
    if (rc != FAT_OK)
      return rc;
    if (!o->sem_passos) {
      fmt_pct(c->aux_bp[grau], p, sizeof p);
      fmt_money(hon, m1, sizeof m1);
      add_step(o, "auxiliar", hon, "%s (grau %02d): %s dos honorários, sem custo operacional: %s",
               grau_nome(grau), grau, p, m1);
    }
  }
  if (grau < 1 || grau > 6) {
    if (pr.uco_e4 > 0) {
      if (!g->has_uco)
        return fat_err_set(err, FAT_EINVAL,
                           "contrato, campo precos.%s.uco_centavos: o código %s tem custo "
                           "operacional e o contrato não define o valor da UCO",
                           o->grupo, in->codigo);
      rc = mul_e4(g->uco_c, pr.uco_e4, c->truncar, &co, err);
      if (rc != FAT_OK)
        return rc;
      if (!o->sem_passos) {
        fmt_e4(pr.uco_e4, e4, sizeof e4);
        fmt_money(g->uco_c, m1, sizeof m1);
        fmt_money(co, m2, sizeof m2);
        add_step(o, "uco", co, "custo operacional: %s UCO × %s = %s", e4, m1, m2);
      }
    }
    if (pr.filme_e4 > 0) {
      if (!g->has_filme)
        return fat_err_set(err, FAT_EINVAL,
                           "contrato, campo precos.%s.filme_centavos: o código %s tem filme e o "
                           "contrato não define o valor do m²",
                           o->grupo, in->codigo);
      rc = mul_e4(g->filme_c, pr.filme_e4, c->truncar, &filme, err);
      if (rc != FAT_OK)
        return rc;
      if (!o->sem_passos) {
        fmt_e4(pr.filme_e4, e4, sizeof e4);
        fmt_money(g->filme_c, m1, sizeof m1);
        fmt_money(filme, m2, sizeof m2);
        add_step(o, "filme", filme, "filme: %s m² × %s = %s", e4, m1, m2);
      }
    }
  }
  *unit = hon + co + filme;
  if (!o->sem_passos) {
    char mu[32];

    fmt_money(hon, m1, sizeof m1);
    fmt_money(co, m2, sizeof m2);
    fmt_money(filme, m3, sizeof m3);
    fmt_money(*unit, mu, sizeof mu);
    add_step(o, "unitario", *unit,
             "unitário = honorários %s + custo operacional %s + filme %s = %s", m1, m2, m3, mu);
  }
  if (acom >= 0 && g->plano[acom].on && g->plano[acom].total) {
    char lab[48];

    snprintf(lab, sizeof lab, "plano %s", acom_names[acom]);
    rc = step_adj(o, "plano", lab, g->plano[acom].bp, "o total", c->truncar, unit, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (in->carater == 2 && c->urg.on && c->urg.total) {
    rc = step_adj(o, "urgencia", "urgência/emergência (caráter 2)", c->urg.bp, "o total",
                  c->truncar, unit, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (hesp && c->hesp.total) {
    char lab[64];

    snprintf(lab, sizeof lab, "horário especial (%s)", why);
    rc = step_adj(o, "horario_especial", lab, c->hesp.bp, "o total", c->truncar, unit, err);
    if (rc != FAT_OK)
      return rc;
  }
  return FAT_OK;
}

static fat_rc price_insumo(fat_store *st, fat_tcache *tc, const contrato *c, const grp *g,
                           const fat_price_in *in, fat_price_out *o, int64_t *unit,
                           fat_err *err)
{
  const char *tab = g->tabela == T_BRAS ? "brasindice" : "simpro";
  fat_insumo_preco ip;
  char m1[32];
  int acom = acom_of(in->acomodacao);
  fat_rc rc;

  rc = fat_tcache_insumo(tc, st, tab, in->codigo, in->data, &ip, err);
  if (rc != FAT_OK)
    return rc;
  fat_strcpy_cut(o->descricao, sizeof o->descricao, ip.descricao);
  *unit = g->base_pmc ? ip.pmc : ip.pf;
  if (!o->sem_passos) {
    fmt_money(*unit, m1, sizeof m1);
    add_step(o, "base", *unit, "%s %s (vigência desde %s): %s",
             g->tabela == T_BRAS ? "Brasíndice" : "Simpro", g->base_pmc ? "PMC" : "PF",
             dia_br(ip.vigencia).s, m1);
  }
  if (g->ajuste_bp != 0) {
    rc = step_adj(o, "ajuste", "ajuste de", g->ajuste_bp, g->base_pmc ? "o PMC" : "o PF",
                  c->truncar, unit, err);
    if (rc != FAT_OK)
      return rc;
  }
  if (acom >= 0 && g->plano[acom].on) {
    char lab[48];

    snprintf(lab, sizeof lab, "plano %s", acom_names[acom]);
    rc = step_adj(o, "plano", lab, g->plano[acom].bp, "o valor", c->truncar, unit, err);
    if (rc != FAT_OK)
      return rc;
  }
  return FAT_OK;
}

/* Fator (e2) of an item by via de acesso. */
static int64_t fator_of(const contrato *c, int gi, const fat_price_in *in, char *why, size_t len)
{
  why[0] = '\0';
  if ((gi != G_PROC && gi != G_EXAM) || in->principal || (in->via != 2 && in->via != 3))
    return 100;
  if (in->via == 2) {
    snprintf(why, len, "via de acesso 2 (mesma via), procedimento não principal");
    return c->via2_bp / 100;
  }
  snprintf(why, len, "via de acesso 3 (vias diferentes), procedimento não principal");
  return c->via3_bp / 100;
}

static fat_rc finish_total(const contrato *c, int64_t fator, const fat_price_in *in,
                           fat_price_out *o, const char *why, fat_err *err)
{
  char mu[32], mt[32], q[24];
  int64_t num;

  o->fator_e2 = fator;
  if (!o->sem_passos && why != NULL && why[0] != '\0')
    add_step(o, "fator", o->valor_unitario, "%s: fator %lld,%02lld", why,
             (long long)(fator / 100), (long long)(fator % 100));
  if (!mul_ok(o->valor_unitario, in->quantidade_e4) ||
      !mul_ok(o->valor_unitario * in->quantidade_e4, fator))
    return fat_err_set(err, FAT_ELIMIT, "valor × quantidade grande demais para precificar");
  num = o->valor_unitario * in->quantidade_e4 * fator;
  o->valor_total = rdiv(num, 1000000, c->truncar);
  if (o->sem_passos)
    return FAT_OK;
  fmt_money(o->valor_unitario, mu, sizeof mu);
  fmt_money(o->valor_total, mt, sizeof mt);
  fmt_e4(in->quantidade_e4, q, sizeof q);
  add_step(o, "total", o->valor_total, "total = %s × quantidade %s × fator %lld,%02lld = %s (%s)",
           mu, q, (long long)(fator / 100), (long long)(fator % 100), mt,
           c->truncar ? "centavos truncados" : "arredondado meio centavo para cima");
  return FAT_OK;
}

/* Price with the contract already parsed; principal/via handled by in.
** passos 0: the steps are not written (o->sem_passos), only the values. */
static fat_rc price_parsed(fat_store *st, fat_tcache *tc, const contrato *c,
                           const fat_price_in *in, fat_price_out *o, int passos, fat_err *err)
{
  int gi, i;
  const grp *g;
  int64_t unit = 0;
  char why[96];
  int negotiated = 0;
  int32_t d;
  fat_rc rc;
  fat_price_in tuss_in;
  char tuss_tab[4];

  if (passos) {
    memset(o, 0, sizeof *o);
  } else { /* the steps (~6 KB) stay as they were: nobody reads them */
    memset(o, 0, offsetof(fat_price_out, steps));
    o->sem_passos = 1;
  }
  if (in->codigo == NULL || in->codigo[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "código do item ausente");
  if (in->data == NULL || fat_dia_parse(in->data, &d) != 0)
    return fat_err_set(err, FAT_EINVAL, "data de realização inválida ou ausente: '%s'",
                       in->data != NULL ? in->data : "");
  if (in->quantidade_e4 < 0)
    return fat_err_set(err, FAT_EINVAL, "quantidade negativa");
  if ((in->tipo == NULL || in->tipo[0] == '\0') && in->codigo_tabela == NULL) {
    /* neither given: the TUSS terminology says which table the code is in */
    char tab[4], desc[160];
    fat_err e2;

    rc = fat_tcache_tuss(tc, st, in->codigo, in->data, tab, desc, &e2);
    if (rc == FAT_OK) {
      fat_price_in *mut = &tuss_in;

      *mut = *in;
      snprintf(tuss_tab, sizeof tuss_tab, "%s", tab);
      mut->codigo_tabela = tuss_tab;
      in = mut;
    } else if (rc != FAT_ENOTFOUND) {
      return fat_err_set(err, rc, "%s", e2.msg);
    }
  }
  gi = group_of(c, in);
  g = &c->g[gi];
  if (gi == G_EXAM && !g->on)
    gi = G_PROC;
  if (gi == G_PROC)
    g = &c->g[G_PROC];
  fat_strcpy_cut(o->grupo, sizeof o->grupo, grupo_names[gi]);
  if (c->negociada && in->registro_ans != NULL) {
    char vig[11], m[32];

    rc = fat_tcache_negociado_preco(tc, st, in->registro_ans, in->codigo, in->data, &unit,
                                     o->descricao, vig, err);
    if (rc == FAT_OK) {
      negotiated = 1;
      snprintf(o->tabela, sizeof o->tabela, "negociada");
      if (!o->sem_passos) {
        fmt_money(unit, m, sizeof m);
        add_step(o, "negociada", unit,
                 "tabela negociada da operadora %s (vigência desde %s): %s (valor final)",
                 in->registro_ans, dia_br(vig).s, m);
      }
    } else if (rc != FAT_ENOTFOUND) {
      return rc;
    }
    fat_err_clear(err);
  }
  if (!negotiated) {
    if (!g->on)
      return fat_err_set(err, FAT_ENOTFOUND,
                         "o contrato não define preços para %s (precos.%s) e o código %s não "
                         "está na tabela negociada",
                         grupo_names[gi], grupo_names[gi], in->codigo);
    fat_strcpy_cut(o->tabela, sizeof o->tabela, tabela_names[g->tabela]);
    switch (g->tabela) {
    case T_CBHPM: rc = price_cbhpm(st, tc, c, g, in, o, &unit, err); break;
    case T_SIMPRO:
    case T_BRAS: rc = price_insumo(st, tc, c, g, in, o, &unit, err); break;
    case T_NEG:
    default: {
      rc = fat_err_set(err, FAT_ENOTFOUND,
                       "código %s não está na tabela negociada da operadora %s vigente em %s",
                       in->codigo, in->registro_ans != NULL ? in->registro_ans : "?",
                       dia_br(in->data).s);
      break;
    }
    }
    if (rc != FAT_OK)
      return rc;
    for (i = 0; i < c->nr; i++) {
      const reaj *r = &c->r[i];
      char lab[64];

      if (strcmp(r->data, in->data) > 0 || (r->mask != 0 && !(r->mask & (1u << gi))))
        continue;
      lab[0] = '\0';
      if (!o->sem_passos)
        snprintf(lab, sizeof lab, "reajuste a partir de %s:", dia_br(r->data).s);
      rc = step_adj(o, "reajuste", lab, r->bp, "o unitário", c->truncar, &unit, err);
      if (rc != FAT_OK)
        return rc;
    }
  }
  o->valor_unitario = unit;
  return finish_total(c, fator_of(c, gi, in, why, sizeof why), in, o, why, err);
}

fat_rc fat_price_item_with_contract(fat_store *st, const cJSON *contract, const fat_price_in *in,
                                    fat_price_out *out, fat_err *err)
{
  contrato *c = fat_malloc(sizeof *c);
  fat_rc rc;

  if (c == NULL)
    return fat_err_oom(err);
  rc = parse_json(contract, c, err);
  if (rc == FAT_OK)
    rc = price_parsed(st, NULL, c, in, out, 1, err);
  fat_free(c);
  return rc;
}

fat_rc fat_price_item_contrato(fat_store *st, const fat_contrato *c, const fat_price_in *in,
                               fat_price_out *out, fat_err *err)
{
  if (c == NULL)
    return fat_err_set(err, FAT_EINVAL, "contrato ausente");
  return price_parsed(st, NULL, &c->precos, in, out, 1, err);
}

void fat_price_explain(const fat_price_out *out, void (*emit)(void *ud, const char *line),
                       void *ud)
{
  char line[300];
  int i;

  for (i = 0; i < out->n_steps; i++) {
    snprintf(line, sizeof line, "%2d. %s", i + 1, out->steps[i].texto);
    emit(ud, line);
  }
}

cJSON *fat_price_to_json(const fat_price_out *out)
{
  cJSON *o = cJSON_CreateObject(), *arr;
  char f[48];
  int i;

  if (o == NULL)
    return NULL;
  snprintf(f, sizeof f, "%lld.%02lld", (long long)(out->fator_e2 / 100),
           (long long)(out->fator_e2 % 100));
  if (cJSON_AddNumberToObject(o, "valor_unitario", (double)out->valor_unitario) == NULL ||
      cJSON_AddStringToObject(o, "fator", f) == NULL ||
      cJSON_AddNumberToObject(o, "valor_total", (double)out->valor_total) == NULL ||
      cJSON_AddStringToObject(o, "grupo", out->grupo) == NULL ||
      cJSON_AddStringToObject(o, "tabela", out->tabela) == NULL ||
      cJSON_AddStringToObject(o, "descricao", out->descricao) == NULL ||
      (arr = cJSON_AddArrayToObject(o, "passos")) == NULL)
    goto oom;
  for (i = 0; i < out->n_steps; i++) {
    cJSON *s = cJSON_CreateObject();

    if (s == NULL)
      goto oom;
    cJSON_AddItemToArray(arr, s);
    if (cJSON_AddStringToObject(s, "passo", out->steps[i].passo) == NULL ||
        cJSON_AddStringToObject(s, "texto", out->steps[i].texto) == NULL ||
        cJSON_AddNumberToObject(s, "valor", (double)out->steps[i].valor) == NULL)
      goto oom;
  }
  return o;
oom:
  cJSON_Delete(o);
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Pricer                                                                    */

typedef struct pricer_entry {
  char *key;
  const contrato *c; /* the source's, not owned */
} pricer_entry;

struct fat_pricer {
  fat_store *st;
  fat_tcache *tc;    /* NULL until fat_pricer_cache */
  int tc_borrowed;   /* tc is another pricer's (fat_pricer_cache_from) */
  fat_price_out *o;  /* scratch of fat_price_guia, allocated with its first guia */
  fat_contract_fn fn;
  void *ud;
  pricer_entry *v;
  size_t n, cap;
};

fat_rc fat_pricer_new(fat_store *st, fat_contract_fn fn, void *ud, fat_pricer **out, fat_err *err)
{
  fat_pricer *p = fat_calloc(1, sizeof *p);

  *out = NULL;
  if (p == NULL)
    return fat_err_oom(err);
  p->st = st;
  p->fn = fn;
  p->ud = ud;
  *out = p;
  return FAT_OK;
}

void fat_pricer_free(fat_pricer *p)
{
  size_t i;

  if (p == NULL)
    return;
  for (i = 0; i < p->n; i++)
    fat_free(p->v[i].key);
  fat_free(p->v);
  fat_free(p->o);
  if (!p->tc_borrowed)
    fat_tcache_free(p->tc);
  fat_free(p);
}

fat_rc fat_pricer_cache(fat_pricer *p, fat_err *err)
{
  if (p->tc == NULL) {
    p->tc = fat_tcache_new();
    p->tc_borrowed = 0;
  }
  return p->tc != NULL ? FAT_OK : fat_err_oom(err);
}

fat_rc fat_pricer_cache_share(fat_pricer *from, fat_err *err)
{
  fat_rc rc = fat_pricer_cache(from, err);

  if (rc == FAT_OK)
    fat_tcache_share(from->tc);
  return rc;
}

void fat_pricer_cache_from(fat_pricer *p, fat_pricer *from)
{
  if (from->tc == NULL || p->tc == from->tc)
    return;
  if (!p->tc_borrowed)
    fat_tcache_free(p->tc);
  p->tc = from->tc;
  p->tc_borrowed = 1;
}

static fat_rc pricer_contract(fat_pricer *p, const char *key, const contrato **out, fat_err *err)
{
  const fat_contrato *c = NULL;
  size_t i;
  fat_rc rc;

  for (i = 0; i < p->n; i++)
    if (strcmp(p->v[i].key, key) == 0) {
      *out = p->v[i].c;
      return FAT_OK;
    }
  rc = p->fn(p->ud, key, &c, err);
  if (rc != FAT_OK)
    return rc;
  if (p->n == p->cap) {
    size_t nc = p->cap ? p->cap * 2 : 8;
    pricer_entry *nv = fat_realloc(p->v, nc * sizeof *nv);

    if (nv == NULL)
      return fat_err_oom(err);
    p->v = nv;
    p->cap = nc;
  }
  p->v[p->n].key = fat_strdup(key);
  if (p->v[p->n].key == NULL)
    return fat_err_oom(err);
  p->v[p->n].c = &c->precos;
  p->n++;
  *out = &c->precos;
  return FAT_OK;
}

fat_rc fat_price_item(fat_pricer *p, const char *key, const fat_price_in *in, fat_price_out *out,
                      fat_err *err)
{
  const contrato *c;
  fat_rc rc = pricer_contract(p, key, &c, err);

  if (rc != FAT_OK)
    return rc;
  return price_parsed(p->st, p->tc, c, in, out, 1, err);
}

/* ------------------------------------------------------------------------ */
/* Guia                                                                      */

void fat_price_report_init(fat_price_report *r) { memset(r, 0, sizeof *r); }

void fat_price_report_fini(fat_price_report *r)
{
  fat_free(r->diffs);
  fat_free(r->unpriced);
  memset(r, 0, sizeof *r);
}

static fat_rc rep_unpriced(fat_price_report *r, const fat_item *it, const char *motivo,
                           fat_err *err)
{
  fat_price_unpriced *nv = fat_realloc(r->unpriced, (r->n_unpriced + 1) * sizeof *nv);

  if (nv == NULL)
    return fat_err_oom(err);
  r->unpriced = nv;
  nv += r->n_unpriced++;
  nv->item_seq = it->sequencial;
  snprintf(nv->codigo, sizeof nv->codigo, "%s", it->codigo != NULL ? it->codigo : "");
  snprintf(nv->motivo, sizeof nv->motivo, "%s", motivo);
  return FAT_OK;
}

static fat_rc rep_diff(fat_price_report *r, const fat_item *it, int64_t unitario,
                       int64_t total, fat_err *err)
{
  fat_price_diff *nv = fat_realloc(r->diffs, (r->n_diffs + 1) * sizeof *nv);

  if (nv == NULL)
    return fat_err_oom(err);
  r->diffs = nv;
  nv += r->n_diffs++;
  nv->item_seq = it->sequencial;
  snprintf(nv->codigo, sizeof nv->codigo, "%s", it->codigo != NULL ? it->codigo : "");
  nv->cobrado_unitario = it->valor_unitario;
  nv->esperado_unitario = unitario;
  nv->cobrado_total = it->valor_total;
  nv->esperado_total = total;
  nv->diferenca = it->valor_total - total;
  return FAT_OK;
}

static void item_input(const fat_guia *g, const fat_item *it, fat_price_in *in)
{
  memset(in, 0, sizeof *in);
  in->registro_ans = g->operadora.registro_ans;
  in->codigo = it->codigo;
  in->codigo_tabela = it->codigo_tabela;
  in->tipo = it->tipo;
  in->data = it->data != NULL ? it->data : g->data_inicio;
  in->hora = it->hora_inicio != NULL ? it->hora_inicio : g->hora_inicio;
  in->acomodacao = g->plano.acomodacao;
  in->carater = (g->carater_atendimento != NULL && strcmp(g->carater_atendimento, "2") == 0) ? 2
              : (g->carater_atendimento != NULL && strcmp(g->carater_atendimento, "1") == 0) ? 1
                                                                                            : 0;
  in->via = code_num(it->via_acesso) > 0 ? code_num(it->via_acesso) : 0;
  in->principal = 1;
  in->grau = it->grau_participacao;
  in->quantidade_e4 = it->quantidade_e4;
}

static int same_grau(const char *a, const char *b)
{
  int ga = code_num(a), gb = code_num(b);

  /* absent counts as 00 (the surgeon) */
  return (ga < 0 ? 0 : ga) == (gb < 0 ? 0 : gb);
}

/* What pricing a guia keeps of each item priced (the steps are not kept). */
typedef struct item_valor {
  int64_t unitario, total, fator_e2;
  int grupo;
} item_valor;

/* Price every item of g; o is scratch for one item (its steps are not
** written: the report has none). */
static fat_rc price_guia_parsed(fat_store *st, fat_tcache *tc, const contrato *c, fat_guia *g,
                                int preencher, fat_price_report *rep, fat_price_out *o,
                                fat_err *err)
{
  item_valor *v = NULL;
  int *ok = NULL;
  size_t i, j;
  fat_rc rc = FAT_OK;

  if (g->n_itens == 0)
    return FAT_OK;
  v = fat_malloc(g->n_itens * sizeof *v);
  ok = fat_calloc(g->n_itens, sizeof *ok);
  if (v == NULL || ok == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  /* pass 1: every item as if it were principal */
  for (i = 0; i < g->n_itens; i++) {
    fat_price_in in;
    fat_err e2;

    rep->n_itens++;
    item_input(g, &g->itens[i], &in);
    fat_err_clear(&e2);
    if (in.codigo == NULL) {
      rc = rep_unpriced(rep, &g->itens[i], "item sem código", err);
    } else {
      fat_rc r2 = price_parsed(st, tc, c, &in, o, 0, &e2);

      if (r2 == FAT_OK) {
        ok[i] = 1;
        v[i].unitario = o->valor_unitario;
        v[i].total = o->valor_total;
        v[i].fator_e2 = o->fator_e2;
        v[i].grupo = group_index(o->grupo);
      } else if (r2 == FAT_ENOTFOUND || r2 == FAT_EINVAL || r2 == FAT_ELIMIT) {
        rc = rep_unpriced(rep, &g->itens[i], e2.msg, err);
      } else {
        rc = fat_err_set(err, r2, "%s", e2.msg);
      }
    }
    if (rc != FAT_OK)
      goto out;
  }
  /* pass 2: via reductions for the non-principal procedures */
  for (i = 0; i < g->n_itens; i++) {
    fat_price_in in;
    size_t best = i;
    char why[96];
    int64_t f;

    if (!ok[i])
      continue;
    item_input(g, &g->itens[i], &in);
    if (in.via != 2 && in.via != 3)
      continue;
    for (j = 0; j < g->n_itens; j++) {
      fat_price_in o2;

      if (!ok[j])
        continue;
      item_input(g, &g->itens[j], &o2);
      if ((o2.via != 2 && o2.via != 3) || !same_grau(o2.grau, in.grau))
        continue;
      if (v[j].unitario > v[best].unitario || (v[j].unitario == v[best].unitario && j < best))
        best = j;
    }
    if (best == i)
      continue;
    in.principal = 0;
    f = fator_of(c, v[i].grupo, &in, why, sizeof why);
    if (f == 100)
      continue;
    memset(o, 0, offsetof(fat_price_out, steps));
    o->sem_passos = 1;
    o->valor_unitario = v[i].unitario;
    rc = finish_total(c, f, &in, o, why, err);
    if (rc != FAT_OK)
      goto out;
    v[i].total = o->valor_total;
    v[i].fator_e2 = o->fator_e2;
  }
  for (i = 0; i < g->n_itens; i++) {
    fat_item *it = &g->itens[i];

    if (!ok[i])
      continue;
    rep->n_precificados++;
    rep->total_esperado += v[i].total;
    if (it->valor_unitario == FAT_ABSENT || it->valor_total == FAT_ABSENT) {
      if (preencher) {
        it->valor_unitario = v[i].unitario;
        it->valor_total = v[i].total;
        it->fator_e2 = v[i].fator_e2;
        rep->n_preenchidos++;
      }
      continue;
    }
    if (it->valor_total != v[i].total || it->valor_unitario != v[i].unitario) {
      rc = rep_diff(rep, it, v[i].unitario, v[i].total, err);
      if (rc != FAT_OK)
        goto out;
    }
  }
out:
  fat_free(v);
  fat_free(ok);
  return rc;
}

fat_rc fat_price_guia(fat_pricer *p, fat_guia *g, int preencher, fat_price_report *rep,
                      fat_err *err)
{
  const contrato *c;
  fat_rc rc;

  if (g->operadora.script == NULL)
    return fat_err_set(err, FAT_EINVAL, "guia sem operadora (script de regras)");
  rc = pricer_contract(p, g->operadora.script, &c, err);
  if (rc != FAT_OK)
    return rc;
  if (p->o == NULL)
    p->o = fat_malloc(sizeof *p->o);
  if (p->o == NULL)
    return fat_err_oom(err);
  return price_guia_parsed(p->st, p->tc, c, g, preencher, rep, p->o, err);
}

fat_rc fat_price_guia_with_contract(fat_store *st, const cJSON *contract, fat_guia *g,
                                    int preencher, fat_price_report *rep, fat_err *err)
{
  contrato *c = fat_malloc(sizeof *c);
  fat_price_out *o = fat_malloc(sizeof *o);
  fat_rc rc;

  if (c == NULL || o == NULL) {
    fat_free(c);
    fat_free(o);
    return fat_err_oom(err);
  }
  rc = parse_json(contract, c, err);
  if (rc == FAT_OK)
    rc = price_guia_parsed(st, NULL, c, g, preencher, rep, o, err);
  fat_free(c);
  fat_free(o);
  return rc;
}

void fat_price_todos_fini(fat_price_todos *t)
{
  fat_free(t->sem_preco);
  fat_free(t->divergentes);
  memset(t, 0, sizeof *t);
}

static fat_rc todos_add(fat_price_todos_item **v, size_t *n, int64_t guia_id, int seq,
                        const char *codigo, int64_t cobrado, int64_t esperado, const char *motivo,
                        fat_err *err)
{
  fat_price_todos_item *nv = fat_realloc(*v, (*n + 1) * sizeof *nv);

  if (nv == NULL)
    return fat_err_oom(err);
  *v = nv;
  nv += (*n)++;
  memset(nv, 0, sizeof *nv);
  nv->guia_id = guia_id;
  nv->item_seq = seq;
  snprintf(nv->codigo, sizeof nv->codigo, "%s", codigo);
  nv->cobrado_total = cobrado;
  nv->esperado_total = esperado;
  snprintf(nv->motivo, sizeof nv->motivo, "%s", motivo != NULL ? motivo : "");
  return FAT_OK;
}

fat_rc fat_price_conferir_todos(fat_pricer *p, fat_price_todos *out, fat_err *err)
{
  static const char sql[] = "SELECT id FROM guia WHERE id > ?1 ORDER BY id LIMIT 1";
  int64_t last = 0, id;
  fat_guia_loader *ld = NULL;
  fat_rc rc;

  memset(out, 0, sizeof *out);
  /* one read snapshot for the whole pass (each statement otherwise takes and
  ** drops the file and WAL locks: ~1/4 of this loop's CPU was the kernel's at
  ** 100k guias); the loader reads the rows the guias share (operadora,
  ** prestador, plano, profissionais) once */
  rc = fat_guia_loader_new(p->st, &ld, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_begin_read(p->st, err);
  if (rc != FAT_OK) {
    fat_guia_loader_free(ld);
    return rc;
  }
  for (;;) {
    fat_stmt *s;
    fat_guia *g = NULL;
    fat_price_report rep;
    size_t i;
    int step;

    rc = fat_store_prepare(p->st, sql, &s, err);
    if (rc != FAT_OK)
      break;
    fat_bind_int(s, 1, last);
    step = fat_stmt_step(s);
    if (step != FAT_ROW) {
      fat_stmt_reset(s);
      if (step != FAT_DONE)
        rc = fat_store_dberr(p->st, err, "erro ao listar guias");
      break;
    }
    id = fat_col_int64(s, 0);
    fat_stmt_reset(s);
    last = id;
    rc = fat_guia_loader_load(ld, id, &g, err);
    if (rc != FAT_OK)
      break;
    out->n_guias++;
    fat_price_report_init(&rep);
    rc = fat_price_guia(p, g, 0, &rep, err);
    if (rc == FAT_OK) {
      out->n_itens += rep.n_itens;
      out->n_precificados += rep.n_precificados;
      out->total_esperado += rep.total_esperado;
      for (i = 0; i < g->n_itens; i++) {
        size_t k;
        int priced = 1;

        for (k = 0; k < rep.n_unpriced; k++)
          if (rep.unpriced[k].item_seq == g->itens[i].sequencial)
            priced = 0;
        if (priced && g->itens[i].valor_total != FAT_ABSENT)
          out->total_cobrado += g->itens[i].valor_total;
      }
      for (i = 0; i < rep.n_unpriced && rc == FAT_OK; i++)
        rc = todos_add(&out->sem_preco, &out->n_sem_preco, id, rep.unpriced[i].item_seq,
                       rep.unpriced[i].codigo, FAT_ABSENT, FAT_ABSENT, rep.unpriced[i].motivo,
                       err);
      for (i = 0; i < rep.n_diffs && rc == FAT_OK; i++)
        rc = todos_add(&out->divergentes, &out->n_divergentes, id, rep.diffs[i].item_seq,
                       rep.diffs[i].codigo, rep.diffs[i].cobrado_total,
                       rep.diffs[i].esperado_total, NULL, err);
    } else {
      fat_err_prefix(err, "guia %lld: ", (long long)id);
    }
    fat_price_report_fini(&rep);
    fat_guia_free(g);
    if (rc != FAT_OK)
      break;
  }
  if (rc == FAT_OK)
    rc = fat_store_commit(p->st, err);
  else
    fat_store_rollback(p->st);
  fat_guia_loader_free(ld);
  if (rc != FAT_OK)
    fat_price_todos_fini(out);
  return rc;
}
