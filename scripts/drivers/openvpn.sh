# shellcheck shell=bash
# openvpn: "openvpn --config" as a daemon of our own (daemon_driver in lib/driver.sh).
# Over IPv6 (settings.ipVersion 6) the tun gets TUNNEL_IP6 (--ifconfig-ipv6, peer PEER_IP6)
# when set; else the server must push one (ifconfig-ipv6), which the ladder's ip rung checks.
# protocol.env: OPENVPN_CONFIG (a client config), OPENVPN_INTERFACE (its tun device),
# PEER_IP6 and optional TUNNEL_IP6 for IPv6.

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
daemon_args() {
  DAEMON_ARGS=(--config "$OPENVPN_CONFIG" --dev "$OPENVPN_INTERFACE" --dev-type tun --verb 3)
  if [[ "${S_IP_VERSION:-4}" == 6 && -n "${TUNNEL_IP6:-}" ]]; then
    DAEMON_ARGS+=(--ifconfig-ipv6 "$TUNNEL_IP6" "$PEER_IP6")
  fi
}

driver_versions() {
  jq -cn --arg v "$(openvpn --version 2>/dev/null | awk 'NR == 1 { print $2; exit }')" '{openvpn: $v}'
}

daemon_driver openvpn OPENVPN_INTERFACE
