/* fat_lote_papel.h: the physical papers of a lote (Part L).
**
** Some operators still want the paper guias, signed by the beneficiário,
** delivered with each lote (the contract says so: papel_fisico = true,
** fat_contrato.h). faturo keeps, beside the lote and its guias (migration
** 042; neither the lote nor the guia changes, so a sent lote may get its
** delivery recorded):
**   - per lote, one delivery record: the day the papers were delivered, who
**     took them, the operator's receipt protocol and a note (registering it
**     again replaces it; audited lote.papel);
**   - per guia, whether its signed paper is in the office ("papel assinado
**     recebido"; audited guia.papel).
** The lote's view lists the guias still missing their signed paper.
*/
#ifndef FAT_LOTE_PAPEL_H
#define FAT_LOTE_PAPEL_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_rules.h"
#include "fat_store.h"

#define FAT_LOTE_PAPEL_TEXTO_MAX 200 /* characters of por, protocolo and observacao */

/* A delivery of a lote's papers, as the user gives it. */
typedef struct fat_lote_papel_entrega {
  const char *data;       /* DD/MM/AAAA or AAAA-MM-DD; required */
  const char *por;        /* who took the papers; required */
  const char *protocolo;  /* the operator's receipt (NULL or "" = none yet) */
  const char *observacao; /* NULL or "" = none */
} fat_lote_papel_entrega;

/* Record (or replace) the delivery of lote id's papers. FAT_EINVAL naming
** the field (data invalid or in the future of hoje, por missing, a text
** over FAT_LOTE_PAPEL_TEXTO_MAX); FAT_ENOTFOUND: no such lote; FAT_ESTATE:
** the lote is still open (close it first) or the delivery is before the
** lote was closed. hoje: AAAA-MM-DD, NULL = today. One transaction, audited. */
FAT_NODISCARD fat_rc fat_lote_papel_entregar(fat_store *st, int64_t id,
                                             const fat_lote_papel_entrega *e, const char *hoje,
                                             fat_err *err);

/* Mark the signed paper of guia id as received (recebido = 1) or as still
** missing (0). FAT_ENOTFOUND: no such guia; FAT_ESTATE: the guia is
** cancelled, or already in that state (the message says since when).
** Audited guia.papel. */
FAT_NODISCARD fat_rc fat_guia_papel_marcar(fat_store *st, int64_t id, int recebido, fat_err *err);

/* The papers of lote id: {lote_id, numero, status, operadora, registro_ans,
** papel_fisico (true/false from the contract of gen; null when gen is NULL
** or the operator has no script), entrega: {data, por, protocolo,
** observacao, registrado_em, registrado_por} | null, guias, recebidos,
** pendentes: [{guia_id, numero_prestador, beneficiario_nome, data_inicio}]}
** (the guias of the lote whose signed paper is not in hand, by número).
** FAT_ENOTFOUND: no such lote. */
FAT_NODISCARD fat_rc fat_lote_papel(fat_store *st, fat_gen *gen, int64_t id, cJSON **out,
                                    fat_err *err);

/* The paper of guia id: {guia_id, recebido: bool, recebido_em, recebido_por}.
** FAT_ENOTFOUND: no such guia. */
FAT_NODISCARD fat_rc fat_guia_papel(fat_store *st, int64_t id, cJSON **out, fat_err *err);

#endif
