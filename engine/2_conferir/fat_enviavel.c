/* fat_enviavel.c: the fields the TISS 4.01.00 XSD requires (see fat_enviavel.h). */
#include "fat_enviavel.h"

#include <stdio.h>
#include <string.h>

static int blank(const char *s) { return s == NULL || s[0] == '\0'; }

/* One required field: its path, label and where its value is. */
typedef struct campo_req {
  const char *campo;
  const char *rotulo;
  const char *valor;
} campo_req;

static int falta(const campo_req *c, size_t n, const char *prefixo, char *campo, size_t len,
                 const char **rotulo)
{
  size_t i;

  for (i = 0; i < n; i++) {
    if (!blank(c[i].valor))
      continue;
    if (campo != NULL)
      snprintf(campo, len, "%s%s", prefixo, c[i].campo);
    if (rotulo != NULL)
      *rotulo = c[i].rotulo;
    return 1;
  }
  return 0;
}

/* The identification of a professional (ct_contratadoProfissionalDados;
** the name too where the XSD asks for it). */
static int falta_prof(const fat_profissional *p, const char *prefixo, int com_nome, char *campo,
                      size_t len, const char **rotulo)
{
  if (p == NULL) {
    if (campo != NULL)
      snprintf(campo, len, "%s", prefixo);
    if (rotulo != NULL)
      *rotulo = "profissional (conselho, número, UF e CBO)";
    return 1;
  }
  {
    const campo_req c[] = {
      {".nome", "nome do profissional", com_nome ? p->nome : "-"},
      {".conselho", "conselho do profissional", p->conselho},
      {".numero_conselho", "número do conselho do profissional", p->numero_conselho},
      {".uf", "UF do conselho do profissional", p->uf},
      {".cbo", "CBO do profissional", p->cbo}};

    return falta(c, sizeof c / sizeof c[0], prefixo, campo, len, rotulo);
  }
}

static int is_procedimento(const fat_item *it)
{
  return it->tipo == NULL || strcmp(it->tipo, "procedimento") == 0;
}

static int falta_consulta(const fat_guia *g, char *campo, size_t len, const char **rotulo)
{
  const campo_req c[] = {{"tipo_consulta", "tipo de consulta", g->tipo_consulta}};
  size_t i;
  char pre[32];

  if (falta_prof(g->executante, "executante", 0, campo, len, rotulo) ||
      falta(c, 1, "", campo, len, rotulo))
    return 1;
  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];
    const campo_req ci[] = {{"codigo_tabela", "tabela do procedimento", it->codigo_tabela},
                            {"codigo", "código do procedimento", it->codigo}};

    if (!is_procedimento(it))
      continue;
    snprintf(pre, sizeof pre, "itens[%zu].", i);
    return falta(ci, 2, pre, campo, len, rotulo);
  }
  if (campo != NULL)
    snprintf(campo, len, "itens");
  if (rotulo != NULL)
    *rotulo = "procedimento da consulta";
  return 1;
}

static int falta_sadt(const fat_guia *g, char *campo, size_t len, const char **rotulo)
{
  const campo_req c[] = {{"tipo_atendimento", "tipo de atendimento", g->tipo_atendimento}};
  const fat_profissional *sol = g->solicitante != NULL ? g->solicitante : g->executante;

  return falta_prof(sol, g->solicitante != NULL ? "solicitante" : "executante", 0, campo, len,
                    rotulo) ||
         falta(c, 1, "", campo, len, rotulo);
}

static int falta_honorarios(const fat_guia *g, char *campo, size_t len, const char **rotulo)
{
  const campo_req c[] = {
    {"numero_principal", "número da guia de solicitação de internação", g->numero_principal},
    {"prestador.codigo_na_operadora", "código do prestador na operadora",
     g->prestador.codigo_na_operadora}};
  size_t i;
  char pre[48];

  if (falta(c, 2, "", campo, len, rotulo))
    return 1;
  if (g->n_itens == 0) {
    if (campo != NULL)
      snprintf(campo, len, "itens");
    if (rotulo != NULL)
      *rotulo = "procedimentos realizados";
    return 1;
  }
  for (i = 0; i < g->n_itens; i++) {
    const fat_item *it = &g->itens[i];
    const campo_req ci[] = {{"codigo_tabela", "tabela do procedimento", it->codigo_tabela},
                            {"codigo", "código do procedimento", it->codigo},
                            {"descricao", "descrição do procedimento", it->descricao}};

    snprintf(pre, sizeof pre, "itens[%zu].", i);
    if (falta(ci, 3, pre, campo, len, rotulo))
      return 1;
    if (it->profissional != NULL)
      snprintf(pre, sizeof pre, "itens[%zu].profissional", i);
    else
      snprintf(pre, sizeof pre, "executante");
    if (falta_prof(it->profissional != NULL ? it->profissional : g->executante, pre, 1, campo,
                   len, rotulo))
      return 1;
  }
  return 0;
}

static int falta_internacao(const fat_guia *g, char *campo, size_t len, const char **rotulo)
{
  const campo_req c[] = {
    {"numero_principal", "número da guia de solicitação de internação", g->numero_principal},
    {"data_autorizacao", "data da autorização", g->data_autorizacao},
    {"senha", "senha de autorização", g->senha},
    {"hora_inicio", "hora do início do faturamento", g->hora_inicio},
    {"data_fim", "data final do faturamento", g->data_fim},
    {"hora_fim", "hora final do faturamento", g->hora_fim},
    {"tipo_internacao", "tipo de internação", g->tipo_internacao},
    {"motivo_encerramento", "motivo do encerramento", g->motivo_encerramento}};

  return falta(c, sizeof c / sizeof c[0], "", campo, len, rotulo);
}

int fat_enviavel_faltando(const fat_guia *g, char *campo, size_t campo_len, const char **rotulo)
{
  const campo_req c[] = {
    {"numero_prestador", "número da guia no prestador", g->numero_prestador},
    {"carteira_numero", "número da carteira do beneficiário", g->carteira_numero},
    {"data_inicio", "data do atendimento", g->data_inicio}};

  if (falta(c, sizeof c / sizeof c[0], "", campo, campo_len, rotulo))
    return 1;
  switch (g->tipo) {
  case FAT_GUIA_CONSULTA: return falta_consulta(g, campo, campo_len, rotulo);
  case FAT_GUIA_SADT: return falta_sadt(g, campo, campo_len, rotulo);
  case FAT_GUIA_HONORARIOS: return falta_honorarios(g, campo, campo_len, rotulo);
  case FAT_GUIA_INTERNACAO: return falta_internacao(g, campo, campo_len, rotulo);
  }
  return 0;
}
