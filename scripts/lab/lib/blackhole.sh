# shellcheck shell=bash
# The seed's Docker MTU blackhole, on demand. The VPN endpoint's port on the bridge gets a
# smaller MTU than the hosts on either side of it, which keep 1500. A Linux bridge drops a
# frame larger than the port it leaves by without a word (no ICMP "fragmentation needed"),
# so pings, handshakes and small pages pass while a tunnel's full-size packets, once
# encapsulated, vanish: the ladder's first five rungs pass and TCP stalls.

# WireGuard's 1420-byte packets become 1480 bytes on the wire (60 bytes of IPv4, UDP and
# WireGuard); through 1432 the largest that crosses is 1360 (WireGuard pads what it carries
# to a multiple of 16 bytes: 1376 + 60 is already too much).
readonly LAB_BLACKHOLE_MTU=1432
readonly LAB_UNDERLAY_MTU=1500

is_valid_blackhole_mtu() { [[ "$1" =~ ^[0-9]+$ ]] && ((10#$1 >= 1280 && 10#$1 < LAB_UNDERLAY_MTU)); }
validate_blackhole_mtu() {
  is_valid_blackhole_mtu "$1" || die "the blackhole MTU must be a whole number from 1280 to $((LAB_UNDERLAY_MTU - 1)), got '$1'"
}

# blackhole_on [MTU]: idempotent; the lab must be up.
blackhole_on() {
  local mtu=${1:-$LAB_BLACKHOLE_MTU}
  validate_blackhole_mtu "$mtu"
  link_exists "$LAB_CP_VETH" || die "the lab is not up ($LAB_CP_VETH is missing)"
  run_cmd_fatal ip link set dev "$LAB_CP_VETH" mtu "$((10#$mtu))"
  log_info "blackhole on: $LAB_CP_VETH (the VPN endpoint's bridge port) has MTU $((10#$mtu)); hosts keep $LAB_UNDERLAY_MTU"
}

# blackhole_off: idempotent; nothing to do when the lab is down.
blackhole_off() {
  link_exists "$LAB_CP_VETH" || return 0
  run_cmd_fatal ip link set dev "$LAB_CP_VETH" mtu "$LAB_UNDERLAY_MTU"
  log_info "blackhole off: $LAB_CP_VETH has MTU $LAB_UNDERLAY_MTU again"
}

# blackhole_state: "on (MTU N)" or "off".
blackhole_state() {
  local mtu
  mtu=$(cat "/sys/class/net/$LAB_CP_VETH/mtu" 2>/dev/null) || mtu=$LAB_UNDERLAY_MTU
  if ((mtu < LAB_UNDERLAY_MTU)); then echo "on (MTU $mtu on $LAB_CP_VETH)"; else echo off; fi
}
