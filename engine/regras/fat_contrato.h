/* fat_contrato.h: an operator's contract, typed.
**
** When a rules generation is built, the declaration each operator script
** returns (as base.operadora normalizes it; docs/regras.md, "O contrato
** publicado") is parsed once into an immutable fat_contrato, and a malformed
** section refuses the reload naming the script's file, line and field.
** Every stage reads the contract from the generation (fat_gen_contrato in
** fat_rules.h) instead of walking the script's JSON: lote periods, prices,
** deadlines, payment terms, retentions, recurso templates.
**
** Adding a section: one struct below, its field in fat_contrato, one parser
** function in fat_contrato.c (a row in its table of sections), and its part
** of docs/regras.md.
**
** The section parsers are public so that tools and tests holding a contract
** (or just a section) as JSON parse it with the same rules.
*/
#ifndef FAT_CONTRATO_H
#define FAT_CONTRATO_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_calendario.h"
#include "fat_err.h"

struct fat_guia;
struct fat_findings;
struct fat_contrato;

/* {======================================================================
** lote{}
** ======================================================================= */

typedef enum fat_contrato_periodicidade {
  FAT_CONTRATO_MENSAL = 0,
  FAT_CONTRATO_QUINZENAL,
  FAT_CONTRATO_SEMANAL,
  FAT_CONTRATO_CALENDARIO
} fat_contrato_periodicidade;

typedef enum fat_contrato_agrupamento {
  FAT_AGRUPA_TIPO_GUIA = 0,
  FAT_AGRUPA_COMPETENCIA,
  FAT_AGRUPA_PLANO,
  FAT_AGRUPA_EXECUTANTE,
  FAT_AGRUPA_CARATER
} fat_contrato_agrupamento;

#define FAT_CONTRATO_MAX_DATAS 512
#define FAT_CONTRATO_MAX_AGRUPAMENTO 5

typedef struct fat_contrato_lote {
  fat_contrato_periodicidade periodicidade;
  int dias[31];            /* closing days of the month, ascending, 0 = the last day (last
                              in the order): mensal (one), quinzenal (two), calendario
                              (days of every month given besides dates) */
  int n_dias;
  int dia_semana;          /* semanal: 0 = domingo .. 6 = sábado */
  int32_t datas[FAT_CONTRATO_MAX_DATAS]; /* calendario: closing dates, days since
                                            1970-01-01, ascending, no repeats */
  int n_datas;
  int prazo_envio_dias;    /* days after closing to send the lote, 0..365 (default 0) */
  int max_guias;           /* guias per lote, 1..100 (default 100; the XSD limit) */
  fat_contrato_agrupamento agrupamento[FAT_CONTRATO_MAX_AGRUPAMENTO]; /* default tipo_guia */
  int n_agrupamento;
} fat_contrato_lote;

/* lote{}: periodicidade ("mensal", "quinzenal", "semanal", "calendario");
** fechamento_dia / fechamento_dias (1..31, "ultimo", -1 = last day);
** fechamento_dia_semana (0..6 or the day's name); datas (AAAA-MM-DD);
** prazo_envio_dias; max_guias; agrupamento. FAT_EINVAL naming the field. */
FAT_NODISCARD fat_rc fat_contrato_lote_parse(const cJSON *lote, fat_contrato_lote *out,
                                             fat_err *err);

/* }====================================================================== */

/* {======================================================================
** pagamento{}, recurso{}, retencoes{}, repasse[], conciliacao{}
** ======================================================================= */

#define FAT_CONTRATO_MAX_DIAS_PAGAMENTO 8

typedef struct fat_contrato_pagamento {
  int prazo_dias;          /* 1..3650; 0 when the contract has none */
  int contar_de_protocolo; /* 1 = counted from the protocolo, 0 = from the envio */
  int dias_uteis;          /* 1 = business days, 0 = calendar days */
  int dias_do_mes[FAT_CONTRATO_MAX_DIAS_PAGAMENTO]; /* fixed payment days 1..31, ascending */
  int n_dias_do_mes;
} fat_contrato_pagamento;

FAT_NODISCARD fat_rc fat_contrato_pagamento_parse(const cJSON *pagamento,
                                                  fat_contrato_pagamento *out, fat_err *err);

/* Expected payment date (day number) under the terms p of something sent on
** envio and protocolled on protocolo (either may be < 0 when unknown): the
** prazo counted from the date the terms name (falling back to the other), in
** calendar or business days of cal, then moved to the first fixed payment day
** on or after it, then to a business day. Returns -1 when there is no prazo or
** no base date. The ONE computation of the previsão: lotes (4_lote) and
** faturas (6_financeiro, through fat_termos_previsao) both call it. */
int32_t fat_contrato_previsao(const fat_contrato_pagamento *p, const fat_calendario *cal,
                              int32_t envio, int32_t protocolo);

typedef struct fat_contrato_justificativa {
  char glosa[5];           /* TUSS table 38 code, 4 digits */
  char *modelo;            /* text with {marcadores} (owned by the contract) */
} fat_contrato_justificativa;

typedef struct fat_contrato_recurso {
  int prazo_dias;          /* days to appeal a glosa, 1..3650; 0 when none */
  fat_contrato_justificativa *justificativas; /* sorted by glosa */
  size_t n_justificativas;
} fat_contrato_recurso;

/* Parsed into out (free its justificativas with fat_contrato_recurso_fini). */
FAT_NODISCARD fat_rc fat_contrato_recurso_parse(const cJSON *recurso, fat_contrato_recurso *out,
                                                fat_err *err);
void fat_contrato_recurso_fini(fat_contrato_recurso *r);

enum { FAT_RET_ISS = 0, FAT_RET_IR, FAT_RET_PIS, FAT_RET_COFINS, FAT_RET_CSLL, FAT_RET_N };

typedef struct fat_contrato_retencoes {
  int64_t bp[FAT_RET_N];   /* retention on the invoice, basis points 0..10000 */
} fat_contrato_retencoes;

FAT_NODISCARD fat_rc fat_contrato_retencoes_parse(const cJSON *retencoes,
                                                  fat_contrato_retencoes *out, fat_err *err);

#define FAT_CONTRATO_MAX_REPASSE 32

typedef struct fat_contrato_repasse {
  char grupo[16];          /* procedure code prefix (digits) */
  int64_t percentual_bp;   /* 0..10000; -1 when valor is used */
  int64_t valor;           /* centavos; -1 when percentual is used */
  char motivo[120];
} fat_contrato_repasse;

#define FAT_CONTRATO_MAX_HISTORICO 8

typedef struct fat_contrato_conciliacao {
  char cnpj[15];           /* the operator's CNPJ on credits, 14 digits, or "" */
  char historico[FAT_CONTRATO_MAX_HISTORICO][64]; /* texts of the credit's memo */
  int n_historico;
} fat_contrato_conciliacao;

/* }====================================================================== */

/* {======================================================================
** precos{} (docs/precos.md)
** ======================================================================= */

enum { FAT_PRECO_PROCEDIMENTOS = 0, FAT_PRECO_EXAMES, FAT_PRECO_MATERIAIS,
       FAT_PRECO_MEDICAMENTOS, FAT_PRECO_TAXAS, FAT_PRECO_GRUPOS };
enum { FAT_PRECO_CBHPM = 0, FAT_PRECO_NEGOCIADA, FAT_PRECO_SIMPRO, FAT_PRECO_BRASINDICE };
enum { FAT_PRECO_ENFERMARIA = 0, FAT_PRECO_APARTAMENTO, FAT_PRECO_AMBULATORIAL,
       FAT_PRECO_ACOMODACOES };

#define FAT_PRECO_MAX_REAJUSTES 16
#define FAT_PRECO_MAX_GRAU 14

/* An adjustment in basis points (plano, urgência, horário especial). */
typedef struct fat_preco_ajuste {
  int on;                  /* set and not zero */
  int64_t bp;
  int total;               /* 1: applies to the whole unit price, 0: honorários only */
} fat_preco_ajuste;

/* One group of items (procedimentos, exames, materiais, ...). */
typedef struct fat_preco_grupo {
  int on;                  /* the contract prices this group */
  int tabela;              /* FAT_PRECO_CBHPM .. FAT_PRECO_BRASINDICE */
  char edicao[32];         /* CBHPM edition */
  int64_t ajuste_bp;
  int has_uco, has_filme;
  int64_t uco_c, filme_c;  /* centavos per UCO and per m² of film */
  int base_pmc;            /* 1 = Brasíndice/Simpro PMC, 0 = PF */
  fat_preco_ajuste plano[FAT_PRECO_ACOMODACOES];
} fat_preco_grupo;

typedef struct fat_preco_reajuste {
  char data[11];           /* a_partir_de, AAAA-MM-DD */
  int64_t bp;
  unsigned mask;           /* bit per group; 0 = every group */
} fat_preco_reajuste;

typedef struct fat_contrato_precos {
  int truncar;             /* arredondamento = "truncar" (else half-up) */
  int negociada;           /* negotiated prices override (default 1) */
  fat_preco_grupo g[FAT_PRECO_GRUPOS];
  fat_preco_ajuste urg, hesp; /* urgência, horário especial */
  int hesp_ini, hesp_fim;  /* horário especial: minutes of the day (default 19:00..07:00) */
  int hesp_fds;            /* weekends count as horário especial (default 1) */
  int64_t via2_bp, via3_bp; /* via de acesso: same / different route (default 5000, 7000) */
  int64_t aux_bp[FAT_PRECO_MAX_GRAU]; /* auxiliares by grau (01..04) */
  fat_preco_reajuste r[FAT_PRECO_MAX_REAJUSTES];
  int nr;
} fat_contrato_precos;

/* precos{} (the section itself; NULL gives the defaults: nothing priced).
** FAT_EINVAL naming the field ("precos.procedimentos.ajuste_bp"). */
FAT_NODISCARD fat_rc fat_contrato_precos_parse(const cJSON *precos, fat_contrato_precos *out,
                                               fat_err *err);

/* }====================================================================== */

/* {======================================================================
** guias: attachments required per procedure, sessions per SP/SADT guia,
** physical papers (Part L)
** ======================================================================= */

#define FAT_CONTRATO_MAX_PROC 32     /* rules in anexos_exigidos / sessoes_por_procedimento */
#define FAT_CONTRATO_MAX_CODIGOS 16  /* codes listed in one rule */
#define FAT_CONTRATO_MAX_SESSOES 366 /* the highest limit of sessions a contract may set */

/* Which procedures a rule covers: listed codes and/or a code prefix. */
typedef struct fat_contrato_proc {
  char codigos[FAT_CONTRATO_MAX_CODIGOS][16]; /* exact codes (digits) */
  int n_codigos;
  char prefixo[16];        /* digits of the group ("4.08" -> "408"); "" = none */
  char tipo[16];           /* anexos_exigidos: the attachment type (laudo, pedido_medico,
                              autorizacao, termo, outro); "" in sessoes_por_procedimento */
  int max;                 /* sessoes_por_procedimento: sessions per guia, 1..366 */
} fat_contrato_proc;

typedef struct fat_contrato_guias {
  fat_contrato_proc anexos[FAT_CONTRATO_MAX_PROC];  /* anexos_exigidos, in script order */
  int n_anexos;
  int sessoes_max_por_guia; /* executions of one procedure in one SP/SADT guia; 0 = no limit */
  fat_contrato_proc sessoes[FAT_CONTRATO_MAX_PROC]; /* sessoes_por_procedimento */
  int n_sessoes;
  int papel_fisico;         /* 1: the operator still wants the signed paper guias */
} fat_contrato_guias;

/* anexos_exigidos, sessoes_max_por_guia, sessoes_por_procedimento and
** papel_fisico, read from the top level of the declaration decl. Rules are
** { codigos = {"40801012", ...} and/or prefixo = "4.08" (or grupo), tipo =
** "laudo" } (anexos) or { ..., max = N } (sessões); codes may be written with
** dots. FAT_EINVAL naming the field ("anexos_exigidos[2]: ..."). */
FAT_NODISCARD fat_rc fat_contrato_guias_parse(const cJSON *decl, fat_contrato_guias *out,
                                              fat_err *err);

/* Whether rule p covers procedure code (1) or not (0). */
int fat_contrato_proc_cobre(const fat_contrato_proc *p, const char *codigo);

/* Whether an anexos_exigidos rule of c covers a procedure of g (1) or not
** (0; c NULL: 0). When none does, the files attached to g change nothing in
** fat_contrato_conferir: conferir then does not read them. */
int fat_contrato_anexos_cobre(const struct fat_contrato *c, const struct fat_guia *g);

/* The limit of sessions per SP/SADT guia of procedure codigo: the first
** sessoes_por_procedimento rule covering it, else sessoes_max_por_guia;
** 0 = no limit. c may be NULL (0). */
int fat_contrato_sessoes_max(const struct fat_contrato *c, const char *codigo);

/* The contract checks of a guia (conferir's built-in "contrato" checks, run
** by the one evaluation, fat_avaliar, and by the scripts' self-tests):
**   ANEXO_AUSENTE (bloqueio): a procedure of g is covered by an
**     anexos_exigidos rule whose tipo is not among anexos[0..n_anexos) (the
**     types of the files attached to the guia); one finding per missing
**     type, campo "anexos.<tipo>", naming the first procedure that needs it;
**   SESSOES_EXCEDIDAS (bloqueio): an SP/SADT guia has more items of one
**     procedure code than fat_contrato_sessoes_max allows; one finding per
**     code, on its first item, value at risk = the items past the limit.
** c NULL: nothing. Findings are appended to out (regra "builtin:contrato"). */
FAT_NODISCARD fat_rc fat_contrato_conferir(const struct fat_contrato *c, const struct fat_guia *g,
                                           const char *const *anexos, size_t n_anexos,
                                           struct fat_findings *out, fat_err *err);

/* }====================================================================== */

/* {======================================================================
** The whole contract
** ======================================================================= */

typedef struct fat_contrato {
  char chave[65];              /* operator script key ("" when parsed from JSON alone) */
  char registro_ans[7];        /* 6 digits */
  char *nome;
  char *codigo_prestador;      /* the clinic's code at the operator ("" when none) */
  char versao_tiss[16];        /* default "4.01.00" */
  char hash[16];               /* encoding of the TISS hash: "iso-8859-1" (default) or "utf-8" */
  int prazo_apresentacao_dias; /* days from the attendance to present the guia, 1..3650; 0 = none */
  fat_contrato_lote lote;
  fat_contrato_pagamento pagamento;
  fat_contrato_recurso recurso;
  fat_contrato_precos precos;
  fat_contrato_retencoes retencoes;
  fat_contrato_repasse repasse[FAT_CONTRATO_MAX_REPASSE];
  int n_repasse;
  fat_contrato_conciliacao conciliacao;
  fat_contrato_guias guias;    /* anexos_exigidos, sessoes_*, papel_fisico */
} fat_contrato;

/* Parse a whole contract (the declaration as base.operadora returns it,
** e.g. fat_gen_contract's JSON). registro_ans, nome and lote{} are required
** here (base.operadora also requires pagamento, recurso, precos and the
** presentation deadline; a missing one reads as "none": 0 days, nothing
** priced). On error err names the field ("contrato, campo lote.max_guias:
** ...") and *out is NULL. Free with fat_contrato_free. */
FAT_NODISCARD fat_rc fat_contrato_parse(const cJSON *decl, fat_contrato **out, fat_err *err);
void fat_contrato_free(fat_contrato *c);

/* The recurso template for a glosa code, NULL when the contract has none. */
const char *fat_contrato_modelo_recurso(const fat_contrato *c, const char *glosa);

/* }====================================================================== */

#endif
