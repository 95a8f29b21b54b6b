#!/bin/sh
# e2e (Part C): demo data -> conferir -> recall/precision per defect class.
# usage: conferir_demo.sh FATURO_BIN [N_GUIAS]
set -eu
F="$1"
N="${2:-1000}"
DIR="$(mktemp -d "${TMPDIR:-/tmp}/faturo-conferir-XXXXXX")"
trap 'rm -rf "$DIR"' EXIT
DB="$DIR/demo.db"

"$F" --db "$DB" demo --guias "$N" --ate-etapa precos

# one JSON object per finding per line, then a summary object; exit 1 = open bloqueios
set +e
"$F" --db "$DB" --json conferir > "$DIR/achados.jsonl"
rc=$?
set -e
if [ "$rc" -gt 1 ]; then
  echo "conferir falhou (saída $rc)" >&2
  exit 1
fi
tail -n 1 "$DIR/achados.jsonl" | grep -q '"tipo":"resumo"' || {
  echo "conferir --json não terminou com o resumo" >&2
  exit 1
}
grep -q '"tipo":"achado"' "$DIR/achados.jsonl" || {
  echo "conferir --json não produziu achados na demo" >&2
  exit 1
}

# a second run changes nothing and says so
"$F" --db "$DB" conferir > "$DIR/segunda.txt" || true
grep -q "sem mudança desde a última conferência" "$DIR/segunda.txt" || {
  echo "a segunda conferência não foi incremental" >&2
  cat "$DIR/segunda.txt" >&2
  exit 1
}

# per-class recall >= 99% and clean-guia precision >= 99% (exit 1 otherwise)
"$F" --db "$DB" conferir --avaliar-demo --min-recall 0.99 --min-precisao 0.99
