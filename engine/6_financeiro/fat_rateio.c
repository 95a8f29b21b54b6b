/* fat_rateio.c: money splits, see fat_rateio.h. */
#include "fat_rateio.h"

#include "fat_mem.h"
#include "fat_model.h"

__extension__ typedef __int128 wide;

int64_t fat_rateio_bp(int64_t valor, int64_t bp)
{
  wide p = (wide)valor * bp, q = p / 10000, r = p % 10000;

  if (r < 0)
    r = -r;
  if (2 * r >= 10000)
    q += (p < 0) ? -1 : 1;
  return (int64_t)q;
}

int64_t fat_rateio_muldiv(int64_t a, int64_t b, int64_t c)
{
  wide p = (wide)a * b, q = p / c, r = p % c;

  if (r < 0)
    r = -r;
  if (2 * r >= c)
    q += (p < 0) ? -1 : 1;
  return (int64_t)q;
}

void fat_rateio_parcelas(int64_t total, int n, int64_t *out)
{
  int i;

  if (n < 1)
    return;
  for (i = 0; i < n; i++)
    out[i] = total / n;
  out[0] += total % n;
}

fat_rc fat_rateio_proporcional(int64_t total, const int64_t *pesos, size_t n, int64_t *out,
                               fat_err *err)
{
  wide soma = 0;
  int64_t resto;
  int64_t *frac = NULL;
  size_t i;

  if (n == 0)
    return FAT_OK;
  if (total < 0)
    return fat_err_set(err, FAT_EINVAL, "rateio de valor negativo");
  for (i = 0; i < n; i++) {
    if (pesos[i] < 0)
      return fat_err_set(err, FAT_EINVAL, "rateio com peso negativo");
    soma += pesos[i];
  }
  if (soma == 0) {
    for (i = 0; i < n; i++)
      out[i] = total / (int64_t)n;
    out[0] += total % (int64_t)n;
    return FAT_OK;
  }
  frac = fat_malloc(n * sizeof *frac);
  if (frac == NULL)
    return fat_err_oom(err);
  resto = total;
  for (i = 0; i < n; i++) {
    wide p = (wide)total * pesos[i];

    out[i] = (int64_t)(p / soma);
    /* the fraction scaled to 1e9 is enough to order the remainders */
    frac[i] = (int64_t)((p % soma) * 1000000000 / soma);
    resto -= out[i];
  }
  while (resto > 0) {
    size_t best = 0;

    for (i = 1; i < n; i++)
      if (frac[i] > frac[best])
        best = i;
    out[best]++;
    frac[best] = -1;
    resto--;
  }
  fat_free(frac);
  return FAT_OK;
}

fat_rc fat_rateio_cartao(int64_t total, int n, int64_t taxa_bp, int64_t *valor, int64_t *taxa,
                         int64_t *liquido, fat_err *err)
{
  int64_t fee;
  fat_rc rc;
  int i;

  if (n < 1 || n > 24)
    return fat_err_set(err, FAT_EINVAL, "número de parcelas %d inválido (1 a 24)", n);
  if (total <= 0 || taxa_bp < 0 || taxa_bp > 10000)
    return fat_err_set(err, FAT_EINVAL, "valor ou taxa do cartão inválidos");
  fee = fat_rateio_bp(total, taxa_bp);
  fat_rateio_parcelas(total, n, valor);
  rc = fat_rateio_proporcional(fee, valor, (size_t)n, taxa, err);
  if (rc != FAT_OK)
    return rc;
  for (i = 0; i < n; i++)
    liquido[i] = valor[i] - taxa[i];
  return FAT_OK;
}
