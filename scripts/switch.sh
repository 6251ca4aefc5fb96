#!/usr/bin/env bash
# switch.sh: the network state of this Benchmark Node.
#
#   switch.sh stop             stop everything: remove whatever VPN state any protocol may
#                              have left in this network namespace. Idempotent.
#   switch.sh up <protocol>    stop everything, bring <protocol> up, then climb the
#                              Verification Ladder; prints the ladder as JSON on stdout.
#                              A rung that does not pass in time names itself, exits 1 and
#                              stops everything again.
#
# Settings: $VPNLENS_CONF_DIR/<protocol>/protocol.env; VPNLENS_LADDER_TIMEOUT_SECONDS (30);
# for tailscale, TS_AUTH_KEY_FILE names a 0600 file holding the Headscale pre-auth key.
# Globals set here are read by the lib/ functions (shellcheck does not follow that):
# shellcheck disable=SC2034
set -Eeuo pipefail
shopt -s inherit_errexit

# shellcheck source-path=SCRIPTDIR source=lib/node.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/node.sh"

LADDER_TIMEOUT_SECONDS=${VPNLENS_LADDER_TIMEOUT_SECONDS:-30}
SWITCH_UP_DONE=''

usage() {
  echo "usage: $(basename "$0") stop | up <protocol>   (protocols: $(known_protocols | tr '\n' ' '))" >&2
  exit 2
}

# on_up_exit: a bring-up that did not finish (failed rung, error, signal) leaves nothing up.
on_up_exit() {
  local rc=$?
  trap '' TERM INT
  [[ -n "$SWITCH_UP_DONE" ]] && return 0
  log_error "switch.sh up did not complete (exit $rc); stopping everything"
  stop_everything || true
  exit "$rc"
}

cmd_stop() {
  stop_everything
}

cmd_up() {
  local protocol=$1 iface started
  validate_known_protocol "$protocol"
  validate_positive_int VPNLENS_LADDER_TIMEOUT_SECONDS "$LADDER_TIMEOUT_SECONDS"
  trap on_up_exit EXIT
  trap_signals exit_on_signal TERM INT
  stop_everything
  load_driver "$protocol" required
  driver_check
  iface=$(driver_interface)
  # the up command and the ladder back to back; the ladder is logged and printed after
  clock_ms started
  driver_up
  if ! PROTOCOL=$protocol ladder_climb "$iface" "$PEER_IP" "$BACKEND_URL" "$LADDER_TIMEOUT_SECONDS"; then
    ladder_log
    die "$protocol: $RUNG_ERROR"
  fi
  ladder_log
  SWITCH_UP_DONE=1
  # setup time: from the up command to the first reply through the tunnel
  jq -cn --arg p "$protocol" --arg i "$iface" --argjson setup "$(($(ladder_passed_at ping) - started))" \
    --argjson ladder "$(ladder_json)" '{protocol: $p, interface: $i, setupMs: $setup, ladder: $ladder}'
  log_info "$protocol is up on $iface and passed the ladder"
}

main() {
  VPNLENS_LOG_TAG=switch
  case "${1:-}" in
    stop)
      (($# == 1)) || usage
      cmd_stop
      ;;
    up)
      (($# == 2)) || usage
      cmd_up "$2"
      ;;
    *) usage ;;
  esac
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
