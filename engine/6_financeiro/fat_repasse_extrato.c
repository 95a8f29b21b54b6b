/* fat_repasse_extrato.c: the repasse statement read in pages and handed out
** line by line (fat_repasse_extrato_ler), and the JSON, HTML and XLSX
** statements written from it as they are read (see fat_repasse.h). */
#include "fat_repasse.h"

#include <stdio.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_fin_int.h"
#include "fat_mem.h"
#include "fat_money.h"
#include "fat_xlsx.h"

/* Lines read per page: a page's rows (and its JSON objects, one at a time)
** are all the memory a statement of any size takes. */
#define PAGINA 512 /* the LIMIT of FAT_REPASSE_EXTRATO_LINHAS_SQL */

/* A professional as read: the strings p points at are these. */
typedef struct prof_lido {
  fat_repasse_prof p;
  char *nome, *conselho;
} prof_lido;

static void prof_fini(prof_lido *v, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    fat_free(v[i].nome);
    fat_free(v[i].conselho);
  }
  fat_free(v);
}

/* The professionals of repasse rid (one, or all when prof is 0) with their
** totals, in the statement's order. */
static fat_rc profissionais(fat_store *st, int64_t rid, int64_t prof, prof_lido **out,
                            size_t *n, fat_err *err)
{
  static const char sql[] =
    "SELECT ri.profissional_id, p.nome,"
    " p.conselho || ' ' || COALESCE(p.numero_conselho, '') || '/' || p.uf,"
    " SUM(CASE WHEN ri.situacao = 'retido' THEN 0 ELSE ri.valor END),"
    " SUM(CASE WHEN ri.situacao = 'retido' THEN ri.valor ELSE 0 END), count(*)"
    " FROM repasse_item ri JOIN profissional p ON p.id = ri.profissional_id"
    " WHERE ri.repasse_id = ?1 AND (?2 = 0 OR ri.profissional_id = ?2)"
    " GROUP BY ri.profissional_id ORDER BY p.nome, ri.profissional_id";
  prof_lido *v = NULL;
  size_t cap = 0, k = 0, j;
  fat_stmt *s;
  int r, oom = 0;
  fat_rc rc;

  *out = NULL;
  *n = 0;
  rc = fat_store_prepare(st, sql, &s, err);
  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, rid);
  fat_bind_int(s, 2, prof);
  while (!oom && (r = fat_stmt_step(s)) == FAT_ROW) {
    prof_lido *p;

    if (!FAT_GROW(v, cap, k)) {
      oom = 1;
      break;
    }
    p = &v[k++];
    memset(p, 0, sizeof *p);
    p->nome = fat_col_is_null(s, 1) ? NULL : fat_col_strdup(s, 1, &oom);
    p->conselho = fat_col_is_null(s, 2) ? NULL : fat_col_strdup(s, 2, &oom);
    p->p.id = fat_col_int64(s, 0);
    p->p.total_pagar = fat_col_int64(s, 3);
    p->p.total_retido = fat_col_int64(s, 4);
    p->p.linhas = fat_col_int64(s, 5);
  }
  fat_stmt_reset(s);
  if (oom) {
    prof_fini(v, k);
    return fat_err_oom(err);
  }
  if (r != FAT_DONE) {
    prof_fini(v, k);
    return fat_store_dberr(st, err, "erro ao ler o repasse");
  }
  for (j = 0; j < k; j++) {
    v[j].p.nome = v[j].nome;
    v[j].p.conselho = v[j].conselho;
  }
  *out = v;
  *n = k;
  return FAT_OK;
}

/* The lines of professional p in repasse rid, PAGINA at a time by the key
** (repasse_item_rep: repasse, professional, id), each to l->linha. */
static fat_rc linhas(fat_store *st, int64_t rid, const fat_repasse_prof *p,
                     const fat_repasse_leitor *l, fat_err *err)
{
  static const char sql[] = FAT_REPASSE_EXTRATO_LINHAS_SQL;
  cJSON *pagina[PAGINA];
  int64_t depois = 0;
  size_t n, i;
  fat_stmt *s;
  fat_rc rc = FAT_OK;
  int r = FAT_DONE;

  do {
    rc = fat_store_prepare(st, sql, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_int(s, 1, rid);
    fat_bind_int(s, 2, p->id);
    fat_bind_int(s, 3, depois);
    n = 0;
    while (n < PAGINA && (r = fat_stmt_step(s)) == FAT_ROW) {
      pagina[n] = fat_store_row_json(s, 0);
      if (pagina[n] == NULL) {
        rc = fat_err_oom(err);
        break;
      }
      depois = fat_col_int64(s, 0);
      n++;
    }
    if (rc == FAT_OK && n < PAGINA && r != FAT_DONE)
      rc = fat_store_dberr(st, err, "erro ao ler o repasse");
    fat_stmt_reset(s);
    /* the page is read and its statement reset before the caller writes */
    for (i = 0; i < n; i++) {
      if (rc == FAT_OK && l->linha != NULL)
        rc = l->linha(l->u, p, pagina[i], err);
      cJSON_Delete(pagina[i]);
    }
  } while (rc == FAT_OK && n == PAGINA);
  return rc;
}

fat_rc fat_repasse_extrato_ler(fat_store *st, const char *periodo, int64_t profissional_id,
                               const fat_repasse_leitor *l, fat_err *err)
{
  fat_repasse_prof *lista = NULL;
  prof_lido *profs = NULL;
  size_t n = 0, i;
  int64_t rid, tp = 0, tr = 0;
  char status[16];
  fat_rc rc, fim;

  /* one snapshot for the totals and every page */
  rc = fat_store_begin_read(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = fin_repasse_do_periodo(st, periodo, &rid, status, err);
  if (rc != FAT_OK)
    goto out;
  rc = profissionais(st, rid, profissional_id, &profs, &n, err);
  if (rc != FAT_OK)
    goto out;
  lista = fat_malloc((n > 0 ? n : 1) * sizeof *lista);
  if (lista == NULL) {
    rc = fat_err_oom(err);
    goto out;
  }
  for (i = 0; i < n; i++) {
    lista[i] = profs[i].p;
    tp += lista[i].total_pagar;
    tr += lista[i].total_retido;
  }
  if (l->inicio != NULL)
    rc = l->inicio(l->u, periodo, status, lista, n, tp, tr, err);
  for (i = 0; i < n && rc == FAT_OK; i++) {
    if (l->prof != NULL)
      rc = l->prof(l->u, &lista[i], err);
    if (rc == FAT_OK)
      rc = linhas(st, rid, &lista[i], l, err);
    if (rc == FAT_OK && l->prof_fim != NULL)
      rc = l->prof_fim(l->u, &lista[i], err);
  }
out:
  /* a read: nothing to undo, and a rollback would doom an outer transaction */
  fim = fat_store_commit(st, rc == FAT_OK ? err : NULL);
  if (rc == FAT_OK)
    rc = fim;
  fat_free(lista);
  prof_fini(profs, n);
  return rc;
}

/* ---- writing as it reads: text goes out in chunks of ~64 KB ---- */

typedef struct saida {
  const char *path;        /* XLSX: opened when the statement is found */
  fat_repasse_escrita w;
  void *u;
  fat_buf b;
  int n_prof;              /* professionals written so far (JSON commas, sheet names) */
  int n_linha;             /* lines of the current professional */
  fat_xlsx *x;
  int lin;
} saida;

static fat_rc despeja(saida *o, int tudo, fat_err *err)
{
  fat_rc rc;

  if (o->b.len == 0 || (!tudo && o->b.len < ((size_t)64 << 10)))
    return FAT_OK;
  rc = o->w(o->u, o->b.data, o->b.len, err);
  fat_buf_reset(&o->b);
  return rc;
}

/* cJSON's own text for one value (a number, a string or null), so the
** streamed statement is byte for byte what printing the whole tree gives. */
static fat_rc json_valor(saida *o, cJSON *v, fat_err *err)
{
  char *t = v != NULL ? cJSON_PrintUnformatted(v) : NULL;
  fat_rc rc;

  cJSON_Delete(v);
  if (t == NULL)
    return fat_err_oom(err);
  rc = fat_buf_puts(&o->b, t, err);
  cJSON_free(t);
  return rc;
}

static cJSON *json_texto(const char *s) { return s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull(); }

static fat_rc json_inicio(void *u, const char *periodo, const char *status,
                          const fat_repasse_prof *profs, size_t n, int64_t tp, int64_t tr,
                          fat_err *err)
{
  saida *o = u;
  fat_rc rc = fat_buf_puts(&o->b, "{\"periodo\":", err);

  (void)profs;
  (void)n;
  (void)tp;
  (void)tr;
  if (rc == FAT_OK)
    rc = json_valor(o, cJSON_CreateString(periodo), err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(&o->b, ",\"status\":", err);
  if (rc == FAT_OK)
    rc = json_valor(o, cJSON_CreateString(status), err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(&o->b, ",\"profissionais\":[", err);
  return rc;
}

static fat_rc json_prof(void *u, const fat_repasse_prof *p, fat_err *err)
{
  saida *o = u;
  fat_rc rc = fat_buf_puts(&o->b, o->n_prof++ > 0 ? ",{\"id\":" : "{\"id\":", err);

  o->n_linha = 0;
  if (rc == FAT_OK)
    rc = json_valor(o, cJSON_CreateNumber((double)p->id), err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(&o->b, ",\"nome\":", err);
  if (rc == FAT_OK)
    rc = json_valor(o, json_texto(p->nome), err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(&o->b, ",\"conselho\":", err);
  if (rc == FAT_OK)
    rc = json_valor(o, json_texto(p->conselho), err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(&o->b, ",\"itens\":[", err);
  return rc;
}

static fat_rc json_linha(void *u, const fat_repasse_prof *p, const cJSON *linha, fat_err *err)
{
  saida *o = u;
  char *t = cJSON_PrintUnformatted(linha);
  fat_rc rc;

  (void)p;
  if (t == NULL)
    return fat_err_oom(err);
  rc = o->n_linha++ > 0 ? fat_buf_puts(&o->b, ",", err) : FAT_OK;
  if (rc == FAT_OK)
    rc = fat_buf_puts(&o->b, t, err);
  cJSON_free(t);
  if (rc == FAT_OK)
    rc = despeja(o, 0, err);
  return rc;
}

/* the totals closing an array: ],"total_pagar":X,"total_retido":Y and, when
** fechar, the object's } */
static fat_rc json_totais(saida *o, int64_t tp, int64_t tr, int fechar, fat_err *err)
{
  fat_rc rc = fat_buf_puts(&o->b, "],\"total_pagar\":", err);

  if (rc == FAT_OK)
    rc = json_valor(o, cJSON_CreateNumber((double)tp), err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(&o->b, ",\"total_retido\":", err);
  if (rc == FAT_OK)
    rc = json_valor(o, cJSON_CreateNumber((double)tr), err);
  if (rc == FAT_OK && fechar)
    rc = fat_buf_puts(&o->b, "}", err);
  return rc;
}

static fat_rc json_prof_fim(void *u, const fat_repasse_prof *p, fat_err *err)
{
  return json_totais(u, p->total_pagar, p->total_retido, 1, err);
}

static fat_rc escrever(fat_store *st, const char *periodo, int64_t prof, const fat_repasse_leitor *l,
                       saida *o, fat_rc (*fim)(saida *o, fat_err *err), fat_err *err)
{
  fat_rc rc;

  fat_buf_init(&o->b, (size_t)1 << 30);
  rc = fat_repasse_extrato_ler(st, periodo, prof, l, err);
  if (rc == FAT_OK && fim != NULL)
    rc = fim(o, err);
  if (rc == FAT_OK)
    rc = despeja(o, 1, err);
  fat_buf_fini(&o->b);
  return rc;
}

/* The grand totals are known only after the last professional here. */
typedef struct json_total {
  saida o;
  int64_t tp, tr;
  const cJSON *mais;
} json_total;

static fat_rc json_inicio_total(void *u, const char *periodo, const char *status,
                                const fat_repasse_prof *profs, size_t n, int64_t tp, int64_t tr,
                                fat_err *err)
{
  json_total *j = u;

  j->tp = tp;
  j->tr = tr;
  return json_inicio(&j->o, periodo, status, profs, n, tp, tr, err);
}

static fat_rc json_fim(saida *o, fat_err *err)
{
  json_total *j = (json_total *)o;
  const cJSON *m;
  fat_rc rc = json_totais(o, j->tp, j->tr, 0, err);

  if (rc != FAT_OK)
    return rc;
  cJSON_ArrayForEach(m, j->mais) {
    char *t = cJSON_PrintUnformatted(m);

    if (t == NULL)
      return fat_err_oom(err);
    rc = fat_buf_puts(&o->b, ",", err);
    if (rc == FAT_OK)
      rc = json_valor(o, cJSON_CreateString(m->string), err);
    if (rc == FAT_OK)
      rc = fat_buf_puts(&o->b, ":", err);
    if (rc == FAT_OK)
      rc = fat_buf_puts(&o->b, t, err);
    cJSON_free(t);
    if (rc != FAT_OK)
      return rc;
  }
  return fat_buf_puts(&o->b, "}", err);
}

fat_rc fat_repasse_extrato_json_escrever(fat_store *st, const char *periodo,
                                         int64_t profissional_id, const cJSON *mais,
                                         fat_repasse_escrita w, void *u, fat_err *err)
{
  json_total j;
  fat_repasse_leitor l;

  memset(&j, 0, sizeof j);
  j.mais = mais;
  j.o.w = w;
  j.o.u = u;
  memset(&l, 0, sizeof l);
  l.u = &j;
  l.inicio = json_inicio_total;
  l.prof = json_prof;
  l.linha = json_linha;
  l.prof_fim = json_prof_fim;
  return escrever(st, periodo, profissional_id, &l, &j.o, json_fim, err);
}

/* ---- HTML ---- */

static const char *jstr(const cJSON *o, const char *k)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

  return cJSON_IsString(x) ? x->valuestring : "";
}

static int64_t jint(const cJSON *o, const char *k)
{
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

  return cJSON_IsNumber(x) ? (int64_t)x->valuedouble : 0;
}

typedef struct html_total {
  saida o;
  int64_t tp, tr;
} html_total;

static fat_rc html_inicio(void *u, const char *periodo, const char *status,
                          const fat_repasse_prof *profs, size_t n, int64_t tp, int64_t tr,
                          fat_err *err)
{
  html_total *h = u;

  (void)profs;
  (void)n;
  h->tp = tp;
  h->tr = tr;
  return fat_buf_printf(&h->o.b, err,
                        "<!DOCTYPE html>\n<html lang=\"pt-BR\"><head><meta charset=\"utf-8\">"
                        "<title>Repasse %s</title><style>body{font-family:sans-serif}"
                        "table{border-collapse:collapse;width:100%%}td,th{border:1px solid "
                        "#999;padding:2px 6px}td.v{text-align:right}.retido{color:#a00}"
                        "</style></head><body>\n<h1>Repasse médico de %s (%s)</h1>\n",
                        periodo, periodo, status);
}

static fat_rc html_prof(void *u, const fat_repasse_prof *p, fat_err *err)
{
  saida *o = u;
  fat_rc rc = fat_buf_puts(&o->b, "<h2>", err);

  if (rc == FAT_OK)
    rc = fat_buf_html(&o->b, p->nome != NULL ? p->nome : "", err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(&o->b, " — ", err);
  if (rc == FAT_OK)
    rc = fat_buf_html(&o->b, p->conselho != NULL ? p->conselho : "", err);
  if (rc == FAT_OK)
    rc = fat_buf_puts(&o->b, "</h2>\n<table><tr><th>Data</th><th>Origem</th><th>Descrição</th>"
                             "<th>Recebido</th><th>Regra</th><th>Repasse</th><th>Glosa</th>"
                             "<th>Situação</th></tr>\n", err);
  return rc;
}

static fat_rc html_linha(void *u, const fat_repasse_prof *p, const cJSON *i, fat_err *err)
{
  saida *o = u;
  const char *sit = jstr(i, "situacao");
  char v1[32], v2[32], v3[32], d[32];
  fat_rc rc;

  (void)p;
  snprintf(d, sizeof d, "%s", fat_dia_br_ou(jstr(i, "data"), "").s);
  fat_money_format_br(jint(i, "base"), v1, sizeof v1);
  fat_money_format_br(jint(i, "valor"), v2, sizeof v2);
  fat_money_format_br(jint(i, "glosa"), v3, sizeof v3);
  rc = fat_buf_printf(&o->b, err, "<tr%s><td>%s</td><td>%s</td><td>",
                      strcmp(sit, "retido") == 0 ? " class=\"retido\"" : "", d, jstr(i, "origem"));
  if (rc == FAT_OK)
    rc = fat_buf_html(&o->b, jstr(i, "descricao"), err);
  if (rc == FAT_OK)
    rc = fat_buf_printf(&o->b, err, "</td><td class=\"v\">%s</td><td>", v1);
  if (rc == FAT_OK)
    rc = fat_buf_html(&o->b, jstr(i, "regra"), err);
  if (rc == FAT_OK)
    rc = fat_buf_printf(&o->b, err, "</td><td class=\"v\">%s</td><td class=\"v\">%s</td>"
                                    "<td>%s</td></tr>\n", v2, jint(i, "glosa") > 0 ? v3 : "",
                        strcmp(sit, "retido") == 0 ? "retido (glosa em aberto)" : "a pagar");
  if (rc == FAT_OK)
    rc = despeja(o, 0, err);
  return rc;
}

static fat_rc html_prof_fim(void *u, const fat_repasse_prof *p, fat_err *err)
{
  saida *o = u;
  char v1[32], v2[32];

  fat_money_format_br(p->total_pagar, v1, sizeof v1);
  fat_money_format_br(p->total_retido, v2, sizeof v2);
  return fat_buf_printf(&o->b, err, "</table>\n<p><b>A pagar: %s</b> — retido: %s</p>\n", v1, v2);
}

static fat_rc html_fim(saida *o, fat_err *err)
{
  html_total *h = (html_total *)o;
  char v1[32], v2[32];

  fat_money_format_br(h->tp, v1, sizeof v1);
  fat_money_format_br(h->tr, v2, sizeof v2);
  return fat_buf_printf(&o->b, err, "<h2>Total a pagar: %s — retido: %s</h2>\n</body></html>\n",
                        v1, v2);
}

fat_rc fat_repasse_extrato_html_escrever(fat_store *st, const char *periodo,
                                         int64_t profissional_id, fat_repasse_escrita w, void *u,
                                         fat_err *err)
{
  html_total h;
  fat_repasse_leitor l;

  memset(&h, 0, sizeof h);
  h.o.w = w;
  h.o.u = u;
  memset(&l, 0, sizeof l);
  l.u = &h;
  l.inicio = html_inicio;
  l.prof = html_prof;
  l.linha = html_linha;
  l.prof_fim = html_prof_fim;
  return escrever(st, periodo, profissional_id, &l, &h.o, html_fim, err);
}

static fat_rc no_buf(void *u, const char *p, size_t n, fat_err *err)
{
  return fat_buf_append(u, p, n, err);
}

fat_rc fat_repasse_extrato_html(fat_store *st, const char *periodo, int64_t profissional_id,
                                char **html, size_t *len, fat_err *err)
{
  fat_buf b;
  fat_rc rc;

  *html = NULL;
  *len = 0;
  fat_buf_init(&b, (size_t)1 << 30);
  rc = fat_repasse_extrato_html_escrever(st, periodo, profissional_id, no_buf, &b, err);
  if (rc != FAT_OK) {
    fat_buf_fini(&b);
    return rc;
  }
  *len = b.len;
  *html = fat_buf_take(&b);
  return *html != NULL ? FAT_OK : fat_err_oom(err);
}

/* ---- XLSX: a summary sheet, then one sheet per professional ---- */

static fat_rc xlsx_inicio(void *u, const char *periodo, const char *status,
                          const fat_repasse_prof *profs, size_t n, int64_t tp, int64_t tr,
                          fat_err *err)
{
  saida *o = u;
  fat_xlsx *x;
  size_t i;
  int lin;
  fat_rc rc = fat_xlsx_abrir(o->path, &o->x, err);

  if (rc != FAT_OK)
    return rc;
  x = o->x;
  rc = fat_xlsx_planilha(x, "Resumo", err);
  if (rc != FAT_OK)
    return rc;
  fat_xlsx_titulo(x, 0, 0, "Repasse médico");
  fat_xlsx_texto(x, 0, 1, periodo);
  fat_xlsx_texto(x, 0, 2, status);
  fat_xlsx_titulo(x, 2, 0, "Profissional");
  fat_xlsx_titulo(x, 2, 1, "Conselho");
  fat_xlsx_titulo(x, 2, 2, "A pagar");
  fat_xlsx_titulo(x, 2, 3, "Retido");
  fat_xlsx_largura(x, 0, 1, 32);
  fat_xlsx_largura(x, 2, 3, 14);
  lin = 3;
  for (i = 0; i < n; i++) {
    fat_xlsx_texto(x, lin, 0, profs[i].nome != NULL ? profs[i].nome : "");
    fat_xlsx_texto(x, lin, 1, profs[i].conselho != NULL ? profs[i].conselho : "");
    fat_xlsx_dinheiro(x, lin, 2, profs[i].total_pagar);
    fat_xlsx_dinheiro(x, lin, 3, profs[i].total_retido);
    lin++;
  }
  fat_xlsx_titulo(x, lin, 0, "Total");
  fat_xlsx_dinheiro(x, lin, 2, tp);
  fat_xlsx_dinheiro(x, lin, 3, tr);
  return FAT_OK;
}

static fat_rc xlsx_prof(void *u, const fat_repasse_prof *p, fat_err *err)
{
  static const char *const cab[] = {"Data", "Origem", "Descrição", "Recebido", "Regra",
                                    "Repasse", "Glosa", "Situação"};
  saida *o = u;
  fat_xlsx *x = o->x;
  char nome[32];
  int k;
  fat_rc rc;

  snprintf(nome, sizeof nome, "Prof %d", ++o->n_prof);
  rc = fat_xlsx_planilha(x, nome, err);
  if (rc != FAT_OK)
    return rc;
  fat_xlsx_titulo(x, 0, 0, p->nome != NULL ? p->nome : "");
  fat_xlsx_texto(x, 0, 2, p->conselho != NULL ? p->conselho : "");
  for (k = 0; k < 8; k++)
    fat_xlsx_titulo(x, 2, k, cab[k]);
  fat_xlsx_largura(x, 0, 1, 12);
  fat_xlsx_largura(x, 2, 2, 48);
  fat_xlsx_largura(x, 3, 7, 14);
  o->lin = 3;
  return FAT_OK;
}

static fat_rc xlsx_linha(void *u, const fat_repasse_prof *p, const cJSON *i, fat_err *err)
{
  saida *o = u;
  fat_xlsx *x = o->x;
  int lin = o->lin++;

  (void)p;
  (void)err;
  fat_xlsx_data(x, lin, 0, jstr(i, "data"));
  fat_xlsx_texto(x, lin, 1, jstr(i, "origem"));
  fat_xlsx_texto(x, lin, 2, jstr(i, "descricao"));
  fat_xlsx_dinheiro(x, lin, 3, jint(i, "base"));
  fat_xlsx_texto(x, lin, 4, jstr(i, "regra"));
  fat_xlsx_dinheiro(x, lin, 5, jint(i, "valor"));
  if (jint(i, "glosa") > 0)
    fat_xlsx_dinheiro(x, lin, 6, jint(i, "glosa"));
  fat_xlsx_texto(x, lin, 7, strcmp(jstr(i, "situacao"), "retido") == 0 ? "retido" : "a pagar");
  return FAT_OK;
}

static fat_rc xlsx_prof_fim(void *u, const fat_repasse_prof *p, fat_err *err)
{
  saida *o = u;

  (void)err;
  fat_xlsx_titulo(o->x, o->lin, 4, "A pagar");
  fat_xlsx_dinheiro(o->x, o->lin, 5, p->total_pagar);
  fat_xlsx_titulo(o->x, o->lin + 1, 4, "Retido");
  fat_xlsx_dinheiro(o->x, o->lin + 1, 5, p->total_retido);
  return FAT_OK;
}

fat_rc fat_repasse_extrato_xlsx(fat_store *st, const char *periodo, int64_t profissional_id,
                                const char *path, fat_err *err)
{
  fat_repasse_leitor l;
  saida o;
  fat_rc rc, r2;

  memset(&o, 0, sizeof o);
  o.path = path;
  memset(&l, 0, sizeof l);
  l.u = &o;
  l.inicio = xlsx_inicio;
  l.prof = xlsx_prof;
  l.linha = xlsx_linha;
  l.prof_fim = xlsx_prof_fim;
  rc = fat_repasse_extrato_ler(st, periodo, profissional_id, &l, err);
  if (o.x == NULL)
    return rc;
  r2 = fat_xlsx_fechar(o.x, rc == FAT_OK ? err : NULL);
  return rc == FAT_OK ? r2 : rc;
}
