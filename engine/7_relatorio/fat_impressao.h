/* fat_impressao.h: printable guias (Part L).
**
** One self-contained HTML document (print CSS, no script, no outside
** resource: it is opened from disk too) with one guia per printed page, in
** the layout of the ANS TISS forms: the numbered fields (registro ANS,
** número da guia no prestador, senha, carteira, nome, contratado executante
** with its CNPJ/CPF, profissional executante with conselho and CBO, CID),
** the items (data, tabela, código, descrição, quantidade, valor unitário and
** total) and the signature lines, for the beneficiário's signature and for
** operators that still want paper (papel_fisico, fat_lote_papel.h).
** Everything users read is pt-BR (DD/MM/AAAA, R$ 1.234,56, punctuated
** CPF/CNPJ) and every text from the database is HTML-escaped.
**
** Printing shows a patient's data in full: the caller records the read in
** the access log (fat_acesso_registrar / fat_acesso_registrar_lote), as the
** CLI's `guia imprimir` / `lote imprimir` and the API's .../impressao do.
*/
#ifndef FAT_IMPRESSAO_H
#define FAT_IMPRESSAO_H

#include <stddef.h>
#include <stdint.h>

#include "fat_err.h"
#include "fat_store.h"

#define FAT_IMPRESSAO_MAX_GUIAS 500 /* guias in one document */

/* The guias ids[0..n) (1..FAT_IMPRESSAO_MAX_GUIAS, in that order) as one
** HTML document into *html (fat_free) of *len bytes. FAT_ENOTFOUND naming
** the first id that is not a guia; FAT_EINVAL for n out of range. */
FAT_NODISCARD fat_rc fat_impressao_guias(fat_store *st, const int64_t *ids, size_t n, char **html,
                                         size_t *len, fat_err *err);

/* Lote id printed: its relação de guias on the first page (operadora,
** prestador, competência, each guia with beneficiário, carteira, data and
** value, the total, a receipt line) and then each of its guias, one per
** page. FAT_ENOTFOUND: no such lote. */
FAT_NODISCARD fat_rc fat_impressao_lote(fat_store *st, int64_t id, char **html, size_t *len,
                                        fat_err *err);

#endif
