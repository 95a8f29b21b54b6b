/* fat_conferir.h: run conferir over stored guias, keep its findings, and
** the acknowledgement of findings (Part C).
**
** A run selects guias (by operadora, competência or id; only guias not yet
** in a lote: digitada, conferida, pendente), skips those unchanged since
** their last check, and for each of the others:
**   1. loads it and its context and evaluates it with fat_avaliar
**      (fat_avaliar.h: pricing, built-in checks, duplicates, the operator's
**      script, de-duplication; the same evaluation `regras simular` and the
**      retorno import use);
**   2. stores the item values pricing filled, replaces the guia's findings
**      in `achado` (an acknowledgement survives when a finding with the same
**      identity, fat_finding_chave, reappears), sets its status to
**      'conferida' (no open bloqueio, no script/pricing error) or 'pendente',
**      and records the check in `conferencia`.
** Guias are written in chunks of FAT_CONFERIR_CHUNK per transaction; each
** guia's findings, status and conferencia row go in the same transaction,
** so an interrupted run leaves every guia either fully re-checked or as it
** was.
**
** A guia is "unchanged" when its revisao, its operator script's SHA-256 and
** the rule generation are those of its last check, the reference date did
** not go back, and the deadline check cannot have changed its answer
** (conferencia.reconferir_em), and the last check had no script error.
*/
#ifndef FAT_CONFERIR_H
#define FAT_CONFERIR_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fat_err.h"
#include "fat_finding.h"
#include "fat_rules.h"
#include "fat_store.h"

/* 2000, not 500: each commit writes the pages of the guia_pronta and achado
** indexes it touched to the WAL again, and those entries are not in id
** order; with bigger chunks a first check at 50k guias makes 46% fewer
** pwrite calls (docs/desempenho.md, "Rodada 14"). */
#define FAT_CONFERIR_CHUNK 2000
/* The guias to check are read in id order, this many at a time (a multiple
** of FAT_CONFERIR_CHUNK, so the transactions are the same as with all of
** them at once): the run keeps a window of them, not the whole list, and
** its memory does not grow with the database (docs/desempenho.md, "Rodada
** 10: conferir"). A threaded run sets up its threads once per window. */
#define FAT_CONFERIR_JANELA (32 * FAT_CONFERIR_CHUNK)
/* What each thread of a threaded run keeps for itself (docs/desempenho.md,
** "conferir em threads, rodada 7"): the page cache of its read connection,
** in MiB (the connection that stores keeps FAT_STORE_PAGINAS_MB), and, on a
** thread other than the caller's, the bytes of its small-block lists
** (fat_blk_set_cap; the caller's thread keeps its default). 2 MiB, not
** the 1 MiB of rodada 7: with 1 MiB the other thread's blocks went back to
** malloc twice as often and 2 threads ran 2.4% more instructions
** (callgrind, rodada 10); the list of guias no longer grows with the run. */
#define FAT_CONFERIR_PAGINAS_THREAD_MB 8
#define FAT_CONFERIR_BLK_THREAD (2u * 1024u * 1024u)
/* A thread other than the caller's makes its malloc arena this big at once
** when it starts (fat_mem_arena_reserve): its own arena otherwise grows by
** what each allocation lacks, one mprotect call a page, while its
** connection fills its page cache: 2,188 calls on 2 threads at 10 mil
** guias, 5,721 at 50 mil, against 19 on one thread (strace, rodada 12). At
** 50 mil the arena passes 16 MiB; under fat_mem_keep_heap's 32 MiB trim
** threshold, so the reservation is not given back when freed. Only address
** space: a page counts in RSS when it is used, as before. */
#define FAT_CONFERIR_ARENA_THREAD_MB 24
/* The read connections of a threaded run's threads map the database file
** (PRAGMA mmap_size) when all their maps together fit in this many MiB:
** each thread then reads pages in place from the OS's page cache, without
** copying them into a page cache of its own, pages the other threads and
** the connection that stores have read already (docs/desempenho.md,
** "conferir, rodada 8"). A mapped page counts in the process's resident
** memory once per map that touched it, so the maps are bounded: a bigger
** file is read as before (at 1 million guias the file is far bigger:
** nothing changes). The run on one thread reads through the caller's
** connection, which also writes, and maps nothing. */
#define FAT_CONFERIR_MMAP_MB 64

typedef struct fat_conferir_opts {
  const char *operadora;   /* registro ANS, script key or id (fat_operadora_resolver);
                              NULL = every operadora; unknown = FAT_ENOTFOUND */
  const char *competencia; /* AAAA-MM; NULL = any */
  int uma_guia;            /* 1: only guia_id (any status) */
  int64_t guia_id;         /* the guia when uma_guia (or when not 0): must be > 0,
                              else FAT_EINVAL (never "every guia") */
  const char *hoje;        /* reference date AAAA-MM-DD; NULL = today */
  int todas;               /* 1: re-check unchanged guias too */
  int threads;             /* guias evaluated on this many threads, the calling
                              one included (capped at 16); 0 or 1 = on the
                              calling thread only. Same answers either way;
                              threads need a database file and no open
                              transaction of the caller's (else: one thread) */
} fat_conferir_opts;

/* What the caller sees of one checked guia (valid during the callback). */
typedef struct fat_conferir_guia {
  int64_t guia_id;
  const char *numero_prestador;
  const char *operadora;        /* script key */
  const char *status;           /* new status */
  const fat_findings *achados;  /* stored findings, in order */
  const int64_t *achado_ids;    /* achado.id of each finding */
  const int *reconhecido;       /* 1 when the finding kept an acknowledgement */
  const char *erro;             /* script/pricing error of this guia, or NULL */
  int64_t valor_risco;          /* centavos at risk in this guia */
} fat_conferir_guia;

typedef void (*fat_conferir_cb)(void *ud, const fat_conferir_guia *r);

typedef struct fat_conferir_resumo {
  char hoje[11];
  size_t selecionadas;     /* guias matching the filters */
  size_t conferidas;       /* checked in this run */
  size_t sem_mudanca;      /* skipped: unchanged since the last check */
  size_t com_bloqueio;     /* checked guias with at least one bloqueio */
  size_t com_alerta;       /* checked guias with at least one alerta */
  size_t com_erro;         /* checked guias whose script/pricing failed */
  size_t achados;          /* findings stored in this run */
  size_t preenchidos;      /* item values filled from the contract */
  int64_t valor_risco;     /* centavos, over checked guias */
  size_t bloqueios_abertos;/* unacknowledged bloqueios over ALL selected guias */
  size_t guias_bloqueadas; /* selected guias with an unacknowledged bloqueio */
  /* the run on threads, for measurement (all 0 on one thread): */
  int threads;             /* threads that ran, the caller's included */
  int64_t ns_total;        /* wall time of the threaded part */
  int64_t ns_threads;      /* the threads' lives, summed */
  int64_t ns_gravando;     /* storing (one thread at a time), summed */
  int64_t ns_espera_situacao; /* waiting for an earlier guia's status, summed */
  int64_t ns_espera_lote;  /* waiting for a batch of its own to be stored, summed */
  int64_t ns_espera_fim;   /* waiting for the other threads to start or to end */
  size_t esperas;          /* times a thread went to sleep waiting */
  int paginas_mb_thread;   /* page cache cap of each thread's read connection, MiB */
  int64_t paginas_thread_max; /* most bytes of page cache one of them held at its end */
  size_t blk_thread_max;   /* most bytes the small-block lists (both kinds) of a
                              thread other than the caller's held at its end */
  int64_t mmap_bytes;      /* PRAGMA mmap_size of each thread's read connection
                              (FAT_CONFERIR_MMAP_MB), 0: not mapped */
} fat_conferir_resumo;

/* Run conferir with the live generation of rules (may be NULL: built-in
** checks and no pricing/script checks, said in each guia's erro). cb may be
** NULL; it is called once per checked guia, in the order of the guias, one
** call at a time, and with o->threads > 1 possibly on another thread of the
** run (all signals blocked there). FAT_EINVAL: bad date, competência or guia
** id; FAT_ENOTFOUND: unknown operadora or guia; FAT_EDB with a busy/locked store (err->sys) when
** another process holds it. */
FAT_NODISCARD fat_rc fat_conferir(fat_store *st, fat_rules *rules, const fat_conferir_opts *o,
                                  fat_conferir_cb cb, void *ud, fat_conferir_resumo *res,
                                  fat_err *err);
/* For tests: the runs that follow read the guias to check n at a time
** instead of FAT_CONFERIR_JANELA (0: FAT_CONFERIR_JANELA again). Not for
** use while a run is on. */
void fat_conferir_janela_teste(size_t n);
/* For tests: the runs that follow read the guias to check in pages of n
** rows instead of 512 (0: 512 again), and with threads start them after
** the window's first 2 guias. Not for use while a run is on. */
void fat_conferir_pagina_teste(size_t n);

/* ---- findings ---- */

/* Acknowledge finding `id` with a reason (required, audited as
** achado.reconhecer). When the guia has no unacknowledged bloqueio left and
** is 'pendente', it becomes 'conferida' (ready for a lote). *guia_id and
** *abertos (open bloqueios left on the guia) may be NULL.
** FAT_ENOTFOUND: no such finding; FAT_ESTATE: already acknowledged. */
FAT_NODISCARD fat_rc fat_achado_reconhecer(fat_store *st, int64_t id, const char *motivo,
                                           int64_t *guia_id, int64_t *abertos, fat_err *err);

/* The stored findings of guia guia_id as a fat_findings list (item_seq from
** the item they concern), appended to out in their stored order. */
FAT_NODISCARD fat_rc fat_achado_carregar(fat_store *st, int64_t guia_id, fat_findings *out,
                                         fat_err *err);

/* The stored findings (guia_id > 0: of one guia; else all open ones, i.e.
** not acknowledged), as a JSON array of objects {id, guia_id,
** numero_prestador, codigo, severidade, campo, mensagem, glosa_prevista,
** valor_risco, regra, script_sha256, criado_em, reconhecido_em,
** reconhecido_por, reconhecido_motivo, linha (script line of the check)}. */
FAT_NODISCARD fat_rc fat_achado_listar(fat_store *st, int64_t guia_id, cJSON **out,
                                       fat_err *err);

/* The same findings, one at a time and in the same order, for a list that
** may be long (every open finding of a million guias): cada(u, achado, err)
** gets each one as the object fat_achado_listar would hold (valid only
** during the call), so memory does not grow with their number. A non-FAT_OK
** return from cada stops the list and is returned. */
typedef fat_rc (*fat_achado_cada_fn)(void *u, const cJSON *achado, fat_err *err);
FAT_NODISCARD fat_rc fat_achado_listar_cada(fat_store *st, int64_t guia_id,
                                            fat_achado_cada_fn cada, void *u, fat_err *err);

#endif
