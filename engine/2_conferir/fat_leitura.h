/* fat_leitura.h: the one hook where the guia workbench says "patient data
** was read" (Part L -> Part N, LGPD access log).
**
** Every read of patient data by this folder's functions (a guia's history,
** an attachment downloaded, a guia printed, a beneficiário looked up) calls
** fat_leitura_registrar once. Part N's access log is not on main yet: until
** it is, this hook records nothing; when it lands, its function is called
** from here and nowhere else in this folder changes.
*/
#ifndef FAT_LEITURA_H
#define FAT_LEITURA_H

#include "fat_store.h"

/* Patient data was read: o_que says what ("guia.historico", "anexo.baixar",
** "guia.imprimir", "beneficiario.buscar"), objeto which ("guia:12",
** "anexo:3", or the search text); the reader is the store's user. Never
** fails the read it reports. */
void fat_leitura_registrar(fat_store *st, const char *o_que, const char *objeto);

#endif
