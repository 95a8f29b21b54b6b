/* fat_fin_check.h: the financial invariants, as named checks for
** `faturo verificar` (Part J). Each check lists its violations in pt-BR; an
** empty list means the invariant holds.
**
**   recebido_ate_liberado   per guia, money received <= liberado (informado
**                           while unknown) + recovered by recursos, unless a
**                           person accepted the excess (recebimento.excedente)
**   credito_uma_vez         each bank credit is matched at most once, and a
**                           matched credit has exactly one receipt
**   rateio_recebimento      the guia parts of a receipt sum to its valor_bruto
**   repasse_soma_base       in every computed repasse, the lines of a
**                           receipt's part of a guia sum to that part, and a
**                           particular payment's line to its value less fee
*/
#ifndef FAT_FIN_CHECK_H
#define FAT_FIN_CHECK_H

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_store.h"

typedef struct fat_fin_check {
  const char *nome;
  const char *descricao;    /* pt-BR, one line */
  fat_rc (*fn)(fat_store *st, cJSON *violacoes, fat_err *err); /* appends strings */
} fat_fin_check;

/* The checks, ending with {NULL, NULL, NULL}. */
extern const fat_fin_check fat_fin_checks[];

/* Run every check: array of {nome, descricao, ok, violacoes: [..]}. */
FAT_NODISCARD fat_rc fat_fin_verificar(fat_store *st, cJSON **out, fat_err *err);

#endif
