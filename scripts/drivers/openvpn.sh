# shellcheck shell=bash
# openvpn: "openvpn --config" as a daemon of our own (pidfile in the state dir).
# protocol.env: OPENVPN_CONFIG (a client config), OPENVPN_INTERFACE (its tun device).

driver_check() {
  local file
  file=$(protocol_env_file openvpn)
  validate_common_keys openvpn
  validate_command openvpn
  [[ -n "${OPENVPN_INTERFACE:-}" ]] || die "$file does not set OPENVPN_INTERFACE"
  validate_interface OPENVPN_INTERFACE "$OPENVPN_INTERFACE"
  [[ -n "${OPENVPN_CONFIG:-}" ]] || die "$file does not set OPENVPN_CONFIG"
  validate_readable_file OPENVPN_CONFIG "$OPENVPN_CONFIG"
}

openvpn_start() {
  # --dev names the tun device; --dev-type keeps it a tun whatever the config's "dev" says
  daemon_start openvpn "$VPNLENS_STATE_DIR/openvpn.log" openvpn --config "$OPENVPN_CONFIG" \
    --dev "$OPENVPN_INTERFACE" --dev-type tun --verb 3
}

driver_up() {
  openvpn_start
  wait_daemon_started openvpn openvpn "$OPENVPN_INTERFACE"
}

driver_down() {
  local rc=0
  daemon_stop openvpn openvpn || rc=1
  sweep_my_netns openvpn || rc=1
  if [[ -n "${OPENVPN_INTERFACE:-}" ]]; then
    delete_link "$OPENVPN_INTERFACE" || rc=1
  fi
  return "$rc"
}

driver_interface() { printf '%s\n' "$OPENVPN_INTERFACE"; }
driver_daemon_pid() { pid_from_pidfile openvpn openvpn || true; }

driver_versions() {
  jq -cn --arg v "$(openvpn --version 2>/dev/null | awk 'NR == 1 { print $2; exit }')" '{openvpn: $v}'
}

driver_restart() {
  daemon_stop openvpn openvpn || die "could not stop openvpn for the restart"
  openvpn_start
}
