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

/* The statement of periodo: {periodo, status, total_pagar, total_retido,
** profissionais: [{id, nome, conselho, total_pagar, total_retido, itens: [...]}]}.
** profissional_id 0 = everyone. */
FAT_NODISCARD fat_rc fat_repasse_extrato(fat_store *st, const char *periodo,
                                         int64_t profissional_id, cJSON **out, fat_err *err);
/* The same as printable HTML (*html fat_free) or as an XLSX file at path
** (one sheet per professional plus a summary). */
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

#endif
