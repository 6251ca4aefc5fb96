# shellcheck shell=bash disable=SC2034,SC2153
# settings.ipVersion: the address family the ladder and the measurements use. 4: every
# protocol's PEER_IP. 6: its PEER_IP6 (protocol.env: the endpoint's IPv6 address for direct,
# the peer's address inside the tunnel for the others), once this node has IPv6 and the
# protocol's driver can carry it. Nothing falls back to IPv4: a protocol that cannot run over
# IPv6 fails with a sentence saying why.
#
# A driver that needs to know (or cannot carry IPv6 at all) defines driver_ipv6, called
# after driver_check when the run asks for IPv6 and this node has it: it dies with the reason
# the tunnel cannot carry IPv6, or checks what it needs. A driver that gives the tunnel an
# inner IPv6 address of its own takes it from TUNNEL_IP6 (protocol.env, with its prefix length).
[[ -n "${_VPNLENS_IPVERSION_SH:-}" ]] && return 0
_VPNLENS_IPVERSION_SH=1

# node_has_ipv6: the kernel has IPv6 and it is not switched off; else IPV6_OFF says why.
node_has_ipv6() {
  local disabled=''
  IPV6_OFF=''
  if [[ ! -e "$VPNLENS_IPV6_PROC/net/if_inet6" ]]; then
    IPV6_OFF="the kernel has no IPv6 ($VPNLENS_IPV6_PROC/net/if_inet6 is missing: booted with ipv6.disable=1, or no ipv6 module)"
    return 1
  fi
  read -r disabled <"$VPNLENS_IPV6_PROC/sys/net/ipv6/conf/all/disable_ipv6" 2>/dev/null || true
  if [[ "$disabled" != 0 ]]; then
    IPV6_OFF="IPv6 is switched off (net.ipv6.conf.all.disable_ipv6 = ${disabled:-unreadable})"
    return 1
  fi
}

# ipv6_refuse PROTOCOL REASON: fail the protocol because it cannot run over IPv6.
ipv6_refuse() {
  die "$1 cannot run over IPv6 (settings.ipVersion 6): $2"
}

# ip_version_peer PROTOCOL: PROTO_PEER for settings.ipVersion, after driver_check (the
# protocol's env and driver loaded). Dies naming why the protocol cannot use IPv6.
ip_version_peer() {
  local protocol=$1 file
  if [[ "$S_IP_VERSION" != 6 ]]; then
    PROTO_PEER=$PEER_IP
    return 0
  fi
  file=$(protocol_env_file "$protocol")
  node_has_ipv6 || ipv6_refuse "$protocol" "on this node $IPV6_OFF"
  if declare -F driver_ipv6 >/dev/null; then driver_ipv6; fi
  [[ -n "${PEER_IP6:-}" ]] ||
    ipv6_refuse "$protocol" "$file does not set PEER_IP6, the peer's IPv6 address ($(ipv6_peer_meaning "$protocol"))"
  validate_ipv6 "PEER_IP6 in $file" "$PEER_IP6"
  if [[ -n "${TUNNEL_IP6:-}" ]]; then
    validate_ipv6_cidr "TUNNEL_IP6 in $file" "$TUNNEL_IP6"
  fi
  PROTO_PEER=$PEER_IP6
}

# ip_version_backend: PROTO_BACKEND, the URL the ladder's backend rung asks: BACKEND_URL6 over
# IPv6 when set; else BACKEND_URL, and PROTO_BACKEND_NOTE says so in the bring_up phase.
ip_version_backend() {
  PROTO_BACKEND=$BACKEND_URL PROTO_BACKEND_NOTE=''
  [[ "$S_IP_VERSION" == 6 ]] || return 0
  if [[ -n "${BACKEND_URL6:-}" ]]; then
    validate_http_url "BACKEND_URL6 in $(protocol_env_file "$PROTOCOL")" "$BACKEND_URL6"
    PROTO_BACKEND=$BACKEND_URL6
  else
    PROTO_BACKEND_NOTE="backend rung asks BACKEND_URL $BACKEND_URL: no BACKEND_URL6 set"
  fi
}

# ipv6_peer_meaning PROTOCOL: what PEER_IP6 is for this protocol.
ipv6_peer_meaning() {
  if [[ "$1" == direct ]]; then
    echo "the VPN endpoint's IPv6 address on the underlay"
  else
    echo "the endpoint's IPv6 address inside the $1 tunnel"
  fi
}

# ip_family_args PEER: IP_FAMILY_ARGS, the option that makes ping or iperf3 use the peer's
# family: (-6) for an IPv6 address, none for IPv4 (their default).
ip_family_args() {
  IP_FAMILY_ARGS=()
  [[ "$1" != *:* ]] || IP_FAMILY_ARGS=(-6)
}
