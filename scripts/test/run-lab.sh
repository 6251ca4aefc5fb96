#!/usr/bin/env bash
# Run the lab tests (scripts/test/lab/*.bats) with the real tools, then take the lab
# down whatever happened. Needs root. Exit status: non-zero when shellcheck or any
# test fails.
#
#   sudo scripts/test/run-lab.sh                       # lint + every lab test
#   sudo scripts/test/run-lab.sh scripts/test/lab/lab.bats   # lint + some of them
#
# Artefacts of the run.sh test stay in $VPNLENS_LAB_TEST_OUT (default /tmp/vpnlens-lab-test).
set -Eeuo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly REPO_DIR
readonly LAB_SH="${VPNLENS_LAB_SH:-$REPO_DIR/scripts/lab/lab.sh}"
readonly LAB_TESTS_DIR="${VPNLENS_LAB_TESTS_DIR:-$REPO_DIR/scripts/test/lab}"

# shellcheck source-path=SCRIPTDIR source=../lib/log.sh
source "$REPO_DIR/scripts/lib/log.sh"
VPNLENS_LOG_TAG=run-lab

# Safe to call any number of times: lab.sh down is idempotent.
teardown() {
  local rc=$?
  set +e
  log_info "taking the lab down"
  "$LAB_SH" down || log_error "lab.sh down failed; run it again by hand"
  return "$rc"
}

validate_environment() {
  [[ "$(id -u)" -eq 0 ]] || die "the lab tests need root (namespaces, veth, tun): sudo $0"
  command -v bats >/dev/null || die "bats is not installed (apt-get install bats bats-assert bats-support bats-file)"
  command -v shellcheck >/dev/null || die "shellcheck is not installed (apt-get install shellcheck)"
  [[ -x "$LAB_SH" ]] || die "no lab script at $LAB_SH"
}

lint() {
  log_info "shellcheck"
  shellcheck -x "$LAB_SH" "$REPO_DIR"/scripts/lab/lib/*.sh "${BASH_SOURCE[0]}" \
    "$LAB_TESTS_DIR"/*.bats "$LAB_TESTS_DIR"/*.bash
}

ERR_REPORTED=0
on_err() {
  ((ERR_REPORTED)) && return 0
  ERR_REPORTED=1
  log_error "failed at line $1: $2"
}

main() {
  trap teardown EXIT
  trap 'on_err "$LINENO" "$BASH_COMMAND"' ERR
  trap 'exit 130' INT
  trap 'exit 143' TERM
  validate_environment
  lint
  local targets=("$@")
  ((${#targets[@]})) || targets=("$LAB_TESTS_DIR")
  log_info "bats ${targets[*]}"
  bats --timing "${targets[@]}"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
