#include "fat_err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

fat_rc fat_err_set(fat_err *err, fat_rc rc, const char *fmt, ...)
{
  va_list ap;

  if (err == NULL)
    return rc;
  err->rc = rc;
  err->sys = 0;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  return rc;
}

fat_rc fat_err_prefix(fat_err *err, const char *fmt, ...)
{
  char old[sizeof err->msg];
  size_t np, no;
  int n;
  va_list ap;

  if (err == NULL)
    return FAT_OK;
  memcpy(old, err->msg, sizeof old);
  va_start(ap, fmt);
  n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  if (n < 0)
    n = 0;
  np = (size_t)n < sizeof err->msg ? (size_t)n : sizeof err->msg - 1;
  no = strnlen(old, sizeof old - 1);
  if (no > sizeof err->msg - 1 - np) /* truncation is fine: it is a message */
    no = sizeof err->msg - 1 - np;
  memcpy(err->msg + np, old, no);
  err->msg[np + no] = '\0';
  return err->rc;
}

fat_rc fat_err_oom(fat_err *err) { return fat_err_set(err, FAT_ENOMEM, "%s", fat_rc_str(FAT_ENOMEM)); }

const char *fat_err_errno_str(int errnum)
{
  switch (errnum) {
  case ENOENT: return "arquivo ou pasta não existe";
  case EACCES: return "permissão negada";
  case EPERM: return "operação não permitida";
  case EEXIST: return "o arquivo já existe";
  case EISDIR: return "é uma pasta, não um arquivo";
  case ENOTDIR: return "um componente do caminho não é uma pasta";
  case ENOSPC: return "disco cheio";
  case EDQUOT: return "cota de disco excedida";
  case EROFS: return "sistema de arquivos somente leitura";
  case ENAMETOOLONG: return "nome de arquivo longo demais";
  case ELOOP: return "links simbólicos demais no caminho";
  case EMFILE:
  case ENFILE: return "arquivos abertos demais";
  case ENOMEM: return "memória insuficiente";
  case EIO: return "erro de entrada/saída no disco";
  case EBUSY: return "recurso ocupado";
  case EINVAL: return "argumento inválido";
  case EFBIG: return "arquivo grande demais";
  case EXDEV: return "origem e destino em sistemas de arquivos diferentes";
  case ETXTBSY: return "arquivo em uso";
  case EAGAIN: return "recurso temporariamente indisponível";
  case EADDRINUSE: return "endereço (porta) já em uso";
  case EADDRNOTAVAIL: return "endereço não disponível nesta máquina";
  case ECONNREFUSED: return "conexão recusada";
  case ESRCH: return "processo não existe";
  case EPIPE: return "quem lia a saída a fechou antes do fim";
  case 0: return "sem erro";
  default: return "erro do sistema";
  }
}

fat_rc fat_err_sys(fat_err *err, int errnum, const char *fmt, ...)
{
  char ctx[sizeof err->msg];
  va_list ap;

  if (err == NULL)
    return FAT_EIO;
  va_start(ap, fmt);
  vsnprintf(ctx, sizeof ctx, fmt, ap);
  va_end(ap);
  fat_err_set(err, FAT_EIO, "%s: %s", ctx, fat_err_errno_str(errnum));
  err->sys = errnum;
  return FAT_EIO;
}

void fat_err_clear(fat_err *err)
{
  if (err == NULL)
    return;
  err->rc = FAT_OK;
  err->sys = 0;
  err->msg[0] = '\0';
}

const char *fat_rc_str(fat_rc rc)
{
  switch (rc) {
  case FAT_OK: return "ok";
  case FAT_ENOMEM: return "memória insuficiente";
  case FAT_EINVAL: return "dados inválidos";
  case FAT_ENOTFOUND: return "não encontrado";
  case FAT_EIO: return "erro de leitura ou escrita";
  case FAT_EDB: return "erro no banco de dados";
  case FAT_EXML: return "XML TISS inválido";
  case FAT_ERULE: return "erro em regra de operadora";
  case FAT_ELIMIT: return "limite excedido";
  case FAT_ESTATE: return "operação não permitida neste estado";
  case FAT_EPERM: return "permissão negada";
  case FAT_EBUSY: return "banco de dados ocupado por outro processo";
  }
  return "erro desconhecido";
}

const char *fat_rc_code(fat_rc rc)
{
  switch (rc) {
  case FAT_OK: return "OK";
  case FAT_ENOMEM: return "ENOMEM";
  case FAT_EINVAL: return "EINVAL";
  case FAT_ENOTFOUND: return "ENOTFOUND";
  case FAT_EIO: return "EIO";
  case FAT_EDB: return "EDB";
  case FAT_EXML: return "EXML";
  case FAT_ERULE: return "ERULE";
  case FAT_ELIMIT: return "ELIMIT";
  case FAT_ESTATE: return "ESTATE";
  case FAT_EPERM: return "EPERM";
  case FAT_EBUSY: return "EBUSY";
  }
  return "EUNKNOWN";
}

int fat_rc_is_system(fat_rc rc)
{
  return rc == FAT_ENOMEM || rc == FAT_EIO || rc == FAT_EDB || rc == FAT_EBUSY;
}
