/* fat_price_consulta.h: one price look-up as a person asks it, with each
** step of the calculation: `faturo preco OPERADORA CODIGO ...` and the
** panel's GET /api/preco call this one function (Part L, panel parity).
**
** The request is text as typed (the CLI's options, the API's query); this
** module resolves the operadora, the plan's acomodação and the date, prices
** the item by the operator's contract (fat_price_item) and gives the result
** with its steps (tabela, porte, UCO, deflator, reajuste, total).
*/
#ifndef FAT_PRICE_CONSULTA_H
#define FAT_PRICE_CONSULTA_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_operadora.h"
#include "fat_price.h"
#include "fat_rules.h"
#include "fat_store.h"

/* What is asked. Every member is text as typed; NULL or "" = not given. */
typedef struct fat_price_pedido {
  const char *operadora;  /* registro ANS, script key or id (required) */
  const char *codigo;     /* item code (required) */
  const char *data;       /* DD/MM/AAAA or AAAA-MM-DD; not given = today */
  const char *quantidade; /* "1", "2,5" (up to 4 decimals); not given = 1 */
  const char *plano;      /* plan code at the operadora, or enfermaria / apartamento /
                             ambulatorial */
  const char *carater;    /* "1" eletivo | "2" urgência/emergência */
  const char *via;        /* "1" | "2" | "3" (2 and 3: secondary procedure, reduced) */
  const char *hora;       /* HH:MM of the act (horário especial) */
  const char *grau;       /* grau de participação "00".."13" */
  const char *tipo;       /* procedimento, material, medicamento, opme, taxa, diaria, gas */
  const char *tabela;     /* TUSS table of the code: 22, 18, 19, 20, 00, 98 */
} fat_price_pedido;

/* The answer: the operadora resolved, the date and acomodação used, and the
** price with its steps. */
typedef struct fat_price_consulta {
  fat_operadora_ref op;
  char codigo[24];
  char data[11];       /* AAAA-MM-DD */
  char acomodacao[16]; /* "" when no plan was given */
  int64_t quantidade_e4;
  fat_price_out out;
} fat_price_consulta;

/* Price the item of q under generation gen into *res. FAT_EINVAL with a pt-BR
** message naming the field for a missing operadora or código, a bad date,
** quantity (must be > 0), caráter, via, hora or grau; FAT_ENOTFOUND for an
** unknown operadora (listing the registered ones), plan or code (saying which
** table the contract points to). Reads only. */
FAT_NODISCARD fat_rc fat_price_consultar(fat_store *st, fat_gen *gen, const fat_price_pedido *q,
                                         fat_price_consulta *res, fat_err *err);

/* JSON of a look-up: fat_price_to_json's object plus "operadora" (script key),
** "operadora_nome", "registro_ans", "codigo", "data" (AAAA-MM-DD),
** "acomodacao" (or null), "quantidade" (as users read it: "1", "2,5").
** NULL on OOM. */
cJSON *fat_price_consulta_json(const fat_price_consulta *res);

#endif
