/* fat_verificar_int.h: the checks written in C (fat_verificar_lotes.c,
** fat_verificar_regras.c) and what they share with the runner. */
#ifndef FAT_VERIFICAR_INT_H
#define FAT_VERIFICAR_INT_H

#include "fat_verificar.h"

/* Sent lotes: the stored XML hashes to the lote's hash. */
fat_rc fat_verif_lote_hash(fat_verif_ctx *c, fat_err *err);
/* The guias in a lote are the ones in its XML, with the values sent. */
fat_rc fat_verif_lote_guias_xml(fat_verif_ctx *c, fat_err *err);
/* No guia number of an operadora is in the XML of two lotes. */
fat_rc fat_verif_guia_dois_lotes(fat_verif_ctx *c, fat_err *err);
/* Each generation's scripts hash to their sha256 and the generation to its hash. */
fat_rc fat_verif_regra_geracao(fat_verif_ctx *c, fat_err *err);

/* The financeiro check (fat_fin_checks) named like the running entry. */
fat_rc fat_verif_financeiro(fat_verif_ctx *c, fat_err *err);

/* Lote XMLs, read once per run for the three lote checks. */
typedef struct fat_verif_xml_guia {
  char *numero;          /* numeroGuiaPrestador */
  int64_t informado;     /* centavos; INT64_MIN when the XML gives none */
} fat_verif_xml_guia;

typedef struct fat_verif_lote {
  int64_t id, numero, operadora_id;
  char status[16];
  char operadora[64];    /* its name, for messages */
  char hash[40];         /* lote.hash ("" when NULL) */
  char enc[16];          /* lote.hash_encoding */
  int tem_xml;
  char *erro;            /* why the XML could not be read, or NULL */
  int tem_hash;          /* the XML declares a hash */
  char declarado[33], calculado[33]; /* declared; computed in enc */
  fat_verif_xml_guia *guias;
  size_t n_guias;
} fat_verif_lote;

/* One guia number in one lote's XML. */
typedef struct fat_verif_ref {
  int64_t operadora_id;
  const char *numero;           /* points into the lote's guias */
  const fat_verif_lote *lote;
} fat_verif_ref;

struct fat_verif_ctx {
  fat_store *st;
  fat_verif_resultado *cur;  /* the running check's result */
  fat_verif_lote *lotes;     /* fat_verif_lotes() cache */
  size_t n_lotes;
  fat_verif_ref *refs;       /* every XML guia, by operadora, numero, lote */
  size_t n_refs;
  int lotes_lidos;
};

/* The lotes that are closed or later (status <> 'aberto'), with their XML
** read; loaded on the first call of a run. */
fat_rc fat_verif_lotes(fat_verif_ctx *c, fat_verif_lote **out, size_t *n, fat_err *err);

#endif
