/* fat_acesso_log.h: who saw what (Part N, LGPD): the access log.
**
** Every read of patient data (a guia, a beneficiário, a listing that shows
** them, an export or a file that carries them), from the CLI or the API, adds
** ONE row to table `acesso` (schema 071): who (user and role), when, through
** what (the verb or the route: the why), what kind of record and which ones
** (their ids, compacted as ranges "12,15-40"), how many, and whether full
** identifiers (CPF, CNS, carteira) were shown or only masked ones. The row
** holds no patient data beyond record ids. It is kept apart from the write
** audit (`auditoria`) and written as its own small transaction, one per
** request or verb, never one per record: a page of 50 guias is one INSERT.
**
** The beneficiários behind the guias read are recorded too (",3,17,"), so a
** data-subject request finds every read of one patient with one indexed
** look-up plus a text search; a read of more than FAT_ACESSO_BENEF_MAX
** beneficiários (a whole export) records the guias only, and the search
** then matches the patient's guias against the ranges.
*/
#ifndef FAT_ACESSO_LOG_H
#define FAT_ACESSO_LOG_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_auth.h"
#include "fat_err.h"
#include "fat_store.h"

#define FAT_ACESSO_BENEF_MAX 500

/* Who reads, how, and why. Borrowed for the duration of each call. */
typedef struct fat_leitor {
  const char *usuario; /* NULL = the store's user (fat_store_user) */
  fat_papel papel;     /* decides masking (fat_lgpd.h); NENHUM = masked */
  const char *canal;   /* "cli" or "api" */
  const char *acao;    /* the verb or the route: "guia mostrar", "GET /api/guias/{}" */
  const char *motivo;  /* free text the user gave, or NULL */
  int operador;        /* 1: a CLI user who is not a panel user (whoever runs
                          faturo on the machine of the database): recorded as
                          role 'operador', sees what an admin sees */
} fat_leitor;

/* Kinds of record (acesso.objeto). */
#define FAT_ACESSO_GUIA "guia"
#define FAT_ACESSO_BENEFICIARIO "beneficiario"
#define FAT_ACESSO_PARTICULAR "particular"

/* The kind of record objeto (FAT_ACESSO_*) as users read it: "Guia",
** "Beneficiário", "Atendimento particular"; other text as it is, NULL as "". */
const char *fat_acesso_objeto_rotulo(const char *objeto);

/* Record one read by l of ids[0..n) of kind objeto (FAT_ACESSO_*). For guias
** the beneficiários behind them are looked up and recorded too; for
** beneficiários the ids are recorded as such. completo: full identifiers
** were shown. n may be 0 (an empty listing is a read too). A NULL l records
** nothing (internal reads that show nobody anything). FAT_EDB when the row
** cannot be written: the caller must not show the data. */
FAT_NODISCARD fat_rc fat_acesso_registrar(fat_store *st, const fat_leitor *l, const char *objeto,
                                          const int64_t *ids, size_t n, int completo,
                                          fat_err *err);

/* The same for guias ids[0..n) whose beneficiário ids the caller already
** holds: benef[i] is that of ids[i] (0 = none); the row is the one
** fat_acesso_registrar(st, l, FAT_ACESSO_GUIA, ids, n, completo, err) writes,
** without looking the beneficiários up (lote fechar --saida logs each file
** from the guias it has just loaded). */
FAT_NODISCARD fat_rc fat_acesso_registrar_guias(fat_store *st, const fat_leitor *l,
                                                const int64_t *ids, const int64_t *benef,
                                                size_t n, int completo, fat_err *err);

/* The same with the ids taken from field campo_id of each object of the
** JSON array rows. */
FAT_NODISCARD fat_rc fat_acesso_registrar_linhas(fat_store *st, const fat_leitor *l,
                                                 const char *objeto, const cJSON *rows,
                                                 const char *campo_id, int completo,
                                                 fat_err *err);

/* A read of every guia of lote id (its XML, its relação de guias). */
FAT_NODISCARD fat_rc fat_acesso_registrar_lote(fat_store *st, const fat_leitor *l, int64_t id,
                                               int completo, fat_err *err);

/* A read of every guia whose glosas recurso id appeals (its printable
** report, its CSV, its XML). */
FAT_NODISCARD fat_rc fat_acesso_registrar_recurso(fat_store *st, const fat_leitor *l, int64_t id,
                                                  int completo, fat_err *err);

/* A read of every guia an export with this filter writes: operadora (registro
** ANS, script key or id; NULL = all) and competencia (AAAA-MM or NULL), the
** filter of fat_export_guias_escrever. */
FAT_NODISCARD fat_rc fat_acesso_registrar_exportacao(fat_store *st, const fat_leitor *l,
                                                     const char *operadora,
                                                     const char *competencia, fat_err *err);

/* What `faturo auditoria acessos` asks. */
typedef struct fat_acesso_filtro {
  const char *cpf;     /* reads of this patient's records (11 digits, punctuated or not) */
  const char *usuario; /* reads by this user */
  const char *desde;   /* from this day of the clinic on (AAAA-MM-DD, local time) */
  int limite;          /* most recent rows; 0 = 1000 */
} fat_acesso_filtro;

/* The access log, newest first: [{id, em, usuario, papel, canal, acao,
** objeto, registros (the compact id list), beneficiarios (ids, or null when
** too many), n, completo (bool), motivo}]. With cpf, only the reads that
** touched that patient (a guia of it, the beneficiário itself, or a
** particular billed to that CPF); FAT_ENOTFOUND when faturo holds nothing
** under that CPF. FAT_EINVAL for a bad CPF or date. */
FAT_NODISCARD fat_rc fat_acesso_listar(fat_store *st, const fat_acesso_filtro *f, cJSON **out,
                                       fat_err *err);

/* ids[0..n) (any order, repeats allowed) as sorted ranges "3,7-9,12" into
** *out (fat_free); "" for n == 0. */
FAT_NODISCARD fat_rc fat_acesso_ids_texto(const int64_t *ids, size_t n, char **out,
                                          fat_err *err);

/* 1 when id is in a list made by fat_acesso_ids_texto (NULL = empty). */
int fat_acesso_ids_contem(const char *lista, int64_t id);

#endif
