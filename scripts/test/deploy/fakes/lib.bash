# shellcheck shell=bash
# Shared by the fake system commands: each logs its call to $FAKE_STATE/calls.log and keeps
# its state in $FAKE_STATE (installed packages, enabled units, ...). They never touch the real
# system: files they write live under $VPNLENS_BOOTSTRAP_ROOT.
set -Eeuo pipefail
: "${FAKE_STATE:?the fakes need FAKE_STATE}"
fake_log() { printf '%s\n' "$*" >>"$FAKE_STATE/calls.log"; }
fake_root() { printf '%s\n' "${VPNLENS_BOOTSTRAP_ROOT:?the fakes need VPNLENS_BOOTSTRAP_ROOT}"; }
# in_list FILE WORD: is WORD a line of FILE?
in_list() { [[ -f "$1" ]] && grep -qxF "$2" "$1"; }
add_to_list() { in_list "$1" "$2" || printf '%s\n' "$2" >>"$1"; }
remove_from_list() {
  [[ -f "$1" ]] || return 0
  grep -vxF "$2" "$1" >"$1.tmp" || true
  mv "$1.tmp" "$1"
}
