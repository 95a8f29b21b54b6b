/* fat_glosa.h: glosas: manual entry, motive groups, devida/indevida, lists
** and summaries (Part F).
**
** Motive groups (docs/retorno.md has the full table):
**   cadastro     cadastro/elegibilidade (10xx, 12xx)
**   autorizacao  autorização (14xx)
**   documentacao documentação (13xx, 15xx, assinatura/laudo/prescrição codes)
**   cobranca     cobrança/valor (17xx, 19xx-24xx, 26xx, 28xx; duplicidade)
**   tecnica      técnica (16xx, 18xx, 25xx, 27xx, 30xx)
**   prazo        prazo (1321, 1701, 2907, 2909, 3091, 3103)
**   outros       everything else (11xx, 29xx, 31xx, 50xx)
** A short list of codes overrides its range (prazo, documentação, cobrança);
** otherwise the `grupo` of table glosa_motivo (imported with `faturo tabelas
** importar glosas`) decides, and without it the hundred-range.
**
** Classification (devida / indevida / a_classificar) always stores the
** evidence that decided it, in pt-BR, in glosa.evidencia.
*/
#ifndef FAT_GLOSA_H
#define FAT_GLOSA_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_rules.h"
#include "fat_store.h"

/* Motive group key of a TUSS table-38 code by the built-in mapping (never
** NULL; "outros" for unknown codes). */
const char *fat_glosa_grupo_builtin(const char *codigo);

/* Group key from the imported table-38 `grupo` text (e.g. "Elegibilidade"),
** NULL when the text is unknown. */
const char *fat_glosa_grupo_de_tabela(const char *grupo_tabela);

/* Group key of a code: overrides, then glosa_motivo.grupo when the table was
** imported, then the built-in ranges. Never NULL. */
const char *fat_glosa_grupo(fat_store *st, const char *codigo);

/* pt-BR label of a group key ("cadastro/elegibilidade", ...). */
const char *fat_glosa_grupo_rotulo(const char *grupo);

/* A glosa's classificação or situação (glosa.classificacao, situacao) as
** users read it: 'a_classificar' is "a classificar", 'em_recurso' "em
** recurso", 'recuperada_parcial' "recuperada em parte"; the others are words
** already; unknown text as it is, NULL as "". */
const char *fat_glosa_situacao_rotulo(const char *k);

/* Description of a code from glosa_motivo, or NULL (caller frees). */
char *fat_glosa_descricao(fat_store *st, const char *codigo);

/* Decide devida/indevida for glosa `id` and store grupo, classificacao and
** evidencia. gen (may be NULL) gives the contract for the price check of
** value glosas. Runs in the caller's transaction if one is open. */
FAT_NODISCARD fat_rc fat_glosa_classificar(fat_store *st, fat_gen *gen, int64_t id,
                                           fat_err *err);

/* A person's decision on glosa `id` (Part K, fat_glosa_manual.c):
** classificacao devida | indevida | a_classificar, with the evidence they give
** (1..1000 characters), stored as "<evidencia> (por <fat_store_user>)".
** Audited as glosa.classificar, in one transaction. FAT_EINVAL for a bad
** classification or missing evidence, FAT_ENOTFOUND for an unknown id. */
FAT_NODISCARD fat_rc fat_glosa_classificar_manual(fat_store *st, int64_t id,
                                                  const char *classificacao,
                                                  const char *evidencia, fat_err *err);

/* A manual glosa. */
typedef struct fat_glosa_nova {
  const char *guia;        /* número da guia no prestador (or "#ID") */
  const char *operadora;   /* registro ANS or script key; needed when the número is ambiguous */
  int item_seq;            /* 0 = the whole guia */
  const char *codigo;      /* TUSS table 38, 4 digits */
  int64_t valor;           /* centavos > 0; FAT_ABSENT = the full value of guia/item */
  const char *observacao;  /* may be NULL */
} fat_glosa_nova;

/* Register a manual glosa (origem 'manual'), classify it, audit it. The value
** may not exceed what is still unglosed on the guia/item. *id gets the new id. */
FAT_NODISCARD fat_rc fat_glosa_registrar(fat_store *st, fat_gen *gen, const fat_glosa_nova *g,
                                         int64_t *id, fat_err *err);

/* Resolve a guia reference ("123456" número no prestador, or "#ID") with an
** optional operadora (registro ANS or script key). */
FAT_NODISCARD fat_rc fat_glosa_guia_ref(fat_store *st, const char *ref, const char *operadora,
                                        int64_t *guia_id, fat_err *err);

typedef struct fat_glosa_filtro {
  const char *operadora;     /* registro ANS or script key */
  const char *competencia;   /* AAAA-MM of the guia */
  const char *situacao;      /* aberta, em_recurso, ... */
  const char *classificacao; /* devida, indevida, a_classificar */
  const char *grupo;         /* motive group key */
  int64_t retorno_id;        /* 0 = any */
  int64_t guia_id;           /* 0 = any */
  int sem_contadores;        /* resumo: read the glosas, not glosa_resumo (tests) */
} fat_glosa_filtro;

/* Glosas matching f (NULL = all) as a JSON array of objects (id, guia,
** operadora, item, codigo, descricao, grupo, valor, classificacao,
** evidencia, situacao, prevista, prazo_recurso, ...). */
FAT_NODISCARD fat_rc fat_glosa_listar(fat_store *st, const fat_glosa_filtro *f, cJSON **out,
                                      fat_err *err);

/* Totals (count and value) by grupo, operadora, procedimento and
** profissional, plus devida/indevida and prevista counts:
** {"total":{..},"por_grupo":[..],"por_operadora":[..],"por_procedimento":[..],
**  "por_profissional":[..],"por_classificacao":[..]}. */
FAT_NODISCARD fat_rc fat_glosa_resumo(fat_store *st, const fat_glosa_filtro *f, cJSON **out,
                                      fat_err *err);

/* The counters behind the resumo (glosa_resumo, migration 103) as a recount
** from the glosas, their guias and items: (competencia, dim, operadora_id,
** chave, sub, n, valor), one row per key with glosas. fat_relatorio_recontar
** rebuilds the table from it and `faturo verificar` (glosa_resumo_recontado)
** compares them. The same SELECT fills the table in the migration. */
#define FAT_GLOSA_RESUMO_RECONTAGEM                                                         \
  "SELECT coalesce(gl.competencia, '') AS competencia, d.dim AS dim,"                       \
  " g.operadora_id AS operadora_id,"                                                        \
  " CASE d.dim WHEN 1 THEN coalesce(gl.grupo, 'outros')"                                    \
  "  WHEN 2 THEN coalesce(i.codigo, '(guia inteira)')"                                      \
  "  WHEN 3 THEN coalesce(CAST(coalesce(i.profissional_id, g.executante_id) AS TEXT), '')"  \
  "  WHEN 4 THEN gl.classificacao"                                                          \
  "  ELSE CASE gl.prevista WHEN 1 THEN 'sim' WHEN 0 THEN 'nao' ELSE 'nao_analisada' END"    \
  " END AS chave,"                                                                          \
  " CASE WHEN d.dim = 2 AND i.descricao IS NOT NULL THEN 'd' || i.descricao ELSE '' END"    \
  "  AS sub,"                                                                               \
  " count(*) AS n, sum(gl.valor) AS valor"                                                  \
  " FROM glosa gl JOIN guia g ON g.id = gl.guia_id LEFT JOIN item i ON i.id = gl.item_id"   \
  " JOIN glosa_resumo_dim d GROUP BY 1, 2, 3, 4, 5"

#endif
