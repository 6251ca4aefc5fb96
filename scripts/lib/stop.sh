# shellcheck shell=bash
# "Stop everything": whatever VPN state any protocol may have left in this network
# namespace goes, whatever is active now. Safe to call twice, or with nothing up.
[[ -n "${_VPNLENS_STOP_SH:-}" ]] && return 0
_VPNLENS_STOP_SH=1

# stop_everything: every driver's driver_down, all at once (each in its own subshell, so one
# driver's failure or functions never affect another; they touch disjoint state), then the
# policy routing they leave.
stop_everything() {
  local protocol i failed=() protocols=() pids=() NETNS_PROCESSES
  mapfile -t protocols < <(known_protocols)
  # shellcheck disable=SC2034 # read by pids_in_my_netns in the drivers' subshells
  NETNS_PROCESSES=$(netns_processes)
  for protocol in "${protocols[@]}"; do
    (
      # teardown tolerates failures and counts them itself: not "unexpected errors"
      trap - ERR
      load_driver "$protocol"
      driver_down
    ) &
    pids+=($!)
  done
  for i in "${!protocols[@]}"; do
    wait "${pids[i]}" || failed+=("${protocols[i]}")
  done
  remove_vpn_policy_routing || failed+=("policy routing")
  if ((${#failed[@]} > 0)); then
    record_failure "could not remove all VPN state: ${failed[*]}"
    log_error "stop everything: could not remove all VPN state: ${failed[*]}"
    return 1
  fi
  log_info "stop everything: no VPN state left in this network namespace"
}
