/* fat_lgpd.h: patient data under the LGPD (Lei 13.709/2018, Part N):
** masking by role in listings, the data subject's export and anonymization
** when the retention of billing records has passed. docs/lgpd.md explains
** all of it to the clinic in pt-BR.
**
** Masking. Listings show identifiers (CPF, CNS, número da carteira) masked to
** a faturista ("***.456.789-**") and in full to supervisors, admins and the
** CLI's operator; the guia screen shows them in full to everyone; the files
** that must carry them (TISS XML, exports, the relação de guias) carry them
** in full. fat_lgpd_lista() is the one step every listing with patient
** identifiers goes through: it masks for the reader and records the read in
** the access log (fat_acesso_log.h), with completo = 1 when the reader saw
** full identifiers.
**
** The data subject (titular). fat_titular_exportar() gathers everything
** faturo holds about the patients with one CPF: beneficiário rows and
** carteiras, guias with items, findings, glosas and recursos, particulares,
** attached documents, and every recorded read of them; as JSON and as a
** readable HTML page. fat_titular_anonimizar() replaces the identifying
** fields by random tokens (no way back) once every record of that CPF is
** past retention, keeping every amount, count and date of billing.
*/
#ifndef FAT_LGPD_H
#define FAT_LGPD_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_acesso_log.h"
#include "fat_err.h"
#include "fat_store.h"

/* --------------------------------------------------------------- masking */

typedef enum fat_dado {
  FAT_DADO_CPF = 0, /* 11 digits: "123.456.789-09", masked "***.456.789-**" */
  FAT_DADO_CNS,     /* 15 digits: "123 4567 8901 2345", masked "*** 4567 8901 ****" */
  FAT_DADO_CARTEIRA /* free text: masked but for its last 4 characters */
} fat_dado;

#define FAT_LGPD_MASCARA_MAX 64 /* room for any masked or formatted value */

/* The form of v a listing shows: formatted in full when completo, else
** masked, into out (len >= FAT_LGPD_MASCARA_MAX). A value of another shape
** (not 11 or 15 digits) is masked entirely when not completo. NULL or ""
** gives "". */
void fat_lgpd_mostrar(fat_dado tipo, const char *v, int completo, char *out, size_t len);

/* 1 when reader l sees full identifiers in listings (supervisor, admin, the
** CLI's operator); 0 for a faturista or no reader at all (NULL). */
int fat_lgpd_lista_completa(const fat_leitor *l);

/* The role l is recorded with in the access log ("faturista", ...,
** "operador"). */
const char *fat_lgpd_papel_rotulo(const fat_leitor *l);

/* One identifier field of a listing's rows. */
typedef struct fat_lgpd_campo {
  const char *nome; /* JSON key in each row; NULL ends a list */
  fat_dado tipo;
} fat_lgpd_campo;

/* The one step of every listing with patient identifiers, before it is
** shown: replace each field of campos (NULL-terminated) in every row of rows
** by its fat_lgpd_mostrar form for reader l, then record the read: one access
** log row of kind objeto with the ids of field "id" of the rows (for guias
** the beneficiários behind them too). A NULL l masks and records nothing.
** On an error the rows must not be shown. */
FAT_NODISCARD fat_rc fat_lgpd_lista(fat_store *st, const fat_leitor *l, const char *objeto,
                                    cJSON *rows, const fat_lgpd_campo *campos, fat_err *err);

/* The 11 digits of a CPF typed with or without punctuation into out[12];
** 0 when it has exactly 11 digits, -1 otherwise (check digits are not
** required: a record may hold a CPF with a wrong one). */
int fat_lgpd_cpf_digitos(const char *s, char out[12]);

/* 1 when s is a date AAAA-MM-DD. */
int fat_lgpd_data_valida(const char *s);

/* --------------------------------------------------------- files at rest */

/* From now on every file this process creates (the database and its WAL,
** exports, attachments, logs, backups, the pid file) is readable and
** writable by its owner only (0600; folders 0700): sets the process's file
** mode creation mask to 077. The CLI calls it first thing, so the server
** (`faturo servidor`) runs under it too. */
void fat_lgpd_arquivos_privados(void);

/* ------------------------------------------------------------- retention */

#define FAT_LGPD_RETENCAO_PADRAO 5 /* years after the last payment */
#define FAT_LGPD_RETENCAO_MIN 1
#define FAT_LGPD_RETENCAO_MAX 30

/* The retention period in years (lgpd_parametro 'retencao_anos'). */
FAT_NODISCARD fat_rc fat_lgpd_retencao(fat_store *st, int *anos, fat_err *err);

/* Set it (FAT_LGPD_RETENCAO_MIN..MAX, else FAT_EINVAL). Audited. */
FAT_NODISCARD fat_rc fat_lgpd_retencao_definir(fat_store *st, int anos, fat_err *err);

/* ----------------------------------------------------------- the titular */

/* Everything faturo holds about the patients with CPF cpf:
** {cpf, gerado_em, retencao_anos, beneficiarios:[{id, nome, nome_social,
**  cpf, cns, nascimento, sexo, carteiras:[{operadora, numero, validade,
**  plano}]}], guias:[{id, numero_prestador, operadora, tipo, status,
**  data_inicio, competencia, cid, valor_total, lote, itens:[...],
**  achados:[...], glosas:[...], recursos:[...], documentos:[...]}],
**  particulares:[{id, data, paciente, cpf, codigo, descricao, valor, situacao,
**  pagamentos:[...]}], acessos:[the fat_acesso_listar rows of this CPF],
**  retencao:[{tipo, id, ultimo_pagamento, guardar_ate, recurso_aberto}]}
** into *json, and the same as a self-contained pt-BR HTML page (dates
** DD/MM/AAAA, R$, punctuated CPF) into *html (fat_free, length *html_len);
** either out may be NULL. The export itself is a read of all those records
** and is recorded in the access log (completo) when l is not NULL.
** FAT_ENOTFOUND when faturo holds nothing under that CPF. */
FAT_NODISCARD fat_rc fat_titular_exportar(fat_store *st, const fat_leitor *l, const char *cpf,
                                          cJSON **json, char **html, size_t *html_len,
                                          fat_err *err);

/* What an anonymization did (or, when refused, why not). */
typedef struct fat_titular_anonimizacao {
  char token[32];      /* the random token that now stands for the person */
  int64_t id;          /* lgpd_anonimizacao.id */
  int beneficiarios, guias, particulares, lotes; /* rows changed, lote XMLs rewritten */
  int64_t valor_guias; /* centavos: sum of the guias, the same before and after */
} fat_titular_anonimizacao;

/* Anonymize the patient with CPF cpf as of day hoje (AAAA-MM-DD; NULL =
** today): in one transaction, names become "ANONIMIZADO <token>", CPF, CNS,
** birth date, social name and free-text clinical notes are erased, carteira
** numbers become "ANON<16 hex>" (in the carteiras, the guias and the stored
** XML of the lotes that carried them, whose hash is recomputed; the hash
** they were sent with is kept in lgpd_lote_reescrito), and the identifiers
** are replaced wherever they were quoted (findings, glosa notes, recurso
** justifications). Amounts, counts, dates of service and codes stay, so
** every total and report is unchanged and `faturo verificar` still passes.
** Refused with FAT_ESTATE, saying which record and until when, when a record
** of that CPF is within retention (fat_lgpd_retencao years after its last
** payment; for a record never paid, after its last event) or in an open
** recurso de glosa; FAT_ENOTFOUND when faturo holds nothing under that CPF.
** Audited without the CPF. *res may be NULL. */
FAT_NODISCARD fat_rc fat_titular_anonimizar(fat_store *st, const char *cpf, const char *hoje,
                                            fat_titular_anonimizacao *res, fat_err *err);

#endif
