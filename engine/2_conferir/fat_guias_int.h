/* fat_guias_int.h: what the guia workbench files of engine/2_conferir share
** (not for the CLI or the web). */
#ifndef FAT_GUIAS_INT_H
#define FAT_GUIAS_INT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_guia_edit.h"

/* Where a stored guia stands: its status, its lote, its beneficiário. */
typedef struct fat_guias_estado {
  char status[16];
  char numero[64];
  int64_t lote_id, lote_numero;
  char lote_status[16];
  char enviado_em[11];
  int64_t beneficiario_id, operadora_id;
  char carteira[64];
} fat_guias_estado;

/* Load the estado of guia id; FAT_ENOTFOUND when there is none. */
FAT_NODISCARD fat_rc fat_guias_estado_load(fat_store *st, int64_t id, fat_guias_estado *e,
                                           fat_err *err);

/* Re-check guia id (unless cancelled) with conferir, then the open guias of
** the beneficiário it had before the change (antes) and has now, and fill
** m's status, counts, findings and reconferidas. Inside the caller's
** transaction. */
FAT_NODISCARD fat_rc fat_guias_reconferir(fat_store *st, int64_t id,
                                          const fat_guias_estado *antes,
                                          const fat_guia_edit_opts *o, fat_guia_mudanca *m,
                                          fat_err *err);

/* SQL: a stored finding's field path as users read it. Findings store
** items by position ("itens[0].codigo", the key of their identity); users
** see them by their número ("itens[1].codigo"). A is the achado's alias and
** IT the alias of its item (LEFT JOIN item IT ON IT.id = A.item_id). */
#define FAT_ACHADO_CAMPO_SQL(A, IT)                                                         \
  "CASE WHEN " A ".campo LIKE 'itens[%]%' AND " IT ".sequencial IS NOT NULL"                \
  " THEN 'itens[' || " IT ".sequencial || ']' || substr(" A ".campo, instr(" A ".campo, ']') + 1)" \
  " ELSE " A ".campo END"

/* The index i of "itens[i]..." in a field path of form (the guia's JSON
** form) becomes the item's número: "itens[<sequencial>]...". */
void fat_guias_numerar_campo(const cJSON *form, const char *campo, char *out, size_t len);

/* The sequencial of an item of the JSON form (0 when absent, -1 when
** malformed). */
int fat_guias_seq(const cJSON *item);

/* SQL of the duplicates look-up of conferir (fat_avaliar.c, pares_of): the
** procedure items of the beneficiário's other guias in a span of dates
** (?1 beneficiario_id, or ?2 carteira_numero and ?6 operadora_id; ?3 the
** guia itself; ?4..?5 the span). By beneficiário it reads the covering
** indexes guia_benef_par and item_guia_par (migrations 094, 105) for every
** other guia and its items, and the other guia's row (s: its status) only
** for an item in the span: the status is not in guia_benef_par, which
** conferir's status UPDATE would rewrite at random pages (migration 105);
** unit.escala checks the plan. No ORDER BY: a sorter would open a temporary
** b-tree for every guia; the check picks the lowest guia id itself. */
#define FAT_PARES_BENEF_SQL                                                                  \
  "SELECT g.id, g.numero_prestador, s.status, i.codigo, COALESCE(i.data, g.data_inicio) "    \
  "FROM guia g CROSS JOIN item i ON i.guia_id = g.id CROSS JOIN guia s ON s.id = g.id "      \
  "WHERE g.beneficiario_id = ?1 AND g.id <> ?3 "                                             \
  "AND COALESCE(i.data, g.data_inicio) BETWEEN ?4 AND ?5 AND i.codigo IS NOT NULL "          \
  "AND s.status <> 'cancelada'"
#define FAT_PARES_CARTEIRA_SQL                                                               \
  "SELECT g.id, g.numero_prestador, g.status, i.codigo, COALESCE(i.data, g.data_inicio) "    \
  "FROM guia g CROSS JOIN item i ON i.guia_id = g.id "                                       \
  "WHERE g.carteira_numero = ?2 AND g.operadora_id = ?6 AND g.id <> ?3 "                     \
  "AND g.status <> 'cancelada' "                                                             \
  "AND COALESCE(i.data, g.data_inicio) BETWEEN ?4 AND ?5 AND i.codigo IS NOT NULL"

/* SQL of the scripts' history (fat_avaliar.c, historico_of): the
** beneficiário's (?1) or the carteira's (?5) other guias (?3) at the
** operadora (?2) in the 90 days up to ?4, oldest first. By beneficiário the
** index guia_benef_par gives that order (no sorter per guia; unit.escala
** checks the plan). */
#define FAT_HISTORICO_COLS_SQL                                                               \
  "SELECT g.id, g.tipo, g.numero_prestador, g.data_inicio, g.tipo_consulta, g.status, "      \
  "p.conselho, p.numero_conselho, p.uf, p.cpf, p.cbo, "                                      \
  "(SELECT group_concat(i.codigo, ',') FROM item i WHERE i.guia_id = g.id), "                \
  "g.carteira_numero, g.cns, b.cpf "                                                         \
  "FROM guia g LEFT JOIN profissional p ON p.id = g.executante_id "                         \
  "LEFT JOIN beneficiario b ON b.id = g.beneficiario_id "
#define FAT_HISTORICO_BENEF_SQL                                                              \
  FAT_HISTORICO_COLS_SQL                                                                     \
  "WHERE g.beneficiario_id = ?1 AND g.operadora_id = ?2 AND g.id <> ?3 "                     \
  "AND g.status <> 'cancelada' AND g.data_inicio >= date(?4, '-90 days') "                   \
  "AND g.data_inicio <= ?4 ORDER BY g.data_inicio, g.id LIMIT 100"
#define FAT_HISTORICO_CARTEIRA_SQL                                                           \
  FAT_HISTORICO_COLS_SQL                                                                     \
  "WHERE g.carteira_numero = ?5 AND g.operadora_id = ?2 AND g.id <> ?3 "                     \
  "AND g.status <> 'cancelada' AND g.data_inicio >= date(?4, '-90 days') "                   \
  "AND g.data_inicio <= ?4 ORDER BY g.data_inicio, g.id LIMIT 100"

#endif
