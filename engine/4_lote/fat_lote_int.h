/* fat_lote_int.h: what the lote module's files share (not public). */
#ifndef FAT_LOTE_INT_H
#define FAT_LOTE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "fat_store_int.h"

/* date + n days as AAAA-MM-DD into out ("" when date is not a date). */
void fat_lote_add_days(const char *date, int n, char out[11]);

/* Record a state change of lote_id (de may be NULL when created) in
** lote_evento and in the audit log. */
FAT_NODISCARD fat_rc fat_lote_evento(fat_store *st, int64_t lote_id, const char *de,
                                     const char *para, const char *data, const char *detalhe,
                                     fat_err *err);

#endif
