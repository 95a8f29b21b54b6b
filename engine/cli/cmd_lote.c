/* cmd_lote.c: `faturo lote ...`: close lotes, follow their states, export. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fat_dia.h"
#include "cli.h"
#include "fat_lote.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_rules.h"
#include "fat_text.h"
#include "fat_tiss_read.h"

static const char lote_help[] =
  "uso: faturo lote <ação> [opções]\n"
  "\n"
  "ações:\n"
  "  fechar --operadora X | --todas [--competencia AAAA-MM] [--ate AAAA-MM-DD] [--hoje AAAA-MM-DD]\n"
  "         [--hora HH:MM:SS] [--saida DIR] [--xsd DIR]\n"
  "      agrupa as guias conferidas e sem bloqueio por período do contrato e tipo de guia,\n"
  "      numera os lotes, gera o XML TISS 4.01.00 e valida no XSD (tudo ou nada);\n"
  "      uma guia que o XSD TISS não aceita (ex.: sem carteira) fica retida, com o motivo,\n"
  "      e os lotes fecham com as outras (saída 1 quando há retidas)\n"
  "      --todas: cada operadora com guias prontas, uma por vez (a recusa de uma não\n"
  "      impede as outras; saída 1 se alguma recusou)\n"
  "      --hora: hora de registro da transação nos arquivos (padrão: agora); com --hoje,\n"
  "      as mesmas guias dão os mesmos arquivos, byte a byte\n"
  "      --saida: grava o arquivo de cada lote na pasta DIR, no disco antes de o\n"
  "      fechamento ser confirmado (se algo falha, nada fecha e nenhum arquivo fica)\n"
  "  listar [--operadora X] [--hoje AAAA-MM-DD]   lotes com prazo de envio e atrasos\n"
  "  xml N [--saida DIR]                 grava o arquivo XML do lote N\n"
  "  enviado N --data AAAA-MM-DD         registra o envio (o lote fica imutável)\n"
  "  protocolo N NUMERO --data AAAA-MM-DD  registra o protocolo da operadora\n"
  "  reabrir N --motivo TEXTO            reabre um lote ainda não enviado (guias voltam)\n"
  "  mapa [--operadora X] [--competencia AAAA-MM] [--hoje AAAA-MM-DD]\n"
  "      mapa de acompanhamento: envio, protocolo, valores e previsão de pagamento\n"
  "  relacao N [--saida ARQ.html]        relação de guias do lote para impressão\n"
  "  status N [--saida DIR]              SOLIC_STATUS_PROTOCOLO: pede à operadora a situação\n"
  "                                      do protocolo do lote (XML validado no XSD e guardado)\n"
  "  cancelar N --motivo TEXTO [--guia NUMERO]... [--saida DIR]\n"
  "      CANCELA_GUIA de um lote enviado: o lote inteiro ou só as guias indicadas\n"
  "      (número no prestador); XML validado no XSD, guardado e auditado\n"
  "  mensagens N                         mensagens de status e cancelamento enviadas\n"
  "\n"
  "N é o id do lote (coluna id de `faturo lote listar`). X é o registro ANS, a chave\n"
  "do script ou o id da operadora. Sem --xsd / FATURO_XSD_DIR a validação é pulada.\n";

static int parse_id(const char *s, int64_t *id)
{
  char *end;
  long long v;

  if (s == NULL)
    return -1;
  v = strtoll(s, &end, 10);
  if (*end != '\0' || v <= 0)
    return -1;
  *id = v;
  return 0;
}

static void print_json(cJSON *j)
{
  char *s = cJSON_Print(j);

  if (s != NULL) {
    printf("%s\n", s);
    cJSON_free(s);
  }
}

static const char *money_br(const cJSON *o, const char *k, char *buf, size_t len)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

  if (!cJSON_IsNumber(v))
    return "-";
  fat_money_format_br((int64_t)v->valuedouble, buf, len);
  return buf;
}

/* Write data to DIR/name; prints the path. */
static int write_to(const char *dir, const char *name, const char *data, size_t len)
{
  char path[4096];
  fat_err err;

  snprintf(path, sizeof path, "%s/%s", dir != NULL ? dir : ".", name);
  if (fat_file_write(path, data, len, &err) != FAT_OK)
    return cli_error(&err);
  printf("%s\n", path);
  return CLI_OK;
}

static int do_fechar(fat_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    {"operadora", required_argument, NULL, 'o'}, {"competencia", required_argument, NULL, 'c'},
    {"ate", required_argument, NULL, 'a'},       {"hoje", required_argument, NULL, 'H'},
    {"saida", required_argument, NULL, 's'},     {"todas", no_argument, NULL, 'T'},
    {"hora", required_argument, NULL, 'h'},      {NULL, 0, NULL, 0}};
  fat_lote_fechar_opts o;
  fat_lote_fechar_res res;
  fat_lote_fechar_todas_res todas;
  fat_leitor leitor;
  int todas_ops = 0;
  fat_rules *rules = NULL;
  fat_gen *gen = NULL;
  fat_store *st;
  fat_err err;
  char key[64], comp[FAT_DIA_COMP_LEN], ate[FAT_DIA_ISO_LEN], hoje[FAT_DIA_ISO_LEN];
  const char *saida = NULL;
  int64_t op;
  int c, ret = CLI_FAIL, ret_erros = CLI_OK;
  size_t i;

  memset(&o, 0, sizeof o);
  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 'o': o.operadora = optarg; break;
    case 'c': o.competencia = optarg; break;
    case 'a': o.ate = optarg; break;
    case 'H': o.hoje = optarg; break;
    case 'h': o.hora = optarg; break;
    case 's': saida = optarg; break;
    case 'T': todas_ops = 1; break;
    default: return cli_bad_option("lote fechar", argv, opts);
    }
  }
  if ((o.operadora == NULL) == (todas_ops == 0))
    return cli_usage_error("lote fechar", "informe --operadora X ou --todas");
  if (cli_arg_competencia("lote fechar", "--competencia", &o.competencia, comp) != CLI_OK ||
      cli_arg_data("lote fechar", "--ate", &o.ate, ate) != CLI_OK ||
      cli_arg_data("lote fechar", "--hoje", &o.hoje, hoje) != CLI_OK)
    return CLI_USAGE;
  if (saida != NULL) { /* the files are written by the closing itself (fat_lote.h) */
    if (cli_leitor(cli, "lote fechar", &leitor) == NULL)
      return CLI_FAIL;
    o.saida = saida;
    o.leitor = &leitor;
  }
  /* an empty --xsd= turns validation off explicitly */
  o.xsd_dir = (cli->xsd_dir != NULL && cli->xsd_dir[0] != '\0') ? cli->xsd_dir : NULL;
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  if (!todas_ops && fat_lote_operadora(st, o.operadora, &op, key, sizeof key, &err) != FAT_OK)
    return cli_error(&err);
  if (fat_rules_open(cli->regras_dir, NULL, st, &rules, &err) != FAT_OK) {
    fprintf(stderr,
            "faturo: não foi possível carregar as regras das operadoras (%s), sem elas não há "
            "contrato para fechar lotes:\n  %s\n",
            cli->regras_dir, err.msg);
    return CLI_FAIL;
  }
  gen = fat_rules_acquire(rules);
  if (o.xsd_dir == NULL)
    fprintf(stderr, "faturo: atenção: validação XSD pulada (informe a pasta dos XSD TISS "
                    "4.01.00 com --xsd DIR ou FATURO_XSD_DIR)\n");
  memset(&res, 0, sizeof res);
  if (todas_ops) {
    /* every operadora: each closes in its own transaction (fat_lote.h) */
    if (fat_lote_fechar_todas(st, gen, &o, &todas, &err) != FAT_OK) {
      cli_error(&err);
      goto out;
    }
    for (i = 0; i < todas.n_erros; i++)
      fprintf(stderr, "faturo: %s: nenhum lote fechado: %s\n", todas.erros[i].operadora,
              todas.erros[i].mensagem);
    res.lotes = todas.lotes;
    res.n = todas.n;
    res.guias = todas.guias;
    res.validado = todas.validado;
    res.retidas = todas.retidas;
    res.n_retidas = todas.n_retidas;
    res.arquivos = todas.arquivos;
    todas.lotes = NULL;
    todas.n = 0;
    todas.retidas = NULL;
    todas.n_retidas = 0;
    if (todas.n_erros > 0)
      ret_erros = CLI_FAIL;
    fat_lote_fechar_todas_res_fini(&todas);
  } else if (fat_lote_fechar(st, gen, &o, &res, &err) != FAT_OK) {
    cli_error(&err);
    fprintf(stderr, "faturo: nenhum lote foi fechado e nada foi alterado\n");
    goto out;
  }
  if (cli->json) {
    cJSON *j = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(j, "lotes");

    cJSON_AddBoolToObject(j, "validado_xsd", res.validado);
    cJSON_AddNumberToObject(j, "guias", (double)res.guias);
    for (i = 0; i < res.n; i++) {
      cJSON *l = cJSON_CreateObject();
      const fat_lote_info *x = &res.lotes[i];

      cJSON_AddItemToArray(arr, l);
      cJSON_AddNumberToObject(l, "id", (double)x->id);
      cJSON_AddNumberToObject(l, "numero", (double)x->numero);
      cJSON_AddStringToObject(l, "tipo", x->tipo);
      cJSON_AddStringToObject(l, "competencia", x->competencia);
      cJSON_AddStringToObject(l, "periodo_inicio", x->periodo_inicio);
      cJSON_AddStringToObject(l, "periodo_fim", x->periodo_fim);
      cJSON_AddStringToObject(l, "prazo_envio", x->prazo_envio);
      cJSON_AddNumberToObject(l, "qtd_guias", x->qtd_guias);
      cJSON_AddNumberToObject(l, "valor", (double)x->valor);
      cJSON_AddStringToObject(l, "hash", x->hash);
      cJSON_AddStringToObject(l, "arquivo", x->arquivo);
    }
    arr = cJSON_AddArrayToObject(j, "retidas");
    for (i = 0; i < res.n_retidas; i++) {
      cJSON *r = cJSON_CreateObject();

      cJSON_AddItemToArray(arr, r);
      cJSON_AddNumberToObject(r, "guia_id", (double)res.retidas[i].guia_id);
      cJSON_AddStringToObject(r, "numero", res.retidas[i].numero);
      cJSON_AddStringToObject(r, "campo", res.retidas[i].campo);
      cJSON_AddStringToObject(r, "motivo", res.retidas[i].motivo);
    }
    print_json(j);
    cJSON_Delete(j);
  } else if (res.n == 0 && res.n_retidas == 0) {
    printf("nenhuma guia pronta para lote (conferida, sem bloqueio, fora de lote) para %s\n",
           todas_ops ? "nenhuma operadora" : o.operadora);
  } else if (res.n == 0) {
    printf("nenhum lote fechado\n");
  } else {
    printf("%-5s %s %s %-7s %s %-10s %5s %16s  %s\n", "id", fat_text_coluna("número", 8).s,
           fat_text_coluna("tipo", 20).s, "comp.", fat_text_coluna("período", 23).s, "prazo",
           "guias", "valor", "arquivo");
    for (i = 0; i < res.n; i++) {
      const fat_lote_info *x = &res.lotes[i];
      char money[40], per[32];

      fat_money_format_br(x->valor, money, sizeof money);
      snprintf(per, sizeof per, "%.2s/%.2s a %.2s/%.2s", x->periodo_inicio + 8,
               x->periodo_inicio + 5, x->periodo_fim + 8, x->periodo_fim + 5);
      printf("%-5" PRId64 " %-8" PRId64 " %s %-7s %-23s %-10s %5d %16s  %s\n", x->id,
             x->numero, fat_text_coluna(fat_guia_tipo_rotulo(x->tipo), 20).s,
             fat_dia_competencia_br_ou(x->competencia, "-").s, per,
             fat_dia_br_ou(x->prazo_envio, "-").s, x->qtd_guias, money, x->arquivo);
    }
    printf("%zu lote%s fechado%s com %zu guias%s\n", res.n, res.n == 1 ? "" : "s",
           res.n == 1 ? "" : "s", res.guias,
           res.validado ? "; XML validado no XSD TISS 4.01.00" : "; XML NÃO validado");
  }
  if (!cli->json && res.n_retidas > 0) {
    printf("%zu guia%s retida%s: o XML TISS não as aceita; continuam conferidas, fora de lote "
           "(corrija a guia e feche de novo):\n",
           res.n_retidas, res.n_retidas == 1 ? "" : "s", res.n_retidas == 1 ? "" : "s");
    for (i = 0; i < res.n_retidas; i++)
      printf("  guia %s (id %" PRId64 "): %s\n", res.retidas[i].numero, res.retidas[i].guia_id,
             res.retidas[i].motivo);
  }
  ret = CLI_OK;
  for (i = 0; saida != NULL && i < res.n; i++)
    printf("%s/%s\n", saida, res.lotes[i].arquivo);
  if (res.arquivos.rc != FAT_OK)
    ret = cli_error(&res.arquivos);
  if (ret == CLI_OK && res.n_retidas > 0)
    ret = CLI_FAIL;
  fat_lote_fechar_res_fini(&res);
  if (ret == CLI_OK)
    ret = ret_erros;
out:
  fat_gen_release(gen);
  fat_rules_close(rules);
  return ret;
}

static int do_listar(fat_cli *cli, int argc, char **argv, int mapa)
{
  static const struct option opts[] = {{"operadora", required_argument, NULL, 'o'},
                                       {"competencia", required_argument, NULL, 'c'},
                                       {"hoje", required_argument, NULL, 'H'},
                                       {NULL, 0, NULL, 0}};
  const char *op = NULL, *comp = NULL, *hoje = NULL;
  fat_store *st;
  fat_err err;
  cJSON *j = NULL, *it, *l;
  char m1[40], m2[40], m3[40], m4[40], hoje_iso[FAT_DIA_ISO_LEN], comp_iso[FAT_DIA_COMP_LEN];
  int c;

  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 'o': op = optarg; break;
    case 'c': comp = optarg; break;
    case 'H': hoje = optarg; break;
    default: return cli_bad_option(mapa ? "lote mapa" : "lote listar", argv, opts);
    }
  }
  if (cli_arg_data(mapa ? "lote mapa" : "lote listar", "--hoje", &hoje, hoje_iso) != CLI_OK ||
      cli_arg_competencia(mapa ? "lote mapa" : "lote listar", "--competencia", &comp,
                          comp_iso) != CLI_OK)
    return CLI_USAGE;
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  if ((mapa ? fat_lote_mapa(st, op, comp, hoje, &j, &err)
            : fat_lote_listar(st, op, hoje, &j, &err)) != FAT_OK)
    return cli_error(&err);
  if (cli->json) {
    print_json(j);
  } else if (!mapa) {
    printf("%-5s %s %-10s %s %-7s %s %5s %16s %-10s %s\n", "id", fat_text_coluna("número", 8).s,
           "operadora", fat_text_coluna("tipo", 20).s, "comp.", fat_text_coluna("situação", 17).s,
           "guias", "valor", "prazo", "prazo de envio");
    cJSON_ArrayForEach(it, j)
    {
      const char *sp = cli_jstr(it, "situacao_prazo", "-");
      char note[64];

      if (strcmp(sp, "atrasado") == 0)
        snprintf(note, sizeof note, "ATRASADO há %d dia(s)", -(int)cli_jnum(it, "dias_para_prazo"));
      else if (strcmp(sp, "vence_em_breve") == 0)
        snprintf(note, sizeof note, "vence em %d dia(s)", (int)cli_jnum(it, "dias_para_prazo"));
      else if (strcmp(sp, "no_prazo") == 0)
        snprintf(note, sizeof note, "no prazo");
      else
        snprintf(note, sizeof note, "enviado em %s",
                 fat_dia_br_ou(cli_jstr(it, "enviado_em", NULL), "-").s);
      printf("%-5.0f %-8.0f %s %s %-7s %s %5.0f %16s %-10s %s\n", cli_jnum(it, "id"),
             cli_jnum(it, "numero"), fat_text_coluna(cli_jstr(it, "operadora", "-"), 10).s,
             fat_text_coluna(fat_guia_tipo_rotulo(cli_jstr(it, "tipo", "-")), 20).s,
             fat_dia_competencia_br_ou(cli_jstr(it, "competencia", NULL), "-").s,
             fat_text_coluna(fat_lote_status_rotulo(cli_jstr(it, "status", "-")), 17).s,
             cli_jnum(it, "qtd_guias"),
             money_br(it, "valor", m1, sizeof m1),
             fat_dia_br_ou(cli_jstr(it, "prazo_envio", NULL), "-").s, note);
    }
  } else {
    cJSON_ArrayForEach(it, j)
    {
      printf("%s (%s), competência %s: enviado %s, liberado %s, glosado %s, recebido %s\n",
             cli_jstr(it, "operadora", "-"), cli_jstr(it, "registro_ans", "-"),
             fat_dia_competencia_br_ou(cli_jstr(it, "competencia", NULL), "-").s,
             money_br(it, "valor_enviado", m1, sizeof m1),
             money_br(it, "valor_liberado", m2, sizeof m2),
             money_br(it, "valor_glosado", m3, sizeof m3),
             money_br(it, "valor_recebido", m4, sizeof m4));
      printf("  %-8s %s %-11s %-12s %-11s %14s %14s %14s %14s %s %s\n", "lote",
             fat_text_coluna("tipo", 20).s, "enviado", "protocolo", "prot. em", "enviado R$",
             "liberado", "glosado", "recebido", fat_text_coluna("previsão", 11).s, "situação");
      cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(it, "lotes"))
      {
        printf("  %-8.0f %s %-11s %-12s %-11s %14s %14s %14s %14s %-11s %s\n",
               cli_jnum(l, "numero"),
               fat_text_coluna(fat_guia_tipo_rotulo(cli_jstr(l, "tipo", "-")), 20).s,
               fat_dia_br_ou(cli_jstr(l, "enviado_em", NULL), "-").s, cli_jstr(l, "protocolo", "-"),
               fat_dia_br_ou(cli_jstr(l, "protocolo_data", NULL), "-").s,
               money_br(l, "valor_enviado", m1, sizeof m1),
               money_br(l, "valor_liberado", m2, sizeof m2),
               money_br(l, "valor_glosado", m3, sizeof m3),
               money_br(l, "valor_recebido", m4, sizeof m4),
               fat_dia_br_ou(cli_jstr(l, "previsao_pagamento", NULL), "-").s,
               cli_jstr(l, "situacao", "-"));
      }
    }
    if (cJSON_GetArraySize(j) == 0)
      printf("nenhum lote fechado\n");
  }
  cJSON_Delete(j);
  return CLI_OK;
}

/* lote xml|enviado|protocolo|reabrir|relacao N ... */
static int do_one(fat_cli *cli, const char *action, int argc, char **argv)
{
  static const struct option opts[] = {{"saida", required_argument, NULL, 's'},
                                       {"data", required_argument, NULL, 'd'},
                                       {"motivo", required_argument, NULL, 'm'},
                                       {NULL, 0, NULL, 0}};
  const char *saida = NULL, *data = NULL, *motivo = NULL;
  char verb[32], arq[80], data_iso[FAT_DIA_ISO_LEN];
  fat_store *st;
  fat_err err;
  fat_leitor leitor;
  int64_t id;
  int c, ret;
  char *buf = NULL;
  size_t len;

  snprintf(verb, sizeof verb, "lote %s", action);
  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 's': saida = optarg; break;
    case 'd': data = optarg; break;
    case 'm': motivo = optarg; break;
    default: return cli_bad_option(verb, argv, opts);
    }
  }
  if (optind >= argc || parse_id(argv[optind], &id) != 0)
    return cli_usage_error(verb, "informe o id do lote (veja faturo lote listar)");
  if (cli_arg_data(verb, "--data", &data, data_iso) != CLI_OK)
    return CLI_USAGE;
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  fat_err_clear(&err);
  /* the XML and the relação carry the lote's guias in full: recorded reads */
  if (strcmp(action, "xml") == 0 || strcmp(action, "relacao") == 0) {
    if (cli_leitor(cli, verb, &leitor) == NULL)
      return CLI_FAIL;
    if (fat_acesso_registrar_lote(st, &leitor, id, 1, &err) != FAT_OK)
      return cli_error(&err);
  }
  if (strcmp(action, "xml") == 0) {
    if (fat_lote_xml(st, id, &buf, &len, arq, &err) != FAT_OK)
      return cli_error(&err);
    ret = write_to(saida, arq, buf, len);
    fat_free(buf);
    return ret;
  }
  if (strcmp(action, "relacao") == 0) {
    if (fat_lote_relacao_html(st, id, &buf, &len, &err) != FAT_OK)
      return cli_error(&err);
    if (saida != NULL) {
      if (fat_file_write(saida, buf, len, &err) != FAT_OK)
        ret = cli_error(&err);
      else
        ret = (printf("%s\n", saida), CLI_OK);
    } else {
      ret = fwrite(buf, 1, len, stdout) == len ? CLI_OK : CLI_FAIL;
    }
    fat_free(buf);
    return ret;
  }
  if (strcmp(action, "enviado") == 0) {
    if (data == NULL)
      return cli_usage_error(verb, "informe --data AAAA-MM-DD");
    if (fat_lote_enviado(st, id, data, &err) != FAT_OK)
      return cli_error(&err);
    printf("lote %" PRId64 " enviado em %s\n", id, data);
    return CLI_OK;
  }
  if (strcmp(action, "protocolo") == 0) {
    if (optind + 1 >= argc || data == NULL)
      return cli_usage_error(verb, "uso: faturo lote protocolo N NUMERO --data AAAA-MM-DD");
    if (fat_lote_protocolo(st, id, argv[optind + 1], data, &err) != FAT_OK)
      return cli_error(&err);
    printf("lote %" PRId64 " protocolado: %s em %s\n", id, argv[optind + 1], data);
    return CLI_OK;
  }
  if (motivo == NULL)
    return cli_usage_error(verb, "informe --motivo");
  if (fat_lote_reabrir(st, id, motivo, &err) != FAT_OK)
    return cli_error(&err);
  printf("lote %" PRId64 " reaberto; as guias voltaram a 'conferida'\n", id);
  return CLI_OK;
}

/* lote status|cancelar N ...: write the message, keep it, save the file. */
static int do_mensagem(fat_cli *cli, const char *action, int argc, char **argv)
{
  static const struct option opts[] = {{"saida", required_argument, NULL, 's'},
                                       {"motivo", required_argument, NULL, 'm'},
                                       {"guia", required_argument, NULL, 'g'},
                                       {NULL, 0, NULL, 0}};
  const char *saida = NULL, *motivo = NULL, *guias[100];
  const char *xsd = (cli->xsd_dir != NULL && cli->xsd_dir[0] != '\0') ? cli->xsd_dir : NULL;
  fat_lote_mensagem m;
  char verb[32];
  size_t n = 0;
  fat_store *st;
  fat_err err;
  int64_t id;
  int c, ret;

  snprintf(verb, sizeof verb, "lote %s", action);
  optind = 1;
  for (c = getopt_long(argc, argv, "", opts, NULL); c != -1;
       c = getopt_long(argc, argv, "", opts, NULL)) {
    switch (c) {
    case 's': saida = optarg; break;
    case 'm': motivo = optarg; break;
    case 'g':
      if (n >= sizeof guias / sizeof guias[0])
        return cli_usage_error(verb, "no máximo %zu guias por mensagem",
                               sizeof guias / sizeof guias[0]);
      guias[n++] = optarg;
      break;
    default: return cli_bad_option(verb, argv, opts);
    }
  }
  if (optind + 1 != argc || parse_id(argv[optind], &id) != 0)
    return cli_usage_error(verb, "informe o id do lote (veja faturo lote listar)");
  if (strcmp(action, "cancelar") == 0 && (motivo == NULL || motivo[0] == '\0'))
    return cli_usage_error(verb, "informe --motivo");
  if (strcmp(action, "status") == 0 && (motivo != NULL || n > 0))
    return cli_usage_error(verb, "--motivo e --guia são do cancelamento");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  if (xsd == NULL)
    fprintf(stderr, "faturo: atenção: validação XSD pulada (informe a pasta dos XSD TISS "
                    "4.01.00 com --xsd DIR ou FATURO_XSD_DIR)\n");
  fat_err_clear(&err);
  if ((strcmp(action, "status") == 0
           ? fat_lote_status_protocolo(st, id, xsd, &m, &err)
           : fat_lote_cancelar(st, id, guias, n, motivo, xsd, &m, &err)) != FAT_OK)
    return cli_error(&err);
  if (!cli->json)
    printf("%s do lote %" PRId64 " registrada (mensagem %" PRId64 ", hash %s%s)\n",
           strcmp(action, "status") == 0 ? "consulta de situação do protocolo"
                                         : "solicitação de cancelamento",
           id, m.id, m.hash, m.validado ? ", validada no XSD TISS 4.01.00" : ", NÃO validada");
  ret = write_to(saida, m.arquivo, m.xml, m.len);
  fat_lote_mensagem_fini(&m);
  return ret;
}

static int do_mensagens(fat_cli *cli, int argc, char **argv)
{
  fat_store *st;
  fat_err err;
  fat_leitor leitor;
  cJSON *j = NULL, *it;
  int64_t id;

  if (cli_sem_opcoes("lote mensagens", argc, argv, NULL) != CLI_OK)
    return CLI_USAGE;
  if (argc != 2 || parse_id(argv[1], &id) != 0)
    return cli_usage_error("lote mensagens", "informe o id do lote");
  st = cli_store(cli);
  if (st == NULL)
    return CLI_FAIL;
  if (fat_lote_mensagens(st, id, &j, &err) != FAT_OK)
    return cli_error(&err);
  /* the messages name the lote's guias: a read of them, recorded first */
  fat_err_clear(&err);
  if (cli_leitor(cli, "lote mensagens", &leitor) == NULL ||
      fat_acesso_registrar_lote(st, &leitor, id, 0, &err) != FAT_OK) {
    cJSON_Delete(j);
    return err.rc != FAT_OK ? cli_error(&err) : CLI_FAIL;
  }
  if (cli->json)
    return cli_emit_json(j);
  if (cJSON_GetArraySize(j) == 0)
    printf("nenhuma mensagem de status ou cancelamento enviada para o lote %" PRId64 "\n", id);
  cJSON_ArrayForEach(it, j)
  {
    printf("%-5.0f %s %s por %s  %s%s%s%s\n", cli_jnum(it, "id"),
           fat_text_coluna(fat_tiss_transacao_rotulo(cli_jstr(it, "tipo", "-")), 42).s,
           fat_quando_br_de(cli_jstr(it, "criado_em", NULL), "-").s, cli_jstr(it, "usuario", "-"),
           cli_jstr(it, "arquivo", "-"), cJSON_IsString(cJSON_GetObjectItem(it, "guias"))
                                             ? "  guias " : "",
           cli_jstr(it, "guias", ""), cli_jnum(it, "validado") != 0 ? "" : "  (não validada)");
  }
  cJSON_Delete(j);
  return CLI_OK;
}

int cli_lote(fat_cli *cli, int argc, char **argv)
{
  const char *a;

  if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
      strcmp(argv[1], "ajuda") == 0) {
    fputs(lote_help, argc < 2 ? stderr : stdout);
    if (argc >= 2)
      cli_papel_ajuda_lote();
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  if (cli_wants_help(argc, argv)) {
    fputs(lote_help, stdout);
    cli_papel_ajuda_lote();
    return CLI_OK;
  }
  a = argv[1];
  if (strcmp(a, "fechar") == 0)
    return do_fechar(cli, argc - 1, argv + 1);
  if (strcmp(a, "listar") == 0)
    return do_listar(cli, argc - 1, argv + 1, 0);
  if (strcmp(a, "mapa") == 0)
    return do_listar(cli, argc - 1, argv + 1, 1);
  if (strcmp(a, "status") == 0 || strcmp(a, "cancelar") == 0)
    return do_mensagem(cli, a, argc - 1, argv + 1);
  if (strcmp(a, "mensagens") == 0)
    return do_mensagens(cli, argc - 1, argv + 1);
  if (cli_lote_papel_sub(a))
    return cli_lote_papel(cli, argc - 1, argv + 1);
  if (strcmp(a, "xml") == 0 || strcmp(a, "enviado") == 0 || strcmp(a, "protocolo") == 0 ||
      strcmp(a, "reabrir") == 0 || strcmp(a, "relacao") == 0)
    return do_one(cli, a, argc - 1, argv + 1);
  return cli_usage_error("lote", "ação desconhecida '%s'", a);
}
