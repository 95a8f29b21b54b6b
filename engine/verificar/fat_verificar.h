/* fat_verificar.h: faturo's own invariants, checked on a database.
**
** Every stage keeps promises about what it writes: a lote's total is its
** guias' total, a glosa belongs to a guia of a sent lote, a sent lote still
** hashes to the hash it was sent with, a finding names the rule generation
** that produced it, the audit trail has no holes... fat_verificar() checks
** each of them and lists every violation, so a crash, a bug or a hand edit
** of the database is found before it costs money.
**
** The checks are data: a table of named entries (fat_verif_checks), each
** either one SQL query whose rows are the violations or a C function for
** what SQL cannot say (parsing a lote's XML, hashing a script). A later part
** adds its invariant with one entry; docs/dev/verificar.md says how.
**
** Everything runs in one read transaction (a consistent snapshot that does
** not block writers) and writes nothing.
*/
#ifndef FAT_VERIFICAR_H
#define FAT_VERIFICAR_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_store.h"

/* Violations kept per check (the count goes on past it). */
#define FAT_VERIF_MAX_POR_CHECK 200

typedef struct fat_verif_ctx fat_verif_ctx;

/* A check written in C: reports each violation with fat_verif_reportar(). */
typedef fat_rc (*fat_verif_fn)(fat_verif_ctx *c, fat_err *err);

/* One invariant. Exactly one of sql and fn is set.
**
** sql: a query whose rows are the violations, with the columns
**   objeto   TEXT     what is wrong, as a table name: 'lote', 'guia', 'glosa' ...
**   id       INTEGER  its id
**   detalhe  TEXT     pt-BR sentence for the user, naming numbers the user
**                     knows (lote number, guia number); "{1}", "{2}" ... are
**                     replaced by the 4th, 5th ... columns as money (R$ 1,00)
**   [valor1, valor2 ...] INTEGER centavos for the markers
** and no parameters. */
typedef struct fat_verif_check {
  const char *nome;        /* stable identifier, e.g. "lote_total_guias" */
  const char *descricao;   /* the invariant as one pt-BR sentence */
  const char *sql;
  fat_verif_fn fn;
} fat_verif_check;

/* The table of every check, in the order they run; *n gets its length. */
const fat_verif_check *fat_verif_checks(size_t *n);

/* One violation. */
typedef struct fat_verif_violacao {
  char *objeto;            /* 'lote', 'guia', ... */
  int64_t id;
  char *detalhe;           /* pt-BR */
} fat_verif_violacao;

/* What one check found. */
typedef struct fat_verif_resultado {
  const fat_verif_check *check;
  fat_verif_violacao *v;   /* at most FAT_VERIF_MAX_POR_CHECK */
  size_t n;
  size_t total;            /* every violation found, kept or not */
} fat_verif_resultado;

typedef struct fat_verif_relatorio {
  fat_verif_resultado *r;  /* one per check run, in table order */
  size_t n;
  size_t violacoes;        /* sum of total */
} fat_verif_relatorio;

void fat_verif_relatorio_fini(fat_verif_relatorio *rel);

/* Run the checks named in nomes (NULL-terminated; NULL = all) on st and fill
** *out (fini it, also on failure). FAT_EINVAL for an unknown name;
** FAT_EDB / FAT_ENOMEM when a check could not run (a violation is not an
** error: it is in the report). */
FAT_NODISCARD fat_rc fat_verificar(fat_store *st, const char *const *nomes,
                                   fat_verif_relatorio *out, fat_err *err);

/* Record a violation of the running check (for fat_verif_fn): objeto and
** detalhe are copied. */
FAT_NODISCARD fat_rc fat_verif_reportar(fat_verif_ctx *c, const char *objeto, int64_t id,
                                        const char *detalhe, fat_err *err);
/* The store being checked (for fat_verif_fn). */
fat_store *fat_verif_store(fat_verif_ctx *c);

/* The report as JSON: {"ok": bool, "violacoes": N, "invariantes": [{"nome",
** "descricao", "ok", "total", "violacoes": [{"objeto", "id", "detalhe"}]}]}.
** NULL on OOM. */
cJSON *fat_verif_relatorio_json(const fat_verif_relatorio *rel);

#endif
