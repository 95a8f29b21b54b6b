/* fat_tiss_write.h: TISS 4.01.00 message writer (Part E).
**
** Messages are written straight into a buffer (as libxml2's xmlTextWriter
** indented them: tests/unit/test_tiss_escrita.c), declared and encoded
** ISO-8859-1, elements prefixed `ans:` (xmlns:ans = FAT_TISS_NS), in the
** XSD's element order, and hashed while they are written: every leaf's text
** goes into the epilogo MD5 in the operator's hash encoding (fat_tiss_hash.h).
** Text is reduced to the ISO-8859-1 repertoire first (characters outside it
** become '?', control characters other than TAB/LF become a space), so the
** written file, its parse and its hash always agree.
**
** Two levels:
**  - whole messages: fat_tiss_write_lote (ENVIO_LOTE_GUIAS for consulta,
**    SP/SADT, honorários and resumo de internação), fat_tiss_write_status_
**    protocolo (SOLIC_STATUS_PROTOCOLO), fat_tiss_write_cancela_lote
**    (CANCELA_GUIA of a whole lote);
**  - building blocks for other prestador messages (Part F's RECURSO_GLOSA):
**    fat_tiss_writer_new / fat_tiss_w_begin (declaration, mensagemTISS,
**    cabecalho, opens prestadorParaOperadora) / fat_tiss_w_start / _end /
**    _leaf* / fat_tiss_w_finish (closes, writes epilogo/hash). Errors are
**    sticky: after the first failure every call is a no-op and
**    fat_tiss_w_finish returns that first error.
*/
#ifndef FAT_TISS_WRITE_H
#define FAT_TISS_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "fat_err.h"
#include "fat_model.h"
#include "fat_tiss_hash.h"

#define FAT_TISS_NS "http://www.ans.gov.br/padroes/tiss/schemas"
#define FAT_TISS_VERSAO "4.01.00"
#define FAT_TISS_MAX_GUIAS 100 /* maxOccurs of guiasTISS in the XSD */

/* A finished message. */
typedef struct fat_tiss_doc {
  char *xml;       /* the bytes (ISO-8859-1), NUL-terminated; fat_free */
  size_t len;
  char hash[33];   /* the epilogo hash written into it */
  int xsd_valido;  /* 1: the schema accepted the elements as they were written
                   ** (fat_tiss_envio.xsd_dir); 0: refused or not checked */
} fat_tiss_doc;

void fat_tiss_doc_fini(fat_tiss_doc *d);

/* Cabeçalho of a prestador-to-operadora message. */
typedef struct fat_tiss_cabecalho {
  const char *tipo_transacao;   /* dm_tipoTransacao, e.g. "ENVIO_LOTE_GUIAS" */
  const char *sequencial;       /* sequencialTransacao (st_texto12) */
  const char *data;             /* dataRegistroTransacao AAAA-MM-DD; NULL = today */
  const char *hora;             /* horaRegistroTransacao HH:MM:SS; NULL = now */
  const char *codigo_prestador; /* origem: codigoPrestadorNaOperadora, or NULL ... */
  const char *cnpj_prestador;   /* ... then CNPJ, or NULL ... */
  const char *cpf_prestador;    /* ... then CPF */
  const char *registro_ans;     /* destino: the operadora's registro ANS */
  int da_operadora;             /* 1: an operadora's message to the prestador (demo and
                                ** tests): origem registroANS, destino the prestador,
                                ** body operadoraParaPrestador */
} fat_tiss_cabecalho;

typedef struct fat_tiss_writer fat_tiss_writer;

/* ---- building blocks ---- */
FAT_NODISCARD fat_rc fat_tiss_writer_new(fat_tiss_enc hash_enc, fat_tiss_writer **out,
                                         fat_err *err);
void fat_tiss_writer_free(fat_tiss_writer *w);

/* Declaration, <ans:mensagemTISS xmlns:ans=...>, the cabeçalho, and opens
** <ans:prestadorParaOperadora> (or, with cab->da_operadora,
** <ans:operadoraParaPrestador>). */
fat_rc fat_tiss_w_begin(fat_tiss_writer *w, const fat_tiss_cabecalho *cab);
/* Open / close an element (name without prefix, e.g. "loteGuias"). */
fat_rc fat_tiss_w_start(fat_tiss_writer *w, const char *name);
fat_rc fat_tiss_w_end(fat_tiss_writer *w);
/* A required leaf: text (UTF-8) must be non-empty; it is truncated to
** max_chars characters when max_chars > 0 (st_textoN). */
fat_rc fat_tiss_w_leaf(fat_tiss_writer *w, const char *name, const char *text, size_t max_chars);
/* An optional leaf: nothing is written when text is NULL or empty. */
fat_rc fat_tiss_w_leaf_opt(fat_tiss_writer *w, const char *name, const char *text,
                           size_t max_chars);
/* st_data (AAAA-MM-DD checked), st_hora ("HH:MM" gets ":00"). */
fat_rc fat_tiss_w_date(fat_tiss_writer *w, const char *name, const char *date);
fat_rc fat_tiss_w_time(fat_tiss_writer *w, const char *name, const char *hhmm);
/* st_decimalN-2 from centavos: "1234.56"; digits = N (8 or 10) bounds it. */
fat_rc fat_tiss_w_money(fat_tiss_writer *w, const char *name, int64_t centavos, int digits);
/* st_decimalN-4 from ten-thousandths: "1.5000"; digits = N bounds it. */
fat_rc fat_tiss_w_qty(fat_tiss_writer *w, const char *name, int64_t e4, int digits);
/* Record an error (sticky) with a pt-BR message. */
fat_rc fat_tiss_w_fail(fat_tiss_writer *w, fat_rc rc, const char *fmt, ...) FAT_PRINTF(3, 4);
/* Context prefixed to later error messages, e.g. "guia 123" (NULL clears). */
void fat_tiss_w_context(fat_tiss_writer *w, const char *ctx);
/* Close the body (prestadorParaOperadora / operadoraParaPrestador), write epilogo/hash, end the document and hand
** the bytes to out. On error out is empty and err says why. The writer can
** only be freed afterwards. */
FAT_NODISCARD fat_rc fat_tiss_w_finish(fat_tiss_writer *w, fat_tiss_doc *out, fat_err *err);

/* ---- domain mappings ---- */
/* Conselho sigla (CRM, COREN, CRO, ..., or a 2-digit code) -> dm_conselhoProfissional. */
const char *fat_tiss_conselho_code(const char *sigla);
/* UF sigla (SP, RJ, ..., EX) or IBGE code -> dm_UF (IBGE code). */
const char *fat_tiss_uf_code(const char *sigla);
/* Item tipo (material, medicamento, ...) -> dm_outrasDespesas; NULL for procedimento. */
const char *fat_tiss_despesa_code(const char *tipo);

/* Write a professional block (ct_contratadoProfissionalDados: nome,
** conselho, número, UF, CBOS) under an element already open. */
fat_rc fat_tiss_w_profissional(fat_tiss_writer *w, const fat_profissional *p, int with_nome);

/* ---- whole messages ---- */
typedef struct fat_tiss_envio {
  const char *numero_lote;   /* numeroLote (st_texto12) */
  const char *sequencial;    /* sequencialTransacao; NULL = numero_lote */
  const char *data;          /* AAAA-MM-DD; NULL = today (also dataEmissaoGuia) */
  const char *hora;          /* HH:MM:SS; NULL = now */
  fat_tiss_enc hash_enc;
  const char *xsd_dir;       /* when set, every element is given to the schema as it is
                             ** written (fat_tiss_xsd_events): out->xsd_valido */
} fat_tiss_envio;

/* ENVIO_LOTE_GUIAS with n (1..100) guias of one type, same operadora and
** prestador (origem/destino are taken from guias[0]). Missing data the XSD
** requires is an FAT_EINVAL naming the guia and the field. */
FAT_NODISCARD fat_rc fat_tiss_write_lote(const fat_tiss_envio *e, const fat_guia *const *guias,
                                         size_t n, fat_tiss_doc *out, fat_err *err);

/* SOLIC_STATUS_PROTOCOLO for one protocol number. cab->tipo_transacao is
** overridden. */
FAT_NODISCARD fat_rc fat_tiss_write_status_protocolo(const fat_tiss_cabecalho *cab,
                                                     fat_tiss_enc enc, const char *protocolo,
                                                     fat_tiss_doc *out, fat_err *err);

/* CANCELA_GUIA of a whole lote (tipoCancelamentoLote); protocolo may be NULL. */
FAT_NODISCARD fat_rc fat_tiss_write_cancela_lote(const fat_tiss_cabecalho *cab,
                                                 fat_tiss_enc enc, const char *numero_lote,
                                                 const char *protocolo, fat_tiss_doc *out,
                                                 fat_err *err);

/* One guia of a CANCELA_GUIA (tipoCancelamentoGuia, tipoGuia 2 = faturamento). */
typedef struct fat_tiss_cancela_guia {
  const char *numero_prestador;  /* numeroGuiaPrestador (required) */
  const char *numero_operadora;  /* numeroGuiaOperadora; NULL when unknown */
  const char *protocolo;         /* numeroProtocolo of its lote; NULL when unknown */
} fat_tiss_cancela_guia;

/* CANCELA_GUIA of n (>= 1) guias of a faturamento lote. */
FAT_NODISCARD fat_rc fat_tiss_write_cancela_guias(const fat_tiss_cabecalho *cab,
                                                  fat_tiss_enc enc,
                                                  const fat_tiss_cancela_guia *guias, size_t n,
                                                  fat_tiss_doc *out, fat_err *err);

/* File name of a lote: the number zero-padded to 20 digits, "_", the hash,
** ".xml" (e.g. 00000000000000000042_0f3c...9a.xml). */
void fat_tiss_filename(int64_t numero_lote, const char *hash, char *buf, size_t len);

#endif
