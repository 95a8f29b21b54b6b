/* fuzz_corpo.c: libFuzzer target for the HTTP JSON body parser of the web
** API (web_body_parse, the function the server calls on every
** application/json body) and the field readers every handler uses on the
** parsed object (web_json_str, web_json_bool, web_body_id,
** web_body_centavos, web_id_json), without a socket. Any body must give an
** object or the 400 message; an id or an amount read must be in its range;
** the reply printer must turn the object back into JSON that parses again.
** Seeds: tests/fuzz/seeds/corpo. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fat_mem.h"
#include "web_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the keys the API handlers read from bodies */
static const char *const chaves[] = {
    "aceitar_excedente", "adquirente", "alteracao", "atual", "campos", "classificacao", "codigo",
    "competencia", "conteudo", "cpf", "data", "decisao", "demonstrativo", "descricao", "desde",
    "evidencia", "fatura", "forcar", "forma", "glosas", "guia", "guia_id", "ids", "justificativa",
    "lote", "lotes", "motivo", "nome", "nova", "numero", "operadora", "paciente", "papel",
    "parcelas", "periodo", "profissional", "protocolo", "rascunho", "recurso", "remover_itens",
    "resultado", "senha", "serie", "todas", "usuario", "valor", "valor_deferido", "versao", ""};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  web_req rq;
  fat_err err;
  const cJSON *it;
  char *impresso;
  int64_t v;
  size_t i;

  memset(&rq, 0, sizeof rq);
  if (web_body_parse((const char *)data, size, &rq.json, &err) != FAT_OK) {
    if (rq.json != NULL || err.rc != FAT_EINVAL || err.msg[0] == '\0')
      abort(); /* a refusal returns no object and says why */
    return 0;
  }
  if (size > 0 && !cJSON_IsObject(rq.json))
    abort();
  for (i = 0; i < sizeof chaves / sizeof chaves[0]; i++) {
    (void)web_json_str(&rq, chaves[i]);
    (void)web_json_bool(&rq, chaves[i], 0);
    if (web_body_id(&rq, chaves[i], 1, &v, &err) == FAT_OK && (v < 1 || v > 999999999999999))
      abort(); /* an id out of its range was accepted */
    if (web_body_centavos(&rq, chaves[i], -1, &v, &err) == FAT_OK && v < -1)
      abort(); /* a negative amount was accepted */
  }
  for (it = rq.json != NULL ? rq.json->child : NULL; it != NULL; it = it->next) {
    if (web_id_json(it, "campo", &v, &err) == FAT_OK && (v < 1 || v > 999999999999999))
      abort();
  }
  if (rq.json != NULL) {
    impresso = cJSON_PrintUnformatted(rq.json);
    if (impresso != NULL) {
      cJSON *de_novo = cJSON_Parse(impresso);

      if (de_novo == NULL)
        abort(); /* the reply printer wrote JSON that does not parse */
      cJSON_Delete(de_novo);
      cJSON_free(impresso);
    }
  }
  cJSON_Delete(rq.json);
  return 0;
}
