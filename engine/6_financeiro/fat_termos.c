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
  int32_t base, d;
  int y, m, dd, i;

  if (t->prazo_dias <= 0)
    return -1;
  base = t->contar_de_protocolo ? (protocolo >= 0 ? protocolo : envio)
                                : (envio >= 0 ? envio : protocolo);
  if (base < 0)
    return -1;
  d = t->dias_uteis ? fat_cal_somar_uteis(cal, base, t->prazo_dias) : base + t->prazo_dias;
  if (t->n_dias > 0) {
    int achou = 0;

    fat_dia_to_ymd(d, &y, &m, &dd);
    while (!achou) {
      for (i = 0; i < t->n_dias; i++) {
        int dia = t->dias_do_mes[i], ult = fat_dia_mes_dias(y, m);

        if (dia > ult)
          dia = ult;
        if (dia >= dd) {
          d = fat_dia_from_ymd(y, m, dia);
          achou = 1;
          break;
        }
      }
      if (!achou) {
        dd = 1;
        if (++m > 12) {
          m = 1;
          y++;
        }
      }
    }
  }
  return fat_cal_proximo_util(cal, d);
}
