# shellcheck shell=bash
# ipsec: strongSwan's charon (IKEv2) as a daemon of our own (daemon_driver in lib/driver.sh),
# with ESP in userspace: the kernel-libipsec plugin carries the tunnel over a TUN device
# (ipsec0, the first free "ipsec%d"), so no kernel ESP/xfrm module is needed. The driver
# writes charon's strongswan.conf (its own vici socket, log and plugin list in the state dir)
# and, once charon runs, loads the connections and secrets of IPSEC_CONFIG with swanctl; a
# child with start_action = start then comes up on its own and the Verification Ladder
# follows it. charon-systemd, not charon: charon keeps a pidfile in /var/run that only one
# charon on the machine may hold, which a lab of several nodes cannot share.
# protocol.env: IPSEC_CONFIG (a swanctl.conf: connections and secrets), IPSEC_INTERFACE
# (the TUN kernel-libipsec makes, ipsec0 unless another exists). Over IPv6: PEER_IP6, inside
# traffic selectors of IPSEC_CONFIG that cover it (and a virtual IPv6 address for this side).

# kernel-libipsec makes its TUN with MTU 1400 and reads packets into buffers of that size
# for the daemon's life: raising the MTU makes larger packets vanish (a blackhole the
# full-size rung finds), so 1400 is this driver's tunnel MTU.
IPSEC_MTU=1400
IPSEC_PLUGINS="random nonce openssl aes sha2 hmac gcm kdf pem pkcs1 pkcs8 x509 pubkey constraints revocation vici kernel-libipsec kernel-netlink socket-default"

ipsec_state_dir() { printf '%s/ipsec\n' "$VPNLENS_STATE_DIR"; }
ipsec_vici_socket() { printf '%s/charon.vici\n' "$(ipsec_state_dir)"; }

driver_check() {
  local file
  file=$(protocol_env_file ipsec)
  validate_common_keys ipsec
  validate_command charon-systemd swanctl
  [[ -n "${IPSEC_INTERFACE:-}" ]] || die "$file does not set IPSEC_INTERFACE"
  [[ "$IPSEC_INTERFACE" =~ ^ipsec[0-9]+$ ]] ||
    die "IPSEC_INTERFACE in $file must be a TUN kernel-libipsec makes (ipsec0, ipsec1, ...), not '$IPSEC_INTERFACE'"
  [[ -n "${IPSEC_CONFIG:-}" ]] || die "$file does not set IPSEC_CONFIG"
  validate_readable_file IPSEC_CONFIG "$IPSEC_CONFIG"
  grep -Eq '^[[:space:]]*connections[[:space:]]*\{' "$IPSEC_CONFIG" ||
    die "IPSEC_CONFIG $IPSEC_CONFIG has no connections { } section"
}

# shellcheck disable=SC2034 # daemon_driver reads DAEMON_ARGS and DAEMON_ENV
daemon_args() {
  local dir
  dir=$(ipsec_state_dir)
  install -d -m 0700 "$dir"
  # its log goes to the daemon's log in the state dir, after what it prints itself
  strongswan_conf "$IPSEC_PLUGINS" "$(ipsec_vici_socket)" "$VPNLENS_STATE_DIR/charon-systemd.log" \
    "pem pkcs1 pkcs8 x509 pubkey openssl random nonce" >"$dir/strongswan.conf"
  rm -f -- "$(ipsec_vici_socket)"
  DAEMON_ENV=("STRONGSWAN_CONF=$dir/strongswan.conf")
  DAEMON_ARGS=()
}

ipsec_swanctl() {
  STRONGSWAN_CONF="$(ipsec_state_dir)/strongswan.conf" swanctl "$@" --uri "unix://$(ipsec_vici_socket)"
}
# After charon made its TUN: wait until it answers on its control socket, hand it the
# connections (a child with start_action = start initiates at once), check the TUN's MTU.
daemon_configure() {
  local mtu
  local out
  poll_until 5000 ipsec_swanctl --stats ||
    die "charon-systemd does not answer on $(ipsec_vici_socket): $(tail -n 1 <<<"$POLL_OUTPUT")"
  out=$(ipsec_swanctl --load-all --file "$IPSEC_CONFIG" 2>&1) ||
    die "swanctl could not load $IPSEC_CONFIG: $(tail -n 1 <<<"$out")"
  link_mtu_into mtu "$IPSEC_INTERFACE" || die "charon-systemd runs but $IPSEC_INTERFACE does not exist"
  [[ "$mtu" == "$IPSEC_MTU" ]] ||
    log_warn "ipsec: $IPSEC_INTERFACE has MTU $mtu, not kernel-libipsec's $IPSEC_MTU; packets above $IPSEC_MTU will not cross"
}

driver_versions() {
  # "swanctl --version" asks the daemon; the first line of its help names the release
  jq -cn --arg v "$(swanctl --help 2>/dev/null | awk 'NR == 1 { print $2; exit }')" '{strongswan: $v}'
}

daemon_driver charon-systemd IPSEC_INTERFACE
