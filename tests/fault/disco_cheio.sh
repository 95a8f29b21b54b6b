#!/bin/sh
# fault (Part M): a full disk. Each writing verb (importar, conferir, lote
# fechar, retorno importar, regras recarregar and the money verbs of
# tests/fault/lib.sh) runs on a copy of its base in a small tmpfs (the
# database, its -wal/-shm and TMPDIR all on it), mounted in a user and mount
# namespace (`unshare -rm`, no root needed), first with a few KB free and
# then with more, until the verb fits. Every run that does not fit must:
#   - exit 1 with a pt-BR message saying the disk is full ("disco cheio")
#     and that nothing of the operation was saved;
#   - leave a sound database: `PRAGMA integrity_check` ok and `faturo
#     verificar` ok, run in place on the still-full disk;
#   - lose nothing committed and keep nothing half-written: the database's
#     signature (lib.sh) is the one from before the verb.
# The run that fits must reach the signature of a run on a normal disk.
# Without user namespaces the test is skipped (exit 77).
#
# usage: disco_cheio.sh FATURO_BIN SOURCE_DIR   (env: FAT_SHARED_DIR,
#        FAT_FAULT_GUIAS (default 150))
set -u
if [ "${1:-}" = --dentro ]; then
  shift
  DENTRO=1
else
  DENTRO=0
fi
FAT="$1"
SRC="$2"
GUIAS="${FAT_FAULT_GUIAS:-150}"
OFX="${FAT_SHARED_DIR:?FAT_SHARED_DIR}/financeiro/samples/ofx/bb_asgrim_sgml102_mktginfo.ofx"
NVERBS=10
export FATURO_REGRAS="$SRC/rules"
unset FATURO_DB
COMP=2026-05
HOJE=2026-06-05

fail() {
  echo "FALHOU: $*" >&2
  exit 1
}
. "$SRC/tests/fault/lib.sh"

if [ $DENTRO = 0 ]; then
  unshare -rm true 2>/dev/null || { echo "sem unshare -rm (namespaces de usuário): teste pulado"; exit 77; }
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_disco.XXXXXX")
  trap 'rm -rf "$TMP"' EXIT
  fault_bases
  # the signature of each verb run to the end on a normal disk
  v=0
  while [ $v -lt $NVERBS ]; do
    cp "$(verb_base $v)" "$TMP/cal.db"
    (run_verb $v "$TMP/cal.db") >"$TMP/cal.out" 2>&1
    verb_ok $v $? || fail "$(verb_name $v) num disco normal: $(tail -3 "$TMP/cal.out")"
    sig "$TMP/cal.db" >"$TMP/post_$v"
    rm -f "$TMP"/cal.db*
    v=$((v + 1))
  done
  TMP="$TMP" unshare -rm sh "$0" --dentro "$FAT" "$SRC"
  exit $?
fi

# ---- inside the namespace: the small disks ----
MNT="$TMP/disco"
mkdir -p "$MNT"
total_cheio=0
v=0
while [ $v -lt $NVERBS ]; do
  base=$(verb_base $v)
  post=$(cat "$TMP/post_$v")
  kb=$(($(stat -c %s "$base") / 1024))
  cheio=0
  coube=0
  for extra in 40 100 250 600 1500 4000 10000 30000 80000; do
    mount -t tmpfs -o size=$((kb + extra))k tmpfs "$MNT" || fail "mount tmpfs"
    mkdir "$MNT/tmp"
    if ! cp "$base" "$MNT/f.db" 2>/dev/null; then
      umount "$MNT"
      continue
    fi
    pre=$(sig "$MNT/f.db")
    case "$pre" in
      *[!0-9:./]*) umount "$MNT"; continue ;; # not even read: no room for the -shm
    esac
    (TMPDIR="$MNT/tmp" run_verb $v "$MNT/f.db") >"$TMP/out" 2>"$TMP/err"
    rc=$?
    what="$(verb_name $v) com $extra KB livres"
    # conferir exits 1 also when it finds bloqueios: an error says so on stderr
    if verb_ok $v $rc && ! grep -q "disco cheio" "$TMP/err"; then
      [ "$(sig "$MNT/f.db")" = "$post" ] ||
        fail "$what: terminou (saída $rc) mas o banco não ficou como num disco normal: $(sig "$MNT/f.db") (esperado $post): $(tail -5 "$TMP/out") $(cat "$TMP/err")"
      umount "$MNT"
      coube=1
      echo "  $what: coube (saída $rc)"
      break
    fi
    [ $rc -eq 1 ] || fail "$what: saiu com $rc (esperado 1): $(cat "$TMP/err")"
    grep -q "disco cheio" "$TMP/err" || fail "$what: mensagem não diz disco cheio: $(cat "$TMP/err")"
    grep -q "corrija as regras" "$TMP/err" &&
      fail "$what: culpa as regras por um disco cheio: $(cat "$TMP/err")"
    grep -q "nada foi gravado" "$TMP/err" ||
      fail "$what: mensagem não diz que nada foi gravado: $(cat "$TMP/err")"
    ic=$(sqlite3 "$MNT/f.db" "PRAGMA integrity_check" 2>&1)
    [ "$ic" = ok ] || fail "$what: integrity_check: $ic"
    "$FAT" --db "$MNT/f.db" verificar >"$TMP/ver" 2>&1 ||
      fail "$what: verificar: $(grep -v '  ok' "$TMP/ver" | head -8)"
    now=$(sig "$MNT/f.db")
    [ "$now" = "$pre" ] || { [ "$v" != 4 ] && [ "$(sig_core "$now")" = "$(sig_core "$pre")" ]; } ||
      fail "$what: o banco mudou: $now (antes $pre)"
    cheio=$((cheio + 1))
    echo "  $what: recusado: $(head -1 "$TMP/err" | cut -c1-200)"
    umount "$MNT"
  done
  [ $cheio -gt 0 ] || fail "$(verb_name $v): nenhum disco pequeno o bastante para faltar espaço"
  [ $coube = 1 ] || fail "$(verb_name $v): não coube nem com o maior disco do teste"
  total_cheio=$((total_cheio + cheio))
  v=$((v + 1))
done
echo "disco cheio: $total_cheio execuções sem espaço em $NVERBS verbos: mensagem clara, saída 1, integrity_check e verificar ok, nada perdido, nada pela metade"
