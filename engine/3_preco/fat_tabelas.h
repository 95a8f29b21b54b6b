/* fat_tabelas.h: reference and price tables (Part D): import from Brazilian
** CSV files, list what was imported, and look values up by date.
**
** Tables (schemas/004_precos.sql): TUSS terminology, CBHPM procedures per
** edition, porte values per edition, Brasíndice (drugs) and Simpro
** (materials) PF/PMC, operator negotiated prices, TUSS table 38 (glosas).
** Every price row has a vigência; a lookup for a date picks the row with the
** latest vigencia_inicio <= date whose vigencia_fim (if any) >= date.
**
** CSV: ';' separator, first row is the header (column names, accents and case
** ignored), decimal comma ("1.234,56"; a dot is only a thousands separator),
** UTF-8 or ISO-8859-1 (detected: a file that is not valid UTF-8 is read as
** Latin-1), quotes allowed ("a;b" and "" inside). One import is one
** transaction: one bad row rejects the whole file, and the error names the
** line and the column. docs/tabelas.md describes each layout (pt-BR).
*/
#ifndef FAT_TABELAS_H
#define FAT_TABELAS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_store.h"

typedef enum fat_tabela_tipo {
  FAT_TAB_TUSS = 0,
  FAT_TAB_CBHPM,
  FAT_TAB_PORTES,
  FAT_TAB_BRASINDICE,
  FAT_TAB_SIMPRO,
  FAT_TAB_NEGOCIADA,
  FAT_TAB_GLOSAS
} fat_tabela_tipo;

/* "tuss", "cbhpm", "portes", "brasindice", "simpro", "negociada", "glosas" */
const char *fat_tabela_tipo_str(fat_tabela_tipo t);
/* Parse the string form; -1 when unknown. */
int fat_tabela_tipo_parse(const char *s);

/* Options of one import (all may be NULL):
** vigencia: default vigência início of rows without a vigencia_inicio column
**           ('AAAA-MM-DD'; NULL = "0001-01-01", i.e. since always);
** edicao:   CBHPM/portes edition (required for cbhpm and portes);
** operadora: the operadora the negotiated table belongs to, as
**           fat_operadora_resolver accepts, or the registro ANS (6 digits)
**           of one not registered yet; any other unknown name is refused
**           (required for negociada). */
typedef struct fat_tabela_opcoes {
  const char *vigencia;
  const char *edicao;
  const char *operadora;
} fat_tabela_opcoes;

typedef struct fat_tabela_resultado {
  int64_t importacao_id;  /* tabela_importacao.id */
  long linhas;            /* data rows imported */
  char codificacao[16];   /* "UTF-8" or "ISO-8859-1" */
  char sha256[65];        /* of the file bytes, hex */
} fat_tabela_resultado;

/* Import the CSV file at path as a table of type tipo, in one transaction
** (nested in the caller's, if open). Rows with the same key and vigência as
** rows of an earlier import replace them; the same key twice in one file is
** an error. On error nothing is kept and err names "linha N, coluna X". */
FAT_NODISCARD fat_rc fat_tabelas_importar(fat_store *st, fat_tabela_tipo tipo, const char *path,
                                          const fat_tabela_opcoes *op, fat_tabela_resultado *res,
                                          fat_err *err);

/* The same from a buffer already in memory; name is recorded as the file. */
FAT_NODISCARD fat_rc fat_tabelas_importar_buf(fat_store *st, fat_tabela_tipo tipo,
                                              const char *name, const char *data, size_t len,
                                              const fat_tabela_opcoes *op,
                                              fat_tabela_resultado *res, fat_err *err);

/* What is loaded: {"importacoes":[{id,tipo,arquivo,sha256,codificacao,linhas,
** vigencia,edicao,operadora,usuario,importado_em}...], "totais":{"tuss":n,
** "cbhpm":n,"portes":n,"brasindice":n,"simpro":n,"negociada":n,"glosas":n}}.
** *out owned by the caller (cJSON_Delete). */
FAT_NODISCARD fat_rc fat_tabelas_listar(fat_store *st, cJSON **out, fat_err *err);

/* ---- Lookups by date (data = 'AAAA-MM-DD'). Each returns FAT_ENOTFOUND
** (with a pt-BR message) when no row is vigente on that date. ---- */

typedef struct fat_cbhpm_proc {
  char descricao[160];
  char porte[8];            /* "3A"; "0" = no porte */
  int64_t fracao_porte_e4;  /* 10000 = whole porte */
  int64_t uco_e4;           /* custo operacional in UCO, ten-thousandths */
  int64_t filme_e4;         /* filme m², ten-thousandths */
  int auxiliares;
  int porte_anestesico;     /* 0..8 */
  char vigencia[11];        /* vigencia_inicio of the row used */
} fat_cbhpm_proc;

FAT_NODISCARD fat_rc fat_tabelas_cbhpm(fat_store *st, const char *edicao, const char *codigo,
                                       const char *data, fat_cbhpm_proc *out, fat_err *err);

/* Value in centavos of a porte ("3A", "AN2") of an edition. */
FAT_NODISCARD fat_rc fat_tabelas_porte(fat_store *st, const char *edicao, const char *porte,
                                       const char *data, int64_t *valor, char vigencia[11],
                                       fat_err *err);

typedef struct fat_insumo_preco {
  char descricao[160];
  char apresentacao[80];
  int64_t pf;               /* preço fábrica, centavos */
  int64_t pmc;              /* preço máximo ao consumidor, centavos */
  char vigencia[11];
} fat_insumo_preco;

/* tabela: "brasindice" or "simpro". */
FAT_NODISCARD fat_rc fat_tabelas_insumo(fat_store *st, const char *tabela, const char *codigo,
                                        const char *data, fat_insumo_preco *out, fat_err *err);

/* Negotiated price (centavos) of a code for an operator (registro ANS). */
FAT_NODISCARD fat_rc fat_tabelas_negociado(fat_store *st, const char *registro_ans,
                                           const char *codigo, const char *data, int64_t *valor,
                                           char descricao[160], char vigencia[11], fat_err *err);

/* Every vigência of a code in an operator's negotiated table, read once so
** that the price on each date is chosen in C (fat_tabelas_negociado_em)
** exactly as fat_tabelas_negociado's statement chooses it. */
#define FAT_NEG_VIGS_MAX 8
typedef struct fat_neg_vig {
  int64_t valor;
  char descricao[160];
  char inicio[11]; /* vigencia_inicio (as fat_tabelas_negociado copies it) */
  char fim[11];    /* vigencia_fim, when has_fim */
  int has_fim;
} fat_neg_vig;
typedef struct fat_neg_vigs {
  size_t n;
  fat_neg_vig v[]; /* n rows (the block holds just them: most codes have none) */
} fat_neg_vigs;

/* The rows of registro_ans's negotiated table for codigo into *out (a new
** block the caller frees with fat_free), or *out = NULL when the rows cannot
** be compared in C byte for byte as SQLite compares them (more than
** FAT_NEG_VIGS_MAX rows, a vigência that is not a plain text of up to 10
** bytes): then only fat_tabelas_negociado answers for that code. */
FAT_NODISCARD fat_rc fat_tabelas_negociado_vigs(fat_store *st, const char *registro_ans,
                                                const char *codigo, fat_neg_vigs **out,
                                                fat_err *err);
/* fat_tabelas_negociado's answer (and message) from the rows v of
** fat_tabelas_negociado_vigs of the same registro_ans and codigo (err NULL:
** not found without the message). */
FAT_NODISCARD fat_rc fat_tabelas_negociado_em(const fat_neg_vigs *v, const char *registro_ans,
                                              const char *codigo, const char *data,
                                              int64_t *valor, char descricao[160],
                                              char vigencia[11], fat_err *err);

/* TUSS description of a code (any TUSS table) vigente on data. */
FAT_NODISCARD fat_rc fat_tabelas_tuss(fat_store *st, const char *codigo, const char *data,
                                      char tabela[4], char descricao[160], fat_err *err);

#endif
