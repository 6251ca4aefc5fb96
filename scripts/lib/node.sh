# shellcheck shell=bash source-path=SCRIPTDIR
# Loads every library the node scripts use, in dependency order, and sets the shell up
# the way they expect it (C locale for parsing, UTC for timestamps).
[[ -n "${_VPNLENS_NODE_SH:-}" ]] && return 0
_VPNLENS_NODE_SH=1

export LC_ALL=C TZ=UTC

_vpnlens_lib_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=log.sh
source "$_vpnlens_lib_dir/log.sh"
# shellcheck source=validate.sh
source "$_vpnlens_lib_dir/validate.sh"
# shellcheck source=paths.sh
source "$_vpnlens_lib_dir/paths.sh"
# shellcheck source=signals.sh
source "$_vpnlens_lib_dir/signals.sh"
# shellcheck source=poll.sh
source "$_vpnlens_lib_dir/poll.sh"
# shellcheck source=routing.sh
source "$_vpnlens_lib_dir/routing.sh"
# shellcheck source=process.sh
source "$_vpnlens_lib_dir/process.sh"
# shellcheck source=driver.sh
source "$_vpnlens_lib_dir/driver.sh"
# shellcheck source=strongswan.sh
source "$_vpnlens_lib_dir/strongswan.sh"
# shellcheck source=stop.sh
source "$_vpnlens_lib_dir/stop.sh"
# shellcheck source=ipversion.sh
source "$_vpnlens_lib_dir/ipversion.sh"
# shellcheck source=pmtu.sh
source "$_vpnlens_lib_dir/pmtu.sh"
# shellcheck source=ladder.sh
source "$_vpnlens_lib_dir/ladder.sh"
# shellcheck source=ping.sh
source "$_vpnlens_lib_dir/ping.sh"
# shellcheck source=iperf.sh
source "$_vpnlens_lib_dir/iperf.sh"
# shellcheck source=repeat.sh
source "$_vpnlens_lib_dir/repeat.sh"
# shellcheck source=cpu.sh
source "$_vpnlens_lib_dir/cpu.sh"
# shellcheck source=environment.sh
source "$_vpnlens_lib_dir/environment.sh"
# shellcheck source=webhook.sh
source "$_vpnlens_lib_dir/webhook.sh"
# shellcheck source=params.sh
source "$_vpnlens_lib_dir/params.sh"
# shellcheck source=results.sh
source "$_vpnlens_lib_dir/results.sh"
# shellcheck source=phases.sh
source "$_vpnlens_lib_dir/phases.sh"
# shellcheck source=measure.sh
source "$_vpnlens_lib_dir/measure.sh"
unset _vpnlens_lib_dir
