/* fat_rateio.h: splitting money, with the rounding stated and parts that
** always sum to the whole (all values in centavos, percentages in basis
** points, 100 = 1%).
**
** - fat_rateio_bp: one percentage of a value, rounded half-up (fat_money_div_round).
** - fat_rateio_parcelas: n equal installments; the remainder centavos go to the
**   FIRST installment (R$ 100,00 in 3 = 33,34 + 33,33 + 33,33).
** - fat_rateio_proporcional: a total split by weights with the largest
**   remainder method: every part gets the floor of its exact share, then the
**   centavos left go one each to the largest fractional remainders (ties: the
**   earlier part). All weights zero: split as equal parts (remainder first).
** - fat_rateio_cartao: a card payment in n installments with a fee: the fee
**   is fat_rateio_bp of the total; installments are fat_rateio_parcelas of
**   the total; the fee is split over them with fat_rateio_proporcional; the
**   net of each is its gross minus its fee.
*/
#ifndef FAT_RATEIO_H
#define FAT_RATEIO_H

#include <stddef.h>
#include <stdint.h>

#include "fat_err.h"

int64_t fat_rateio_bp(int64_t valor, int64_t bp);

/* a * b / c rounded half-up, computed without overflow (c > 0). */
int64_t fat_rateio_muldiv(int64_t a, int64_t b, int64_t c);

/* out[0..n-1]; n >= 1. */
void fat_rateio_parcelas(int64_t total, int n, int64_t *out);

/* out[0..n-1]; total >= 0, weights >= 0. FAT_EINVAL on a negative input. */
FAT_NODISCARD fat_rc fat_rateio_proporcional(int64_t total, const int64_t *pesos, size_t n,
                                             int64_t *out, fat_err *err);

/* valor[], taxa[], liquido[] have n entries each; 1 <= n <= 24. */
FAT_NODISCARD fat_rc fat_rateio_cartao(int64_t total, int n, int64_t taxa_bp, int64_t *valor,
                                       int64_t *taxa, int64_t *liquido, fat_err *err);

#endif
