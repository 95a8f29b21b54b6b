/* fat_rotulo.c: the one list of labels users read instead of internal keys
** (see fat_rotulo.h). */
#include <stddef.h>
#include <string.h>

#include "fat_rotulo.h"

typedef struct {
  const char *tipo, *chave, *rotulo;
} rotulo;

/* Grouped by kind; the JSON form keeps this order. */
static const rotulo rotulos[] = {
  /* guia types (fat_guia_tipo) */
  {"tipo", "consulta", "Consulta"},
  {"tipo", "sp-sadt", "SP/SADT"},
  {"tipo", "honorarios", "Honorários"},
  {"tipo", "resumo-internacao", "Resumo de internação"},
  /* guia.status */
  {"guia", "digitada", "digitada"},
  {"guia", "conferida", "conferida"},
  {"guia", "pendente", "pendente"},
  {"guia", "em_lote", "em lote"},
  {"guia", "enviada", "enviada"},
  {"guia", "processada", "processada"},
  {"guia", "paga", "paga"},
  {"guia", "glosada", "glosada"},
  {"guia", "cancelada", "cancelada"},
  /* lote.status */
  {"lote", "aberto", "aberto"},
  {"lote", "fechado", "fechado"},
  {"lote", "enviado", "enviado"},
  {"lote", "protocolado", "protocolado"},
  {"lote", "processado", "processado"},
  {"lote", "pago", "pago"},
  {"lote", "pago_parcial", "pago em parte"},
  /* fatura.status */
  {"fatura", "aberta", "aberta"},
  {"fatura", "paga_parcial", "paga em parte"},
  {"fatura", "paga", "paga"},
  {"fatura", "cancelada", "cancelada"},
  /* glosa.situacao */
  {"glosa", "aberta", "aberta"},
  {"glosa", "em_recurso", "em recurso"},
  {"glosa", "recuperada", "recuperada"},
  {"glosa", "recuperada_parcial", "recuperada em parte"},
  {"glosa", "perdida", "perdida"},
  {"glosa", "aceita", "aceita"},
  {"glosa", "a_classificar", "a classificar"},
  /* glosa.classificacao */
  {"classificacao", "devida", "devida"},
  {"classificacao", "indevida", "indevida"},
  {"classificacao", "a_classificar", "a classificar"},
  /* recurso status and the answer per item */
  {"recurso", "rascunho", "rascunho"},
  {"recurso", "enviado", "enviado"},
  {"recurso", "protocolado", "protocolado"},
  {"recurso", "respondido", "respondido"},
  {"recurso", "deferido", "deferido"},
  {"recurso", "deferido_parcial", "deferido em parte"},
  {"recurso", "indeferido", "indeferido"},
  /* user roles */
  {"papel", "faturista", "faturista"},
  {"papel", "supervisor", "supervisor"},
  {"papel", "admin", "administrador"},
  /* glosa motive groups */
  {"grupo", "cadastro", "cadastro/elegibilidade"},
  {"grupo", "autorizacao", "autorização"},
  {"grupo", "documentacao", "documentação"},
  {"grupo", "cobranca", "cobrança/valor"},
  {"grupo", "tecnica", "técnica"},
  {"grupo", "prazo", "prazo"},
  {"grupo", "outros", "outros"},
  /* finding severities (rule scripts write either case) */
  {"severidade", "bloqueio", "bloqueio"},
  {"severidade", "alerta", "alerta"},
  {"severidade", "Bloqueio", "bloqueio"},
  {"severidade", "Alerta", "alerta"},
  /* price steps (fat_price_out.passos[].passo) */
  {"passo", "negociada", "tabela negociada"},
  {"passo", "porte", "porte"},
  {"passo", "ajuste", "ajuste do contrato"},
  {"passo", "plano", "plano"},
  {"passo", "urgencia", "urgência"},
  {"passo", "horario_especial", "horário especial"},
  {"passo", "auxiliar", "auxiliar"},
  {"passo", "anestesista", "anestesista"},
  {"passo", "uco", "UCO (custo operacional)"},
  {"passo", "filme", "filme"},
  {"passo", "unitario", "valor unitário"},
  {"passo", "base", "valor base"},
  {"passo", "reajuste", "reajuste"},
  {"passo", "fator", "fator (via de acesso)"},
  {"passo", "total", "resultado"},
  {"passo", "deflator", "deflator"},
  {"passo", "tabela", "tabela"},
  /* price groups and tables */
  {"grupo_preco", "procedimentos", "procedimentos"},
  {"grupo_preco", "exames", "exames"},
  {"grupo_preco", "materiais", "materiais"},
  {"grupo_preco", "medicamentos", "medicamentos"},
  {"grupo_preco", "taxas", "taxas"},
  {"tabela_preco", "cbhpm", "CBHPM"},
  {"tabela_preco", "negociada", "negociada"},
  {"tabela_preco", "simpro", "Simpro"},
  {"tabela_preco", "brasindice", "Brasíndice"},
  /* TISS transaction types (tipoTransacao, TISS 4.01.00 domain) */
  {"transacao", "ENVIO_LOTE_GUIAS", "envio de lote de guias"},
  {"transacao", "ENVIO_ANEXO", "envio de anexo"},
  {"transacao", "SOLIC_DEMONSTRATIVO_RETORNO", "solicitação de demonstrativo de retorno"},
  {"transacao", "SOLIC_STATUS_PROTOCOLO", "solicitação de situação do protocolo"},
  {"transacao", "SOLICITACAO_PROCEDIMENTOS", "solicitação de procedimentos"},
  {"transacao", "SOLICITA_STATUS_AUTORIZACAO", "solicitação de situação da autorização"},
  {"transacao", "VERIFICA_ELEGIBILIDADE", "verificação de elegibilidade"},
  {"transacao", "CANCELA_GUIA", "cancelamento de guia"},
  {"transacao", "COMUNICACAO_BENEFICIARIO", "comunicação de beneficiário"},
  {"transacao", "RECURSO_GLOSA", "recurso de glosa"},
  {"transacao", "SOLIC_STATUS_RECURSO_GLOSA", "solicitação de situação do recurso de glosa"},
  {"transacao", "ENVIO_DOCUMENTO", "envio de documento"},
  {"transacao", "PROTOCOLO_RECEBIMENTO", "protocolo de recebimento"},
  {"transacao", "PROTOCOLO_RECEBIMENTO_ANEXO", "protocolo de recebimento de anexo"},
  {"transacao", "RECEBIMENTO_RECURSO_GLOSA", "recebimento de recurso de glosa"},
  {"transacao", "DEMONSTRATIVO_ANALISE_CONTA", "demonstrativo de análise de conta"},
  {"transacao", "DEMONSTRATIVO_PAGAMENTO", "demonstrativo de pagamento"},
  {"transacao", "DEMONSTRATIVO_ODONTOLOGIA", "demonstrativo odontológico"},
  {"transacao", "SITUACAO_PROTOCOLO", "situação do protocolo"},
  {"transacao", "RESPOSTA_SOLICITACAO", "resposta à solicitação"},
  {"transacao", "AUTORIZACAO_ODONTOLOGIA", "autorização odontológica"},
  {"transacao", "STATUS_AUTORIZACAO", "situação da autorização"},
  {"transacao", "SITUACAO_ELEGIBILIDADE", "situação de elegibilidade"},
  {"transacao", "CANCELAMENTO_GUIA_RECIBO", "recibo de cancelamento de guia"},
  {"transacao", "RECIBO_COMUNICACAO", "recibo de comunicação"},
  {"transacao", "RESPOSTA_RECURSO_GLOSA", "resposta ao recurso de glosa"},
  {"transacao", "RECEBIMENTO_DOCUMENTO", "recebimento de documento"},
};

const char *fat_rotulo(const char *tipo, const char *chave)
{
  size_t i;

  if (tipo == NULL || chave == NULL)
    return NULL;
  for (i = 0; i < sizeof rotulos / sizeof rotulos[0]; i++)
    if (strcmp(rotulos[i].tipo, tipo) == 0 && strcmp(rotulos[i].chave, chave) == 0)
      return rotulos[i].rotulo;
  return NULL;
}

const char *fat_rotulo_ou(const char *tipo, const char *chave)
{
  const char *r = fat_rotulo(tipo, chave);

  if (r != NULL)
    return r;
  return chave != NULL ? chave : "";
}

fat_rc fat_rotulo_json(cJSON **out, fat_err *err)
{
  cJSON *all = cJSON_CreateObject(), *kind = NULL;
  size_t i;

  *out = NULL;
  if (all == NULL)
    return fat_err_oom(err);
  for (i = 0; i < sizeof rotulos / sizeof rotulos[0]; i++) {
    if (i == 0 || strcmp(rotulos[i - 1].tipo, rotulos[i].tipo) != 0) {
      kind = cJSON_AddObjectToObject(all, rotulos[i].tipo);
      if (kind == NULL)
        goto oom;
    }
    if (cJSON_AddStringToObject(kind, rotulos[i].chave, rotulos[i].rotulo) == NULL)
      goto oom;
  }
  *out = all;
  return FAT_OK;
oom:
  cJSON_Delete(all);
  return fat_err_oom(err);
}
