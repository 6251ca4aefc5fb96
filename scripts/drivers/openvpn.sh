# shellcheck shell=bash
# openvpn: "openvpn --config" as a daemon of our own (daemon_driver in lib/driver.sh).
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

# --dev names the tun device; --dev-type keeps it a tun whatever the config's "dev" says.
# shellcheck disable=SC2034 # daemon_driver reads DAEMON_ARGS
daemon_args() { DAEMON_ARGS=(--config "$OPENVPN_CONFIG" --dev "$OPENVPN_INTERFACE" --dev-type tun --verb 3); }

driver_versions() {
  jq -cn --arg v "$(openvpn --version 2>/dev/null | awk 'NR == 1 { print $2; exit }')" '{openvpn: $v}'
}

daemon_driver openvpn OPENVPN_INTERFACE
