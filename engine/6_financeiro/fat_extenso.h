/* fat_extenso.h: money written out in words, in Brazilian Portuguese (recibos).
**
** fat_extenso_reais(123456) -> "mil duzentos e trinta e quatro reais e
** cinquenta e seis centavos". Rules: "um real"/"N reais", "um centavo"/"N
** centavos", centavos alone when there are no reais ("cinquenta centavos"),
** "zero real" for 0; "mil" (never "um mil"); "de reais" after a round
** million or billion ("um milhão de reais"); "e" joins the last group when it
** is below 100 or a round hundred ("dois mil e um", "mil e cem"), otherwise
** groups are separated by a space ("mil duzentos e trinta e quatro").
*/
#ifndef FAT_EXTENSO_H
#define FAT_EXTENSO_H

#include <stddef.h>
#include <stdint.h>

#include "fat_err.h"

/* Write centavos (0 .. 999.999.999.999,99 reais) in words into buf. FAT_EINVAL
** for a negative or too large value, FAT_ELIMIT when buf is too small
** (256 bytes always suffice). */
FAT_NODISCARD fat_rc fat_extenso_reais(int64_t centavos, char *buf, size_t len, fat_err *err);

#endif
