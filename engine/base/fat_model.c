/* fat_model.c: the guia data model: its tipo and freeing it. The JSON form
** is in fat_model_json.c, load/find/save in fat_model_store.c; money and
** quantities are fat_money.h's, dates fat_dia.h's.
*/
#include "fat_model.h"

#include <string.h>

#include "fat_mem.h"
#include "fat_rotulo.h"

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

const char *fat_guia_tipo_rotulo(const char *s)
{
  int t = fat_guia_tipo_parse(s);

  if (t < 0)
    return s != NULL ? s : "";
  return fat_rotulo_ou("tipo", fat_guia_tipo_str((fat_guia_tipo)t));
}

const char *fat_guia_status_rotulo(const char *s)
{
  return fat_rotulo_ou("guia", s);
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
