#!/usr/bin/env bash
# Rules only, faturo against its peers on the same guias in the same run:
# bench_rules --pares over N synthetic guias of ../shared/bench/peers.
# usage: bench_pares.sh BENCH_RULES SRC_DIR [N]
#   PEERS_DIR (default SRC_DIR/../shared/bench/peers): the peers' folder; when
#   it has node_modules (npm install done in a scratch copy, see its README),
#   json-rules-engine and GoRules Zen run too, else only the Python reference.
set -euo pipefail
BENCH="$1"
SRC="$2"
N="${3:-20000}"
PEERS="${PEERS_DIR:-$SRC/../shared/bench/peers}"
[ -f "$PEERS/gen_guias.py" ] || { echo "bench_pares: sem $PEERS/gen_guias.py" >&2; exit 1; }
T="$(mktemp -d /tmp/bench_pares_XXXXXX)"
trap 'rm -rf "$T"' EXIT
python3 "$PEERS/gen_guias.py" "$N" > "$T/guias.jsonl"
"$BENCH" --pares "$T/guias.jsonl" "$SRC/bench/pares" "$(cd "$PEERS" && pwd)"
