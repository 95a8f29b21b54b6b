/* fat_termos.c: an operator's financial terms from its typed contract
** (fat_gen_contrato: pagamento{}, retencoes{}, repasse[], conciliacao{}). */
#include "fat_termos.h"

#include <stdio.h>
#include <string.h>

#include "fat_dia.h"

const char *const fat_termos_ret_nome[5] = {"ISS", "IR", "PIS", "COFINS", "CSLL"};

fat_rc fat_termos_ler(fat_gen *gen, const char *key, fat_termos *t, fat_err *err)
{
  const fat_contrato *c;
  int i;

  memset(t, 0, sizeof *t);
  if (gen == NULL || key == NULL || key[0] == '\0')
    return FAT_OK;
  c = fat_gen_contrato(gen, key); /* typed and checked when the rules loaded */
  if (c == NULL)
    return fat_err_set(err, FAT_ENOTFOUND, "termos financeiros da operadora "
                                           "(operators/%s.lua): a operadora não tem script de "
                                           "regras", key);
  t->prazo_dias = c->pagamento.prazo_dias;
  t->contar_de_protocolo = c->pagamento.contar_de_protocolo;
  t->dias_uteis = c->pagamento.dias_uteis;
  for (i = 0; i < c->pagamento.n_dias_do_mes && t->n_dias < FAT_TERMOS_MAX_DIAS; i++)
    t->dias_do_mes[t->n_dias++] = c->pagamento.dias_do_mes[i]; /* ascending */
  for (i = 0; i < 5 && i < FAT_RET_N; i++)
    t->ret_bp[i] = c->retencoes.bp[i];
  for (i = 0; i < c->n_repasse && t->n_repasse < FAT_TERMOS_MAX_REPASSE; i++) {
    fat_termos_repasse *r = &t->repasse[t->n_repasse++];

    snprintf(r->grupo, sizeof r->grupo, "%s", c->repasse[i].grupo);
    r->percentual_bp = c->repasse[i].percentual_bp;
    r->valor = c->repasse[i].valor;
    snprintf(r->motivo, sizeof r->motivo, "%s", c->repasse[i].motivo);
  }
  snprintf(t->cnpj, sizeof t->cnpj, "%s", c->conciliacao.cnpj);
  for (i = 0; i < c->conciliacao.n_historico && t->n_hist < FAT_TERMOS_MAX_HIST; i++)
    snprintf(t->historico[t->n_hist++], sizeof t->historico[0], "%s",
             c->conciliacao.historico[i]);
  return FAT_OK;
}

int32_t fat_termos_previsao(const fat_termos *t, const fat_calendario *cal, int32_t envio,
                            int32_t protocolo)
{
  fat_contrato_pagamento p;
  int i;

  memset(&p, 0, sizeof p);
  p.prazo_dias = t->prazo_dias;
  p.contar_de_protocolo = t->contar_de_protocolo;
  p.dias_uteis = t->dias_uteis;
  for (i = 0; i < t->n_dias && i < FAT_CONTRATO_MAX_DIAS_PAGAMENTO; i++)
    p.dias_do_mes[p.n_dias_do_mes++] = t->dias_do_mes[i];
  return fat_contrato_previsao(&p, cal, envio, protocolo);
}
