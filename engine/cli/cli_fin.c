/* cli_fin.c: helpers of the financial verbs (cli_fin.h). */
#include "fat_dia.h"
#include "cli_fin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"

int cf_id(const char *s, int64_t *out)
{
  char *end;
  long long v;

  if (s == NULL || *s == '\0')
    return -1;
  if (*s == '#')
    s++;
  v = strtoll(s, &end, 10);
  if (*end != '\0' || v <= 0)
    return -1;
  *out = v;
  return 0;
}

int cf_money(const char *s, int64_t *out)
{
  fat_err err;

  if (s == NULL)
    return -1;
  if (strncmp(s, "R$", 2) == 0) {
    s += 2;
    while (*s == ' ')
      s++;
  }
  return fat_money_parse(s, out, &err) == FAT_OK ? 0 : -1;
}

int cf_bp(const char *s, int64_t *out)
{
  char buf[32];
  size_t n;

  if (s == NULL)
    return -1;
  n = strlen(s);
  if (n == 0 || n >= sizeof buf)
    return -1;
  memcpy(buf, s, n + 1);
  if (buf[n - 1] == '%')
    buf[n - 1] = '\0';
  if (cf_money(buf, out) != 0 || *out < 0 || *out > 10000) /* percent with 2 decimals = bp */
    return -1;
  return 0;
}

fat_gen *cf_gen(fat_cli *cli, fat_store *st, fat_rules **rules)
{
  fat_err err;

  *rules = NULL;
  fat_err_clear(&err);
  if (fat_rules_open(cli->regras_dir, NULL, st, rules, &err) != FAT_OK) {
    fprintf(stderr, "faturo: atenção: regras indisponíveis (%s): sem os termos das operadoras\n",
            err.msg);
    *rules = NULL;
    return NULL;
  }
  return fat_rules_acquire(*rules);
}

void cf_gen_close(fat_gen *g, fat_rules *r)
{
  if (g != NULL)
    fat_gen_release(g);
  fat_rules_close(r);
}

const char *cf_brl(int64_t centavos, char buf[40])
{
  fat_money_format_br(centavos, buf, 40);
  return buf;
}

const char *cf_data(const char *iso, char buf[16])
{
  snprintf(buf, 16, "%.15s", fat_dia_br_ou(iso, "-").s);
  return buf;
}

int cf_out(fat_cli *cli, cJSON *o, void (*print)(const cJSON *o))
{
  if (o == NULL)
    return cli_error_oom();
  if (cli->json)
    return cli_emit_json(o);
  print(o);
  cJSON_Delete(o);
  return CLI_OK;
}

int cf_write(const char *path, const char *data, size_t len)
{
  fat_err err;

  if (path == NULL || strcmp(path, "-") == 0) {
    if (fwrite(data, 1, len, stdout) != len) {
      fprintf(stderr, "faturo: erro ao escrever na saída\n");
      return CLI_FAIL;
    }
    return CLI_OK;
  }
  fat_err_clear(&err);
  if (fat_file_write(path, data, len, &err) != FAT_OK)
    return cli_error(&err);
  return CLI_OK;
}

const char *cf_jbrl(const cJSON *o, const char *k, char buf[40])
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

  if (!cJSON_IsNumber(x)) {
    snprintf(buf, 40, "-");
    return buf;
  }
  return cf_brl((int64_t)x->valuedouble, buf);
}

const char *cf_jdata(const cJSON *o, const char *k, char buf[16])
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

  return cf_data(cJSON_IsString(x) ? x->valuestring : NULL, buf);
}
