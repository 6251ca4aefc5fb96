# shellcheck shell=bash
# wireguard: wg-quick with the kernel module; wg-quick itself falls back to wireguard-go
# when the kernel has none and wireguard-go is on PATH (or WG_QUICK_USERSPACE_IMPLEMENTATION
# names it). The MTU is always 1420 (1500 underlay - 80 bytes of WireGuard overhead):
# forced in the config wg-quick reads and checked on the interface afterwards.
# Over IPv6 (settings.ipVersion 6) the copy also gives the tunnel TUNNEL_IP6 (Address) and
# routes PEER_IP6 into it (AllowedIPs), so wg-quick sets both up; without TUNNEL_IP6 the
# config's own Address must hold an IPv6 one.
# protocol.env: WG_INTERFACE, WG_CONFIG, optional WG_QUICK_USERSPACE_IMPLEMENTATION,
# PEER_IP6 and TUNNEL_IP6 for IPv6.

WG_MTU=1420

wg_state_dir() { printf '%s/wireguard\n' "$VPNLENS_STATE_DIR"; }

# wg-quick names the interface after the config file, so the config it reads is a copy
# named <WG_INTERFACE>.conf in the state dir.
wg_config_copy() { printf '%s/%s.conf\n' "$(wg_state_dir)" "$1"; }

driver_check() {
  local file
  file=$(protocol_env_file wireguard)
  validate_common_keys wireguard
  validate_command wg wg-quick
  [[ -n "${WG_INTERFACE:-}" ]] || die "$file does not set WG_INTERFACE"
  validate_interface WG_INTERFACE "$WG_INTERFACE"
  [[ -n "${WG_CONFIG:-}" ]] || die "$file does not set WG_CONFIG"
  validate_readable_file WG_CONFIG "$WG_CONFIG"
  grep -q '^[[:space:]]*\[Interface\]' "$WG_CONFIG" || die "WG_CONFIG $WG_CONFIG has no [Interface] section"
  if [[ -n "${WG_QUICK_USERSPACE_IMPLEMENTATION:-}" ]]; then
    validate_command "$WG_QUICK_USERSPACE_IMPLEMENTATION"
  fi
}

# An IPv6 run needs an IPv6 address on the tunnel: TUNNEL_IP6, or one in the config's Address.
driver_ipv6() {
  [[ -n "${TUNNEL_IP6:-}" ]] && return 0
  grep -Eiq '^[[:space:]]*Address[[:space:]]*=.*:' "$WG_CONFIG" ||
    ipv6_refuse wireguard "WG_CONFIG $WG_CONFIG gives the tunnel no IPv6 Address and $(protocol_env_file wireguard) does not set TUNNEL_IP6"
}

# wg_write_config SOURCE DEST: copy with "MTU = 1420" in [Interface], whatever SOURCE says;
# over IPv6, with TUNNEL_IP6 as an Address too, and PEER_IP6 allowed to the first peer.
wg_write_config() {
  local src=$1 dest=$2 address6='' allowed6=''
  if [[ "${S_IP_VERSION:-4}" == 6 ]]; then
    address6=${TUNNEL_IP6:-}
    allowed6=${PEER_IP6:+$PEER_IP6/128}
  fi
  install -d -m 0700 "$(dirname "$dest")"
  (
    umask 077
    awk -v mtu="$WG_MTU" -v address6="$address6" -v allowed6="$allowed6" '
      /^[[:space:]]*\[/ { in_if = ($0 ~ /^[[:space:]]*\[Interface\]/) }
      in_if && /^[[:space:]]*[Mm][Tt][Uu][[:space:]]*=/ { next }
      { print }
      /^[[:space:]]*\[Interface\]/ {
        print "MTU = " mtu
        if (address6 != "") print "Address = " address6
      }
      /^[[:space:]]*\[Peer\]/ && allowed6 != "" && !peered { print "AllowedIPs = " allowed6; peered = 1 }
    ' "$src" >"$dest.tmp"
    mv -f "$dest.tmp" "$dest"
  )
}

# wg_quick ARGS...: wg-quick in its own session, so wireguard-go (which stays in the
# caller's process group) survives a kill of run.sh's group until teardown stops it.
wg_quick() {
  WG_QUICK_USERSPACE_IMPLEMENTATION=${WG_QUICK_USERSPACE_IMPLEMENTATION:-} setsid -w wg-quick "$@"
}

driver_up() {
  local conf mtu
  conf=$(wg_config_copy "$WG_INTERFACE")
  wg_write_config "$WG_CONFIG" "$conf"
  log_info "wireguard: wg-quick up $conf"
  wg_quick up "$conf" || die "wg-quick up $WG_INTERFACE failed (see run.log)"
  link_mtu_into mtu "$WG_INTERFACE" || die "wg-quick up returned but $WG_INTERFACE does not exist"
  if [[ "$mtu" != "$WG_MTU" ]]; then
    log_warn "wireguard: $WG_INTERFACE has MTU $mtu, forcing $WG_MTU"
    ip link set dev "$WG_INTERFACE" mtu "$WG_MTU" || die "could not set MTU $WG_MTU on $WG_INTERFACE"
  fi
}

# Interfaces wg knows that exist in this network namespace. Userspace sockets in
# /var/run/wireguard are shared by every namespace on the machine, so "wg show
# interfaces" alone would name other lab nodes' tunnels.
wg_interfaces_here() {
  local iface
  for iface in $(wg show interfaces 2>/dev/null) $(ip -o link show type wireguard 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
    if link_exists "$iface"; then
      printf '%s\n' "$iface"
    fi
  done | sort -u
}

driver_down() {
  local iface conf rc=0
  while read -r iface; do
    [[ -n "$iface" ]] || continue
    conf=$(wg_config_copy "$iface")
    if [[ -r "$conf" ]]; then
      # wg-quick down also removes its table-51820 rules and the suppress_prefixlength rule
      log_info "wireguard: wg-quick down $iface"
      wg_quick down "$conf" || log_warn "wg-quick down $iface failed; deleting the interface"
    fi
    delete_link "$iface" || rc=1
  done < <(wg_interfaces_here)
  # wireguard-go exits when its interface goes; one left over in this namespace is stopped
  sweep_my_netns wireguard-go || rc=1
  if [[ -n "${WG_INTERFACE:-}" ]] && link_exists "$WG_INTERFACE"; then
    rc=1
  fi
  return "$rc"
}

driver_interface() { printf '%s\n' "$WG_INTERFACE"; }

driver_daemon_pid() {
  pids_in_my_netns wireguard-go "^wireguard-go( -f| --foreground)? $WG_INTERFACE\$" | head -n 1
}

driver_versions() {
  local tools go=""
  tools=$(wg --version 2>/dev/null | awk '{ print $2; exit }')
  if [[ -n "$(driver_daemon_pid)" ]]; then
    go=$(${WG_QUICK_USERSPACE_IMPLEMENTATION:-wireguard-go} --version 2>/dev/null | awk 'NR == 1 { sub(/^v/, "", $2); print $2 }')
  fi
  jq -cn --arg tools "$tools" --arg go "$go" --arg kernel "$(uname -r)" '
    {"wireguard-tools": $tools}
    + (if $go != "" then {"wireguard-go": $go} else {"kernel": $kernel} end)'
}

# _wg_gone: neither the interface nor its wireguard-go is left in this namespace.
_wg_gone() { ! link_exists "$WG_INTERFACE" && [[ -z "$(driver_daemon_pid)" ]]; }

driver_restart() {
  local conf
  conf=$(wg_config_copy "$WG_INTERFACE")
  wg_quick down "$conf" || log_warn "wireguard: wg-quick down failed during restart"
  wg_quick up "$conf" && return 0
  # The old wireguard-go leaves a moment after its interface; until then the name or its UAPI
  # socket can still be taken. Once more, when it has gone.
  log_warn "wireguard: wg-quick up $WG_INTERFACE failed during restart; once more when the old one has gone"
  wg_quick down "$conf" >/dev/null 2>&1 || true
  poll_until 5000 _wg_gone || log_warn "wireguard: $WG_INTERFACE or its wireguard-go still there after 5 s"
  wg_quick up "$conf" || die "wg-quick up $WG_INTERFACE failed during restart, twice"
}
