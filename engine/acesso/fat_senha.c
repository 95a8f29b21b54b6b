/* fat_senha.c: the password policy (fat_senha_politica) and the argon2id
** helpers the access modules share: hashing with the parameters in force and
** sealing a secret under a key derived from a password. */
#include "fat_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fat_auth_int.h"
#include "fat_mem.h"

/* Words that, with digits or symbols around them or letters swapped for
** look-alike digits ("S3nh@2024!"), make the passwords people try first.
** Compared in lower case after the look-alikes are undone. */
static const char *const palavras_comuns[] = {
  "senha", "senhas", "password", "passw", "pass", "admin", "administrador", "administrator",
  "root", "usuario", "user", "login", "faturo", "faturamento", "faturista", "supervisor",
  "clinica", "hospital", "medico", "medica", "consultorio", "recepcao", "convenio",
  "unimed", "saude", "brasil", "brazil", "qwerty", "qwertyuiop", "asdf", "asdfgh",
  "asdfghjkl", "zxcvbnm", "abc", "abcd", "abcdef", "abcdefgh", "abcdefghij", "mudar",
  "trocar", "alterar", "changeme", "welcome", "bemvindo", "letmein", "iloveyou",
  "teamo", "amor", "deus", "jesus", "familia", "flamengo", "corinthians", "palmeiras",
  "saopaulo", "vasco", "gremio", "cruzeiro", "botafogo", "fluminense", "santos",
  "internacional", "atletico", "dragon", "monkey", "master", "princesa", "estrela",
  "futebol", "football", "batman", "superman", "pokemon", "naruto", "minecraft",
  "sunshine", "shadow", "secret", "segredo", "teste", "test", "default", "padrao",
  "empresa", "trabalho", "janeiro", "fevereiro", "marco", "abril", "maio", "junho",
  "julho", "agosto", "setembro", "outubro", "novembro", "dezembro", NULL};

/* Whole passwords from keyboard walks and number games. */
static const char *const senhas_comuns[] = {
  "1q2w3e4r5t", "1q2w3e4r5t6y", "1qaz2wsx3edc", "1qaz2wsx", "q1w2e3r4t5", "q1w2e3r4t5y6",
  "a1b2c3d4e5", "123qweasdzxc", "qazwsxedc", "qazwsxedcrfv", "zaq12wsx3edc", "zaq1zaq1zaq1",
  "1234512345", "123123123123", "1212121212", "qwe123qwe123", "abc123abc123", "1234abcd1234",
  "abcd1234abcd", "12344321", "1234554321", "123454321", "147258369", "1472583690",
  "159753159753", "741852963", "7418529630", "senhasenha", "passwordpassword", "qweasdzxc",
  "qweasdzxc123", "asdasdasd", "asdasdasdasd", "qweqweqwe", "qweqweqweqwe", NULL};

static char desfaz_troca(char c)
{
  switch (c) {
  case '0': return 'o';
  case '1': return 'i';
  case '3': return 'e';
  case '4': return 'a';
  case '5': return 's';
  case '7': return 't';
  case '@': return 'a';
  case '$': return 's';
  default: break;
  }
  if (c >= 'A' && c <= 'Z')
    return (char)(c - 'A' + 'a');
  return c;
}

static int em_lista(const char *s, const char *const *lista)
{
  size_t i;

  for (i = 0; lista[i] != NULL; i++)
    if (strcmp(s, lista[i]) == 0)
      return 1;
  return 0;
}

/* Lower case copy of s (ASCII letters only changed) into out[cap). */
static void minusculas(const char *s, char *out, size_t cap)
{
  size_t i;

  for (i = 0; s[i] != '\0' && i + 1 < cap; i++)
    out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
  out[i] = '\0';
}

static int letra(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* 1 when a letters core of s is a common word: digits and symbols at both
** ends dropped, look-alikes undone ("!S3nh@2024" -> "senha"). Since a
** look-alike at an end ("senh@") cannot be told from decoration, every cut
** inside the runs of non-letters at both ends is tried. */
static int palavra_comum(const char *s)
{
  size_t n = strlen(s), ini = 0, fim = n, a, b, i;
  char w[256];

  while (fim > 0 && !letra(s[fim - 1]))
    fim--;
  while (ini < fim && !letra(s[ini]))
    ini++;
  if (fim == 0)
    return 0;
  for (a = 0; a <= ini; a++) {
    for (b = fim; b <= n; b++) {
      if (b - a >= sizeof w)
        continue;
      for (i = a; i < b; i++)
        w[i - a] = desfaz_troca(s[i]);
      w[b - a] = '\0';
      if (em_lista(w, palavras_comuns))
        return 1;
    }
  }
  return 0;
}

/* s without digits and symbols at both ends, in lower case. */
static void nucleo(const char *s, char *out, size_t cap)
{
  size_t n = strlen(s), ini = 0, fim = n, i, k = 0;

  while (fim > 0 && !letra(s[fim - 1]))
    fim--;
  while (ini < fim && !letra(s[ini]))
    ini++;
  for (i = ini; i < fim && k + 1 < cap; i++)
    out[k++] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
  out[k] = '\0';
}

/* 1 when every character is the same, or s is a run of consecutive digits
** or letters going up or down ("0123456789", "9876543210", "abcdefghij"). */
static int trivial(const char *s)
{
  size_t i, n = strlen(s);
  int sobe = 1, desce = 1, igual = 1;

  for (i = 1; i < n; i++) {
    int d = (unsigned char)s[i] - (unsigned char)s[i - 1];

    if (d != 0)
      igual = 0;
    if (d != 1 && !(s[i - 1] == '9' && s[i] == '0'))
      sobe = 0;
    if (d != -1 && !(s[i - 1] == '0' && s[i] == '9'))
      desce = 0;
  }
  return n > 1 && (igual || sobe || desce);
}

fat_rc fat_senha_politica(const char *nome, const char *senha, fat_err *err)
{
  char low[256], core[256], nome_low[FAT_USUARIO_MAX];
  size_t n = senha != NULL ? strlen(senha) : 0;

  if (n < FAT_SENHA_MIN)
    return fat_err_set(err, FAT_EINVAL, "a senha precisa ter pelo menos %d caracteres",
                       FAT_SENHA_MIN);
  if (n > FAT_SENHA_MAX)
    return fat_err_set(err, FAT_EINVAL, "senha longa demais (máximo %d bytes)", FAT_SENHA_MAX);
  if (n < sizeof low) { /* a password this long is no common one */
    minusculas(senha, low, sizeof low);
    nucleo(senha, core, sizeof core);
    if (trivial(low))
      return fat_err_set(err, FAT_EINVAL,
                         "senha fácil demais: uma sequência ou um caractere repetido");
    if (em_lista(low, senhas_comuns) || palavra_comum(senha))
      return fat_err_set(err, FAT_EINVAL,
                         "senha fácil demais: está entre as senhas mais usadas (uma palavra "
                         "comum com números ou símbolos em volta); escolha outra, por exemplo "
                         "uma frase de três ou mais palavras");
    if (nome != NULL) {
      minusculas(nome, nome_low, sizeof nome_low);
      if (strcmp(low, nome_low) == 0 || strcmp(core, nome_low) == 0)
        return fat_err_set(err, FAT_EINVAL, "a senha não pode ser o nome do usuário");
    }
  }
  return FAT_OK;
}

void fat_auth_params(const fat_auth_policy *pol, unsigned long long *ops, size_t *mem)
{
  *ops = (pol != NULL && pol->hash_ops > 0) ? pol->hash_ops : FAT_SENHA_OPS;
  *mem = (pol != NULL && pol->hash_mem > 0) ? pol->hash_mem : (size_t)FAT_SENHA_MEM;
}

fat_rc fat_auth_hash(const char *senha, const fat_auth_policy *pol, char out[FAT_AUTH_HASH_MAX],
                     fat_err *err)
{
  unsigned long long ops;
  size_t mem;

  fat_auth_params(pol, &ops, &mem);
  if (crypto_pwhash_str(out, senha, strlen(senha), ops, mem) != 0)
    return fat_err_set(err, FAT_ENOMEM, "memória insuficiente para calcular o hash da senha");
  return FAT_OK;
}

/* Sealed text: "v1$<ops>$<mem>$<salt hex>$<nonce hex>$<ciphertext hex>". */
#define SELO_SAL crypto_pwhash_SALTBYTES
#define SELO_NONCE crypto_secretbox_NONCEBYTES
#define SELO_CHAVE crypto_secretbox_KEYBYTES
#define SELO_MAX_SEGREDO 64

static fat_rc derive(const char *senha, const unsigned char *sal, unsigned long long ops,
                     size_t mem, unsigned char chave[SELO_CHAVE], fat_err *err)
{
  if (crypto_pwhash(chave, SELO_CHAVE, senha, strlen(senha), sal, ops, mem,
                    crypto_pwhash_ALG_ARGON2ID13) != 0)
    return fat_err_set(err, FAT_ENOMEM, "memória insuficiente para derivar a chave");
  return FAT_OK;
}

fat_rc fat_auth_selar(const char *senha, const fat_auth_policy *pol, const unsigned char *secret,
                      size_t n, char **out, fat_err *err)
{
  unsigned char sal[SELO_SAL], nonce[SELO_NONCE], chave[SELO_CHAVE];
  unsigned char cifra[SELO_MAX_SEGREDO + crypto_secretbox_MACBYTES];
  char sal_hex[2 * SELO_SAL + 1], nonce_hex[2 * SELO_NONCE + 1], cifra_hex[2 * sizeof cifra + 1];
  unsigned long long ops;
  size_t mem;
  fat_rc rc;

  *out = NULL;
  if (n == 0 || n > SELO_MAX_SEGREDO)
    return fat_err_set(err, FAT_EINVAL, "segredo de tamanho inválido");
  fat_auth_params(pol, &ops, &mem);
  randombytes_buf(sal, sizeof sal);
  randombytes_buf(nonce, sizeof nonce);
  rc = derive(senha, sal, ops, mem, chave, err);
  if (rc != FAT_OK)
    return rc;
  crypto_secretbox_easy(cifra, secret, n, nonce, chave);
  sodium_memzero(chave, sizeof chave);
  sodium_bin2hex(sal_hex, sizeof sal_hex, sal, sizeof sal);
  sodium_bin2hex(nonce_hex, sizeof nonce_hex, nonce, sizeof nonce);
  sodium_bin2hex(cifra_hex, sizeof cifra_hex, cifra, n + crypto_secretbox_MACBYTES);
  *out = fat_asprintf("v1$%llu$%zu$%s$%s$%s", ops, mem, sal_hex, nonce_hex, cifra_hex);
  return *out != NULL ? FAT_OK : fat_err_oom(err);
}

/* Next '$'-separated field of *p into buf; 0 when missing or too long. */
static int campo(const char **p, char *buf, size_t len)
{
  const char *e = strchr(*p, '$');
  size_t n = e != NULL ? (size_t)(e - *p) : strlen(*p);

  if (n == 0 || n >= len)
    return 0;
  memcpy(buf, *p, n);
  buf[n] = '\0';
  *p += n + (e != NULL ? 1 : 0);
  return 1;
}

static int hex_exato(const char *hex, unsigned char *bin, size_t n)
{
  size_t got = 0;

  return sodium_hex2bin(bin, n, hex, strlen(hex), NULL, &got, NULL) == 0 && got == n &&
         strlen(hex) == 2 * n;
}

fat_rc fat_auth_abrir(const char *senha, const fat_auth_policy *pol, const char *selado,
                      unsigned char *out, size_t cap, size_t *n, int *needs_reseal, fat_err *err)
{
  unsigned char sal[SELO_SAL], nonce[SELO_NONCE], chave[SELO_CHAVE];
  unsigned char cifra[SELO_MAX_SEGREDO + crypto_secretbox_MACBYTES];
  char f[5][2 * sizeof cifra + 2];
  const char *p = selado;
  unsigned long long ops, cur_ops;
  size_t mem, cur_mem, cifra_len = 0;
  char *end;
  int i;
  fat_rc rc;

  *n = 0;
  if (needs_reseal != NULL)
    *needs_reseal = 0;
  if (selado == NULL || strncmp(selado, "v1$", 3) != 0)
    return fat_err_set(err, FAT_EINVAL, "segredo guardado em formato desconhecido");
  p += 3;
  for (i = 0; i < 5; i++)
    if (!campo(&p, f[i], sizeof f[i]))
      return fat_err_set(err, FAT_EINVAL, "segredo guardado em formato desconhecido");
  ops = strtoull(f[0], &end, 10);
  if (*end != '\0' || ops == 0)
    return fat_err_set(err, FAT_EINVAL, "segredo guardado em formato desconhecido");
  mem = (size_t)strtoull(f[1], &end, 10);
  if (*end != '\0' || mem == 0)
    return fat_err_set(err, FAT_EINVAL, "segredo guardado em formato desconhecido");
  if (!hex_exato(f[2], sal, sizeof sal) || !hex_exato(f[3], nonce, sizeof nonce) ||
      sodium_hex2bin(cifra, sizeof cifra, f[4], strlen(f[4]), NULL, &cifra_len, NULL) != 0 ||
      cifra_len <= crypto_secretbox_MACBYTES || cifra_len - crypto_secretbox_MACBYTES > cap)
    return fat_err_set(err, FAT_EINVAL, "segredo guardado em formato desconhecido");
  rc = derive(senha, sal, ops, mem, chave, err);
  if (rc != FAT_OK)
    return rc;
  if (crypto_secretbox_open_easy(out, cifra, cifra_len, nonce, chave) != 0) {
    sodium_memzero(chave, sizeof chave);
    return fat_err_set(err, FAT_EPERM, "senha incorreta");
  }
  sodium_memzero(chave, sizeof chave);
  *n = cifra_len - crypto_secretbox_MACBYTES;
  fat_auth_params(pol, &cur_ops, &cur_mem);
  if (needs_reseal != NULL)
    *needs_reseal = ops < cur_ops || mem < cur_mem;
  return FAT_OK;
}
