/* fat_operadora.h: the one way every verb names an operadora.
**
** Users name an operadora by its registro ANS ("312347"), its script key
** ("aurora") or its id in the store ("3"). Every verb that takes an
** operadora resolves the text here, so they all accept the same words and
** all refuse an unknown one with the same message, instead of answering
** "nothing to do" for a typo.
*/
#ifndef FAT_OPERADORA_H
#define FAT_OPERADORA_H

#include <stdint.h>

#include "fat_err.h"
#include "fat_store.h"

/* Resolve text to operadora.id: an exact registro ANS first, then an exact
** script key, then (text all digits) an id. *id = 0 on failure.
** FAT_ENOTFOUND (pt-BR message naming the text and how to list the
** operadoras) when nothing matches; FAT_EINVAL for NULL/empty text. */
FAT_NODISCARD fat_rc fat_operadora_resolver(fat_store *st, const char *text, int64_t *id,
                                            fat_err *err);

#endif
