#!/usr/bin/env bash
# ./vpnlens bench: the benchmark suite in the lab (bench/bench.sh), after installing what is missing
# (the same Debian packages as ./vpnlens up and test, wrk among them). Its targets are not part of
# ./vpnlens test; its smoke (bench/smoke.sh: every figure produced) is. Arguments go to
# bench/bench.sh, e.g. ./vpnlens bench --pairs 7.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

main() {
  validate_no_live_up "./vpnlens bench"
  install_prerequisites
  run_under_reaper "$@"
  exec "$REPO_DIR/bench/bench.sh" "$@"
}

[[ "${BASH_SOURCE[0]}" == "$0" ]] && main "$@"
