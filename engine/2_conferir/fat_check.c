/* fat_check.c: built-in pre-billing checks (see fat_check.h, docs/conferir.md). */
#include "fat_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_docnum.h"
#include "fat_mem.h"
#include "fat_money.h"

/* Rule names recorded with each finding. */
#define R_COMPLETUDE "builtin:completude"
#define R_FORMATO "builtin:formato"
#define R_COERENCIA "builtin:coerencia"
#define R_SEXO "builtin:sexo"
#define R_PRAZO "builtin:prazo"
#define R_DUPLICIDADE "builtin:duplicidade"

/* One check run over a guia: where findings go and what a guia-wide
** problem puts at risk. */
typedef struct chk {
  const fat_guia *g;
  const fat_check_opts *o;
  fat_findings *out;
  fat_err *err;
  int64_t valor_guia;
} chk;

static int blank(const char *s)
{
  return s == NULL || s[0] == '\0';
}

/* Append one finding with a formatted pt-BR message. */
static fat_rc add(chk *c, const char *codigo, fat_severidade sev, const char *campo,
                  const char *glosa, int64_t risco, int seq, const char *regra, const char *fmt,
                  ...) FAT_PRINTF(9, 10);

static fat_rc add(chk *c, const char *codigo, fat_severidade sev, const char *campo,
                  const char *glosa, int64_t risco, int seq, const char *regra, const char *fmt,
                  ...)
{
  char msg[640];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return fat_findings_add(c->out, codigo, sev, campo, msg, glosa, risco, seq, regra, NULL, 0,
                          c->err);
}

int64_t fat_check_valor_guia(const fat_guia *g)
{
  int64_t sum = 0;
  size_t i;

  if (g->valor_total > 0)
    return g->valor_total;
  for (i = 0; i < g->n_itens; i++)
    if (g->itens[i].valor_total != FAT_ABSENT && g->itens[i].valor_total > 0)
      sum += g->itens[i].valor_total;
  return sum;
}

static int64_t item_valor(const fat_item *it)
{
  return it->valor_total != FAT_ABSENT && it->valor_total > 0 ? it->valor_total : 0;
}

/* ------------------------------------------------------------------------
** Completeness
*/

/* Missing parts of a professional, as a pt-BR list ("número do conselho, CBO"). */
static void prof_missing(const fat_profissional *p, char *buf, size_t len)
{
  const char *names[5];
  int n = 0, i;
  size_t used = 0;

  if (blank(p->nome))
    names[n++] = "nome";
  if (blank(p->conselho))
    names[n++] = "conselho";
  if (blank(p->numero_conselho))
    names[n++] = "número do conselho";
  if (blank(p->uf))
    names[n++] = "UF do conselho";
  if (blank(p->cbo))
    names[n++] = "CBO";
  buf[0] = '\0';
  for (i = 0; i < n && used < len; i++) {
    int w = snprintf(buf + used, len - used, "%s%s", i > 0 ? ", " : "", names[i]);

    if (w < 0)
      break;
    used += (size_t)w;
  }
}

/* Completeness and formats of one professional at path `campo`. */
static fat_rc check_prof(chk *c, const fat_profissional *p, const char *campo, const char *papel,
                         int seq, int64_t risco)
{
  char missing[128], path[96];
  fat_rc rc;

  prof_missing(p, missing, sizeof missing);
  if (missing[0] != '\0') {
    rc = add(c, "PROFISSIONAL_INCOMPLETO", FAT_BLOQUEIO, campo, blank(p->cbo) ? "1213" : "1311",
             risco, seq, R_COMPLETUDE,
             "%s %s sem %s: complete o cadastro do profissional (conselho, número, UF e CBO) "
             "e gere a guia de novo",
             papel, blank(p->nome) ? "(sem nome)" : p->nome, missing);
    if (rc != FAT_OK)
      return rc;
  }
  if ((!blank(p->conselho) && !fat_doc_conselho_valid(p->conselho)) ||
      (!blank(p->numero_conselho) && !fat_doc_numero_conselho_valid(p->numero_conselho)) ||
      (!blank(p->uf) && !fat_doc_uf_valid(p->uf))) {
    snprintf(path, sizeof path, "%s.numero_conselho", campo);
    rc = add(c, "CONSELHO_INVALIDO", FAT_BLOQUEIO, path, "1311", risco, seq, R_FORMATO,
             "%s: conselho '%s', número '%s', UF '%s' fora do padrão TISS (sigla do conselho, "
             "número só com dígitos, UF válida); corrija o cadastro do profissional",
             papel, blank(p->conselho) ? "" : p->conselho,
             blank(p->numero_conselho) ? "" : p->numero_conselho, blank(p->uf) ? "" : p->uf);
    if (rc != FAT_OK)
      return rc;
  }
  if (!blank(p->cbo) && !fat_doc_cbo_valid(p->cbo)) {
    snprintf(path, sizeof path, "%s.cbo", campo);
    rc = add(c, "CBO_INVALIDO", FAT_BLOQUEIO, path, "1213", risco, seq, R_FORMATO,
             "%s: CBO '%s' inválido (são 6 dígitos, ex.: 225125); corrija a especialidade "
             "do profissional",
             papel, p->cbo);
    if (rc != FAT_OK)
      return rc;
  }
  if (!blank(p->cpf) && !fat_doc_cpf_valid(p->cpf)) {
    snprintf(path, sizeof path, "%s.cpf", campo);
    rc = add(c, "CPF_INVALIDO", FAT_BLOQUEIO, path, "1206", risco, seq, R_FORMATO,
             "%s: CPF %s com dígito verificador errado; confira o documento do profissional",
             papel, p->cpf);
    if (rc != FAT_OK)
      return rc;
  }
  return FAT_OK;
}

static fat_rc check_completude(chk *c)
{
  const fat_guia *g = c->g;
  const int64_t v = c->valor_guia;
  fat_rc rc;
  size_t i;
  int has_item_prof = 0;

  if (blank(g->beneficiario_nome) && blank(g->beneficiario.nome)) {
    rc = add(c, "BENEFICIARIO_NOME_AUSENTE", FAT_BLOQUEIO, "beneficiario_nome", "1320", v, 0,
             R_COMPLETUDE,
             "guia sem o nome do beneficiário: preencha o nome como está na carteira");
    if (rc != FAT_OK)
      return rc;
  }
  if (blank(g->carteira_numero)) {
    rc = add(c, "CARTEIRA_AUSENTE", FAT_BLOQUEIO, "carteira_numero", "1001", v, 0, R_COMPLETUDE,
             "guia sem o número da carteira do beneficiário: copie o número da carteirinha "
             "(ou da elegibilidade) para a guia");
    if (rc != FAT_OK)
      return rc;
  }
  if (blank(g->data_inicio)) {
    rc = add(c, "DATA_ATENDIMENTO_AUSENTE", FAT_BLOQUEIO, "data_inicio", "1317", v, 0,
             R_COMPLETUDE,
             "guia sem a data do atendimento: informe o dia em que o paciente foi atendido");
    if (rc != FAT_OK)
      return rc;
  }
  if (g->n_itens == 0) {
    rc = add(c, "PROCEDIMENTO_AUSENTE", FAT_BLOQUEIO, "itens", "1801", v, 0, R_COMPLETUDE,
             "guia sem nenhum procedimento: inclua o(s) código(s) TUSS do que foi realizado");
    if (rc != FAT_OK)
      return rc;
  }
  if (g->tipo == FAT_GUIA_INTERNACAO && blank(g->senha)) {
    rc = add(c, "SENHA_AUSENTE", FAT_BLOQUEIO, "senha", "1403", v, 0, R_COMPLETUDE,
             "resumo de internação sem a senha de autorização: informe a senha liberada pela "
             "operadora para a internação");
    if (rc != FAT_OK)
      return rc;
  }
  for (i = 0; i < g->n_itens; i++)
    if (g->itens[i].profissional != NULL)
      has_item_prof = 1;
  if (g->executante != NULL) {
    rc = check_prof(c, g->executante, "executante", "profissional executante", 0, v);
    if (rc != FAT_OK)
      return rc;
  } else if (g->tipo != FAT_GUIA_INTERNACAO && !has_item_prof) {
    rc = add(c, "PROFISSIONAL_INCOMPLETO", FAT_BLOQUEIO, "executante", "1311", v, 0,
             R_COMPLETUDE,
             "guia sem o profissional executante: informe quem realizou o atendimento "
             "(conselho, número, UF e CBO)");
    if (rc != FAT_OK)
      return rc;
  }
  if (g->solicitante != NULL && g->solicitante != g->executante) {
    rc = check_prof(c, g->solicitante, "solicitante", "profissional solicitante", 0, v);
    if (rc != FAT_OK)
      return rc;
  }
  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];
    char path[64];

    if (it->profissional == NULL || it->profissional == g->executante)
      continue;
    snprintf(path, sizeof path, "itens[%zu].profissional", i);
    rc = check_prof(c, it->profissional, path, "profissional do item", it->sequencial,
                    item_valor(it));
    if (rc != FAT_OK)
      return rc;
  }
  return FAT_OK;
}

/* ------------------------------------------------------------------------
** Formats and check digits
*/

/* A date (time) given and not valid: the finding of check_date_field
** (check_time_field). */
static int date_bad(const char *value) { return !blank(value) && !fat_dia_valida(value); }

static int time_bad(const char *value) { return !blank(value) && fat_dia_hora_minutos(value) < 0; }

static fat_rc check_date_field(chk *c, const char *value, const char *campo, const char *nome,
                               int seq, int64_t risco)
{
  if (!date_bad(value))
    return FAT_OK;
  return add(c, "DATA_INVALIDA", FAT_BLOQUEIO, campo, "1323", risco, seq, R_FORMATO,
             "%s '%s' não é uma data válida (use AAAA-MM-DD)", nome, value);
}

static fat_rc check_time_field(chk *c, const char *value, const char *campo, const char *nome,
                               int seq)
{
  if (!time_bad(value))
    return FAT_OK;
  return add(c, "HORA_INVALIDA", FAT_ALERTA, campo, "1323", 0, seq, R_FORMATO,
             "%s '%s' não é um horário válido (use HH:MM)", nome, value);
}

/* Which terminology tables fit an item type (TISS: procedimentos 22,
** diárias/taxas/gases 18, materiais/OPME 19, medicamentos 20; 00/98 own). */
static int tabela_fits_tipo(const char *tipo, const char *tabela)
{
  if (tipo == NULL || tabela == NULL)
    return 1;
  if (strcmp(tabela, "00") == 0 || strcmp(tabela, "98") == 0 || strcmp(tabela, "90") == 0)
    return 1;
  if (strcmp(tipo, "procedimento") == 0)
    return strcmp(tabela, "22") == 0;
  if (strcmp(tipo, "material") == 0 || strcmp(tipo, "opme") == 0)
    return strcmp(tabela, "19") == 0;
  if (strcmp(tipo, "medicamento") == 0)
    return strcmp(tabela, "20") == 0;
  if (strcmp(tipo, "taxa") == 0 || strcmp(tipo, "diaria") == 0 || strcmp(tipo, "gas") == 0)
    return strcmp(tabela, "18") == 0;
  return 1;
}

/* Glosa code for "quantity must be greater than zero" by item type. */
static const char *glosa_quantidade(const char *tipo)
{
  if (tipo == NULL || strcmp(tipo, "procedimento") == 0)
    return "1806";
  if (strcmp(tipo, "material") == 0)
    return "2005";
  if (strcmp(tipo, "opme") == 0)
    return "2204";
  if (strcmp(tipo, "medicamento") == 0)
    return "2105";
  if (strcmp(tipo, "diaria") == 0)
    return "1905";
  if (strcmp(tipo, "gas") == 0)
    return "2303";
  return "2421";
}

static fat_rc check_cids(chk *c)
{
  const fat_guia *g = c->g;
  const char *p;
  fat_rc rc;

  if (!blank(g->cid) && !fat_doc_cid_valid(g->cid)) {
    rc = add(c, "CID_INVALIDO", FAT_BLOQUEIO, "cid", "1509", c->valor_guia, 0, R_FORMATO,
             "CID '%s' fora do padrão CID-10 (letra + 2 ou 3 dígitos, ex.: J06.9); corrija o "
             "diagnóstico",
             g->cid);
    if (rc != FAT_OK)
      return rc;
  }
  if (blank(g->cid_secundarios))
    return FAT_OK;
  for (p = g->cid_secundarios; *p != '\0';) {
    char one[16];
    size_t n = strcspn(p, ",;");

    while (n > 0 && *p == ' ') {
      p++;
      n--;
    }
    if (n > 0 && n < sizeof one) {
      memcpy(one, p, n);
      one[n] = '\0';
      while (n > 0 && one[n - 1] == ' ')
        one[--n] = '\0';
    }
    if (n > 0 && (n >= sizeof one || !fat_doc_cid_valid(one))) {
      return add(c, "CID_INVALIDO", FAT_ALERTA, "cid_secundarios", "1509", 0, 0, R_FORMATO,
                 "CIDs secundários '%s' com um código fora do padrão CID-10; corrija ou remova",
                 g->cid_secundarios);
    }
    p += strcspn(p, ",;");
    if (*p != '\0')
      p++;
  }
  return FAT_OK;
}

static fat_rc check_formatos(chk *c)
{
  const fat_guia *g = c->g;
  const int64_t v = c->valor_guia;
  const struct {
    const char *valor, *campo, *nome;
    int com_risco;
  } datas[] = {
    {g->data_inicio, "data_inicio", "data do atendimento", 1},
    {g->data_fim, "data_fim", "data final", 1},
    {g->data_autorizacao, "data_autorizacao", "data da autorização", 1},
    {g->validade_senha, "validade_senha", "validade da senha", 1},
    {g->carteira_validade, "carteira_validade", "validade da carteira", 1},
    {g->data_solicitacao, "data_solicitacao", "data da solicitação", 1},
    {g->beneficiario.nascimento, "beneficiario.nascimento", "data de nascimento", 0},
  };
  fat_rc rc;
  size_t i, k;

  if (!blank(g->beneficiario.cpf) && !fat_doc_cpf_valid(g->beneficiario.cpf)) {
    rc = add(c, "CPF_INVALIDO", FAT_BLOQUEIO, "beneficiario.cpf", "1011", v, 0, R_FORMATO,
             "CPF do beneficiário %s com dígito verificador errado: confira o documento do "
             "paciente e corrija o cadastro",
             g->beneficiario.cpf);
    if (rc != FAT_OK)
      return rc;
  }
  if (!blank(g->cns) && !fat_doc_cns_valid(g->cns)) {
    rc = add(c, "CNS_INVALIDO", FAT_BLOQUEIO, "cns", "1002", v, 0, R_FORMATO,
             "cartão nacional de saúde %s inválido (dígito verificador não confere): confira "
             "o CNS do paciente ou deixe o campo vazio",
             g->cns);
    if (rc != FAT_OK)
      return rc;
  } else if (blank(g->cns) && !blank(g->beneficiario.cns) && !fat_doc_cns_valid(g->beneficiario.cns)) {
    rc = add(c, "CNS_INVALIDO", FAT_BLOQUEIO, "beneficiario.cns", "1002", v, 0, R_FORMATO,
             "cartão nacional de saúde %s do cadastro do beneficiário é inválido: corrija o "
             "cadastro",
             g->beneficiario.cns);
    if (rc != FAT_OK)
      return rc;
  }
  if (!blank(g->prestador.cnpj) && !fat_doc_cnpj_valid(g->prestador.cnpj)) {
    rc = add(c, "CNPJ_INVALIDO", FAT_BLOQUEIO, "prestador.cnpj", "1206", v, 0, R_FORMATO,
             "CNPJ do prestador %s com dígito verificador errado: corrija o cadastro da clínica",
             g->prestador.cnpj);
    if (rc != FAT_OK)
      return rc;
  }
  if (blank(g->prestador.cnpj) && !blank(g->prestador.cpf) && !fat_doc_cpf_valid(g->prestador.cpf)) {
    rc = add(c, "CPF_INVALIDO", FAT_BLOQUEIO, "prestador.cpf", "1206", v, 0, R_FORMATO,
             "CPF do prestador %s com dígito verificador errado: corrija o cadastro",
             g->prestador.cpf);
    if (rc != FAT_OK)
      return rc;
  }
  rc = check_cids(c);
  for (k = 0; k < sizeof datas / sizeof datas[0] && rc == FAT_OK; k++)
    rc = check_date_field(c, datas[k].valor, datas[k].campo, datas[k].nome, 0,
                          datas[k].com_risco ? v : 0);
  if (rc == FAT_OK)
    rc = check_time_field(c, g->hora_inicio, "hora_inicio", "hora inicial", 0);
  if (rc == FAT_OK)
    rc = check_time_field(c, g->hora_fim, "hora_fim", "hora final", 0);
  if (rc != FAT_OK)
    return rc;

  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];
    char path[64];
    int64_t risco = item_valor(it);

    if (!fat_doc_tuss_code_valid(it->codigo_tabela, it->codigo)) {
      int proc = it->codigo_tabela != NULL && strcmp(it->codigo_tabela, "22") == 0;

      snprintf(path, sizeof path, "itens[%zu].codigo", i);
      rc = add(c, "CODIGO_TUSS_INVALIDO", FAT_BLOQUEIO, path, proc ? "1801" : "1318", risco,
               it->sequencial, R_FORMATO,
               "item %d: código '%s' inválido para a tabela '%s' (tabelas 18, 19, 20 e 22 usam "
               "8 dígitos; 00 e 98 até 10 caracteres); corrija o código TUSS",
               it->sequencial, blank(it->codigo) ? "" : it->codigo,
               blank(it->codigo_tabela) ? "" : it->codigo_tabela);
      if (rc != FAT_OK)
        return rc;
    } else if (!tabela_fits_tipo(it->tipo, it->codigo_tabela)) {
      snprintf(path, sizeof path, "itens[%zu].codigo_tabela", i);
      rc = add(c, "TABELA_INCOMPATIVEL", FAT_ALERTA, path, "1318", 0, it->sequencial, R_FORMATO,
               "item %d: %s cobrado na tabela %s (procedimentos: 22; materiais e OPME: 19; "
               "medicamentos: 20; diárias, taxas e gases: 18); confira a tabela do item",
               it->sequencial, it->tipo, it->codigo_tabela);
      if (rc != FAT_OK)
        return rc;
    }
    if (it->quantidade_e4 <= 0) {
      snprintf(path, sizeof path, "itens[%zu].quantidade", i);
      rc = add(c, "QUANTIDADE_INVALIDA", FAT_BLOQUEIO, path, glosa_quantidade(it->tipo), risco,
               it->sequencial, R_FORMATO,
               "item %d (%s): quantidade deve ser maior que zero; informe a quantidade "
               "realizada",
               it->sequencial, blank(it->codigo) ? "?" : it->codigo);
      if (rc != FAT_OK)
        return rc;
    }
    /* the field's path is written only for a finding (three snprintf per
    ** item were ~3% of conferir's instructions, rodada 8) */
    if (date_bad(it->data)) {
      snprintf(path, sizeof path, "itens[%zu].data", i);
      rc = check_date_field(c, it->data, path, "data do item", it->sequencial, risco);
      if (rc != FAT_OK)
        return rc;
    }
    if (time_bad(it->hora_inicio)) {
      snprintf(path, sizeof path, "itens[%zu].hora_inicio", i);
      rc = check_time_field(c, it->hora_inicio, path, "hora inicial do item", it->sequencial);
      if (rc != FAT_OK)
        return rc;
    }
    if (time_bad(it->hora_fim)) {
      snprintf(path, sizeof path, "itens[%zu].hora_fim", i);
      rc = check_time_field(c, it->hora_fim, path, "hora final do item", it->sequencial);
      if (rc != FAT_OK)
        return rc;
    }
  }
  return FAT_OK;
}

/* ------------------------------------------------------------------------
** Coherence
*/

/* days of a date field, or INT32_MIN when absent/invalid */
static int32_t days_of(const char *s)
{
  int32_t d;

  return fat_dia_parse(s, &d) == 0 ? d : INT32_MIN;
}

/* The guia type allows this item type? (TISS: a consulta bills exactly one
** procedure; honorários only professional fees, i.e. procedures.) */
static int tipo_item_permitido(fat_guia_tipo t, const char *tipo_item)
{
  if (t == FAT_GUIA_CONSULTA || t == FAT_GUIA_HONORARIOS)
    return tipo_item == NULL || strcmp(tipo_item, "procedimento") == 0;
  return 1;
}

/* valor_unitario x quantidade x fator, rounded once; -1 when it would overflow. */
static int64_t item_expected_total(const fat_item *it)
{
  int64_t fator = it->fator_e2 > 0 ? it->fator_e2 : 100;

  if (it->valor_unitario < 0 || it->quantidade_e4 <= 0)
    return -1;
  if (it->valor_unitario > INT64_MAX / it->quantidade_e4 ||
      it->valor_unitario * it->quantidade_e4 > INT64_MAX / fator)
    return -1;
  return fat_money_div_round(it->valor_unitario * it->quantidade_e4 * fator, 1000000);
}

static fat_rc check_coerencia(chk *c)
{
  const fat_guia *g = c->g;
  const int64_t v = c->valor_guia;
  int32_t ini = days_of(g->data_inicio), fim = days_of(g->data_fim);
  int32_t aut = days_of(g->data_autorizacao), val = days_of(g->validade_senha);
  int32_t cart = days_of(g->carteira_validade);
  int64_t sum = 0;
  int all_valued = 1, n_proc = 0;
  fat_rc rc;
  size_t i;

  if (ini != INT32_MIN && val != INT32_MIN && ini > val) {
    rc = add(c, "SENHA_VENCIDA", FAT_BLOQUEIO, "validade_senha", "1405", v, 0, R_COERENCIA,
             "atendimento em %s depois da validade da senha (%s): peça à operadora a "
             "prorrogação ou uma nova senha antes de enviar",
             fat_dia_br_de(g->data_inicio).s, fat_dia_br_de(g->validade_senha).s);
    if (rc != FAT_OK)
      return rc;
  }
  if (ini != INT32_MIN && aut != INT32_MIN && ini < aut) {
    rc = add(c, "DATA_ANTES_AUTORIZACAO", FAT_BLOQUEIO, "data_autorizacao", "1814", v, 0,
             R_COERENCIA,
             "atendimento em %s antes da autorização (%s): confira as datas; se o atendimento "
             "foi mesmo antes, peça autorização retroativa à operadora",
             fat_dia_br_de(g->data_inicio).s, fat_dia_br_de(g->data_autorizacao).s);
    if (rc != FAT_OK)
      return rc;
  }
  if (ini != INT32_MIN && cart != INT32_MIN && cart < ini) {
    rc = add(c, "CARTEIRA_VENCIDA", FAT_BLOQUEIO, "carteira_validade", "1017", v, 0,
             R_COERENCIA,
             "carteira válida até %s, mas o atendimento foi em %s: confira a carteira nova do "
             "beneficiário e a elegibilidade na data",
             fat_dia_br_de(g->carteira_validade).s, fat_dia_br_de(g->data_inicio).s);
    if (rc != FAT_OK)
      return rc;
  }
  if (ini != INT32_MIN && fim != INT32_MIN && fim < ini) {
    rc = add(c, "DATA_FIM_ANTES_INICIO", FAT_BLOQUEIO, "data_fim", "1608", v, 0, R_COERENCIA,
             "data final %s anterior à data inicial %s: corrija o período do atendimento",
             fat_dia_br_de(g->data_fim).s, fat_dia_br_de(g->data_inicio).s);
    if (rc != FAT_OK)
      return rc;
  }
  if (ini != INT32_MIN && c->o != NULL && ini > c->o->hoje) {
    rc = add(c, "DATA_FUTURA", FAT_BLOQUEIO, "data_inicio", "1323", v, 0, R_COERENCIA,
             "data do atendimento %s está no futuro: corrija a data",
             fat_dia_br_de(g->data_inicio).s);
    if (rc != FAT_OK)
      return rc;
  }

  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];
    int32_t d = days_of(it->data);
    char path[64];
    int64_t expect;

    if (it->tipo == NULL || strcmp(it->tipo, "procedimento") == 0)
      n_proc++;
    if (!tipo_item_permitido(g->tipo, it->tipo)) {
      snprintf(path, sizeof path, "itens[%zu].tipo", i);
      rc = add(c, "ITEM_INCOMPATIVEL_GUIA", FAT_BLOQUEIO, path, "1304", item_valor(it),
               it->sequencial, R_COERENCIA,
               "item %d: %s não pode ser cobrado em guia de %s; mova-o para uma guia SP/SADT "
               "ou de internação",
               it->sequencial, it->tipo, fat_guia_tipo_str(g->tipo));
      if (rc != FAT_OK)
        return rc;
    }
    if (g->tipo == FAT_GUIA_INTERNACAO && d != INT32_MIN &&
        ((ini != INT32_MIN && d < ini) || (fim != INT32_MIN && d > fim))) {
      snprintf(path, sizeof path, "itens[%zu].data", i);
      rc = add(c, "ITEM_FORA_PERIODO", FAT_BLOQUEIO, path, d < ini ? "1605" : "1607",
               item_valor(it), it->sequencial, R_COERENCIA,
               "item %d (%s) datado de %s, fora do período da internação (%s a %s): corrija a "
               "data do item ou cobre-o na conta certa",
               it->sequencial, blank(it->codigo) ? "?" : it->codigo,
               fat_dia_br_de(it->data).s,
               fat_dia_br_de(blank(g->data_inicio) ? "?" : g->data_inicio).s,
               fat_dia_br_de(blank(g->data_fim) ? "?" : g->data_fim).s);
      if (rc != FAT_OK)
        return rc;
    }
    if (it->valor_total == FAT_ABSENT) {
      all_valued = 0;
    } else {
      sum += it->valor_total;
      expect = it->valor_unitario != FAT_ABSENT ? item_expected_total(it) : -1;
      if (expect >= 0 && (expect - it->valor_total > 1 || it->valor_total - expect > 1)) {
        char a[32], b[32];

        fat_money_format_br(it->valor_total, a, sizeof a);
        fat_money_format_br(expect, b, sizeof b);
        snprintf(path, sizeof path, "itens[%zu].valor_total", i);
        rc = add(c, "ITEM_TOTAL_DIVERGENTE", FAT_ALERTA, path, "1805",
                 expect > it->valor_total ? 0 : it->valor_total - expect, it->sequencial,
                 R_COERENCIA,
                 "item %d: valor total %s diferente de unitário × quantidade × fator (%s); "
                 "recalcule o item",
                 it->sequencial, a, b);
        if (rc != FAT_OK)
          return rc;
      }
    }
  }
  if (g->tipo == FAT_GUIA_CONSULTA && n_proc > 1) {
    rc = add(c, "ITEM_INCOMPATIVEL_GUIA", FAT_BLOQUEIO, "itens", "1304", 0, 0, R_COERENCIA,
             "guia de consulta com %d procedimentos: a guia de consulta cobra um só; mova os "
             "demais para uma guia SP/SADT",
             n_proc);
    if (rc != FAT_OK)
      return rc;
  }
  if (all_valued && g->n_itens > 0 && sum != g->valor_total) {
    char a[32], b[32];

    fat_money_format_br(g->valor_total, a, sizeof a);
    fat_money_format_br(sum, b, sizeof b);
    rc = add(c, "TOTAL_DIVERGENTE", FAT_BLOQUEIO, "valor_total", "1805",
             sum > g->valor_total ? sum - g->valor_total : g->valor_total - sum, 0, R_COERENCIA,
             "valor total da guia %s diferente da soma dos itens %s: corrija o total (ou o item "
             "errado) antes de enviar",
             a, b);
    if (rc != FAT_OK)
      return rc;
  }
  return FAT_OK;
}

/* ------------------------------------------------------------------------
** Sex-specific procedures
*/

typedef struct sexo_proc {
  const char *codigo;
  char sexo;
  const char *descricao;
} sexo_proc;

/* A deliberately small list (docs/conferir.md): procedures whose TUSS
** description makes them exclusive of one sex. */
static const sexo_proc sexo_procs[] = {
  {"40601137", 'F', "citopatologia cérvico-vaginal"},
  {"40901122", 'F', "colpocitologia"},
  {"41401387", 'F', "mamografia"},
  {"31309054", 'F', "cesariana"},
  {"31309127", 'F', "parto via vaginal"},
  {NULL, 0, NULL}
};

char fat_check_sexo_exigido(const char *codigo)
{
  int i;

  if (codigo == NULL)
    return 0;
  for (i = 0; sexo_procs[i].codigo != NULL; i++)
    if (strcmp(sexo_procs[i].codigo, codigo) == 0)
      return sexo_procs[i].sexo;
  return 0;
}

static const char *sexo_desc(const char *codigo)
{
  int i;

  for (i = 0; sexo_procs[i].codigo != NULL; i++)
    if (strcmp(sexo_procs[i].codigo, codigo) == 0)
      return sexo_procs[i].descricao;
  return "";
}

static fat_rc check_sexo(chk *c)
{
  const fat_guia *g = c->g;
  const char *sexo = g->beneficiario.sexo;
  size_t i;

  if (blank(sexo) || (strcmp(sexo, "M") != 0 && strcmp(sexo, "F") != 0))
    return FAT_OK; /* unknown or 'I': nothing to compare */
  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];
    char req = fat_check_sexo_exigido(it->codigo), path[64];
    fat_rc rc;

    if (req == 0 || req == sexo[0])
      continue;
    snprintf(path, sizeof path, "itens[%zu].codigo", i);
    rc = add(c, "SEXO_INCOMPATIVEL", FAT_BLOQUEIO, path, "1802", item_valor(it), it->sequencial,
             R_SEXO,
             "item %d: %s (%s) é exclusivo do sexo %s, mas o beneficiário está cadastrado como "
             "%s; confira o código do procedimento ou o cadastro do paciente",
             it->sequencial, it->codigo, sexo_desc(it->codigo),
             req == 'F' ? "feminino" : "masculino", sexo[0] == 'F' ? "feminino" : "masculino");
    if (rc != FAT_OK)
      return rc;
  }
  return FAT_OK;
}

/* ------------------------------------------------------------------------
** Presentation deadline
*/

static int prazo_dias(const fat_check_opts *o)
{
  return (o != NULL && o->prazo_apresentacao_dias > 0) ? o->prazo_apresentacao_dias
                                                       : FAT_PRAZO_APRESENTACAO_PADRAO;
}

/* The deadline counts from the attendance (data_inicio). */
int32_t fat_check_prazo_limite(const fat_guia *g, const fat_check_opts *o)
{
  int32_t d = days_of(g->data_inicio);

  if (d == INT32_MIN)
    return INT32_MAX;
  return d + prazo_dias(o) + 1;
}

static fat_rc check_prazo(chk *c)
{
  int32_t limite;
  char lim[16];

  if (c->o == NULL)
    return FAT_OK;
  limite = fat_check_prazo_limite(c->g, c->o);
  if (limite == INT32_MAX || c->o->hoje < limite)
    return FAT_OK;
  fat_dia_format_br(limite - 1, lim, sizeof lim);
  return add(c, "PRAZO_EXCEDIDO", FAT_BLOQUEIO, "data_inicio", "1701", c->valor_guia, 0, R_PRAZO,
             "atendimento de %s fora do prazo de apresentação de %d dias da operadora (venceu "
             "em %s): negocie com a operadora antes de enviar ou a guia será glosada",
             fat_dia_br_de(c->g->data_inicio).s, prazo_dias(c->o), lim);
}

fat_rc fat_check_guia(const fat_guia *g, const fat_check_opts *o, fat_findings *out,
                      fat_err *err)
{
  chk c;
  fat_rc rc;

  c.g = g;
  c.o = o;
  c.out = out;
  c.err = err;
  c.valor_guia = fat_check_valor_guia(g);
  rc = check_completude(&c);
  if (rc == FAT_OK)
    rc = check_formatos(&c);
  if (rc == FAT_OK)
    rc = check_coerencia(&c);
  if (rc == FAT_OK)
    rc = check_sexo(&c);
  if (rc == FAT_OK)
    rc = check_prazo(&c);
  return rc;
}

/* ------------------------------------------------------------------------
** Duplicates (the candidates come from fat_avaliar_ctx_load)
*/

/* The date an item counts on: its own, else the guia's. */
static const char *item_dia(const fat_guia *g, const fat_item *it)
{
  return !blank(it->data) ? it->data : g->data_inicio;
}

static int is_procedimento(const fat_item *it)
{
  return it->tipo == NULL || strcmp(it->tipo, "procedimento") == 0;
}

/* Does an earlier item of g have the same code on the same date? */
static int repeated_in_guia(const fat_guia *g, size_t i)
{
  const fat_item *it = &g->itens[i];
  const char *data = item_dia(g, it);
  size_t j;

  for (j = 0; j < i; j++) {
    const fat_item *p = &g->itens[j];
    const char *pd = item_dia(g, p);

    if (!blank(p->codigo) && strcmp(p->codigo, it->codigo) == 0 && pd != NULL &&
        strcmp(pd, data) == 0)
      return 1;
  }
  return 0;
}

fat_rc fat_check_duplicidade(const fat_guia *g, const fat_check_par *pares, size_t n,
                             fat_findings *out, fat_err *err)
{
  chk c;
  size_t i, k;
  fat_rc rc = FAT_OK;

  c.g = g;
  c.o = NULL;
  c.out = out;
  c.err = err;
  c.valor_guia = fat_check_valor_guia(g);
  for (i = 0; i < g->n_itens && rc == FAT_OK; i++) {
    const fat_item *it = &g->itens[i];
    const char *data = item_dia(g, it);
    const fat_check_par *hit = NULL;
    char path[64], dia_br[16];
    int32_t dia;

    if (blank(it->codigo) || blank(data) || !is_procedimento(it) || repeated_in_guia(g, i))
      continue;
    for (k = 0; k < n; k++)
      if (pares[k].guia_id != g->id && strcmp(pares[k].codigo, it->codigo) == 0 &&
          strcmp(pares[k].data, data) == 0 && (hit == NULL || pares[k].guia_id < hit->guia_id))
        hit = &pares[k];
    if (hit == NULL)
      continue;
    snprintf(path, sizeof path, "itens[%zu].codigo", i);
    if (fat_dia_parse(data, &dia) == 0)
      fat_dia_format_br(dia, dia_br, sizeof dia_br);
    else
      snprintf(dia_br, sizeof dia_br, "%s", data);
    rc = add(&c, "DUPLICIDADE", FAT_BLOQUEIO, path, "1702", item_valor(it), it->sequencial,
             R_DUPLICIDADE,
             "item %d: o procedimento %s em %s para este beneficiário também está na guia %s "
             "(id %lld, situação %s); cancele a cópia ou corrija o código/data",
             it->sequencial, it->codigo, dia_br,
             hit->numero_prestador[0] != '\0' ? hit->numero_prestador : "?",
             (long long)hit->guia_id, hit->status[0] != '\0' ? hit->status : "?");
  }
  return rc;
}
