#!/usr/bin/env bash
# The two quick-start commands (README):
#   bash tools/dev.sh demo   installs what is missing, builds, runs the demo in ./demo
#   bash tools/dev.sh test   installs what is missing, builds, runs every test (ctest)
# Run as root or as a user with sudo, on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."
cmd="${1:-}"
case "$cmd" in
  demo|test) ;;
  *) echo "uso: bash tools/dev.sh demo|test" >&2; exit 2 ;;
esac
bash tools/install-deps.sh
if [ -z "${FATURO_XSD_DIR:-}" ] && [ -f ../shared/tiss/4.01.00/tissV4_01_00.xsd ]; then
  export FATURO_XSD_DIR="$(cd ../shared/tiss/4.01.00 && pwd)"
fi
make "$cmd" ${CMAKE_ARGS:+CMAKE_ARGS="$CMAKE_ARGS"}
