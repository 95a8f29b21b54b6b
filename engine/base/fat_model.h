/* fat_model.h: the plain data of a guia as every module sees it.
**
** A fat_guia is a self-contained snapshot: the guia row, its items, and copies
** of the operadora, prestador, plano, beneficiário and profissionais it points
** to. Strings are owned by the struct (NULL = absent). Money is int64_t
** centavos; FAT_ABSENT marks a money/number field that was not informed.
**
** The JSON form (fat_guia_to_json / fat_guia_from_json) is the one interchange
** shape: `faturo importar guias` reads it, `exportar guias` writes it, rules
** get it as a Lua table, the API serves it. Its field names are the struct's
** (Portuguese, snake_case); docs/formatos.md documents it. Reading it checks
** every field against its TISS size or range and refuses control characters.
**
** Money and quantities as text are fat_money.h's; dates fat_dia.h's.
** (fat_model.c: tipo and free; fat_model_json.c: the JSON form;
** fat_model_store.c: load, find, save.)
*/
#ifndef FAT_MODEL_H
#define FAT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_store.h"

#define FAT_ABSENT INT64_MIN

typedef enum fat_guia_tipo {
  FAT_GUIA_CONSULTA = 0,
  FAT_GUIA_SADT,
  FAT_GUIA_HONORARIOS,
  FAT_GUIA_INTERNACAO
} fat_guia_tipo;

/* "consulta", "sp-sadt", "honorarios", "resumo-internacao" */
const char *fat_guia_tipo_str(fat_guia_tipo t);
/* Parse the string form; returns -1 when unknown. */
int fat_guia_tipo_parse(const char *s);
/* The label users read for a type's string form ("SP/SADT" for "sp-sadt",
** "Resumo de internação"...); an unknown key is returned as it is, NULL as "". */
const char *fat_guia_tipo_rotulo(const char *s);
/* A guia's status (guia.status) as users read it: 'em_lote' is "em lote";
** the others are words already; unknown text as it is, NULL as "". */
const char *fat_guia_status_rotulo(const char *s);
/* Is the status one of a guia still "a faturar" (digitada, conferida or
** pendente: not yet in a lote, not cancelled)? The panel's counters and
** what conferir may change both use this set; NULL is not one. */
int fat_guia_status_a_faturar(const char *s);

typedef struct fat_profissional {
  int64_t id;
  char *nome;
  char *cpf;
  char *conselho;        /* sigla: CRM, CRO, COREN, CRF, CRFA, CREFITO, CRN, CRP, CRAS, OUT */
  char *numero_conselho;
  char *uf;              /* sigla, e.g. "SP" */
  char *cbo;             /* CBO-S, 6 digits */
  char *especialidade;
} fat_profissional;

typedef struct fat_beneficiario {
  int64_t id;
  char *nome;
  char *nome_social;
  char *cpf;
  char *cns;
  char *nascimento;      /* AAAA-MM-DD */
  char *sexo;            /* M, F, I */
} fat_beneficiario;

typedef struct fat_operadora {
  int64_t id;
  char *registro_ans;
  char *nome;
  char *script;          /* rule script key */
} fat_operadora;

typedef struct fat_prestador {
  int64_t id;
  char *nome;
  char *cnpj;
  char *cpf;
  char *cnes;
  char *codigo_na_operadora;
} fat_prestador;

typedef struct fat_plano {
  int64_t id;            /* 0 = none */
  char *codigo;
  char *nome;
  char *acomodacao;      /* enfermaria, apartamento, ambulatorial */
} fat_plano;

typedef struct fat_item {
  int64_t id;
  int sequencial;
  char *tipo;            /* procedimento, material, medicamento, opme, taxa, diaria, gas */
  char *codigo_tabela;   /* "22", "18", "19", "20", "98", "00" */
  char *codigo;
  char *descricao;
  int64_t quantidade_e4; /* 1 unit = 10000 */
  int64_t valor_unitario;/* centavos or FAT_ABSENT (to be priced) */
  int64_t valor_total;   /* centavos or FAT_ABSENT */
  char *data;
  char *hora_inicio;
  char *hora_fim;
  char *via_acesso;
  char *tecnica;
  char *grau_participacao;
  int64_t fator_e2;      /* reducaoAcrescimo; 100 = 1,00 */
  fat_profissional *profissional; /* executante of this item (honorários), or NULL */
  char *unidade_medida;
  char *registro_anvisa;
  char *codigo_fabricante;
} fat_item;

typedef struct fat_guia {
  int64_t id;            /* 0 before it is stored */
  fat_guia_tipo tipo;
  fat_operadora operadora;
  fat_prestador prestador;
  fat_plano plano;
  fat_beneficiario beneficiario;   /* the registered person (may have id 0) */
  char *numero_prestador;
  char *numero_operadora;
  char *numero_principal;
  char *beneficiario_nome;         /* as billed */
  char *carteira_numero;           /* as billed */
  char *carteira_validade;
  char *cns;
  int atendimento_rn;
  char *senha;
  char *data_autorizacao;
  char *validade_senha;
  char *carater_atendimento;
  char *tipo_atendimento;
  char *tipo_consulta;
  char *regime_atendimento;
  char *indicacao_acidente;
  char *cid;
  char *cid_secundarios;
  char *data_solicitacao;
  char *indicacao_clinica;
  char *data_inicio;
  char *hora_inicio;
  char *data_fim;
  char *hora_fim;
  char *tipo_internacao;
  char *regime_internacao;
  char *motivo_encerramento;
  fat_profissional *solicitante;   /* NULL when absent */
  fat_profissional *executante;    /* NULL when absent */
  int assinatura_beneficiario;
  int pedido_medico;
  int laudo;
  char *observacao;
  int64_t valor_total;             /* as billed, centavos */
  char *competencia;               /* AAAA-MM */
  char *status;
  int64_t revisao;
  int64_t lote_id;                 /* 0 = none */
  char *origem;
  fat_item *itens;
  size_t n_itens;
  /* texts (and profissionais) of a guia read by a fat_guia_loader live in
  ** this one block; fat_guia_free frees only what is outside it. NULL for
  ** every other guia. Code that replaces a field of a loaded guia must not
  ** free the old value itself (none does: they edit fat_guia_load's). */
  char *arena;
  size_t arena_cap, arena_used;
} fat_guia;

/* Free a guia and everything it owns; NULL is a no-op. */
void fat_guia_free(fat_guia *g);

/* Load guia `id` with its items and the rows it references.
** FAT_ENOTFOUND when there is no such guia. *out owned by the caller. */
FAT_NODISCARD fat_rc fat_guia_load(fat_store *st, int64_t id, fat_guia **out, fat_err *err);

/* A loader of many guias in one transaction (e.g. the guias of a lote): the
** rows the guias reference (operadora, prestador and its code at the
** operadora, plano, profissionais) are read once and kept, so it must not
** outlive changes to those rows. fat_guia_loader_load gives exactly what
** fat_guia_load gives. */
typedef struct fat_guia_loader fat_guia_loader;
FAT_NODISCARD fat_rc fat_guia_loader_new(fat_store *st, fat_guia_loader **out, fat_err *err);
FAT_NODISCARD fat_rc fat_guia_loader_load(fat_guia_loader *l, int64_t id, fat_guia **out,
                                          fat_err *err);
void fat_guia_loader_free(fat_guia_loader *l);

/* Find a guia id by operadora (registro ANS, script key or id, as
** fat_operadora_resolver) and número no prestador. */
FAT_NODISCARD fat_rc fat_guia_find(fat_store *st, const char *operadora,
                                   const char *numero_prestador, int64_t *id, fat_err *err);

/* The JSON form of a guia (see docs/formatos.md). NULL on OOM. The caller
** frees with cJSON_Delete. Absent fields are omitted. */
cJSON *fat_guia_to_json(const fat_guia *g);

/* A walk over the JSON form of a guia, field by field in the order of
** fat_guia_to_json (which is built with it), for building another view of
** the guia without the cJSON tree (the rules host builds the Lua table of a
** guia with it). name is the key in the enclosing object, NULL inside an
** array; obj_begin and arr_begin get the number of entries that follow;
** end closes the innermost object or array. Numbers come as JSON numbers
** (double); money, quantities and factors as their JSON text, or, when
** `fixed` is set, as their integer and number of decimals (money 2,
** quantity 4, factor 2: the text is fat_money_format_fixed(v, decimals, '.')).
** With `no_counts` set, obj_begin and arr_begin get n = -1 (not counted).
** A callback returns 0 to stop the walk. */
typedef struct fat_guia_visitor {
  int (*obj_begin)(void *ud, const char *name, int n);
  int (*arr_begin)(void *ud, const char *name, int n);
  int (*end)(void *ud);
  int (*str)(void *ud, const char *name, const char *v);
  int (*num)(void *ud, const char *name, double v);
  int (*boolean)(void *ud, const char *name, int v);
  int (*fixed)(void *ud, const char *name, int64_t v, int decimals); /* optional */
  int no_counts;
} fat_guia_visitor;

/* Walk g with v; 1 when the walk finished, 0 when a callback stopped it. */
int fat_guia_visit(const fat_guia *g, const fat_guia_visitor *v, void *ud);

/* Parse the JSON form; errors name the field path ("itens[2].quantidade").
** Operadora, prestador, plano and profissionais may be given by key only
** (registro_ans, cnpj, codigo, conselho+numero+uf); fat_guia_save resolves them. */
FAT_NODISCARD fat_rc fat_guia_from_json(const cJSON *j, fat_guia **out, fat_err *err);

/* Store a new guia (g->id == 0) or replace an existing one (g->id > 0, bumps
** revisao), resolving/creating beneficiário and profissionais. Runs inside the
** caller's transaction if one is open. Sets g->id and item ids. Audited as
** guia.digitar (new) or guia.corrigir (replaced), objeto "guia:<id>": the
** one place every guia is written, so the productivity report sees them all. */
FAT_NODISCARD fat_rc fat_guia_save(fat_store *st, fat_guia *g, fat_err *err);
/* fat_guia_save with the operadora and prestador already resolved by the
** caller (ids of g->operadora.registro_ans and g->prestador's CNPJ/CPF, as
** fat_operadora_por_registro and fat_prestador_id give them): an import
** resolves each once per file instead of once per guia. An id <= 0 is
** resolved here, as fat_guia_save does. */
FAT_NODISCARD fat_rc fat_guia_save_ids(fat_store *st, fat_guia *g, int64_t operadora_id,
                                       int64_t prestador_id, fat_err *err);

/* A saver of many guias in one transaction (an import): it remembers the
** beneficiários (by CPF), carteiras and profissionais (by conselho + número
** + UF) it has written and the values it wrote, so that a guia repeating
** them skips the look-up and the update that would change nothing. The
** database ends exactly as with fat_guia_save_ids guia by guia. It is valid
** only inside the caller's transaction and while nothing else writes those
** rows; after a failed save it forgets everything (the caller rolls back).
** It keeps at most a few thousand people, then starts over (memory does not
** grow with the file). fat_guia_saver_free(NULL) is a no-op. */
typedef struct fat_guia_saver fat_guia_saver;
FAT_NODISCARD fat_rc fat_guia_saver_new(fat_guia_saver **out, fat_err *err);
void fat_guia_saver_free(fat_guia_saver *sv);
/* fat_guia_save_ids through the saver sv (NULL: fat_guia_save_ids). */
FAT_NODISCARD fat_rc fat_guia_saver_save(fat_guia_saver *sv, fat_store *st, fat_guia *g,
                                         int64_t operadora_id, int64_t prestador_id,
                                         fat_err *err);
/* Bulk mode for a saver used inside one transaction of many new guias (an
** import, the demo): the counters that the INSERT triggers of guia keep
** (rel_mes, painel_operadora) are added once for all the new guias by
** fat_guia_saver_finish instead of guia by guia (fat_model_store.c). While a
** bulk saver is in use nothing else may write guia or read those counters,
** and the caller MUST call fat_guia_saver_finish before committing (after a
** failed save it rolls back instead). Same rows and counters as without. */
void fat_guia_saver_bulk(fat_guia_saver *sv);
/* End the bulk mode of sv: the counters added, the triggers back. NULL or
** a saver that is not bulk: nothing to do. */
FAT_NODISCARD fat_rc fat_guia_saver_finish(fat_guia_saver *sv, fat_store *st, fat_err *err);

/* ---- Helpers added by Part A (model) ---- */

/* Free a profissional and its strings; NULL is a no-op. */
void fat_profissional_free(fat_profissional *p);

/* Like fat_guia_from_json, but on error the offending field path (e.g.
** "itens[0].quantidade", "data_inicio") is copied into campo (empty when the
** error is not about one field) and err->msg holds only the problem. */
FAT_NODISCARD fat_rc fat_guia_from_json_campo(const cJSON *j, fat_guia **out, char *campo,
                                              size_t campo_len, fat_err *err);

/* Id of the prestador with this CNPJ (or, when cnpj is NULL, this CPF);
** FAT_ENOTFOUND when it is not registered. */
FAT_NODISCARD fat_rc fat_prestador_id(fat_store *st, const char *cnpj, const char *cpf,
                                      int64_t *id, fat_err *err);

#endif
