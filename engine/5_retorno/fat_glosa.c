/* fat_glosa.c: glosas: motive groups, devida/indevida, manual entry, lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_glosa.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_operadora.h"
#include "fat_price.h"
#include "fat_store_int.h"
#include "fat_rotulo.h"

/*
** {======================================================
** Motive groups
** =======================================================
*/

typedef struct code_group {
  const char *codigo;
  const char *grupo;
} code_group;

/* Codes whose meaning differs from their hundred-range. */
static const code_group overrides[] = {
  {"1321", "prazo"},        /* validade da guia expirada */
  {"1701", "prazo"},        /* cobrança fora do prazo de validade */
  {"2907", "prazo"},        /* prazo de 180 dias para reanálise */
  {"2909", "prazo"},        /* prazo do recurso prescrito */
  {"3091", "prazo"},        /* cobrança fora do prazo do contrato */
  {"3103", "prazo"},        /* autorização fora do prazo */
  {"1008", "documentacao"}, /* assinatura divergente */
  {"1010", "documentacao"}, /* assinatura do titular inexistente */
  {"1211", "documentacao"}, /* assinatura/carimbo do credenciado */
  {"1709", "documentacao"}, /* falta prescrição médica */
  {"1710", "documentacao"}, /* falta visto da enfermagem */
  {"1712", "documentacao"}, /* assinatura do médico do exame */
  {"1749", "documentacao"}, /* relatório de auditoria não enviado */
  {"1822", "documentacao"}, /* procedimento sem laudo */
  {"2714", "documentacao"}, /* exame sem laudo */
  {"1305", "cobranca"},     /* item pago em outra guia */
  {"1308", "cobranca"},     /* guia já apresentada */
  {NULL, NULL}
};

typedef struct range_group {
  int from, to;             /* first two digits, inclusive */
  const char *grupo;
} range_group;

static const range_group ranges[] = {
  {10, 10, "cadastro"},     {11, 11, "outros"},   {12, 12, "cadastro"},
  {13, 13, "documentacao"}, {14, 14, "autorizacao"}, {15, 15, "documentacao"},
  {16, 16, "tecnica"},      {17, 17, "cobranca"}, {18, 18, "tecnica"},
  {19, 24, "cobranca"},     {25, 25, "tecnica"},  {26, 26, "cobranca"},
  {27, 27, "tecnica"},      {28, 28, "cobranca"}, {29, 29, "outros"},
  {30, 30, "tecnica"},      {31, 31, "outros"},   {50, 50, "outros"},
  {0, 0, NULL}
};

typedef struct table_group {
  const char *tabela;       /* glosa_motivo.grupo as in tuss38_glosas.csv */
  const char *grupo;
} table_group;

static const table_group table_groups[] = {
  {"Elegibilidade", "cadastro"},
  {"Protocolo", "outros"},
  {"Prestador", "cadastro"},
  {"Guia", "documentacao"},
  {"Autorização / Solicitação", "autorizacao"},
  {"Diagnóstico", "documentacao"},
  {"Atendimento", "tecnica"},
  {"Regra de Valorização", "cobranca"},
  {"Procedimento", "tecnica"},
  {"Diária", "cobranca"},
  {"Material", "cobranca"},
  {"Medicamento", "cobranca"},
  {"OPM", "cobranca"},
  {"Gases Medicinais", "cobranca"},
  {"Taxas e aluguéis", "cobranca"},
  {"Procedimentos em Série", "tecnica"},
  {"Honorários", "cobranca"},
  {"Exames", "tecnica"},
  {"Pacotes", "cobranca"},
  {"Revisão de glosa", "outros"},
  {"Odontologia", "tecnica"},
  {"Mensagens de Sistema", "outros"},
  {NULL, NULL}
};

static const char *override_of(const char *codigo)
{
  size_t i;

  for (i = 0; overrides[i].codigo != NULL; i++)
    if (strcmp(overrides[i].codigo, codigo) == 0)
      return overrides[i].grupo;
  return NULL;
}

const char *fat_glosa_grupo_builtin(const char *codigo)
{
  const char *o;
  int hi;
  size_t i;

  if (codigo == NULL || strlen(codigo) != 4 || codigo[0] < '0' || codigo[0] > '9' ||
      codigo[1] < '0' || codigo[1] > '9')
    return "outros";
  o = override_of(codigo);
  if (o != NULL)
    return o;
  hi = (codigo[0] - '0') * 10 + (codigo[1] - '0');
  for (i = 0; ranges[i].grupo != NULL; i++)
    if (hi >= ranges[i].from && hi <= ranges[i].to)
      return ranges[i].grupo;
  return "outros";
}

const char *fat_glosa_grupo_de_tabela(const char *t)
{
  size_t i;

  if (t == NULL)
    return NULL;
  for (i = 0; table_groups[i].tabela != NULL; i++)
    if (strcmp(table_groups[i].tabela, t) == 0)
      return table_groups[i].grupo;
  if (strncmp(t, "Sem grupo", 9) == 0)
    return "outros";
  return NULL;
}

const char *fat_glosa_grupo(fat_store *st, const char *codigo)
{
  static const char sql[] = "SELECT grupo FROM glosa_motivo WHERE codigo = ?1";
  fat_stmt *s;
  const char *o, *g = NULL;
  fat_err err;

  if (codigo == NULL)
    return "outros";
  o = override_of(codigo);
  if (o != NULL)
    return o;
  /* the table belongs to Part D's migration; without it use the ranges */
  if (st != NULL && fat_store_prepare(st, sql, &s, &err) == FAT_OK) {
    fat_bind_text(s, 1, codigo);
    if (fat_stmt_step(s) == FAT_ROW)
      g = fat_glosa_grupo_de_tabela(fat_col_text(s, 0));
    fat_stmt_reset(s);
  }
  return g != NULL ? g : fat_glosa_grupo_builtin(codigo);
}

const char *fat_glosa_situacao_rotulo(const char *k)
{
  return fat_rotulo_ou("glosa", k);
}

const char *fat_glosa_grupo_rotulo(const char *g)
{
  const char *r = fat_rotulo("grupo", g);

  return r != NULL ? r : "outros";
}

char *fat_glosa_descricao(fat_store *st, const char *codigo)
{
  static const char sql[] = "SELECT descricao FROM glosa_motivo WHERE codigo = ?1";
  fat_stmt *s;
  fat_err err;
  char *d = NULL;
  int oom = 0;

  if (st == NULL || codigo == NULL || fat_store_prepare(st, sql, &s, &err) != FAT_OK)
    return NULL;
  fat_bind_text(s, 1, codigo);
  if (fat_stmt_step(s) == FAT_ROW)
    d = fat_col_strdup(s, 0, &oom);
  fat_stmt_reset(s);
  return d;
}

/* }====================================================== */

/*
** {======================================================
** Classification
** =======================================================
*/

/* What classification reads about a glosa. */
typedef struct glosa_ctx {
  char *codigo;
  int64_t guia_id, item_id, valor, beneficiario_id;
  char *senha, *data_autorizacao, *validade_senha, *data_inicio;
  char *carteira, *carteira_validade, *cid;
  int assinatura, pedido_medico, laudo;
  char *script, *registro_ans;
  int item_seq;
  char *item_codigo, *item_tabela, *item_tipo, *item_data, *item_hora, *item_via, *item_grau;
  int64_t item_unit, item_total, item_qtd;
  char *acomodacao, *carater;
} glosa_ctx;

static void ctx_fini(glosa_ctx *c)
{
  char **strs[] = {&c->codigo, &c->senha, &c->data_autorizacao, &c->validade_senha,
                   &c->data_inicio, &c->carteira, &c->carteira_validade, &c->cid,
                   &c->script, &c->registro_ans, &c->item_codigo, &c->item_tabela,
                   &c->item_tipo, &c->item_data, &c->item_hora, &c->item_via,
                   &c->item_grau, &c->acomodacao, &c->carater};
  size_t i;

  for (i = 0; i < sizeof strs / sizeof strs[0]; i++) {
    fat_free(*strs[i]);
    *strs[i] = NULL;
  }
}

static fat_rc ctx_load(fat_store *st, int64_t id, glosa_ctx *c, fat_err *err)
{
  static const char sql[] =
      "SELECT gl.codigo, gl.guia_id, gl.item_id, gl.valor, g.senha, g.data_autorizacao,"
      " g.validade_senha, g.data_inicio, g.carteira_numero, g.carteira_validade,"
      " g.assinatura_beneficiario, g.pedido_medico, g.laudo, g.cid, o.script, o.registro_ans,"
      " i.sequencial, i.codigo, i.codigo_tabela, i.tipo, i.valor_unitario, i.valor_total,"
      " i.quantidade_e4, COALESCE(i.data, g.data_inicio), i.hora_inicio, i.via_acesso,"
      " i.grau_participacao, pl.acomodacao, g.carater_atendimento, g.beneficiario_id"
      " FROM glosa gl JOIN guia g ON g.id = gl.guia_id JOIN operadora o ON o.id = g.operadora_id"
      " LEFT JOIN item i ON i.id = gl.item_id LEFT JOIN plano pl ON pl.id = g.plano_id"
      " WHERE gl.id = ?1";
  fat_stmt *s;
  fat_rc rc;
  int oom = 0;

  memset(c, 0, sizeof *c);
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, id);
  if (fat_stmt_step(s) != FAT_ROW) {
    fat_stmt_reset(s);
    return fat_err_set(err, FAT_ENOTFOUND, "glosa %lld não encontrada", (long long)id);
  }
  c->codigo = fat_col_strdup(s, 0, &oom);
  c->guia_id = fat_col_int64(s, 1);
  c->item_id = fat_col_int64(s, 2);
  c->valor = fat_col_int64(s, 3);
  c->senha = fat_col_strdup(s, 4, &oom);
  c->data_autorizacao = fat_col_strdup(s, 5, &oom);
  c->validade_senha = fat_col_strdup(s, 6, &oom);
  c->data_inicio = fat_col_strdup(s, 7, &oom);
  c->carteira = fat_col_strdup(s, 8, &oom);
  c->carteira_validade = fat_col_strdup(s, 9, &oom);
  c->assinatura = fat_col_int(s, 10);
  c->pedido_medico = fat_col_int(s, 11);
  c->laudo = fat_col_int(s, 12);
  c->cid = fat_col_strdup(s, 13, &oom);
  c->script = fat_col_strdup(s, 14, &oom);
  c->registro_ans = fat_col_strdup(s, 15, &oom);
  c->item_seq = fat_col_int(s, 16);
  c->item_codigo = fat_col_strdup(s, 17, &oom);
  c->item_tabela = fat_col_strdup(s, 18, &oom);
  c->item_tipo = fat_col_strdup(s, 19, &oom);
  c->item_unit = fat_col_is_null(s, 20) ? FAT_ABSENT
                                                           : fat_col_int64(s, 20);
  c->item_total = fat_col_is_null(s, 21) ? FAT_ABSENT
                                                            : fat_col_int64(s, 21);
  c->item_qtd = fat_col_int64(s, 22);
  c->item_data = fat_col_strdup(s, 23, &oom);
  c->item_hora = fat_col_strdup(s, 24, &oom);
  c->item_via = fat_col_strdup(s, 25, &oom);
  c->item_grau = fat_col_strdup(s, 26, &oom);
  c->acomodacao = fat_col_strdup(s, 27, &oom);
  c->carater = fat_col_strdup(s, 28, &oom);
  c->beneficiario_id = fat_col_int64(s, 29);
  fat_stmt_reset(s);
  if (oom) {
    ctx_fini(c);
    return fat_err_oom(err);
  }
  return FAT_OK;
}

static int code_in(const char *c, const char *const *list)
{
  size_t i;

  for (i = 0; list[i] != NULL; i++)
    if (strcmp(c, list[i]) == 0)
      return 1;
  return 0;
}

/* A conferir finding on this guia (and item, when the glosa is on one) that
** predicted this code, or one of the same group. */
static fat_rc by_finding(fat_store *st, const glosa_ctx *c, const char *grupo, const char **cls,
                         char *ev, size_t evlen, fat_err *err)
{
  static const char sql[] =
      "SELECT a.codigo, a.glosa_prevista, a.reconhecido_em, a.reconhecido_por,"
      " a.reconhecido_motivo, a.severidade FROM achado a WHERE a.guia_id = ?1"
      " AND (?2 IS NULL OR a.item_id IS NULL OR a.item_id = ?2) ORDER BY a.id";
  fat_stmt *s;
  fat_rc rc;
  int best = 0; /* 2 = same code, 1 = same group */

  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, c->guia_id);
  fat_bind_int_or_null(s, 2, c->item_id, c->item_id == 0);
  while (fat_stmt_step(s) == FAT_ROW) {
    const char *fc = fat_col_text(s, 0);
    const char *gp = fat_col_text(s, 1);
    const char *rem = fat_col_text(s, 2);
    const char *rpor = fat_col_text(s, 3);
    const char *rmot = fat_col_text(s, 4);
    int level;

    if (gp == NULL)
      continue;
    level = strcmp(gp, c->codigo) == 0 ? 2
            : strcmp(fat_glosa_grupo_builtin(gp), grupo) == 0 ? 1 : 0;
    if (level <= best)
      continue;
    best = level;
    *cls = "devida";
    if (rem != NULL)
      snprintf(ev, evlen,
               "o achado %s do conferir previa a glosa %s e foi reconhecido por %s em %s "
               "(%s): enviada conscientemente",
               fc, gp, rpor != NULL ? rpor : "?", fat_dia_br_de(rem).s, rmot != NULL ? rmot : "sem motivo");
    else
      snprintf(ev, evlen,
               "o conferir apontou %s (%s, prevê glosa %s%s) e a guia foi enviada assim", fc,
               fat_col_text(s, 5), gp,
               level == 1 ? ", mesmo grupo de motivo" : "");
  }
  fat_stmt_reset(s);
  return FAT_OK;
}

static int date_le(const char *a, const char *b)
{
  return a != NULL && b != NULL && strcmp(a, b) <= 0;
}

/* Another guia of the same beneficiário/carteira with the same code and date. */
static fat_rc has_duplicate(fat_store *st, const glosa_ctx *c, int *dup, fat_err *err)
{
  static const char sql[] =
      "SELECT count(*) FROM guia g2 JOIN item i2 ON i2.guia_id = g2.id, guia g"
      " WHERE g.id = ?1 AND g2.id <> g.id AND g2.status <> 'cancelada'"
      " AND g2.operadora_id = g.operadora_id"
      " AND ((g.beneficiario_id IS NOT NULL AND g2.beneficiario_id = g.beneficiario_id)"
      "      OR (g.carteira_numero IS NOT NULL AND g2.carteira_numero = g.carteira_numero))"
      " AND i2.codigo = ?2 AND COALESCE(i2.data, g2.data_inicio) = ?3";
  fat_stmt *s;
  fat_rc rc;

  *dup = 0;
  if (c->item_codigo == NULL)
    return FAT_OK;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, c->guia_id);
  fat_bind_text(s, 2, c->item_codigo);
  fat_bind_text(s, 3, c->item_data);
  if (fat_stmt_step(s) == FAT_ROW)
    *dup = fat_col_int(s, 0) > 0;
  fat_stmt_reset(s);
  return FAT_OK;
}

/* Price the glosed item by the contract (Part D). 1 = equal, 0 = differs,
** -1 = could not price (no contract, no table). */
static int price_matches(fat_store *st, fat_gen *gen, const glosa_ctx *c, int64_t *esperado)
{
  const fat_contrato *contract;
  fat_price_in in;
  fat_price_out out;
  fat_err err;
  int r = -1;

  if (gen == NULL || c->item_codigo == NULL || c->item_unit == FAT_ABSENT || c->script == NULL ||
      c->item_qtd <= 0)
    return -1;
  contract = fat_gen_contrato(gen, c->script);
  if (contract == NULL)
    return -1;
  memset(&in, 0, sizeof in);
  in.registro_ans = c->registro_ans;
  in.codigo = c->item_codigo;
  in.codigo_tabela = c->item_tabela;
  in.tipo = c->item_tipo;
  in.data = c->item_data;
  in.hora = c->item_hora;
  in.acomodacao = c->acomodacao;
  in.carater = (c->carater != NULL && c->carater[0] >= '1' && c->carater[0] <= '2') ? c->carater[0] - '0' : 0;
  in.via = (c->item_via != NULL && c->item_via[0] >= '1' && c->item_via[0] <= '3') ? c->item_via[0] - '0' : 0;
  in.principal = c->item_seq == 1;
  in.grau = c->item_grau;
  in.quantidade_e4 = c->item_qtd;
  if (fat_price_item_contrato(st, contract, &in, &out, &err) == FAT_OK) {
    *esperado = out.valor_unitario;
    r = out.valor_unitario == c->item_unit;
  }
  return r;
}

static const char *const cod_senha[] = {"1403", "1404", "1405", "1406", "1414", "1437", NULL};
static const char *const cod_carteira[] = {"1001", "1003", "1004", "1005", "1006", "1007",
                                           "1009", "1011", "1012", "1013", "1014", "1015",
                                           "1016", "1017", "1018", "1019", "1020", NULL};
static const char *const cod_assinatura[] = {"1010", "1319", NULL};
static const char *const cod_valor[] = {"1704", "1705", "1714", "1716", NULL};
static const char *const cod_dup[] = {"1305", "1308", "1702", NULL};

fat_rc fat_glosa_classificar(fat_store *st, fat_gen *gen, int64_t id, fat_err *err)
{
  static const char upd[] =
      "UPDATE glosa SET grupo = ?2, classificacao = ?3, evidencia = ?4 WHERE id = ?1";
  glosa_ctx c;
  const char *grupo;
  const char *cls = "a_classificar";
  char ev[600] = "";
  char b1[32], b2[32];
  fat_stmt *s;
  fat_rc rc;
  int dup;
  int64_t esperado = 0;
  int pm;

  rc = ctx_load(st, id, &c, err);
  if (rc != FAT_OK)
    return rc;
  grupo = fat_glosa_grupo(st, c.codigo);
  rc = by_finding(st, &c, grupo, &cls, ev, sizeof ev, err);
  if (rc != FAT_OK)
    goto out;
  if (strcmp(cls, "devida") == 0)
    goto save;
  if (code_in(c.codigo, cod_senha) || strcmp(grupo, "autorizacao") == 0) {
    if (c.senha != NULL && c.validade_senha != NULL && c.data_inicio != NULL &&
        date_le(c.data_inicio, c.validade_senha) &&
        (c.data_autorizacao == NULL || date_le(c.data_autorizacao, c.data_inicio))) {
      cls = "indevida";
      snprintf(ev, sizeof ev,
               "senha %s presente e válida: autorizada em %s, válida até %s, atendimento em %s",
               c.senha, fat_dia_br_de(c.data_autorizacao).s, fat_dia_br_de(c.validade_senha).s,
               fat_dia_br_de(c.data_inicio).s);
    } else if (c.senha == NULL && code_in(c.codigo, cod_senha)) {
      cls = "devida";
      snprintf(ev, sizeof ev, "a guia foi enviada sem senha de autorização");
    } else if (c.validade_senha != NULL && c.data_inicio != NULL &&
               !date_le(c.data_inicio, c.validade_senha)) {
      cls = "devida";
      snprintf(ev, sizeof ev, "atendimento em %s depois da validade da senha (%s)",
               fat_dia_br_de(c.data_inicio).s, fat_dia_br_de(c.validade_senha).s);
    }
  } else if (code_in(c.codigo, cod_carteira) || strcmp(grupo, "cadastro") == 0) {
    if (c.carteira != NULL && c.carteira_validade != NULL && c.data_inicio != NULL &&
        date_le(c.data_inicio, c.carteira_validade)) {
      cls = "indevida";
      snprintf(ev, sizeof ev, "carteira %s informada e válida até %s (atendimento em %s)",
               c.carteira, fat_dia_br_de(c.carteira_validade).s, fat_dia_br_de(c.data_inicio).s);
    } else if (c.carteira == NULL) {
      cls = "devida";
      snprintf(ev, sizeof ev, "a guia foi enviada sem número de carteira");
    } else if (c.carteira_validade != NULL && c.data_inicio != NULL) {
      cls = "devida";
      snprintf(ev, sizeof ev, "carteira vencida em %s, atendimento em %s",
               fat_dia_br_de(c.carteira_validade).s, fat_dia_br_de(c.data_inicio).s);
    }
  } else if (code_in(c.codigo, cod_assinatura)) {
    cls = c.assinatura ? "indevida" : "devida";
    snprintf(ev, sizeof ev, "%s", c.assinatura ? "a assinatura do beneficiário está registrada na guia"
                                               : "a guia não tem a assinatura do beneficiário");
  } else if (code_in(c.codigo, cod_dup)) {
    rc = has_duplicate(st, &c, &dup, err);
    if (rc != FAT_OK)
      goto out;
    cls = dup ? "devida" : "indevida";
    snprintf(ev, sizeof ev, "%s",
             dup ? "existe outra guia do mesmo beneficiário com o mesmo procedimento na mesma data"
                 : "não há outra cobrança do mesmo beneficiário, procedimento e data");
  } else if (code_in(c.codigo, cod_valor) || strcmp(grupo, "cobranca") == 0) {
    pm = price_matches(st, gen, &c, &esperado);
    fat_money_format_br(c.item_unit, b1, sizeof b1);
    fat_money_format_br(esperado, b2, sizeof b2);
    if (pm == 1) {
      cls = "indevida";
      snprintf(ev, sizeof ev, "valor unitário cobrado %s igual ao preço do contrato (%s)", b1, b2);
    } else if (pm == 0 && c.item_unit > esperado) {
      cls = "devida";
      snprintf(ev, sizeof ev, "valor unitário cobrado %s acima do preço do contrato (%s)", b1, b2);
    } else if (pm == 0) {
      snprintf(ev, sizeof ev, "valor unitário cobrado %s difere do contrato (%s): analisar", b1,
               b2);
    }
  } else if (strcmp(c.codigo, "1509") == 0 || strcmp(c.codigo, "1501") == 0) {
    if (c.cid != NULL) {
      cls = "indevida";
      snprintf(ev, sizeof ev, "CID %s informado na guia", c.cid);
    }
  }
  if (ev[0] == '\0')
    snprintf(ev, sizeof ev,
             "nenhuma regra do conferir previa esta glosa e não há prova automática: analisar");
save:
  rc = fat_store_prepare(st, upd, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, id);
  fat_bind_text(s, 2, grupo);
  fat_bind_text(s, 3, cls);
  fat_bind_text(s, 4, ev);
  rc = fat_store_step_done(st, s, "não foi possível classificar a glosa", err);
out:
  ctx_fini(&c);
  return rc;
}

/* }====================================================== */

/*
** {======================================================
** Manual entry
** =======================================================
*/

fat_rc fat_glosa_guia_ref(fat_store *st, const char *ref, const char *operadora,
                          int64_t *guia_id, fat_err *err)
{
  static const char sql[] =
      "SELECT id FROM guia WHERE numero_prestador = ?1 AND (?2 = 0 OR operadora_id = ?2)";
  static const char sql_id[] = "SELECT id FROM guia WHERE id = ?1";
  fat_stmt *s;
  int64_t op = 0;
  fat_rc rc;
  int n = 0;
  char *end;
  long long v;

  *guia_id = 0;
  if (ref == NULL || ref[0] == '\0')
    return fat_err_set(err, FAT_EINVAL, "informe a guia");
  if (ref[0] == '#') {
    v = strtoll(ref + 1, &end, 10);
    if (*end != '\0' || v <= 0)
      return fat_err_set(err, FAT_EINVAL, "guia '%s' inválida", ref);
    rc = fat_store_prepare(st, sql_id, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, v);
    if (fat_stmt_step(s) == FAT_ROW)
      *guia_id = fat_col_int64(s, 0);
    fat_stmt_reset(s);
    if (*guia_id == 0)
      return fat_err_set(err, FAT_ENOTFOUND, "guia %s não encontrada", ref);
    return FAT_OK;
  }
  if (operadora != NULL) {
    rc = fat_operadora_resolver(st, operadora, &op, err);
    if (rc != FAT_OK)
      return rc;
  }
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_text(s, 1, ref);
  fat_bind_int(s, 2, op);
  while (fat_stmt_step(s) == FAT_ROW) {
    *guia_id = fat_col_int64(s, 0);
    n++;
  }
  fat_stmt_reset(s);
  if (n == 0)
    return fat_err_set(err, FAT_ENOTFOUND, "guia %s não encontrada%s%s", ref,
                       operadora != NULL ? " na operadora " : "",
                       operadora != NULL ? operadora : "");
  if (n > 1) {
    *guia_id = 0;
    return fat_err_set(err, FAT_EINVAL,
                       "há %d guias com o número %s: informe --operadora (ou use #ID)", n, ref);
  }
  return FAT_OK;
}

static int valid_code(const char *c)
{
  size_t i;

  if (c == NULL || strlen(c) != 4)
    return 0;
  for (i = 0; i < 4; i++)
    if (c[i] < '0' || c[i] > '9')
      return 0;
  return 1;
}

/* The code must be in table 38 when the table was imported. */
static fat_rc code_known(fat_store *st, const char *codigo, fat_err *err)
{
  static const char sql_n[] = "SELECT count(*) FROM glosa_motivo";
  static const char sql_c[] = "SELECT 1 FROM glosa_motivo WHERE codigo = ?1";
  fat_stmt *s;
  fat_err e2;
  int n = 0, found = 0;

  if (!valid_code(codigo))
    return fat_err_set(err, FAT_EINVAL,
                       "código de glosa '%s' inválido: use o código de 4 dígitos da tabela TUSS 38",
                       codigo != NULL ? codigo : "");
  if (fat_store_prepare(st, sql_n, &s, &e2) != FAT_OK)
    return FAT_OK; /* no table: any 4-digit code */
  if (fat_stmt_step(s) == FAT_ROW)
    n = fat_col_int(s, 0);
  fat_stmt_reset(s);
  if (n == 0)
    return FAT_OK;
  if (fat_store_prepare(st, sql_c, &s, &e2) != FAT_OK)
    return FAT_OK;
  fat_bind_text(s, 1, codigo);
  found = fat_stmt_step(s) == FAT_ROW;
  fat_stmt_reset(s);
  if (!found)
    return fat_err_set(err, FAT_EINVAL, "o código %s não existe na tabela TUSS 38 importada",
                       codigo);
  return FAT_OK;
}

/* recurso deadline from the operator's contract (recurso.prazo_dias). */
static int prazo_dias_contrato(fat_gen *gen, const char *script)
{
  const fat_contrato *c = gen != NULL && script != NULL ? fat_gen_contrato(gen, script) : NULL;

  return c != NULL ? c->recurso.prazo_dias : 0;
}

fat_rc fat_glosa_registrar(fat_store *st, fat_gen *gen, const fat_glosa_nova *g, int64_t *id,
                           fat_err *err)
{
  static const char sql_item[] =
      "SELECT i.id, COALESCE(i.valor_total, 0) FROM item i WHERE i.guia_id = ?1 AND i.sequencial = ?2";
  static const char sql_guia[] =
      "SELECT g.valor_total, o.script, g.lote_id FROM guia g JOIN operadora o ON o.id = g.operadora_id"
      " WHERE g.id = ?1";
  static const char sql_ja[] =
      "SELECT COALESCE(sum(valor), 0) FROM glosa WHERE guia_id = ?1"
      " AND (?2 IS NULL OR item_id = ?2) AND situacao <> 'aceita'";
  static const char ins[] =
      "INSERT INTO glosa (guia_id, item_id, codigo, valor, origem, observacao, usuario,"
      " descricao, lote_id, data_demonstrativo, prazo_recurso, competencia)"
      " VALUES (?1, ?2, ?3, ?4, 'manual', ?5, ?6, ?7, ?8, ?9, ?10,"
      " (SELECT g.competencia FROM guia g WHERE g.id = ?1))";
  fat_stmt *s;
  int64_t guia_id = 0, item_id = 0, base = 0, ja = 0, valor, lote_id = 0;
  char *script = NULL, *desc = NULL;
  char hoje[24], prazo[16] = "", det[160], obj[32], vb[32], bb[32];
  int32_t d;
  int dias;
  fat_rc rc;
  int oom = 0;

  *id = 0;
  rc = code_known(st, g->codigo, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_glosa_guia_ref(st, g->guia, g->operadora, &guia_id, err);
  if (rc != FAT_OK)
    return rc;
  rc = fat_store_prepare(st, sql_guia, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id);
  if (fat_stmt_step(s) == FAT_ROW) {
    base = fat_col_int64(s, 0);
    script = fat_col_strdup(s, 1, &oom);
    lote_id = fat_col_int64(s, 2);
  }
  fat_stmt_reset(s);
  if (oom)
    return fat_err_oom(err);
  if (g->item_seq > 0) {
    rc = fat_store_prepare(st, sql_item, &s, err);
    if (rc != FAT_OK)
      goto out;
    fat_bind_int(s, 1, guia_id);
    fat_bind_int(s, 2, g->item_seq);
    if (fat_stmt_step(s) == FAT_ROW) {
      item_id = fat_col_int64(s, 0);
      base = fat_col_int64(s, 1);
    }
    fat_stmt_reset(s);
    if (item_id == 0) {
      rc = fat_err_set(err, FAT_ENOTFOUND, "a guia %s não tem item %d", g->guia, g->item_seq);
      goto out;
    }
  }
  rc = fat_store_prepare(st, sql_ja, &s, err);
  if (rc != FAT_OK)
    goto out;
  fat_bind_int(s, 1, guia_id);
  fat_bind_int_or_null(s, 2, item_id, item_id == 0);
  if (fat_stmt_step(s) == FAT_ROW)
    ja = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  valor = g->valor == FAT_ABSENT ? base - ja : g->valor;
  fat_money_format_br(valor, vb, sizeof vb);
  fat_money_format_br(base - ja, bb, sizeof bb);
  if (valor <= 0) {
    rc = fat_err_set(err, FAT_EINVAL, "valor da glosa deve ser positivo (%s)", vb);
    goto out;
  }
  if (valor > base - ja) {
    rc = fat_err_set(err, FAT_EINVAL,
                     "glosa de %s maior que o valor ainda não glosado do %s (%s)", vb,
                     item_id != 0 ? "item" : "guia", bb);
    goto out;
  }
  fat_dia_hoje(hoje, sizeof hoje);
  dias = prazo_dias_contrato(gen, script);
  if (dias > 0 && fat_dia_parse(hoje, &d) == 0)
    fat_dia_format(d + dias, prazo, sizeof prazo);
  desc = fat_glosa_descricao(st, g->codigo);
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    goto out;
  rc = fat_store_prepare(st, ins, &s, err);
  if (rc != FAT_OK)
    goto fail;
  fat_bind_int(s, 1, guia_id);
  fat_bind_int_or_null(s, 2, item_id, item_id == 0);
  fat_bind_text(s, 3, g->codigo);
  fat_bind_int(s, 4, valor);
  fat_bind_text(s, 5, g->observacao);
  fat_bind_text(s, 6, fat_store_user(st));
  fat_bind_text(s, 7, desc);
  fat_bind_int_or_null(s, 8, lote_id, lote_id == 0);
  fat_bind_text(s, 9, hoje);
  fat_bind_text(s, 10, prazo[0] != '\0' ? prazo : NULL);
  rc = fat_store_step_done(st, s, "não foi possível registrar a glosa", err);
  if (rc != FAT_OK)
    goto fail;
  *id = fat_store_last_id(st);
  rc = fat_glosa_classificar(st, gen, *id, err);
  if (rc != FAT_OK)
    goto fail;
  snprintf(obj, sizeof obj, "glosa:%lld", (long long)*id);
  snprintf(det, sizeof det, "guia %s item %d código %s valor %s", g->guia, g->item_seq,
           g->codigo, vb);
  rc = fat_store_audit(st, "glosa.registrar", obj, det, err);
  if (rc != FAT_OK)
    goto fail;
  rc = fat_store_commit(st, err);
  if (rc != FAT_OK)
    *id = 0;
  goto out;
fail:
  fat_store_rollback(st);
  *id = 0;
out:
  fat_free(script);
  fat_free(desc);
  return rc;
}

/* }====================================================== */

/*
** {======================================================
** Lists and summaries
** =======================================================
*/

#define GLOSA_FROM \
  " FROM glosa gl JOIN guia g ON g.id = gl.guia_id JOIN operadora o ON o.id = g.operadora_id" \
  " LEFT JOIN item i ON i.id = gl.item_id" \
  " LEFT JOIN profissional p ON p.id = COALESCE(i.profissional_id, g.executante_id)"
#define GLOSA_WHERE \
  " WHERE (?1 = 0 OR g.operadora_id = ?1)" \
  " AND (?2 IS NULL OR g.competencia = ?2) AND (?3 IS NULL OR gl.situacao = ?3)" \
  " AND (?4 IS NULL OR gl.classificacao = ?4) AND (?5 IS NULL OR gl.grupo = ?5)" \
  " AND (?6 = 0 OR gl.retorno_id = ?6) AND (?7 = 0 OR gl.guia_id = ?7)"

/* Bind the filter; the operadora the user named is resolved (an unknown one
** is refused, not an empty answer). */
static fat_rc bind_filtro(fat_store *st, fat_stmt *s, const fat_glosa_filtro *f, fat_err *err)
{
  fat_glosa_filtro none;
  int64_t op = 0;
  fat_rc rc = FAT_OK;

  if (f == NULL) {
    memset(&none, 0, sizeof none);
    f = &none;
  }
  if (f->operadora != NULL)
    rc = fat_operadora_resolver(st, f->operadora, &op, err);
  fat_bind_int(s, 1, op);
  fat_bind_text(s, 2, f->competencia);
  fat_bind_text(s, 3, f->situacao);
  fat_bind_text(s, 4, f->classificacao);
  fat_bind_text(s, 5, f->grupo);
  fat_bind_int(s, 6, f->retorno_id);
  fat_bind_int(s, 7, f->guia_id);
  return rc;
}

static void add_str(cJSON *o, const char *k, fat_stmt *s, int col)
{
  if (fat_col_is_null(s, col))
    cJSON_AddNullToObject(o, k);
  else
    cJSON_AddStringToObject(o, k, fat_col_text(s, col));
}

static void add_int(cJSON *o, const char *k, fat_stmt *s, int col)
{
  if (fat_col_is_null(s, col))
    cJSON_AddNullToObject(o, k);
  else
    cJSON_AddNumberToObject(o, k, (double)fat_col_int64(s, col));
}

fat_rc fat_glosa_listar(fat_store *st, const fat_glosa_filtro *f, cJSON **out, fat_err *err)
{
  static const char sql[] =
      "SELECT gl.id, g.id, g.numero_prestador, g.numero_operadora, o.registro_ans, o.nome,"
      " i.sequencial, i.codigo, gl.codigo, gl.descricao, gl.grupo, gl.valor, gl.classificacao,"
      " gl.evidencia, gl.situacao, gl.prevista, gl.prevista_por, gl.prazo_recurso, gl.origem,"
      " g.competencia, gl.observacao, gl.valor_recuperado, p.nome, gl.retorno_id"
      GLOSA_FROM GLOSA_WHERE " ORDER BY gl.id";
  fat_stmt *s;
  cJSON *arr, *o;
  fat_rc rc;
  int step;

  *out = NULL;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK)
    rc = bind_filtro(st, s, f, err);
  if (rc != FAT_OK)
    return rc;
  arr = cJSON_CreateArray();
  if (arr == NULL) {
    fat_stmt_reset(s);
    return fat_err_oom(err);
  }
  for (step = fat_stmt_step(s); step == FAT_ROW; step = fat_stmt_step(s)) {
    o = cJSON_CreateObject();
    if (o == NULL)
      break;
    add_int(o, "id", s, 0);
    add_int(o, "guia_id", s, 1);
    add_str(o, "guia", s, 2);
    add_str(o, "guia_operadora", s, 3);
    add_str(o, "registro_ans", s, 4);
    add_str(o, "operadora", s, 5);
    add_int(o, "item", s, 6);
    add_str(o, "procedimento", s, 7);
    add_str(o, "codigo", s, 8);
    add_str(o, "descricao", s, 9);
    add_str(o, "grupo", s, 10);
    add_int(o, "valor", s, 11);
    add_str(o, "classificacao", s, 12);
    add_str(o, "evidencia", s, 13);
    add_str(o, "situacao", s, 14);
    if (fat_col_is_null(s, 15))
      cJSON_AddNullToObject(o, "prevista");
    else
      cJSON_AddBoolToObject(o, "prevista", fat_col_int(s, 15));
    add_str(o, "prevista_por", s, 16);
    add_str(o, "prazo_recurso", s, 17);
    add_str(o, "origem", s, 18);
    add_str(o, "competencia", s, 19);
    add_str(o, "observacao", s, 20);
    add_int(o, "valor_recuperado", s, 21);
    add_str(o, "profissional", s, 22);
    add_int(o, "retorno_id", s, 23);
    cJSON_AddItemToArray(arr, o);
  }
  fat_stmt_reset(s);
  if (step != FAT_DONE) {
    cJSON_Delete(arr);
    return step == FAT_ROW ? fat_err_oom(err)
                              : fat_store_dberr(st, err, "não foi possível listar as glosas");
  }
  *out = arr;
  return FAT_OK;
}

/* Rows of (chave, rotulo, n, valor) into an array. */
static fat_rc resumo_q(fat_store *st, const char *sql, const fat_glosa_filtro *f, int contadores,
                       cJSON *o, const char *name, int grupo_label, fat_err *err)
{
  fat_stmt *s;
  cJSON *arr, *r;
  int64_t op = 0;
  fat_rc rc;

  rc = fat_store_prepare(st, sql, &s, err);
  if (rc == FAT_OK && !contadores)
    rc = bind_filtro(st, s, f, err);
  else if (rc == FAT_OK) {
    /* the counters' queries take the operadora and the competência only */
    if (f != NULL && f->operadora != NULL)
      rc = fat_operadora_resolver(st, f->operadora, &op, err);
    fat_bind_int(s, 1, op);
    if (f != NULL && f->competencia != NULL && f->competencia[0] != '\0')
      fat_bind_text(s, 2, f->competencia);
  }
  if (rc != FAT_OK)
    return rc;
  arr = cJSON_AddArrayToObject(o, name);
  while (arr != NULL && fat_stmt_step(s) == FAT_ROW) {
    r = cJSON_CreateObject();
    if (r == NULL)
      break;
    add_str(r, "chave", s, 0);
    if (grupo_label)
      cJSON_AddStringToObject(r, "rotulo",
                              fat_glosa_grupo_rotulo(fat_col_text(s, 0)));
    else
      add_str(r, "rotulo", s, 1);
    add_int(r, "quantidade", s, 2);
    add_int(r, "valor", s, 3);
    cJSON_AddItemToArray(arr, r);
  }
  fat_stmt_reset(s);
  return arr == NULL ? fat_err_oom(err) : FAT_OK;
}

/* The summary of one competência reads that month's glosas only
** (glosa_competencia, migration 085), not every glosa of the history. */
#define GLOSA_FROM_MES                                                                      \
  " FROM glosa gl INDEXED BY glosa_competencia JOIN guia g ON g.id = gl.guia_id"            \
  " JOIN operadora o ON o.id = g.operadora_id"                                              \
  " LEFT JOIN item i ON i.id = gl.item_id"                                                  \
  " LEFT JOIN profissional p ON p.id = COALESCE(i.profissional_id, g.executante_id)"
/* the same query over every glosa and over one month's */
#define RESUMO_Q(SEL, TAIL)                                                                 \
  { SEL GLOSA_FROM GLOSA_WHERE TAIL, SEL GLOSA_FROM_MES GLOSA_WHERE " AND gl.competencia = ?2" TAIL }

/* The resumo from the counters of migration 103 (glosa_resumo): what a
** filter by operadora and competência (the panel's) reads. ?1 operadora id
** (0: all), ?2 the competência; the [0] queries sum every month. Rows whose
** count fell to 0 stay in the table and are skipped. Ties are ordered by key,
** as in the queries over the glosas. */
#define RESUMO_C_WHERE(DIM) " WHERE r.dim = " DIM " AND r.n > 0 AND (?1 = 0 OR r.operadora_id = ?1)"
#define RESUMO_C(SEL, FROM, DIM, TAIL)                                                      \
  { SEL " FROM glosa_resumo r" FROM RESUMO_C_WHERE(DIM) TAIL,                               \
    SEL " FROM glosa_resumo r" FROM RESUMO_C_WHERE(DIM) " AND r.competencia = ?2" TAIL }

static const char *const q_resumo_c[7][2] = {
    RESUMO_C("SELECT 'total', 'total', coalesce(sum(r.n), 0), coalesce(sum(r.valor), 0)", "",
             "1", ""),
    RESUMO_C("SELECT r.chave, NULL, sum(r.n), sum(r.valor)", "", "1",
             " GROUP BY 1 ORDER BY 4 DESC, 1"),
    RESUMO_C("SELECT o.registro_ans, o.nome, sum(r.n), sum(r.valor)",
             " JOIN operadora o ON o.id = r.operadora_id", "1",
             " GROUP BY o.id ORDER BY 4 DESC, 1"),
    RESUMO_C("SELECT r.chave, max(CASE WHEN r.sub <> '' THEN substr(r.sub, 2) END), sum(r.n),"
             " sum(r.valor)",
             "", "2", " GROUP BY 1 ORDER BY 4 DESC, 1"),
    RESUMO_C("SELECT coalesce(p.conselho || ' ' || p.numero_conselho || '/' || p.uf,"
             " '(sem profissional)'), max(p.nome), sum(r.n), sum(r.valor)",
             " LEFT JOIN profissional p ON r.chave <> '' AND p.id = CAST(r.chave AS INTEGER)",
             "3", " GROUP BY 1 ORDER BY 4 DESC, 1"),
    RESUMO_C("SELECT r.chave, NULL, sum(r.n), sum(r.valor)", "", "4",
             " GROUP BY 1 ORDER BY 4 DESC, 1"),
    RESUMO_C("SELECT r.chave, NULL, sum(r.n), sum(r.valor)", "", "5", " GROUP BY 1 ORDER BY 1"),
};

/* The same seven over the glosas themselves, for the other filters. */
static const char *const q_resumo_g[7][2] = {
    RESUMO_Q("SELECT 'total', 'total', count(*), COALESCE(sum(gl.valor), 0)", ""),
    RESUMO_Q("SELECT COALESCE(gl.grupo, 'outros'), NULL, count(*), sum(gl.valor)",
             " GROUP BY 1 ORDER BY 4 DESC, 1"),
    RESUMO_Q("SELECT o.registro_ans, o.nome, count(*), sum(gl.valor)",
             " GROUP BY o.id ORDER BY 4 DESC, 1"),
    RESUMO_Q("SELECT COALESCE(i.codigo, '(guia inteira)'), max(i.descricao), count(*), sum(gl.valor)",
             " GROUP BY 1 ORDER BY 4 DESC, 1"),
    RESUMO_Q("SELECT COALESCE(p.conselho || ' ' || p.numero_conselho || '/' || p.uf,"
             " '(sem profissional)'), max(p.nome), count(*), sum(gl.valor)",
             " GROUP BY 1 ORDER BY 4 DESC, 1"),
    RESUMO_Q("SELECT gl.classificacao, NULL, count(*), sum(gl.valor)",
             " GROUP BY 1 ORDER BY 4 DESC, 1"),
    RESUMO_Q("SELECT CASE gl.prevista WHEN 1 THEN 'sim' WHEN 0 THEN 'nao' ELSE 'nao_analisada' END,"
             " NULL, count(*), sum(gl.valor)",
             " GROUP BY 1 ORDER BY 1"),
};

fat_rc fat_glosa_resumo(fat_store *st, const fat_glosa_filtro *f, cJSON **out, fat_err *err)
{
  static const char *const names[7] = {"total",           "por_grupo",        "por_operadora",
                                       "por_procedimento", "por_profissional", "por_classificacao",
                                       "por_previsao"};
  int m = f != NULL && f->competencia != NULL && f->competencia[0] != '\0';
  /* the counters hold what a filter by operadora and competência selects */
  int contadores = f == NULL || (f->situacao == NULL && f->classificacao == NULL &&
                                 f->grupo == NULL && f->retorno_id == 0 && f->guia_id == 0 &&
                                 !f->sem_contadores);
  const char *const(*q)[2] = contadores ? q_resumo_c : q_resumo_g;
  cJSON *o;
  fat_rc rc = FAT_OK;
  int k;

  *out = NULL;
  o = cJSON_CreateObject();
  if (o == NULL)
    return fat_err_oom(err);
  for (k = 0; k < 7 && rc == FAT_OK; k++)
    rc = resumo_q(st, q[k][m], f, contadores, o, names[k], k == 1, err);
  if (rc != FAT_OK) {
    cJSON_Delete(o);
    return rc;
  }
  *out = o;
  return FAT_OK;
}

/* }====================================================== */
