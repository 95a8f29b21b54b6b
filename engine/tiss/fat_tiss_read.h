/* fat_tiss_read.h: safe reader of TISS messages (Part F).
**
** Reads what operators send back (PROTOCOLO_RECEBIMENTO,
** DEMONSTRATIVO_ANALISE_CONTA, DEMONSTRATIVO_PAGAMENTO) and lotes
** (ENVIO_LOTE_GUIAS, ours or anybody's), TISS 4.01.00 first and 4.00.00,
** 3.05.00, 3.02.00 where the structure is the same (elements are matched by
** local name, so the version differences in element order, the 3.02.00
** `versaoPadrao` and `situacaoProtrocolo` spellings and the missing
** sequencialItem of 3.02.00 are all taken).
**
** Safety: libxml2 with XML_PARSE_NONET only (never NOENT, DTDLOAD or HUGE);
** any DOCTYPE or ENTITY declaration is refused before parsing; at most
** FAT_TISS_READ_MAX bytes and FAT_TISS_READ_DEPTH levels of nesting; the
** declared encoding is honoured (UTF-8 when absent) and a file whose bytes
** contradict it (Latin-1 bytes declared UTF-8, UTF-8 text declared
** ISO-8859-1) is refused. Every error names the line and, when known, the
** element.
**
** The hash is checked with Part E's fat_tiss_hash building blocks in both
** ISO-8859-1 (the standard) and UTF-8 (what some operators do); a mismatch is
** reported, never an error.
*/
#ifndef FAT_TISS_READ_H
#define FAT_TISS_READ_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"

#define FAT_TISS_READ_MAX ((size_t)50 * 1024 * 1024) /* bytes */
#define FAT_TISS_READ_DEPTH 64                        /* element nesting */

typedef enum fat_tiss_tipo {
  FAT_TISS_OUTRO = 0,          /* a TISS message this reader only identifies */
  FAT_TISS_LOTE_GUIAS,         /* ENVIO_LOTE_GUIAS */
  FAT_TISS_PROTOCOLO,          /* PROTOCOLO_RECEBIMENTO */
  FAT_TISS_ANALISE_CONTA,      /* DEMONSTRATIVO_ANALISE_CONTA */
  FAT_TISS_PAGAMENTO,          /* DEMONSTRATIVO_PAGAMENTO */
  FAT_TISS_RECURSO_GLOSA       /* RECURSO_GLOSA */
} fat_tiss_tipo;

/* One glosa (motivo) as the operator wrote it. */
typedef struct fat_ret_glosa {
  char *codigo;          /* TUSS table 38 (dm_tipoGlosa) */
  char *descricao;       /* may be NULL */
  int64_t valor;         /* centavos; INT64_MIN when the message gives none */
  int linha;
} fat_ret_glosa;

/* One item of a guia (detalhesGuia, procedimentoExecutado, despesa). */
typedef struct fat_ret_item {
  int sequencial;        /* 0 when absent (3.02.00) */
  char *data;            /* AAAA-MM-DD */
  char *tabela;
  char *codigo;
  char *descricao;
  char *grau;            /* grauParticipacao, may be NULL */
  int64_t qtd_e4;        /* INT64_MIN when absent */
  int64_t informado;     /* centavos; INT64_MIN when absent */
  int64_t processado;
  int64_t liberado;
  fat_ret_glosa *glosas;
  size_t n_glosas;
  int linha;
} fat_ret_item;

typedef struct fat_ret_guia {
  char *tipo;            /* lotes: guiaSP-SADT, guiaConsulta, ...; else NULL */
  char *numero_prestador;
  char *numero_operadora;
  char *senha;
  char *carteira;
  char *data_inicio;
  char *situacao;        /* dm_statusProtocolo; lotes: NULL */
  char *tipo_pagamento;  /* demonstrativo de pagamento */
  fat_ret_glosa *glosas; /* guia-level motives (motivoGlosaGuia) */
  size_t n_glosas;
  fat_ret_item *itens;
  size_t n_itens;
  int64_t informado;     /* centavos; INT64_MIN when absent */
  int64_t processado;
  int64_t liberado;
  int64_t glosado;
  int linha;
} fat_ret_guia;

/* A protocol (dadosProtocolo / protocoloRecebimento / relacaoProtocolos) or,
** for ENVIO_LOTE_GUIAS, the lote itself. */
typedef struct fat_ret_protocolo {
  char *numero_lote;
  char *numero_protocolo;
  char *data_protocolo;
  char *situacao;
  char *data_pagamento;  /* demonstrativo de pagamento */
  fat_ret_glosa *glosas; /* protocol-level glosas */
  size_t n_glosas;
  fat_ret_guia *guias;
  size_t n_guias;
  int64_t informado;     /* declared totals; INT64_MIN when absent */
  int64_t processado;
  int64_t liberado;
  int64_t glosado;
  int linha;
} fat_ret_protocolo;

typedef struct fat_tiss_msg {
  fat_tiss_tipo tipo;
  char *tipo_transacao;  /* as written */
  char *versao;          /* Padrao / versaoPadrao */
  char *codificacao;     /* declared encoding ("UTF-8" when none) */
  char *registro_ans;    /* the operator (origem or destino) */
  char *prestador;       /* código na operadora / CNPJ / CPF of the provider */
  char *sequencial;
  char *data_registro;
  char *numero_demonstrativo;
  char *data_emissao;
  char *erro_codigo;     /* mensagemErro/codigoGlosa when the message is an error */
  char *erro_descricao;
  fat_ret_protocolo *protocolos;
  size_t n_protocolos;
  int64_t informado;     /* message totals as declared; INT64_MIN when absent */
  int64_t processado;
  int64_t liberado;
  int64_t glosado;
  /* hash */
  int tem_hash;          /* 1 when the message declares one */
  char hash_declarado[33];
  char hash_iso[33];     /* computed over ISO-8859-1 text */
  char hash_utf8[33];    /* computed over UTF-8 text */
  int hash_ok;           /* 1 when the declared one equals either */
  const char *hash_codificacao; /* "ISO-8859-1" / "UTF-8" that matched, else NULL */
  /* what the message says, whatever its bytes: SHA-256 (hex) over the body's
  ** elements as read (local names, nesting and trimmed leaf text; the
  ** cabeçalho, the epilogo and the hash left out), so a file re-indented,
  ** with a BOM, another encoding or another namespace prefix has the same
  ** digest and any change of a value gives another */
  char conteudo_sha256[65];
} fat_tiss_msg;

/* Parse and read buf (len bytes; name is used in messages). On success *out
** is owned by the caller (fat_tiss_msg_free). FAT_ELIMIT for size/depth,
** FAT_EXML for anything malformed or hostile, with line and element. */
FAT_NODISCARD fat_rc fat_tiss_read_memory(const char *buf, size_t len, const char *name,
                                          fat_tiss_msg **out, fat_err *err);

/* Same from a file (refused without reading when larger than the limit). */
FAT_NODISCARD fat_rc fat_tiss_read_file(const char *path, fat_tiss_msg **out, fat_err *err);

void fat_tiss_msg_free(fat_tiss_msg *m);

/* "ENVIO_LOTE_GUIAS", "PROTOCOLO_RECEBIMENTO", ... for a type. */
const char *fat_tiss_tipo_str(fat_tiss_tipo t);

/* Sums the reader computes from the detail, to compare with the declared
** totals: sum of guias (informado/processado/liberado/glosado) over the
** message, and for lotes the sum of valorTotalGeral. Absent values count 0. */
typedef struct fat_tiss_somas {
  int64_t informado, processado, liberado, glosado;
  int64_t itens_informado;  /* sum of the items' informado (valorTotal) */
  int64_t itens_glosado;    /* sum of the item glosas' values */
  size_t n_guias, n_itens, n_glosas;
} fat_tiss_somas;
void fat_tiss_msg_somas(const fat_tiss_msg *m, fat_tiss_somas *out);

/* Summary as JSON (tipo, versão, operadora, totals declared and computed,
** hash status, protocolos with guias count). NULL on OOM. */
cJSON *fat_tiss_msg_to_json(const fat_tiss_msg *m);

/* Strict TISS decimal ("77.70", "-1.5", "12") to centavos; more than two
** decimals only when the extra ones are zeros. 0 on success, -1 otherwise. */
int fat_tiss_decimal_cents(const char *s, int64_t *out);
/* TISS decimal9-4 quantity to ten-thousandths. 0 on success, -1 otherwise. */
int fat_tiss_decimal_e4(const char *s, int64_t *out);

/* A TISS tipoTransacao (dm_tipoTransacao, e.g. DEMONSTRATIVO_ANALISE_CONTA)
** as users read it: "demonstrativo de análise de conta"; unknown text as it
** is, NULL as "". */
const char *fat_tiss_transacao_rotulo(const char *tipo);

#endif
