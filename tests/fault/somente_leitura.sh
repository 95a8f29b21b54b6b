#!/bin/sh
# fault (Part M): a read-only database. Two cases: the file is read-only
# (mode 0444) in a folder the user may write, and the folder is read-only
# (mode 0555) with a file the user may write (SQLite cannot create its -wal).
# Every verb that writes must refuse with a pt-BR message saying the database
# is read-only and that nothing was saved (exit 1), and the database file must
# be byte for byte what it was. With a read-only file the readers keep
# working; with a read-only folder SQLite cannot create the -shm file a WAL
# database needs even to be read, so readers are refused with the same message. As root
# (permissions do not bind root) the verbs run as the user nobody through
# setpriv; without setpriv the test is skipped (exit 77).
#
# A reader that shows personal data records the access (LGPD access log,
# docs/lgpd.md) in the same database: it refuses too, saying the access
# could not be recorded (it fails closed: no unlogged read). `particular
# listar` stands for them.
#
# Each writer is first run on a writable copy, where it must succeed and
# change the database (so a refusal on the read-only copy is a refusal to
# write, not a verb with nothing to do).
#
# usage: somente_leitura.sh FATURO_BIN SOURCE_DIR   (env: FAT_SHARED_DIR)
set -u
FAT="$1"
SRC="$2"
OFX="${FAT_SHARED_DIR:?FAT_SHARED_DIR}/financeiro/samples/ofx/bb_asgrim_sgml102_mktginfo.ofx"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_ro.XXXXXX")
trap 'chmod -R u+w "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT
export FATURO_REGRAS="$SRC/rules"
unset FATURO_DB
COMP=2026-05
HOJE=2026-06-05

fail() { echo "FALHOU: $*" >&2; exit 1; }

AS=""
if [ "$(id -u)" = 0 ]; then
  command -v setpriv >/dev/null 2>&1 || { echo "sem setpriv: teste pulado (root ignora permissões)"; exit 77; }
  AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
  chmod 0755 "$TMP"
  $AS test -x "$FAT" || { echo "nobody não executa $FAT: teste pulado"; exit 77; }
fi

GUIAS=120
. "$SRC/tests/fault/lib.sh"
fault_bases
cp "$SRC/tests/data/import/good.json" "$TMP/novas.json"
"$FAT" --db "$TMP/base_conferir.db" cadastro prestador --nome "Clínica Teste" \
  --cnpj 11.222.333/0001-81 --cnes 1234567 >/dev/null || fail "cadastro prestador"
cp "$OFX" "$TMP/extrato.ofx"
chmod -R a+rX "$TMP"
[ -z "$AS" ] || chmod 0666 "$TMP"/base_*.db

# writer: "base|verb arguments" (DB is added by the runner)
WRITERS="conferir|importar guias $TMP/novas.json
conferir|conferir --todas --hoje $HOJE
conferir|lote fechar --operadora aurora --hoje $HOJE
conferir|--regras $TMP/regras regras recarregar
lotes|retorno importar $TMP/retorno.xml
fin|fatura criar --operadora vitalis --competencia $COMP
fin|recebimento registrar --fatura 1 --valor 50,00 --data 2026-06-15
fin|conciliacao importar $TMP/extrato.ofx
fin|particular registrar --paciente João --data 2026-06-02 --codigo 10101012 --valor 80,00
fin|particular pagar 1 --forma pix --data 2026-06-01 --valor 100,00
fin|repasse calcular --periodo 2026-06
fin|cadastro operadora --registro-ans 999999 --nome Teste --script aurora"
READERS="conferir|lote listar
conferir|achado listar
conferir|verificar
lotes|lote listar
fin|fatura listar
fin|fatura mapa --hoje $HOJE
fin|repasse listar
fin|verificar"

n_ref=0
n_read=0
for modo in arquivo pasta; do
  dir="$TMP/$modo"
  echo "$WRITERS" | while IFS='|' read -r base args; do
    # writable copy: the verb succeeds and writes
    mkdir -p "$TMP/w" && chmod 0777 "$TMP/w"
    rm -f "$TMP/w/"*
    cp "$TMP/base_$base.db" "$TMP/w/f.db" && chmod 0666 "$TMP/w/f.db"
    antes=$(sig "$TMP/w/f.db")
    # shellcheck disable=SC2086
    $AS "$FAT" --db "$TMP/w/f.db" $args >"$TMP/out" 2>&1
    rc=$?
    [ $rc -eq 0 ] || { [ $rc -eq 1 ] && case "$args" in conferir*) true ;; *) false ;; esac; } ||
      fail "$args num banco gravável saiu com $rc: $(tail -3 "$TMP/out")"
    [ "$(sig "$TMP/w/f.db")" != "$antes" ] || fail "$args num banco gravável não gravou nada"
    rm -f "$TMP/w/"*
    # read-only copy
    chmod -R u+w "$dir" 2>/dev/null
    rm -rf "$dir" && mkdir "$dir"
    cp "$TMP/base_$base.db" "$dir/f.db"
    cp "$dir/f.db" "$TMP/original.db"
    if [ $modo = arquivo ]; then
      chmod 0777 "$dir" && chmod 0444 "$dir/f.db"
    else
      chmod 0666 "$dir/f.db" && chmod 0555 "$dir"
    fi
    # shellcheck disable=SC2086
    $AS "$FAT" --db "$dir/f.db" $args >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ $rc -eq 1 ] || fail "[$modo] $args num banco somente leitura saiu com $rc (esperado 1): $(cat "$TMP/err")"
    grep -q "somente leitura" "$TMP/err" ||
      fail "[$modo] $args: mensagem não diz que o banco é somente leitura: $(cat "$TMP/err")"
    grep -q "nada foi gravado" "$TMP/err" ||
      fail "[$modo] $args: mensagem não diz que nada foi gravado: $(cat "$TMP/err")"
    cmp -s "$dir/f.db" "$TMP/original.db" || fail "[$modo] $args mudou o arquivo do banco"
    [ "$(sig "$dir/f.db")" = "$(sig "$TMP/original.db")" ] || fail "[$modo] $args mudou o banco"
    echo "  [$modo] recusado: $args: $(head -1 "$TMP/err")"
  done || exit 1
  # a read of personal data cannot be logged: refused, nothing shown
  chmod -R u+w "$dir" 2>/dev/null
  rm -rf "$dir" && mkdir "$dir"
  cp "$TMP/base_fin.db" "$dir/f.db"
  if [ $modo = arquivo ]; then
    chmod 0777 "$dir" && chmod 0444 "$dir/f.db"
  else
    chmod 0666 "$dir/f.db" && chmod 0555 "$dir"
  fi
  $AS "$FAT" --db "$dir/f.db" particular listar >"$TMP/out" 2>"$TMP/err" &&
    fail "[$modo] particular listar mostrou dados sem registrar o acesso"
  grep -q "somente leitura" "$TMP/err" ||
    fail "[$modo] particular listar: motivo: $(cat "$TMP/err")"
  grep -q "Maria" "$TMP/out" && fail "[$modo] particular listar mostrou o paciente"
  echo "$READERS" | while IFS='|' read -r base args; do
    chmod -R u+w "$dir" 2>/dev/null
    rm -rf "$dir" && mkdir "$dir"
    cp "$TMP/base_$base.db" "$dir/f.db"
    if [ $modo = arquivo ]; then
      chmod 0777 "$dir" && chmod 0444 "$dir/f.db"
    else
      chmod 0666 "$dir/f.db" && chmod 0555 "$dir"
    fi
    # shellcheck disable=SC2086
    $AS "$FAT" --db "$dir/f.db" $args >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ $modo = arquivo ]; then
      [ $rc -eq 0 ] || fail "[$modo] leitura $args falhou num banco somente leitura: $(cat "$TMP/err")"
      [ -s "$TMP/out" ] || fail "[$modo] leitura $args não escreveu nada"
      echo "  [$modo] leitura ok: $args"
    else
      # SQLite cannot open a WAL database whose folder refuses its -shm file:
      # even a reader is refused, with the same message
      [ $rc -eq 1 ] && grep -q "somente leitura" "$TMP/err" ||
        fail "[$modo] leitura $args (saída $rc): $(cat "$TMP/err")"
      echo "  [$modo] leitura recusada com a mensagem: $args"
    fi
  done || exit 1
done
n_ref=$(echo "$WRITERS" | wc -l)
n_read=$(echo "$READERS" | wc -l)
echo "somente leitura: $n_ref verbos que gravam recusados, em arquivo 0444 e em pasta 0555; $n_read leituras funcionando com o arquivo 0444 (e recusadas com a mensagem com a pasta 0555)"
