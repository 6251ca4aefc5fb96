# shellcheck shell=bash
# "Stop everything": whatever VPN state any protocol may have left in this network
# namespace goes, whatever is active now. Safe to call twice, or with nothing up.
[[ -n "${_VPNLENS_STOP_SH:-}" ]] && return 0
_VPNLENS_STOP_SH=1

# stop_everything: every driver's driver_down (each in its own subshell, so one driver's
# failure or functions never affect another), then the policy routing they leave.
stop_everything() {
  local protocol failed=()
  while read -r protocol; do
    if ! (
      # teardown tolerates failures and counts them itself: not "unexpected errors"
      trap - ERR
      load_driver "$protocol"
      driver_down
    ); then
      failed+=("$protocol")
    fi
  done < <(known_protocols)
  remove_vpn_policy_routing || failed+=("policy routing")
  if ((${#failed[@]} > 0)); then
    record_failure "could not remove all VPN state: ${failed[*]}"
    log_error "stop everything: could not remove all VPN state: ${failed[*]}"
    return 1
  fi
  log_info "stop everything: no VPN state left in this network namespace"
}
