#!/usr/bin/env bash
# Copies the browser libraries the app serves from the npm packages pinned in package.json (package-lock.json) into
# VPNLens.Web/wwwroot/lib, with their licences. Run after changing a version; the copies are committed, so the app
# needs no npm and no network at build or run time.
set -Eeuo pipefail

NPM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly NPM_DIR
readonly LIB_DIR="${VPNLENS_WEB_LIB:-$NPM_DIR/../../VPNLens.Web/wwwroot/lib}"

vendor() {
  local package=$1 file=$2 target="$LIB_DIR/$1"
  install -d "$target"
  install -m 0644 "$NPM_DIR/node_modules/$package/$file" "$target/$(basename "$file")"
  install -m 0644 "$NPM_DIR/node_modules/$package/LICENSE.md" "$target/LICENSE.md"
}

main() {
  npm ci --prefix "$NPM_DIR" --no-audit --no-fund >/dev/null
  vendor chart.js dist/chart.umd.min.js
}

main "$@"
