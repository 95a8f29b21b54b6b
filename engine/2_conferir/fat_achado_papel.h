/* fat_achado_papel.h: who may acknowledge which finding (Part K).
**
** Acknowledging a finding sends the guia on knowingly. The office's policy:
** a faturista acknowledges alertas; releasing a bloqueio takes a supervisor
** (or an admin). The panel calls this function with the role of the logged-in
** user; the CLI, run by whoever operates the database, calls
** fat_achado_reconhecer (fat_conferir.h) directly.
*/
#ifndef FAT_ACHADO_PAPEL_H
#define FAT_ACHADO_PAPEL_H

#include <stdint.h>

#include "fat_auth.h"
#include "fat_err.h"
#include "fat_store.h"

#define FAT_MOTIVO_MIN 3
#define FAT_MOTIVO_MAX 500

/* What an acknowledgement changed. */
typedef struct fat_achado_reconhecido {
  int64_t guia_id;
  int64_t abertos;         /* open bloqueios left on the guia */
  char codigo[64];         /* finding code */
  char severidade[16];     /* bloqueio | alerta */
  char em[32];             /* when, AAAA-MM-DDTHH:MM:SSZ */
} fat_achado_reconhecido;

/* Acknowledge finding id on behalf of a user with role papel, with the
** reason motivo (FAT_MOTIVO_MIN..FAT_MOTIVO_MAX characters). FAT_EPERM when
** the role may not acknowledge that severity (message says whom to ask);
** otherwise as fat_achado_reconhecer. *out may be NULL. */
FAT_NODISCARD fat_rc fat_achado_reconhecer_papel(fat_store *st, int64_t id, const char *motivo,
                                                 fat_papel papel, fat_achado_reconhecido *out,
                                                 fat_err *err);

#endif
