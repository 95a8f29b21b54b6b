#!/usr/bin/env bash
# e2e (Part B): faturo regras listar/testar/mostrar/recarregar/versoes/reverter on a
# private copy of the rules folder and a fresh database.
set -euo pipefail
FATURO="$1"
SRC="$2"
T="$(mktemp -d /tmp/e2e_regras_XXXXXX)"
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/regras/operators" "$T/regras/scripts"
cp "$SRC"/rules/operators/*.lua "$T/regras/operators/"
cp -r "$SRC"/scripts/faturo "$T/regras/scripts/"
export FATURO_REGRAS="$T/regras" FATURO_DB="$T/faturo.db"
fail() { echo "FALHOU: $*" >&2; exit 1; }

"$FATURO" init >/dev/null || fail "init"
"$FATURO" regras --help | grep -q "recarregar" || fail "help"
"$FATURO" regras testar | tee "$T/out" | grep -q "0 falha(s)" || fail "testar"
"$FATURO" regras testar vitalis >/dev/null || fail "testar vitalis"
"$FATURO" --json regras listar | grep -q '"registro_ans":[[:space:]]*"391116"' || fail "listar json"
"$FATURO" regras mostrar aurora | grep -q '"uco_centavos":[[:space:]]*1750' || fail "mostrar"
"$FATURO" regras recarregar | grep -q "geração 1 publicada" || fail "recarregar 1"
"$FATURO" regras recarregar | grep -q "sem mudanças" || fail "recarregar idêntico"
"$FATURO" regras listar | grep -q "geração 1 (ativa)" || fail "listar ativa"

# a broken script: reload refused, generation 1 stays active, error names file:line
cp "$T/regras/operators/serena.lua" "$T/serena.ok"
printf 'local x = = 1\n' > "$T/regras/operators/serena.lua"
if "$FATURO" regras recarregar 2>"$T/err"; then fail "recarga quebrada aceita"; fi
grep -q "operators/serena.lua:1" "$T/err" || fail "erro sem arquivo:linha: $(cat "$T/err")"
if "$FATURO" regras testar >/dev/null 2>&1; then fail "testar com script quebrado"; fi

# a real change: generation 2; then revert to 1 restores the folder
cp "$T/serena.ok" "$T/regras/operators/serena.lua"
printf '\n-- ajuste\n' >> "$T/regras/operators/aurora.lua"
"$FATURO" regras recarregar | grep -q "geração 2 publicada" || fail "recarregar 2"
"$FATURO" regras versoes | grep -q "recarga" || fail "versoes"
"$FATURO" regras reverter 1 | grep -q "geração 3" || fail "reverter"
cmp -s "$T/regras/operators/aurora.lua" "$SRC/rules/operators/aurora.lua" || fail "pasta não revertida"
"$FATURO" --json regras versoes | grep -q '"motivo":[[:space:]]*"reversao de 1"' || fail "versoes json"
set +e
"$FATURO" regras reverter abc 2>/dev/null
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "reverter abc: saída $rc, esperado 2"

# reverter never overwrites edits that were not published
printf '\n-- edição não publicada\n' >> "$T/regras/operators/vitalis.lua"
cp "$T/regras/operators/vitalis.lua" "$T/vitalis.editado"
if "$FATURO" regras reverter 2 2>"$T/err"; then fail "reversão sobre edição não publicada"; fi
grep -q "operators/vitalis.lua" "$T/err" || fail "recusa sem o arquivo: $(cat "$T/err")"
cmp -s "$T/regras/operators/vitalis.lua" "$T/vitalis.editado" || fail "edição perdida"
"$FATURO" regras reverter 2 --forcar | grep -q "voltou à versão 2" || fail "reverter --forcar"
ls "$T/regras/operators/" | grep -q '^vitalis.lua.antes-da-reversao-' || fail "sem cópia da edição"
cmp -s "$T/regras/operators/"vitalis.lua.antes-da-reversao-* "$T/vitalis.editado" || fail "cópia errada"

# a stale pid file naming an unrelated live process: nobody is signalled
sleep 60 &
STRANGER=$!
echo "$STRANGER" > "$T/faturo-servidor.pid"
printf '\n-- outro ajuste\n' >> "$T/regras/operators/aurora.lua"
"$FATURO" regras recarregar > "$T/out" 2>&1 || fail "recarregar com pid file abandonado: $(cat "$T/out")"
if grep -q "servidor avisado" "$T/out"; then fail "avisou um processo que não é o servidor"; fi
kill -0 "$STRANGER" 2>/dev/null || fail "o processo do pid file abandonado recebeu sinal"
kill "$STRANGER"

# FATURO_REGRAS=DIR without scripts/: the shared modules come from the data dir
mkdir -p "$T/so-operadoras/operators"
cp "$SRC"/rules/operators/*.lua "$T/so-operadoras/operators/"
FATURO_REGRAS="$T/so-operadoras" "$FATURO" regras testar | grep -q "0 falha(s)" ||
  fail "regras sem scripts/ não acharam faturo.base"
echo "ok"
