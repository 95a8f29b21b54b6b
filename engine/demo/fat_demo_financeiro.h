/* fat_demo_financeiro.h: the demo clinic's financial month (`faturo demo`,
** step "financeiro"; not billing: library faturo_demo).
**
** After the lotes were sent, answered and one recurso drafted, it plays the
** money side with the engine's own functions:
**   - one fatura per operator with its NF (retentions from each script);
**   - the bank's month: an OFX statement where one operator pays in full,
**     one pays short (R$ 150,00 less, memo naming it), one pays late (15 days
**     after the expected date), plus a PIX nobody claims and a bank fee; and a
**     CNAB 400 retorno (Bradesco layout) where one operator pays a boleto;
**     both files are imported, matched and the proposals confirmed;
**   - particulares paid by card in 3 installments, débito, PIX and cash (the
**     caixa opened and closed with a R$ 1,00 difference), one partial;
**   - repasse rules (60% convênio, 50% particular) and the repasse of the
**     payment month, holding the items whose glosas are in recurso; it is
**     closed; the recurso is sent, deferred and its money received the next
**     month, whose repasse releases the held part;
**   - the financial invariants (fat_fin_verificar) must all hold.
** Deterministic for the same store (no clock, no random numbers).
*/
#ifndef FAT_DEMO_FINANCEIRO_H
#define FAT_DEMO_FINANCEIRO_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_rules.h"
#include "fat_store.h"

typedef struct fat_demo_fin_opts {
  const char *hoje;        /* the demo's day the lotes were sent (AAAA-MM-DD) */
  const char *saida;       /* folder where the OFX and CNAB files are written; NULL = none */
} fat_demo_fin_opts;

/* Run the financial month; *resumo (may be NULL) gets a JSON summary:
** {faturas, periodo, creditos, conciliados, pendentes, recebido, particulares,
**  repasse: {periodo, pagar, retido}, repasse_seguinte: {periodo, pagar,
**  liberado}, invariantes_ok, arquivos: [..]}. */
FAT_NODISCARD fat_rc fat_demo_financeiro(fat_store *st, fat_gen *gen, const fat_demo_fin_opts *o,
                                         cJSON **resumo, fat_err *err);

#endif
