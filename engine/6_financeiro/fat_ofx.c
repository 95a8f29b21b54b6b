/* fat_ofx.c: a tolerant OFX 1.x (SGML) / 2.x (XML) statement reader.
**
** The file is walked tag by tag: a leaf's value is the text up to the next
** '<' (SGML leaves need no closing tag; XML ones have one, which is skipped).
** Only the elements a conciliation needs are kept. See fat_extrato.h for the
** quirks accepted and docs/financeiro.md for why this is not libofx.
*/
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_dia.h"
#include "fat_extrato.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"

typedef struct ofx {
  const char *nome;
  fat_extrato *e;
  fat_err *err;
  fat_extrato_linha *tx;   /* transaction being read */
  int tx_amt, tx_date;
  int n_stmt;
  int in_acct;             /* inside BANKACCTFROM / CCACCTFROM */
  int in_list;             /* inside BANKTRANLIST */
  int saw_end;
  char nome_tx[80], memo[160];
} ofx;

/* Copy s into d (size n), cut at a UTF-8 character boundary. */
static void cp(char *d, size_t n, const char *s)
{
  size_t l = strlen(s);

  if (l >= n) {
    l = n - 1;
    while (l > 0 && ((unsigned char)s[l] & 0xC0) == 0x80)
      l--;
  }
  memcpy(d, s, l);
  d[l] = '\0';
}

/* Valid UTF-8? */
static int utf8_ok(const unsigned char *s, size_t n)
{
  size_t i = 0;

  while (i < n) {
    unsigned char c = s[i];
    size_t k, j;

    if (c < 0x80) {
      i++;
      continue;
    }
    if ((c & 0xE0) == 0xC0 && c >= 0xC2)
      k = 1;
    else if ((c & 0xF0) == 0xE0)
      k = 2;
    else if ((c & 0xF8) == 0xF0 && c <= 0xF4)
      k = 3;
    else
      return 0;
    if (i + k >= n)
      return 0;
    for (j = 1; j <= k; j++)
      if ((s[i + j] & 0xC0) != 0x80)
        return 0;
    i += k + 1;
  }
  return 1;
}

/* Copy value text (raw bytes s[0..n)) into buf as trimmed UTF-8, decoding the
** five XML entities; a '&' that starts no entity is kept as is. */
static void valor_texto(const char *s, size_t n, char *buf, size_t len)
{
  static const struct {
    const char *ent;
    char c;
  } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  int latin1;
  size_t i, o = 0;

  while (n > 0 && isspace((unsigned char)*s)) {
    s++;
    n--;
  }
  while (n > 0 && isspace((unsigned char)s[n - 1]))
    n--;
  latin1 = !utf8_ok((const unsigned char *)s, n);
  for (i = 0; i < n && o + 3 < len; i++) {
    unsigned char c = (unsigned char)s[i];
    size_t k;
    int done = 0;

    if (c == '&') {
      for (k = 0; k < sizeof ents / sizeof ents[0]; k++) {
        size_t el = strlen(ents[k].ent);

        if (n - i >= el && memcmp(s + i, ents[k].ent, el) == 0) {
          buf[o++] = ents[k].c;
          i += el - 1;
          done = 1;
          break;
        }
      }
      if (done)
        continue;
    }
    if (c == '\r' || c == '\n' || c == '\t')
      c = ' ';
    if (latin1 && c >= 0x80) {
      buf[o++] = (char)(0xC0 | (c >> 6));
      buf[o++] = (char)(0x80 | (c & 0x3F));
    } else {
      buf[o++] = (char)c;
    }
  }
  /* never cut a UTF-8 sequence in half */
  while (o > 0 && ((unsigned char)buf[o - 1] & 0xC0) == 0x80) {
    size_t st = o - 1;

    while (st > 0 && ((unsigned char)buf[st] & 0xC0) == 0x80)
      st--;
    {
      unsigned char lead = (unsigned char)buf[st];
      size_t need = (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : 4;

      if (o - st == need)
        break;
      o = st;
    }
  }
  buf[o] = '\0';
}

/* OFX amount -> centavos through the one decimal reader: a sign, digits and
** a '.' (banks may pad it with zeros past the centavos: "-150.0000") or a ','
** (some Brazilian banks). NULL or the reason it is not a value. */
static const char *valor_ofx(const char *s, int64_t *out)
{
  unsigned flags = FAT_MONEY_SIGNED | (strchr(s, ',') == NULL ? FAT_MONEY_TISS : 0u);

  return fat_money_scan(s, 2, flags, out);
}

/* OFX date 'AAAAMMDD[HHMMSS[.XXX]][[tz]]' -> 'AAAA-MM-DD'. */
static int data_ofx(const char *s, char out[11])
{
  int i;

  for (i = 0; i < 8; i++)
    if (s[i] < '0' || s[i] > '9')
      return -1;
  snprintf(out, 11, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
  return fat_dia_valida(out) ? 0 : -1;
}

static void so_digitos(const char *s, char *buf, size_t len)
{
  size_t o = 0;

  for (; *s != '\0' && o + 1 < len; s++)
    if (*s >= '0' && *s <= '9') {
      if (o == 0 && *s == '0')
        continue; /* leading zeros */
      buf[o++] = *s;
    }
  buf[o] = '\0';
}

static fat_rc fecha_tx(ofx *x, int linha)
{
  fat_extrato_linha *t = x->tx;

  if (t == NULL)
    return FAT_OK;
  x->tx = NULL;
  if (!x->tx_amt)
    return fat_err_set(x->err, FAT_EINVAL, "%s: linha %d: lançamento sem valor (TRNAMT)",
                       x->nome, t->linha);
  if (!x->tx_date)
    return fat_err_set(x->err, FAT_EINVAL, "%s: linha %d: lançamento sem data (DTPOSTED)",
                       x->nome, t->linha);
  cp(t->descricao, sizeof t->descricao, x->nome_tx);
  if (x->memo[0] != '\0' && strcmp(x->nome_tx, x->memo) != 0) {
    size_t l = strlen(t->descricao);

    if (l > 0 && l + 1 < sizeof t->descricao)
      t->descricao[l++] = ' ';
    cp(t->descricao + l, sizeof t->descricao - l, x->memo);
  }
  (void)linha;
  return FAT_OK;
}

static fat_rc leaf(ofx *x, const char *tag, const char *val, int linha)
{
  fat_extrato *e = x->e;
  fat_extrato_linha *t = x->tx;
  const char *why;

  if (t != NULL) {
    if (strcmp(tag, "TRNTYPE") == 0) {
      cp(t->tipo, sizeof t->tipo, val);
    } else if (strcmp(tag, "DTPOSTED") == 0) {
      if (data_ofx(val, t->data) != 0)
        return fat_err_set(x->err, FAT_EINVAL, "%s: linha %d: DTPOSTED '%s' não é uma data",
                           x->nome, linha, val);
      x->tx_date = 1;
    } else if (strcmp(tag, "TRNAMT") == 0) {
      why = valor_ofx(val, &t->valor);
      if (why != NULL)
        return fat_err_set(x->err, FAT_EINVAL, "%s: linha %d: TRNAMT '%s' não é um valor (%s)",
                           x->nome, linha, val, why);
      x->tx_amt = 1;
    } else if (strcmp(tag, "FITID") == 0) {
      cp(t->id, sizeof t->id, val);
    } else if (strcmp(tag, "CHECKNUM") == 0 || strcmp(tag, "REFNUM") == 0) {
      if (t->documento[0] == '\0')
        cp(t->documento, sizeof t->documento, val);
    } else if (strcmp(tag, "NAME") == 0) {
      cp(x->nome_tx, sizeof x->nome_tx, val);
    } else if (strcmp(tag, "MEMO") == 0) {
      cp(x->memo, sizeof x->memo, val);
    }
    return FAT_OK;
  }
  if (x->in_acct) {
    if (strcmp(tag, "BANKID") == 0) {
      char d[16];

      so_digitos(val, d, sizeof d);
      if (strlen(d) > 3 || val[0] == '\0' || strspn(val, "0123456789") != strlen(val))
        return fat_err_set(x->err, FAT_EINVAL, "%s: linha %d: BANKID '%s' não é um código de "
                                               "banco brasileiro", x->nome, linha, val);
      {
        int bn = d[0] ? (int)strtol(d, NULL, 10) : 0;

        e->banco[0] = (char)('0' + bn / 100 % 10);
        e->banco[1] = (char)('0' + bn / 10 % 10);
        e->banco[2] = (char)('0' + bn % 10);
        e->banco[3] = '\0';
      }
    } else if (strcmp(tag, "BRANCHID") == 0) {
      so_digitos(val, e->agencia, sizeof e->agencia);
    } else if (strcmp(tag, "ACCTID") == 0) {
      so_digitos(val, e->conta, sizeof e->conta);
      if (e->conta[0] == '\0')
        cp(e->conta, sizeof e->conta, val);
    }
  } else if (strcmp(tag, "CURDEF") == 0 && e->moeda[0] == '\0') {
    cp(e->moeda, sizeof e->moeda, val);
  } else if (x->in_list && strcmp(tag, "DTSTART") == 0) {
    if (data_ofx(val, e->inicio) != 0)
      return fat_err_set(x->err, FAT_EINVAL, "%s: linha %d: DTSTART '%s' não é uma data",
                         x->nome, linha, val);
  } else if (x->in_list && strcmp(tag, "DTEND") == 0) {
    if (data_ofx(val, e->fim) != 0)
      return fat_err_set(x->err, FAT_EINVAL, "%s: linha %d: DTEND '%s' não é uma data",
                         x->nome, linha, val);
  }
  return FAT_OK;
}

fat_rc fat_ofx_ler(const char *data, size_t len, const char *nome, fat_extrato *out,
                   fat_err *err)
{
  ofx x;
  size_t i = 0;
  int linha = 1, saw_ofx = 0;
  fat_rc rc = FAT_OK;

  memset(out, 0, sizeof *out);
  memset(&x, 0, sizeof x);
  x.nome = nome;
  x.e = out;
  x.err = err;
  out->formato = FAT_EXTRATO_OFX;
  while (i < len) {
    char tag[32], val[256];
    size_t j, k, tl = 0;
    int fecha = 0, tag_linha;

    if (data[i] != '<') {
      if (data[i] == '\n')
        linha++;
      i++;
      continue;
    }
    tag_linha = linha;
    j = i + 1;
    if (j < len && (data[j] == '?' || data[j] == '!')) { /* declaration, comment */
      while (j < len && data[j] != '>') {
        if (data[j] == '\n')
          linha++;
        j++;
      }
      i = j + 1;
      continue;
    }
    if (j < len && data[j] == '/') {
      fecha = 1;
      j++;
    }
    while (j < len && data[j] != '>' && data[j] != '<' && !isspace((unsigned char)data[j])) {
      if (tl + 1 < sizeof tag)
        tag[tl++] = (char)toupper((unsigned char)data[j]);
      j++;
    }
    tag[tl] = '\0';
    while (j < len && data[j] != '>' && data[j] != '<') { /* XML attributes */
      if (data[j] == '\n')
        linha++;
      j++;
    }
    if (j >= len || data[j] != '>') {
      rc = fat_err_set(err, FAT_EINVAL, "%s: linha %d: marca <%s sem '>' (arquivo truncado ou "
                                        "corrompido)", nome, tag_linha, tag);
      goto out;
    }
    j++;
    k = j;
    while (k < len && data[k] != '<')
      k++;
    valor_texto(data + j, k - j, val, sizeof val);
    if (tl == 0) {
      rc = fat_err_set(err, FAT_EINVAL, "%s: linha %d: marca vazia", nome, tag_linha);
      goto out;
    }
    if (fecha) {
      if (strcmp(tag, "STMTTRN") == 0 || strcmp(tag, "BANKTRANLIST") == 0) {
        rc = fecha_tx(&x, tag_linha);
        if (strcmp(tag, "BANKTRANLIST") == 0)
          x.in_list = 0;
      } else if (strcmp(tag, "BANKACCTFROM") == 0 || strcmp(tag, "CCACCTFROM") == 0) {
        x.in_acct = 0;
      } else if (strcmp(tag, "OFX") == 0) {
        rc = fecha_tx(&x, tag_linha);
        x.saw_end = 1;
      }
    } else if (strcmp(tag, "OFX") == 0) {
      saw_ofx = 1;
    } else if (strcmp(tag, "STMTRS") == 0 || strcmp(tag, "CCSTMTRS") == 0) {
      if (++x.n_stmt > 1) {
        rc = fat_err_set(err, FAT_EINVAL, "%s: linha %d: o arquivo traz mais de um extrato "
                                          "(mais de uma conta): importe um arquivo por conta",
                         nome, tag_linha);
        goto out;
      }
      out->cartao = tag[0] == 'C';
    } else if (strcmp(tag, "BANKACCTFROM") == 0 || strcmp(tag, "CCACCTFROM") == 0) {
      x.in_acct = 1;
    } else if (strcmp(tag, "BANKTRANLIST") == 0) {
      x.in_list = 1;
    } else if (strcmp(tag, "STMTTRN") == 0) {
      rc = fecha_tx(&x, tag_linha);
      if (rc == FAT_OK) {
        x.tx = fat_extrato_nova_linha(out);
        if (x.tx == NULL) {
          rc = fat_err_oom(err);
        } else {
          x.tx->linha = tag_linha;
          x.tx_amt = x.tx_date = 0;
          x.nome_tx[0] = x.memo[0] = '\0';
        }
      }
    } else {
      rc = leaf(&x, tag, val, tag_linha);
    }
    if (rc != FAT_OK)
      goto out;
    for (; i < k; i++)
      if (data[i] == '\n')
        linha++;
  }
  if (!saw_ofx) {
    rc = fat_err_set(err, FAT_EINVAL, "%s: linha %d: não é um arquivo OFX (falta <OFX>)", nome,
                     linha);
  } else if (!x.saw_end) {
    rc = fat_err_set(err, FAT_EINVAL, "%s: linha %d: arquivo truncado (falta </OFX>)", nome,
                     linha);
  } else if (x.n_stmt == 0) {
    rc = fat_err_set(err, FAT_EINVAL, "%s: nenhum extrato (STMTRS) no arquivo", nome);
  } else if (out->conta[0] == '\0') {
    rc = fat_err_set(err, FAT_EINVAL, "%s: o extrato não diz a conta (ACCTID)", nome);
  }
  if (rc == FAT_OK) {
    size_t n;

    if (out->moeda[0] == '\0')
      snprintf(out->moeda, sizeof out->moeda, "BRL");
    for (n = 0; n < out->n; n++) { /* period from the lines when the file omits it */
      if (out->inicio[0] == '\0' || strcmp(out->linhas[n].data, out->inicio) < 0)
        memcpy(out->inicio, out->linhas[n].data, 11);
      if (out->fim[0] == '\0' || strcmp(out->linhas[n].data, out->fim) > 0)
        memcpy(out->fim, out->linhas[n].data, 11);
    }
  }
out:
  if (rc != FAT_OK)
    fat_extrato_fini(out);
  return rc;
}
