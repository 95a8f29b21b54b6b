/* fat_model.c: the guia data model: its tipo and freeing it. The JSON form
** is in fat_model_json.c, load/find/save in fat_model_store.c; money and
** quantities are fat_money.h's, dates fat_dia.h's.
*/
#include "fat_model.h"

#include <stdint.h>
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

int fat_guia_status_a_faturar(const char *s)
{
  return s != NULL &&
         (strcmp(s, "digitada") == 0 || strcmp(s, "conferida") == 0 || strcmp(s, "pendente") == 0);
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

/* Is p inside g's block (fat_guia.arena)? */
static int in_arena(const fat_guia *g, const void *p)
{
  uintptr_t a = (uintptr_t)g->arena, x = (uintptr_t)p;

  return g->arena != NULL && x >= a && x < a + g->arena_cap;
}

/* fat_free of what g owns outside its block (g NULL: of p). */
static void gfree(const fat_guia *g, void *p)
{
  if (p != NULL && (g == NULL || !in_arena(g, p)))
    fat_free(p);
}

/* The texts of p (of g's, or with g NULL of its own). */
static void prof_fini(const fat_guia *g, fat_profissional *p)
{
  gfree(g, p->nome);
  gfree(g, p->cpf);
  gfree(g, p->conselho);
  gfree(g, p->numero_conselho);
  gfree(g, p->uf);
  gfree(g, p->cbo);
  gfree(g, p->especialidade);
  memset(p, 0, sizeof *p);
}

/* p and its texts (of g's, or with g NULL of its own). */
static void prof_free_in(const fat_guia *g, fat_profissional *p)
{
  if (p == NULL)
    return;
  prof_fini(g, p);
  gfree(g, p);
}

void fat_profissional_free(fat_profissional *p) { prof_free_in(NULL, p); }

static void item_fini(const fat_guia *g, fat_item *it)
{
  gfree(g, it->tipo);
  gfree(g, it->codigo_tabela);
  gfree(g, it->codigo);
  gfree(g, it->descricao);
  gfree(g, it->data);
  gfree(g, it->hora_inicio);
  gfree(g, it->hora_fim);
  gfree(g, it->via_acesso);
  gfree(g, it->tecnica);
  gfree(g, it->grau_participacao);
  prof_free_in(g, it->profissional);
  gfree(g, it->unidade_medida);
  gfree(g, it->registro_anvisa);
  gfree(g, it->codigo_fabricante);
}

void fat_guia_free(fat_guia *g)
{
  size_t i;

  if (g == NULL)
    return;
  gfree(g, g->operadora.registro_ans);
  gfree(g, g->operadora.nome);
  gfree(g, g->operadora.script);
  gfree(g, g->prestador.nome);
  gfree(g, g->prestador.cnpj);
  gfree(g, g->prestador.cpf);
  gfree(g, g->prestador.cnes);
  gfree(g, g->prestador.codigo_na_operadora);
  gfree(g, g->plano.codigo);
  gfree(g, g->plano.nome);
  gfree(g, g->plano.acomodacao);
  gfree(g, g->beneficiario.nome);
  gfree(g, g->beneficiario.nome_social);
  gfree(g, g->beneficiario.cpf);
  gfree(g, g->beneficiario.cns);
  gfree(g, g->beneficiario.nascimento);
  gfree(g, g->beneficiario.sexo);
  gfree(g, g->numero_prestador);
  gfree(g, g->numero_operadora);
  gfree(g, g->numero_principal);
  gfree(g, g->beneficiario_nome);
  gfree(g, g->carteira_numero);
  gfree(g, g->carteira_validade);
  gfree(g, g->cns);
  gfree(g, g->senha);
  gfree(g, g->data_autorizacao);
  gfree(g, g->validade_senha);
  gfree(g, g->carater_atendimento);
  gfree(g, g->tipo_atendimento);
  gfree(g, g->tipo_consulta);
  gfree(g, g->regime_atendimento);
  gfree(g, g->indicacao_acidente);
  gfree(g, g->cid);
  gfree(g, g->cid_secundarios);
  gfree(g, g->data_solicitacao);
  gfree(g, g->indicacao_clinica);
  gfree(g, g->data_inicio);
  gfree(g, g->hora_inicio);
  gfree(g, g->data_fim);
  gfree(g, g->hora_fim);
  gfree(g, g->tipo_internacao);
  gfree(g, g->regime_internacao);
  gfree(g, g->motivo_encerramento);
  prof_free_in(g, g->solicitante);
  prof_free_in(g, g->executante);
  gfree(g, g->observacao);
  gfree(g, g->competencia);
  gfree(g, g->status);
  gfree(g, g->origem);
  for (i = 0; i < g->n_itens; i++)
    item_fini(g, &g->itens[i]);
  fat_free(g->itens);
  fat_free(g->arena);
  fat_free(g);
}

/* }==================================================================== */
