/* fat_anexo.h: files attached to a guia (Part L): laudo, pedido médico,
** autorização, termo.
**
** A file is accepted by its content, not its name: PDF, PNG or JPEG (the
** formats operators accept), from 1 byte to FAT_ANEXO_MAX. It is stored in
** the database (guia_anexo, migration 041) with its SHA-256, type, size and
** who attached it; the same content twice on one guia is refused. Attaching
** is audited (anexo.adicionar); reading a file back is patient data and is
** recorded in the access log by the caller (fat_acesso_registrar, as the CLI's
** `guia anexo` and the web's download do). Who may download is the web's
** and the CLI's business: the roles that can see the guia.
*/
#ifndef FAT_ANEXO_H
#define FAT_ANEXO_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_store.h"

#define FAT_ANEXO_MAX (10 * 1024 * 1024) /* bytes of one file */
#define FAT_ANEXO_NOME_MAX 200           /* characters of its name */

/* What a stored attachment is. */
typedef struct fat_anexo_info {
  int64_t id, guia_id;
  char tipo[16];     /* laudo | pedido_medico | autorizacao | termo | outro */
  char nome[FAT_ANEXO_NOME_MAX + 1];
  char mime[32];
  int64_t tamanho;
  char sha256[65];
  char criado_em[32];
} fat_anexo_info;

/* Whether tipo is one of the attachment types (1) or not (0); its pt-BR
** label ("Laudo", "Pedido médico", ...; "" for an unknown one). */
int fat_anexo_tipo_valido(const char *tipo);
const char *fat_anexo_tipo_rotulo(const char *tipo);

/* Attach dados (len bytes) named nome (its folders are dropped) to guia
** guia_id as tipo. FAT_EINVAL naming what is wrong: unknown tipo, empty or
** unsupported content (says which formats are accepted), name too long;
** FAT_ELIMIT over FAT_ANEXO_MAX; FAT_ENOTFOUND: no such guia; FAT_ESTATE:
** the guia is cancelled, or it already has this file (names the attachment).
** One transaction, audited; the guia's last check is marked stale so the next
** conferir checks it again (an operator may require this type: ANEXO_AUSENTE).
** *out (may be NULL) describes what was stored. */
FAT_NODISCARD fat_rc fat_anexo_adicionar(fat_store *st, int64_t guia_id, const char *tipo,
                                         const char *nome, const void *dados, size_t len,
                                         fat_anexo_info *out, fat_err *err);

/* The attachments of guia guia_id, oldest first: [{id, tipo, tipo_rotulo,
** nome, mime, tamanho, sha256, criado_em, criado_por}] (no content).
** FAT_ENOTFOUND when there is no such guia. */
FAT_NODISCARD fat_rc fat_anexo_listar(fat_store *st, int64_t guia_id, cJSON **out,
                                      fat_err *err);

/* Read attachment id back: *dados (fat_free) and *len, and its info (may be
** NULL). Checks the stored SHA-256 (FAT_EDB when the content no longer
** matches it). Reported to the access log. FAT_ENOTFOUND: no such file. */
FAT_NODISCARD fat_rc fat_anexo_ler(fat_store *st, int64_t id, char **dados, size_t *len,
                                   fat_anexo_info *info, fat_err *err);

#endif
