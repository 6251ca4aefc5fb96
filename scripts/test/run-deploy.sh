#!/usr/bin/env bash
# Run the deployment checks (scripts/test/deploy/*.bats): the Caddyfile through caddy, compose.yaml
# through PyYAML + jq and docker-compose's schema, the Dockerfile's structure, the images workflow, the
# docs, node-bootstrap.sh with shellcheck and fakes in a throwaway root, and the published app
# started the way the image starts it, answering /healthz on loopback. Sends no traffic beyond
# loopback, needs no Docker engine and no root (as root, ownership changes and the app's non-root
# user are exercised for real).
#
#   scripts/test/run-deploy.sh                                      # every deployment test
#   scripts/test/run-deploy.sh scripts/test/deploy/caddy.bats       # some of them
#
# Exit status: non-zero when a tool is missing or any test fails.
# Debian packages: bats bats-assert bats-support bats-file shellcheck shfmt caddy jq
# python3-yaml docker-compose openssh-client sudo (for visudo) curl util-linux (setpriv); the .NET SDK.
set -Eeuo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly REPO_DIR
readonly DEPLOY_TESTS_DIR="${VPNLENS_DEPLOY_TESTS_DIR:-$REPO_DIR/scripts/test/deploy}"
readonly REQUIRED_TOOLS=(
  bats:bats shellcheck:shellcheck shfmt:shfmt caddy:caddy jq:jq python3:python3-yaml
  docker-compose:docker-compose ssh-keygen:openssh-client visudo:sudo curl:curl setpriv:util-linux
  dotnet:dotnet-sdk-10.0 promtool:prometheus
)

# shellcheck source-path=SCRIPTDIR source=../lib/log.sh
source "$REPO_DIR/scripts/lib/log.sh"
VPNLENS_LOG_TAG=run-deploy

is_tool_present() { command -v "$1" >/dev/null 2>&1; }

validate_tools() {
  local entry missing=()
  for entry in "${REQUIRED_TOOLS[@]}"; do
    is_tool_present "${entry%%:*}" || missing+=("${entry#*:}")
  done
  [[ -d /usr/lib/bats/bats-assert && -d /usr/lib/bats/bats-support && -d /usr/lib/bats/bats-file ]] ||
    missing+=(bats-assert bats-support bats-file)
  python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
  ((${#missing[@]} == 0)) ||
    die "missing tools; install them with: apt-get install -y --no-install-recommends ${missing[*]}"
}

main() {
  trap 'exit 130' INT
  trap 'exit 143' TERM
  validate_tools
  local targets=("$@")
  ((${#targets[@]})) || targets=("$DEPLOY_TESTS_DIR")
  log_info "bats ${targets[*]}"
  bats --timing "${targets[@]}"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
