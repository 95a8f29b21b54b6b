/* fat_agenda.h: auditoria de atendimentos: the clinic's schedule against the
** guias (Part C).
**
** The schedule is a CSV (';' or ',' separated, UTF-8, optional header) with
** the columns data;hora;beneficiario;profissional;procedimento;situacao:
**   data          AAAA-MM-DD (or DD/MM/AAAA)
**   hora          HH:MM (may be empty)
**   beneficiario  número da carteira or CPF
**   profissional  CONSELHO-NUMERO-UF (e.g. CRM-123456-SP) or CPF (may be empty)
**   procedimento  TUSS code of what was scheduled
**   situacao      atendido | faltou | cancelado
** docs/conferir.md documents it for the user.
*/
#ifndef FAT_AGENDA_H
#define FAT_AGENDA_H

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_rules.h"
#include "fat_store.h"

/* Compare the schedule in `path` with the stored guias. gen may be NULL (no
** value estimate). *out:
** {"linhas":n, "atendidos":n, "faltas":n, "erros":[{linha, mensagem}],
**  "atendidos_sem_guia":[{linha, data, hora, beneficiario, profissional,
**     procedimento, operadora, valor_estimado (centavos, absent if unknown)}],
**  "valor_nao_faturado": centavos,
**  "guias_de_faltas":[{linha, guia_id, numero_prestador, data, procedimento, situacao}],
**  "guias_sem_agendamento":[{guia_id, numero_prestador, data, beneficiario, valor_total}],
**  "periodo":{"inicio", "fim"}}
** Guias without an appointment are searched in the schedule's period only. */
FAT_NODISCARD fat_rc fat_agenda_auditar(fat_store *st, fat_gen *gen, const char *path,
                                        cJSON **out, fat_err *err);

/* The same with the schedule in memory (data_len bytes, need not be
** NUL-terminated; the panel's upload). A NUL byte is refused (FAT_EINVAL),
** more than 64 MB too (FAT_ELIMIT). */
FAT_NODISCARD fat_rc fat_agenda_auditar_buffer(fat_store *st, fat_gen *gen, const char *data,
                                               size_t data_len, cJSON **out, fat_err *err);

#endif
