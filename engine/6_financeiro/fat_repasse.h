/* fat_repasse.h: repasse médico, the physicians' share of money received.
**
** Rules per professional (repasse_regra): a percentage or a fixed value, for
** any or one operator, plan, procedure group (code prefix) and origin
** (convênio or particular). The most specific rule wins (count of criteria
** given, then the longest group, then the oldest rule). An operator's script
** may impose special cases (repasse{} in its contract, fat_termos) that win
** over the office's rules for that operator.
**
** fat_repasse_calcular(periodo) stands only on money received in the period:
** - each receipt's part of a guia (recebimento_guia) is split over the guia's
**   items by what the operator released for each (largest remainder, the
**   parts sum to the receipt's part); a recurso receipt splits by what was
**   deferred; each item part is one line (base) and the rule gives the
**   professional's part: percentage half-up, or the fixed value pro rata to
**   the item's released value (never more than the base);
** - every line shows the open glosas of its item (aberta or em_recurso);
**   it comes held (retido) when one of them is in recurso, or open and
**   classified indevida (a recurso is expected); a person may pay what was
**   received (fat_repasse_decidir "pagar") or keep it held until the recurso
**   ends; a glosa accepted as devida holds nothing (that money never comes);
** - a held line of an earlier CLOSED repasse whose item has no glosa in
**   recurso (or undue and open) any more is released into this one (origem
**   "liberacao"); the recovered money itself
**   comes as a normal line of the receipt that brought it;
** - particular payments count by the money received (value less card fee).
** Recalculating an open repasse keeps the adjustments and the decisions.
** fat_repasse_fechar freezes it (audited; triggers refuse any later change):
** a closed repasse changes only by an adjustment in a later one.
*/
#ifndef FAT_REPASSE_H
#define FAT_REPASSE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_rules.h"
#include "fat_store.h"

typedef struct fat_repasse_regra_in {
  int64_t profissional_id;
  const char *operadora;     /* NULL = any */
  int64_t plano_id;          /* 0 = any */
  const char *grupo;         /* procedure code prefix (digits); NULL = any */
  const char *origem;        /* "convenio", "particular"; NULL = both */
  int64_t percentual_bp;     /* -1 when valor_fixo is used */
  int64_t valor_fixo;        /* centavos; -1 when percentual is used */
} fat_repasse_regra_in;

FAT_NODISCARD fat_rc fat_repasse_regra_definir(fat_store *st, const fat_repasse_regra_in *in,
                                               int64_t *id, fat_err *err);
FAT_NODISCARD fat_rc fat_repasse_regra_listar(fat_store *st, cJSON **out, fat_err *err);

/* (Re)compute the open repasse of periodo (AAAA-MM); *out (may be NULL)
** gets fat_repasse_extrato of it plus "avisos" (lines without a rule or a
** professional). FAT_ESTATE when that repasse is closed. */
FAT_NODISCARD fat_rc fat_repasse_calcular(fat_store *st, fat_gen *gen, const char *periodo,
                                          cJSON **out, fat_err *err);
/* The same calculation; *avisos (may be NULL) gets only the array of
** warnings, and the statement is left to fat_repasse_extrato_ler or the
** _escrever functions (its lines are not held in memory). */
FAT_NODISCARD fat_rc fat_repasse_calcular_avisos(fat_store *st, fat_gen *gen,
                                                 const char *periodo, cJSON **avisos,
                                                 fat_err *err);
/* A held line: "pagar" pays what was received now; "reter" holds it again.
** Only in an open repasse. Audited. */
FAT_NODISCARD fat_rc fat_repasse_decidir(fat_store *st, int64_t item_id, const char *decisao,
                                         fat_err *err);
/* Freeze the repasse of periodo. Audited. */
FAT_NODISCARD fat_rc fat_repasse_fechar(fat_store *st, const char *periodo, fat_err *err);
/* An adjustment (positive or negative) for a professional in the open repasse
** of periodo (created when missing). Audited. */
FAT_NODISCARD fat_rc fat_repasse_ajuste(fat_store *st, const char *periodo,
                                        int64_t profissional_id, int64_t valor,
                                        const char *motivo, fat_err *err);
/* Repasses: array of {periodo, status, calculado_em, fechado_em, fechado_por,
** total_pagar, total_retido}. */
FAT_NODISCARD fat_rc fat_repasse_listar(fat_store *st, cJSON **out, fat_err *err);

/* The totals of the repasse of periodo without its lines (a handful of
** bytes whatever the number of lines; fat_repasse_extrato holds every line).
** The same figures as the statement's: pagar = every line not held, retido
** = the held ones; liberado = lines releasing held money (origem
** "liberacao"). All 0 when periodo has no repasse. */
typedef struct fat_repasse_totais {
  int64_t pagar, retido, liberado;
  int64_t linhas;
} fat_repasse_totais;

FAT_NODISCARD fat_rc fat_repasse_totais_de(fat_store *st, const char *periodo,
                                           fat_repasse_totais *t, fat_err *err);

/* The statement of periodo: {periodo, status, profissionais: [{id, nome,
** conselho, itens: [...], total_pagar, total_retido}], total_pagar,
** total_retido}. profissional_id 0 = everyone. Every line is held in memory
** (~2 KB each): a statement of any size should be read with
** fat_repasse_extrato_ler or written with the _escrever functions. */
FAT_NODISCARD fat_rc fat_repasse_extrato(fat_store *st, const char *periodo,
                                         int64_t profissional_id, cJSON **out, fat_err *err);
/* One professional of a statement and the totals of its lines. */
typedef struct fat_repasse_prof {
  int64_t id;
  const char *nome;          /* NULL when missing */
  const char *conselho;      /* "CRM 1111/SP"; NULL when a part of it is missing */
  int64_t total_pagar;       /* lines not held */
  int64_t total_retido;      /* held lines */
  int64_t linhas;
} fat_repasse_prof;

/* What fat_repasse_extrato_ler calls, in this order (a NULL member is
** skipped): inicio once, with the period, its status, every professional of
** the statement in its order (name, then id) and the grand totals; then, for
** each professional, prof, linha for each of its lines in id order, and
** prof_fim. A line is the object {id, origem, data, guia, codigo, base,
** valor, regra, glosa, situacao, descricao} of fat_repasse_extrato (null
** where the line has no value); it lives until linha returns. A callback
** that returns other than FAT_OK stops the reading with its code. */
typedef struct fat_repasse_leitor {
  void *u;
  fat_rc (*inicio)(void *u, const char *periodo, const char *status,
                   const fat_repasse_prof *profs, size_t n, int64_t total_pagar,
                   int64_t total_retido, fat_err *err);
  fat_rc (*prof)(void *u, const fat_repasse_prof *p, fat_err *err);
  fat_rc (*linha)(void *u, const fat_repasse_prof *p, const cJSON *linha, fat_err *err);
  fat_rc (*prof_fim)(void *u, const fat_repasse_prof *p, fat_err *err);
} fat_repasse_leitor;

/* The statement of periodo (profissional_id 0 = everyone) handed to l as it
** is read: the lines come in pages of 512 by the key of repasse_item, in one
** read snapshot, so memory does not grow with the number of lines (the
** professionals and their totals are held: one row each). No statement is
** open while a callback runs. FAT_ENOTFOUND when periodo has no repasse. */
FAT_NODISCARD fat_rc fat_repasse_extrato_ler(fat_store *st, const char *periodo,
                                             int64_t profissional_id,
                                             const fat_repasse_leitor *l, fat_err *err);

/* Where the streamed statements go: n bytes at p, in order (~64 KB at a
** time). Return other than FAT_OK to stop. */
typedef fat_rc (*fat_repasse_escrita)(void *u, const char *p, size_t n, fat_err *err);

/* The statement as JSON text, written to w as it is read: byte for byte
** cJSON_PrintUnformatted(fat_repasse_extrato(...)), in flat memory. The
** members of mais (an object; NULL = none) are written after the totals,
** as fat_repasse_calcular adds "avisos". */
FAT_NODISCARD fat_rc fat_repasse_extrato_json_escrever(fat_store *st, const char *periodo,
                                                       int64_t profissional_id,
                                                       const cJSON *mais,
                                                       fat_repasse_escrita w, void *u,
                                                       fat_err *err);
/* The statement as printable HTML written to w as it is read (flat memory);
** fat_repasse_extrato_html gives the same bytes in one buffer (*html
** fat_free). The XLSX file at path has one sheet per professional plus a
** summary (the spreadsheet library holds the cells until it writes the
** file). */
FAT_NODISCARD fat_rc fat_repasse_extrato_html_escrever(fat_store *st, const char *periodo,
                                                       int64_t profissional_id,
                                                       fat_repasse_escrita w, void *u,
                                                       fat_err *err);
FAT_NODISCARD fat_rc fat_repasse_extrato_html(fat_store *st, const char *periodo,
                                              int64_t profissional_id, char **html, size_t *len,
                                              fat_err *err);
FAT_NODISCARD fat_rc fat_repasse_extrato_xlsx(fat_store *st, const char *periodo,
                                              int64_t profissional_id, const char *path,
                                              fat_err *err);

/* The guias received in a period (?1 = AAAA-MM) after the key (?2 =
** recebimento id, ?3 = guia id), in key order, at most ?4 rows: the pages
** fat_repasse_calcular walks. Seeks the primary key of recebimento_guia and
** needs no sort (unit.desempenho checks the plan). */
#define FAT_REPASSE_CONVENIO_SQL                                                               \
  "SELECT r.id, r.recuperado, r.operadora_id, o.script, x.guia_id, COALESCE(g.plano_id, 0),"   \
  " x.valor, g.numero_prestador FROM recebimento r JOIN recebimento_guia x"                    \
  " ON x.recebimento_id = r.id JOIN guia g ON g.id = x.guia_id JOIN operadora o"               \
  " ON o.id = r.operadora_id WHERE substr(r.data, 1, 7) = ?1"                                  \
  " AND (x.recebimento_id, x.guia_id) > (?2, ?3)"                                              \
  " ORDER BY x.recebimento_id, x.guia_id LIMIT ?4"

/* A page of the lines of professional ?2 in repasse ?1 after line id ?3, in
** id order (fat_repasse_extrato_ler): seeks repasse_item_rep and needs no
** sort (unit.escala checks the plan). */
#define FAT_REPASSE_EXTRATO_LINHAS_SQL                                                         \
  "SELECT ri.id AS id, ri.origem AS origem, COALESCE(r.data, x.data) AS data,"                 \
  " g.numero_prestador AS guia, i.codigo AS codigo, ri.base AS base, ri.valor AS valor,"       \
  " ri.regra AS regra, ri.glosa AS glosa, ri.situacao AS situacao, ri.descricao AS descricao"  \
  " FROM repasse_item ri LEFT JOIN recebimento r ON r.id = ri.recebimento_id"                  \
  " LEFT JOIN particular_pagamento x ON x.id = ri.pagamento_particular_id"                     \
  " LEFT JOIN guia g ON g.id = ri.guia_id LEFT JOIN item i ON i.id = ri.item_id"               \
  " WHERE ri.repasse_id = ?1 AND ri.profissional_id = ?2 AND ri.id > ?3"                       \
  " ORDER BY ri.id LIMIT 512"

#endif
