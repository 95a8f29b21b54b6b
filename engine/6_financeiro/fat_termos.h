/* fat_termos.h: an operator's financial terms, read from its rules script.
**
** This is the ONE place that reads the financial sections of an operator's
** contract (pagamento, retencoes, repasse, conciliacao; see docs/financeiro.md
** and docs/regras.md). They are parsed once per rules generation into the
** typed fat_contrato (a malformed section is refused at reload naming the
** script line); fat_termos_ler copies them into the terms this module uses.
*/
#ifndef FAT_TERMOS_H
#define FAT_TERMOS_H

#include <stdint.h>

#include "fat_calendario.h"
#include "fat_err.h"
#include "fat_rules.h"

#define FAT_TERMOS_MAX_DIAS 8
#define FAT_TERMOS_MAX_REPASSE 32
#define FAT_TERMOS_MAX_HIST 8

typedef struct fat_termos_repasse {
  char grupo[16];            /* procedure code prefix */
  int64_t percentual_bp;     /* -1 when valor is used */
  int64_t valor;             /* centavos; -1 when percentual is used */
  char motivo[120];
} fat_termos_repasse;

typedef struct fat_termos {
  int prazo_dias;            /* 0 = no term in the script */
  int contar_de_protocolo;   /* 1 = from the protocolo date, 0 = from envio */
  int dias_uteis;            /* 1 = prazo counts business days */
  int dias_do_mes[FAT_TERMOS_MAX_DIAS]; /* fixed payment days, sorted */
  int n_dias;
  int64_t ret_bp[5];         /* iss, ir, pis, cofins, csll (basis points) */
  fat_termos_repasse repasse[FAT_TERMOS_MAX_REPASSE];
  int n_repasse;
  char cnpj[15];             /* operator's CNPJ as it appears on credits */
  char historico[FAT_TERMOS_MAX_HIST][64]; /* texts of the credit's memo */
  int n_hist;
} fat_termos;

/* Names of the five retentions in ret_bp order: "ISS", "IR", "PIS", "COFINS", "CSLL". */
extern const char *const fat_termos_ret_nome[5];

/* Fill *t from the contract of operator script key in gen. A script without
** financial sections gives zeroed terms (no retention, no special repasse). */
FAT_NODISCARD fat_rc fat_termos_ler(fat_gen *gen, const char *key, fat_termos *t, fat_err *err);

/* Expected payment date (day number) of something sent on envio and
** protocolled on protocolo (either may be < 0 when unknown): the term counted
** from the date the terms name (falling back to the other), in calendar or
** business days, then moved to the first fixed payment day on or after it,
** then to a business day. Returns -1 when there is no term or no base date.
** The computation is fat_contrato_previsao (regras), shared with lotes. */
int32_t fat_termos_previsao(const fat_termos *t, const fat_calendario *cal, int32_t envio,
                            int32_t protocolo);

#endif
