/* fat_calendario.h: bank business days (dias úteis) for payment terms.
**
** A day is útil when it is not Saturday, Sunday, a national holiday or a
** holiday of the `feriado` table (municipal, or for every municipality). The
** national holidays are computed, never stored: the fixed ones (1/1, 21/4,
** 1/5, 7/9, 12/10, 2/11, 15/11, 20/11 from 2024, 25/12) and the ones that move
** with Easter on which banks do not open (Carnaval Monday and Tuesday, Good
** Friday, Corpus Christi). Days are day numbers (fat_dia.h).
*/
#ifndef FAT_CALENDARIO_H
#define FAT_CALENDARIO_H

#include <stddef.h>
#include <stdint.h>

#include "fat_err.h"
#include "fat_store.h"

/* Easter Sunday of year y (Gregorian, y >= 1583) as a day number. */
int32_t fat_cal_pascoa(int y);

/* 1 when dia is a national holiday (its pt-BR name in *nome if non-NULL). */
int fat_cal_feriado_nacional(int32_t dia, const char **nome);

/* The calendar of one municipality: the extra holidays of the store. */
typedef struct fat_calendario {
  int32_t *extra;     /* sorted day numbers of table feriado */
  size_t n;
} fat_calendario;

/* Load the holidays of municipio_ibge (NULL = only those for every
** municipality) into *cal; release with fat_cal_fini. */
FAT_NODISCARD fat_rc fat_cal_carregar(fat_store *st, const char *municipio_ibge,
                                      fat_calendario *cal, fat_err *err);
void fat_cal_fini(fat_calendario *cal);
/* The same for the clinic's municipality (the first prestador's municipio_ibge;
** only the holidays for every municipality when it has none). */
FAT_NODISCARD fat_rc fat_cal_carregar_clinica(fat_store *st, fat_calendario *cal, fat_err *err);

/* 1 when dia is a business day under cal (NULL cal = national holidays only). */
int fat_cal_util(const fat_calendario *cal, int32_t dia);
/* The first business day on or after dia. */
int32_t fat_cal_proximo_util(const fat_calendario *cal, int32_t dia);
/* dia plus n business days (n >= 0; n = 0 gives dia itself). */
int32_t fat_cal_somar_uteis(const fat_calendario *cal, int32_t dia, int n);

/* Add a holiday (municipio_ibge NULL = every municipality). Audited. */
FAT_NODISCARD fat_rc fat_cal_feriado_adicionar(fat_store *st, const char *data,
                                               const char *descricao, const char *municipio_ibge,
                                               fat_err *err);

#endif
