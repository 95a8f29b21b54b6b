#!/usr/bin/env bash
# Installs the Debian 12 packages faturo needs, only those that are missing,
# and the npm package that drives the browser tests. Runs as root or via sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(build-essential make cmake pkg-config liblua5.4-dev libsqlite3-dev libxml2-dev
      libxml2-utils libzstd-dev libmicrohttpd-dev libcjson-dev libcmocka-dev libsodium-dev nettle-dev liboath-dev libxlsxwriter-dev
      libjs-codemirror libjs-chart.js chromium sqlite3 jq unzip wrk curl clang-14)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm may come from another packaging of Node.js (which bundles npm and
# conflicts with Debian's npm): ask Debian for them only when the commands are missing
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "instalando pacotes Debian: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# playwright-core drives Debian's chromium in the browser tests (no browser download).
if [ -f tests/browser/package.json ] && [ ! -d tests/browser/node_modules/playwright-core ]; then
  echo "instalando playwright-core (npm) para os testes de navegador"
  (cd tests/browser && npm install --no-audit --no-fund --silent)
fi
