#!/usr/bin/env bash
# ./vpnlens bench: the benchmark suite in the lab (bench/bench.sh), after installing what it needs:
# the Debian packages ./vpnlens up and test use, plus wrk for the permalink page under load.
# Not part of ./vpnlens test (its smoke is: sudo bench/smoke.sh). Arguments go to bench/bench.sh,
# e.g. ./vpnlens bench --pairs 7.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

readonly BENCH_PACKAGES=(wrk)

install_bench_packages() {
  local missing=() package
  for package in "${BENCH_PACKAGES[@]}"; do
    is_installed "$package" || missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  log_info "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

main() {
  install_prerequisites
  run_under_reaper "$@"
  install_bench_packages
  exec "$REPO_DIR/bench/bench.sh" "$@"
}

[[ "${BASH_SOURCE[0]}" == "$0" ]] && main "$@"
