/* fat_rel_produtividade.c: who did what, per week, from the audit log
** (fat_rel.h). The write sites record one audit row per guia digitada
** (guia.digitar) or corrigida (guia.corrigir) in fat_guia_save, per achado
** reconhecido (achado.reconhecer) and per achado that a re-check of a
** corrected guia no longer finds (achado.resolver, in conferir); lotes
** fechados come from the lote's event log and recursos enviados from
** recurso.enviar. */
#include <stdio.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_rel_int.h"

/* ?1 first day, ?2 last day (local dates AAAA-MM-DD); a week is named by
** its Monday (local time). An achado resolvido is credited to the author of
** the last correction of its guia before the re-check (none: not credited,
** e.g. a finding that went away because a rule changed). */
#define EVENTOS                                                                             \
  "WITH lim AS (SELECT strftime('%Y-%m-%dT%H:%M:%SZ', ?1, 'utc') AS ini,"                   \
  " strftime('%Y-%m-%dT%H:%M:%SZ', ?2, '+1 day', 'utc') AS fim),"                           \
  " ev AS ("                                                                                \
  " SELECT a.usuario AS usuario, a.em AS em, a.acao AS acao FROM auditoria a, lim"          \
  "  WHERE a.em >= lim.ini AND a.em < lim.fim AND a.acao IN ('guia.digitar', 'guia.corrigir'," \
  "  'achado.reconhecer', 'recurso.enviar')"                                                \
  " UNION ALL"                                                                              \
  " SELECT (SELECT c.usuario FROM auditoria c WHERE c.acao = 'guia.corrigir'"               \
  "   AND c.objeto = a.objeto AND c.id < a.id ORDER BY c.id DESC LIMIT 1), a.em,"           \
  "  'achado.resolver' FROM auditoria a, lim"                                               \
  "  WHERE a.em >= lim.ini AND a.em < lim.fim AND a.acao = 'achado.resolver'"               \
  " UNION ALL"                                                                              \
  " SELECT e.usuario, e.em, 'lote.fechar' FROM lote_evento e, lim"                          \
  "  WHERE e.para = 'fechado' AND e.em >= lim.ini AND e.em < lim.fim)"
#define PROD_COLS                                                                           \
  " coalesce(sum(acao = 'guia.digitar'), 0) AS guias_digitadas,"                            \
  " coalesce(sum(acao = 'guia.corrigir'), 0) AS guias_corrigidas,"                          \
  " coalesce(sum(acao = 'achado.reconhecer'), 0) AS achados_reconhecidos,"                  \
  " coalesce(sum(acao = 'achado.resolver'), 0) AS achados_resolvidos,"                      \
  " coalesce(sum(acao = 'lote.fechar'), 0) AS lotes_fechados,"                              \
  " coalesce(sum(acao = 'recurso.enviar'), 0) AS recursos_enviados"

static const char sql_semanas[] =
    EVENTOS " SELECT date(em, 'localtime', '-6 days', 'weekday 1') AS semana, usuario,"
    PROD_COLS " FROM ev WHERE usuario IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2";
static const char sql_semanas_total[] =
    EVENTOS " SELECT" PROD_COLS " FROM ev WHERE usuario IS NOT NULL";
static const char sql_usuarios[] =
    EVENTOS " SELECT usuario," PROD_COLS
    " FROM ev WHERE usuario IS NOT NULL GROUP BY usuario ORDER BY usuario";

static const rel_col cols_semanas[] = {
    {"semana", "Semana (segunda-feira)", REL_DATA},
    {"usuario", "Usuário", REL_TEXTO},
    {"guias_digitadas", "Guias digitadas", REL_INTEIRO},
    {"guias_corrigidas", "Guias corrigidas", REL_INTEIRO},
    {"achados_reconhecidos", "Achados reconhecidos", REL_INTEIRO},
    {"achados_resolvidos", "Achados resolvidos por correção", REL_INTEIRO},
    {"lotes_fechados", "Lotes fechados", REL_INTEIRO},
    {"recursos_enviados", "Recursos enviados", REL_INTEIRO},
};

static fat_rc periodo_dias(const fat_rel_params *p, char de[11], char ate[11], fat_err *err)
{
  int32_t d_de, d_ate;

  if (p != NULL && p->ate != NULL && p->ate[0] != '\0') {
    if (fat_dia_parse(p->ate, &d_ate) != 0)
      return fat_err_set(err, FAT_EINVAL, "dia final '%s' inválido (use AAAA-MM-DD)", p->ate);
  } else {
    char h[11];

    fat_dia_hoje(h, sizeof h);
    if (fat_dia_parse(h, &d_ate) != 0)
      return fat_err_set(err, FAT_EINVAL, "data de hoje inválida");
  }
  if (p != NULL && p->de != NULL && p->de[0] != '\0') {
    if (fat_dia_parse(p->de, &d_de) != 0)
      return fat_err_set(err, FAT_EINVAL, "dia inicial '%s' inválido (use AAAA-MM-DD)", p->de);
  } else {
    /* the Monday seven weeks before the week of ate: 8 weeks */
    d_de = d_ate - (fat_dia_semana(d_ate) + 6) % 7 - 49;
  }
  if (d_de > d_ate)
    return fat_err_set(err, FAT_EINVAL, "período inválido: o dia inicial é depois do final");
  if (d_ate - d_de > 3700)
    return fat_err_set(err, FAT_EINVAL, "período longo demais: no máximo dez anos");
  fat_dia_format(d_de, de, 11);
  fat_dia_format(d_ate, ate, 11);
  return FAT_OK;
}

fat_rc fat_rel_produtividade(fat_store *st, const fat_rel_params *p, cJSON **out, fat_err *err)
{
  static const rel_col *const cols_usuarios = cols_semanas + 1;
  char de[11], ate[11];
  cJSON *rel, *tab;
  fat_rc rc;

  *out = NULL;
  rc = periodo_dias(p, de, ate, err);
  if (rc != FAT_OK)
    return rc;
  rel = rel_novo("produtividade", "Produtividade da equipe");
  if (rel == NULL)
    return fat_err_oom(err);
  rc = rel_param(rel, "de", de, err);
  if (rc == FAT_OK)
    rc = rel_param(rel, "ate", ate, err);
  if (rc == FAT_OK)
    rc = rel_tabela(rel, "semanas", "Produtividade por usuário e semana", cols_semanas,
                    REL_NCOLS(cols_semanas), &tab, err);
  if (rc == FAT_OK) {
    const rel_arg a[] = {REL_TXT(de), REL_TXT(ate)};

    rc = rel_consulta(st, tab, sql_semanas, sql_semanas_total, a, 2, err);
  }
  if (rc == FAT_OK)
    rc = rel_tabela(rel, "usuarios", "Produtividade por usuário no período", cols_usuarios,
                    REL_NCOLS(cols_semanas) - 1, &tab, err);
  if (rc == FAT_OK) {
    const rel_arg a[] = {REL_TXT(de), REL_TXT(ate)};

    rc = rel_consulta(st, tab, sql_usuarios, sql_semanas_total, a, 2, err);
  }
  if (rc != FAT_OK) {
    cJSON_Delete(rel);
    return rc;
  }
  *out = rel;
  return FAT_OK;
}
