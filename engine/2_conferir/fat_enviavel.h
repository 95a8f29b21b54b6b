/* fat_enviavel.h: can a guia be written as TISS 4.01.00 XML at all?
**
** The XSD (tissGuiasV4_01_00.xsd, tissComplexTypesV4_01_00.xsd) requires
** some elements (minOccurs 1) that the TISS writer cannot default: a guia
** without them cannot go into a lote, and one such guia would make the
** lote's file invalid for every other guia of its operadora. This module
** is the one list of those fields per guia type, for `achado reconhecer`
** (an acknowledged bloqueio must not make such a guia "ready") and for
** closing lotes (to leave such a guia out). The list, by guia type:
**   every type:  numero_prestador, carteira_numero, data_inicio
**   consulta:    executante (conselho, numero_conselho, uf, cbo),
**                tipo_consulta, a procedure item (codigo_tabela, codigo)
**   sp-sadt:     solicitante or executante (conselho, numero_conselho, uf,
**                cbo), tipo_atendimento
**   honorarios:  numero_principal, prestador.codigo_na_operadora, at least
**                one item; per item codigo_tabela, codigo, descricao and a
**                professional (item's or executante) with nome, conselho,
**                numero_conselho, uf, cbo
**   resumo-internacao: numero_principal, data_autorizacao, senha,
**                hora_inicio, data_fim, hora_fim, tipo_internacao,
**                motivo_encerramento
** (Elements the writer fills by default, e.g. indicacaoAcidente "9",
** regimeAtendimento "01", caraterAtendimento "1", CNES "9999999", are not
** listed.)
*/
#ifndef FAT_ENVIAVEL_H
#define FAT_ENVIAVEL_H

#include <stddef.h>

#include "fat_model.h"

/* The first field the XSD requires that g lacks: its path in the guia's
** JSON form (e.g. "carteira_numero", "itens[0].descricao") into campo and a
** pt-BR label ("número da carteira do beneficiário") into rotulo. Returns
** 1 when a field is missing, 0 when g can be written. campo/rotulo may be
** NULL when not wanted. */
int fat_enviavel_faltando(const fat_guia *g, char *campo, size_t campo_len, const char **rotulo);

#endif
