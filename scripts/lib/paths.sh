# shellcheck shell=bash disable=SC2034
# Where VPNLens keeps things on a node (docs/node-protocol.md, "Layout on a node").
# The environment may override each one: the lab gives every namespace node its own.
[[ -n "${_VPNLENS_PATHS_SH:-}" ]] && return 0
_VPNLENS_PATHS_SH=1

readonly VPNLENS_HOME="${VPNLENS_HOME:-${HOME:-/root}/vpnlens}"
readonly VPNLENS_STATE_DIR="${VPNLENS_STATE_DIR:-/run/vpnlens}"
readonly VPNLENS_CONF_DIR="${VPNLENS_CONF_DIR:-/etc/vpnlens}"
# Only tests point these elsewhere (fixtures for /proc and /sys).
readonly VPNLENS_PROC="${VPNLENS_PROC:-/proc}"
readonly VPNLENS_SYS_NET="${VPNLENS_SYS_NET:-/sys/class/net}"
# Where the IPv6 check reads net/if_inet6 and sys/net/ipv6 (a fixture apart from the processes).
readonly VPNLENS_IPV6_PROC="${VPNLENS_IPV6_PROC:-$VPNLENS_PROC}"
export VPNLENS_HOME VPNLENS_STATE_DIR VPNLENS_CONF_DIR

# The directory holding run.sh, switch.sh, lib/ and drivers/.
VPNLENS_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly VPNLENS_SCRIPTS_DIR

ensure_state_dir() {
  install -d -m 0700 "$VPNLENS_STATE_DIR"
}
