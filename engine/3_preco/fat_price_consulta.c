/* fat_price_consulta.c: a price look-up as typed (see fat_price_consulta.h). */
#include "fat_price_consulta.h"

#include <stdio.h>
#include <string.h>

#include "fat_cadastro.h"
#include "fat_dia.h"
#include "fat_money.h"

static const char *given(const char *s) { return s != NULL && s[0] != '\0' ? s : NULL; }

/* "HH:MM" or "HH:MM:SS" with a real time of day. */
static int hora_valida(const char *s)
{
  size_t n = strlen(s);

  if ((n != 5 && n != 8) || s[2] != ':' || (n == 8 && s[5] != ':'))
    return 0;
  for (size_t i = 0; i < n; i++)
    if (i != 2 && i != 5 && (s[i] < '0' || s[i] > '9'))
      return 0;
  return (s[0] - '0') * 10 + (s[1] - '0') < 24 && s[3] < '6' && (n == 5 || s[6] < '6');
}

static int digitos(const char *s, size_t min, size_t max)
{
  size_t n = strlen(s);

  if (n < min || n > max)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

fat_rc fat_price_consultar(fat_store *st, fat_gen *gen, const fat_price_pedido *q,
                           fat_price_consulta *res, fat_err *err)
{
  const char *carater = given(q->carater), *via = given(q->via), *hora = given(q->hora);
  const char *grau = given(q->grau), *qtd = given(q->quantidade), *data = given(q->data);
  fat_pricer *p = NULL;
  fat_price_in in;
  int32_t dia;
  fat_rc rc;

  memset(res, 0, sizeof *res);
  memset(&in, 0, sizeof in);
  if (given(q->operadora) == NULL)
    return fat_err_set(err, FAT_EINVAL, "informe a operadora");
  if (given(q->codigo) == NULL)
    return fat_err_set(err, FAT_EINVAL, "informe o código do item");
  if (strlen(q->codigo) >= sizeof res->codigo)
    return fat_err_set(err, FAT_EINVAL, "código '%.30s...' longo demais", q->codigo);
  snprintf(res->codigo, sizeof res->codigo, "%s", q->codigo);
  if (data == NULL) {
    fat_dia_hoje(res->data, sizeof res->data);
  } else {
    rc = fat_dia_ler(data, &dia, res->data, err);
    if (rc != FAT_OK)
      return rc;
  }
  res->quantidade_e4 = 10000;
  if (qtd != NULL) {
    rc = fat_money_qty_parse(qtd, &res->quantidade_e4, err);
    if (rc != FAT_OK)
      return rc;
    if (res->quantidade_e4 <= 0)
      return fat_err_set(err, FAT_EINVAL, "quantidade deve ser maior que zero");
  }
  if (carater != NULL && strcmp(carater, "1") != 0 && strcmp(carater, "2") != 0)
    return fat_err_set(err, FAT_EINVAL, "caráter deve ser 1 (eletivo) ou 2 (urgência/emergência)");
  if (via != NULL && (strlen(via) != 1 || via[0] < '1' || via[0] > '3'))
    return fat_err_set(err, FAT_EINVAL, "via de acesso deve ser 1, 2 ou 3");
  if (hora != NULL && !hora_valida(hora))
    return fat_err_set(err, FAT_EINVAL, "hora '%s' inválida (use HH:MM)", hora);
  if (grau != NULL && !digitos(grau, 2, 2))
    return fat_err_set(err, FAT_EINVAL, "grau de participação '%s' inválido (00 a 13)", grau);
  rc = fat_operadora_resolver_ref(st, q->operadora, &res->op, err);
  if (rc != FAT_OK)
    return rc;
  if (given(q->plano) != NULL) {
    rc = fat_cadastro_plano_acomodacao(st, res->op.id, q->plano, res->acomodacao, err);
    if (rc != FAT_OK)
      return rc;
    in.acomodacao = res->acomodacao;
  }
  in.registro_ans = res->op.registro_ans;
  in.codigo = res->codigo;
  in.codigo_tabela = given(q->tabela);
  in.tipo = given(q->tipo);
  in.data = res->data;
  in.hora = hora;
  in.carater = carater != NULL ? carater[0] - '0' : 0;
  in.via = via != NULL ? via[0] - '0' : 0;
  in.principal = via == NULL || via[0] == '1';
  in.grau = grau;
  in.quantidade_e4 = res->quantidade_e4;
  rc = fat_pricer_new_gen(st, gen, &p, err);
  if (rc == FAT_OK)
    rc = fat_price_item(p, res->op.script, &in, &res->out, err);
  fat_pricer_free(p);
  return rc;
}

cJSON *fat_price_consulta_json(const fat_price_consulta *res)
{
  cJSON *o = fat_price_to_json(&res->out);
  char q[40];
  size_t n;

  if (o == NULL)
    return NULL;
  /* "2,5000" -> "2,5"; "1,0000" -> "1" */
  fat_money_qty_format_br(res->quantidade_e4, q, sizeof q);
  n = strlen(q);
  while (n > 0 && q[n - 1] == '0' && strchr(q, ',') != NULL)
    q[--n] = '\0';
  if (n > 0 && q[n - 1] == ',')
    q[--n] = '\0';
  if (cJSON_AddStringToObject(o, "operadora", res->op.script) == NULL ||
      cJSON_AddStringToObject(o, "operadora_nome", res->op.nome) == NULL ||
      cJSON_AddStringToObject(o, "registro_ans", res->op.registro_ans) == NULL ||
      cJSON_AddStringToObject(o, "codigo", res->codigo) == NULL ||
      cJSON_AddStringToObject(o, "data", res->data) == NULL ||
      (res->acomodacao[0] != '\0' ? cJSON_AddStringToObject(o, "acomodacao", res->acomodacao)
                                  : cJSON_AddNullToObject(o, "acomodacao")) == NULL ||
      cJSON_AddStringToObject(o, "quantidade", q) == NULL) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}
