/* fat_operadora.h: the one way every verb names an operadora.
**
** Users name an operadora by its registro ANS ("312347"), its script key
** ("aurora") or its id in the store ("3"). Every verb that takes an
** operadora (CLI and API) resolves the text here, so they all accept the same
** words and all refuse an unknown one with the same message, which lists the
** operadoras that exist, instead of answering "nothing to do" for a typo.
*/
#ifndef FAT_OPERADORA_H
#define FAT_OPERADORA_H

#include <stdint.h>

#include "fat_err.h"
#include "fat_store.h"

/* An operadora as a verb needs it after resolving the user's text. */
typedef struct fat_operadora_ref {
  int64_t id;
  char registro_ans[8];  /* 6 digits */
  char script[64];       /* rule script key */
  char nome[128];        /* truncated when longer (for messages) */
} fat_operadora_ref;

/* Resolve text: an exact registro ANS first, then an exact script key, then
** an id (digits, but not six of them: six digits are a registro ANS, and an
** unregistered one is refused, not taken as an id). On failure *out is zeroed and: FAT_ENOTFOUND with
** a pt-BR message naming the text and listing the registered operadoras
** (registro ANS, script key, name), or saying that none is registered;
** FAT_EINVAL for NULL/empty text. */
FAT_NODISCARD fat_rc fat_operadora_resolver_ref(fat_store *st, const char *text,
                                                fat_operadora_ref *out, fat_err *err);

/* The operadora with exactly this registro ANS (the field of a guia file,
** where a script key or an id would be a mistake); *id = 0 and the same
** FAT_ENOTFOUND message as fat_operadora_resolver_ref when there is none. */
FAT_NODISCARD fat_rc fat_operadora_por_registro(fat_store *st, const char *registro_ans,
                                                int64_t *id, fat_err *err);

/* The same, giving only operadora.id (*id = 0 on failure). */
FAT_NODISCARD fat_rc fat_operadora_resolver(fat_store *st, const char *text, int64_t *id,
                                            fat_err *err);

#endif
