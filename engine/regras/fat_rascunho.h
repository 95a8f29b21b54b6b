/* fat_rascunho.h: drafts of operator scripts edited in the panel (Part K).
**
** One draft per operator script key (table regra_rascunho, schema 007): the
** text, its SHA-256, the live script it started from, who saved it and when,
** and the report of its last check (it compiles, its self-tests pass). A
** draft is checked on every save; publishing (fat_rules_publicar) builds and
** self-tests a generation with the draft first and only then writes
** <regras>/operators/<key>.lua and publishes; if it does not build, nothing
** is written and the live rules stay. fat_rules serializes publish, reload
** and revert itself.
*/
#ifndef FAT_RASCUNHO_H
#define FAT_RASCUNHO_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_rules.h"
#include "fat_store.h"

#define FAT_RASCUNHO_MAX (512 * 1024) /* bytes of a script */

typedef struct fat_rascunho {
  char *conteudo;            /* the draft text, NUL-terminated (owned) */
  size_t len;
  char sha256[65];
  char base_sha256[65];      /* live script it started from ("" when unknown) */
  char autor[64];
  char atualizado_em[32];    /* AAAA-MM-DDTHH:MM:SSZ */
  int valido;                /* compiled and every self-test passed */
  cJSON *relatorio;          /* last check: {compila, erro, testes} or NULL (owned) */
} fat_rascunho;

void fat_rascunho_fini(fat_rascunho *r);

/* The draft of key; *found = 0 (and *out zeroed) when there is none. */
FAT_NODISCARD fat_rc fat_rascunho_ler(fat_store *st, const char *key, fat_rascunho *out,
                                      int *found, fat_err *err);

/* Every draft, by key: [{operadora, autor, atualizado_em, valido}]. */
FAT_NODISCARD fat_rc fat_rascunho_listar(fat_store *st, cJSON **out, fat_err *err);

/* Check text as the script of key against the other scripts of regras_dir:
** *report = {"compila": bool, "erro": text|null, "testes": self-test report};
** *valido = 1 when it compiled and every self-test passed. A script that does
** not compile or fails a test is a report, not an error (FAT_OK). */
FAT_NODISCARD fat_rc fat_rascunho_verificar(const char *regras_dir, const char *key,
                                            const char *text, size_t len, cJSON **report,
                                            int *valido, fat_err *err);

/* Check and store text as the draft of key (author = fat_store_user), which
** must be a script of the live generation of r (FAT_ENOTFOUND otherwise);
** FAT_ELIMIT above FAT_RASCUNHO_MAX. On success *out (may be NULL) is the
** stored draft. */
FAT_NODISCARD fat_rc fat_rascunho_salvar(fat_store *st, fat_rules *r, const char *key,
                                         const char *text, size_t len, fat_rascunho *out,
                                         fat_err *err);

/* Publish the draft of key with fat_rules_publicar (the generation is built
** and self-tested before the file is written; the new generation is
** recorded in st) and drop the draft. When it is refused nothing changes:
** the file, the live rules and the draft stay, and err says why (FAT_ERULE /
** FAT_ELIMIT / ...). FAT_ENOTFOUND when there is no draft. */
FAT_NODISCARD fat_rc fat_rascunho_publicar(fat_store *st, fat_rules *r, const char *key,
                                           fat_err *err);

/* The text of the live script of key in generation g: as recorded with the
** generation (what its SHA-256 describes), else the file under regras_dir.
** *text fat_free. FAT_ENOTFOUND when the operator has no script. */
FAT_NODISCARD fat_rc fat_rascunho_em_uso(fat_store *st, fat_gen *g, const char *regras_dir,
                                         const char *key, char **text, fat_err *err);

/* Line diff of the live script of key (in g) and its draft:
** {"iguais": bool, "linhas": [{t: " "|"-"|"+", a: line in live|null,
**  b: line in draft|null, texto}]}; common prefix and suffix kept, the middle
** by longest common subsequence while it fits a 4 Mi-cell table, else shown
** as removed then added. FAT_ENOTFOUND without a draft, FAT_ELIMIT above
** 20000 lines. */
FAT_NODISCARD fat_rc fat_rascunho_diff(fat_store *st, fat_gen *g, const char *regras_dir,
                                       const char *key, cJSON **out, fat_err *err);

/* The stored generations that contain the script of key, newest first (at
** most 100): [{id, criado_em, usuario, ativa, motivo, sha256}] where sha256
** is that script's. key NULL = every generation (sha256 null). */
FAT_NODISCARD fat_rc fat_rascunho_versoes(fat_store *st, const char *key, cJSON **out,
                                          fat_err *err);

/* Write text to a new private temporary file (mode 0600) for the builders
** that still read a script from a path; path (>= 64 bytes) gets its name, the
** caller unlinks it. */
FAT_NODISCARD fat_rc fat_rascunho_arquivo_temp(const char *text, size_t len, char *path,
                                               size_t path_len, fat_err *err);

#endif
