/* fat_finding.h: a conferir finding and a growable list of them.
**
** Produced by built-in checks (check module) and by operator scripts (rules
** module); stored in table `achado`. Strings are owned by the finding.
*/
#ifndef FAT_FINDING_H
#define FAT_FINDING_H

#include <stddef.h>
#include <stdint.h>

#include "fat_err.h"

typedef enum fat_severidade { FAT_ALERTA = 0, FAT_BLOQUEIO = 1 } fat_severidade;

typedef struct fat_finding {
  char *codigo;          /* stable code, e.g. "SENHA_AUSENTE" */
  fat_severidade severidade;
  char *campo;           /* field path, e.g. "itens[2].valor_unitario" (may be NULL) */
  char *mensagem;        /* pt-BR: what is wrong and what to fix */
  char *glosa_prevista;  /* TUSS table 38 code, e.g. "1401" (may be NULL) */
  int64_t valor_risco;   /* centavos */
  int item_seq;          /* sequencial of the item concerned, 0 = whole guia */
  char *regra;           /* "builtin:<name>" or "<script>:<check>" */
  char *script_sha256;   /* version of the script that produced it (may be NULL) */
  int linha;             /* line in the script where the check is defined (0 = n/a) */
} fat_finding;

typedef struct fat_findings {
  fat_finding *v;
  size_t n;
  size_t cap;
} fat_findings;

void fat_findings_init(fat_findings *l);
void fat_findings_fini(fat_findings *l);   /* frees every finding */
void fat_findings_clear(fat_findings *l);  /* frees findings, keeps capacity */

/* Append a copy of each string (NULLs allowed except codigo and mensagem). */
FAT_NODISCARD fat_rc fat_findings_add(fat_findings *l, const char *codigo, fat_severidade sev,
                                      const char *campo, const char *mensagem,
                                      const char *glosa_prevista, int64_t valor_risco,
                                      int item_seq, const char *regra,
                                      const char *script_sha256, int linha, fat_err *err);

/* Move every finding of src to the end of dst (src becomes empty). */
FAT_NODISCARD fat_rc fat_findings_move(fat_findings *dst, fat_findings *src, fat_err *err);

const char *fat_severidade_str(fat_severidade s); /* "bloqueio" / "alerta" */

/* A finding's identity across re-checks of its guia: the code, the item it
** concerns (by sequencial, which survives items being added, removed or
** reordered, unlike the index in "itens[N]") and the field within the guia
** or the item. Two findings of one guia with the same identity are "the
** same thing found again": an acknowledgement carries over, and a script
** finding repeating a built-in one is dropped. Shape:
**   "<codigo>|guia|<campo>"            e.g. "CARTEIRA_AUSENTE|guia|carteira_numero"
**   "<codigo>|item <seq>|<subcampo>"   e.g. "PRECO_ACIMA_CONTRATO|item 3|valor_unitario"
** The item is f->item_seq, else the item a campo "itens[N]..." points to in g
** (g may be NULL: the index is then kept in the campo). Truncated to len-1
** bytes (FAT_FINDING_CHAVE_MAX is enough for codes and fields of up to 64
** characters each). */
#define FAT_FINDING_CHAVE_MAX 160
struct fat_guia;
void fat_finding_chave(const fat_finding *f, const struct fat_guia *g, char *buf, size_t len);

#endif
