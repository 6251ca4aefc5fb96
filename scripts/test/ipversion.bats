#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2034,SC2317  # bats runs each @test in a subshell and calls functions indirectly
# settings.ipVersion 6: the ladder and the measurements use the protocol's PEER_IP6 with
# ping -6 and iperf3 -6; a node without IPv6, or a protocol that cannot carry it, fails with a
# sentence saying why, never measured over IPv4 instead. Every tool is faked: no IPv6 address
# is configured anywhere, and the only one in these configs is ::1.

load helpers

setup() {
  setup_fakes
  mkdir -p "$VPNLENS_STATE_DIR"
  # a /proc of our own for the IPv6 check: IPv6 on
  export VPNLENS_IPV6_PROC="$BATS_TEST_TMPDIR/proc"
  mkdir -p "$VPNLENS_IPV6_PROC/net" "$VPNLENS_IPV6_PROC/sys/net/ipv6/conf/all"
  : >"$VPNLENS_IPV6_PROC/net/if_inet6"
  echo 0 >"$VPNLENS_IPV6_PROC/sys/net/ipv6/conf/all/disable_ipv6"
  load_node_libs
  configure_protocols
  S_IP_VERSION=6 PROTOCOL=direct
  P="$BATS_TEST_TMPDIR/out"
}

teardown() { teardown_fakes; }

# add_env PROTOCOL KEY=VALUE...: more lines in its protocol.env.
add_env() {
  local protocol=$1
  shift
  printf '%s\n' "$@" >>"$VPNLENS_CONF_DIR/$protocol/protocol.env"
}

# bring_up PROTOCOL: what the bring_up phase does before the ladder: driver, peer, up.
bring_up() {
  PROTOCOL=$1
  load_driver "$1" required
  driver_check
  PROTO_IFACE=$(driver_interface)
  ip_version_peer "$1"
  ip_version_backend
  driver_up
}

# ip_version_setting PARAMS: settings.ipVersion as read_params reads it (a shell of its own:
# helpers.bash makes RUN_ID read-only here).
ip_version_setting() {
  bash -c 'source "$1/lib/node.sh"; read_params "$2"; echo "$S_IP_VERSION"' _ "$SCRIPTS_DIR" "$1"
}

@test "settings.ipVersion is required and is 4 or 6; anything else refuses the run naming the field" {
  local params="$BATS_TEST_TMPDIR/run/params.json" v
  write_params "$params" '["direct"]' '{"ipVersion": 6}'
  run ip_version_setting "$params"
  assert_success
  assert_output 6
  jq 'del(.settings.ipVersion)' "$params" >"$params.new" && mv "$params.new" "$params" && chmod 600 "$params"
  run ip_version_setting "$params"
  assert_failure
  assert_output --partial "settings.ipVersion is missing"
  for v in 5 0 '"6x"' '"v6"'; do
    write_params "$params" '["direct"]' "{\"ipVersion\": $v}"
    run ip_version_setting "$params"
    assert_failure
    assert_output --partial "settings.ipVersion must be 4 or 6, not '${v//\"/}'"
  done
}

@test "the node's IPv6: present unless /proc/net/if_inet6 is missing or disable_ipv6 is set" {
  node_has_ipv6
  assert_equal "$IPV6_OFF" ""
  echo 1 >"$VPNLENS_IPV6_PROC/sys/net/ipv6/conf/all/disable_ipv6"
  run -1 node_has_ipv6
  node_has_ipv6 || true
  assert_equal "$IPV6_OFF" "IPv6 is switched off (net.ipv6.conf.all.disable_ipv6 = 1)"
  rm "$VPNLENS_IPV6_PROC/net/if_inet6"
  node_has_ipv6 || true
  assert_equal "$IPV6_OFF" "the kernel has no IPv6 ($VPNLENS_IPV6_PROC/net/if_inet6 is missing: booted with ipv6.disable=1, or no ipv6 module)"
}

@test "ipVersion 4 keeps PEER_IP and the commands as they were: no -6 anywhere" {
  S_IP_VERSION=4
  add_env direct PEER_IP6=::1
  bring_up direct
  assert_equal "$PROTO_PEER" 127.0.0.1
  ladder_climb "$PROTO_IFACE" "$PROTO_PEER" "$PROTO_BACKEND" 2
  assert_equal "$LADDER_FAILED" ""
  run grep -c -- ' -6' "$FAKE_STATE/calls.log"
  assert_output 0
}

@test "direct over IPv6: the ladder asks ip -6 and pings -6 at the full size of an IPv6 packet, to PEER_IP6" {
  add_env direct PEER_IP6=::1
  printf 'fake0 ::1/128\n' >>"$FAKE_STATE/net/addrs"
  printf '::1/128 fake0\n' >>"$FAKE_STATE/net/routes"
  bring_up direct
  assert_equal "$PROTO_PEER" ::1
  : >"$FAKE_STATE/calls.log"
  ladder_climb "$PROTO_IFACE" "$PROTO_PEER" "$PROTO_BACKEND" 2
  assert_equal "$LADDER_FAILED$RUNG_ERROR" ""
  assert_equal "$(grep -E '^ip .*(addr|route|batch)' "$FAKE_STATE/calls.log")" "ip -o -6 -force -batch -"
  # 1500 bytes: 1452 of payload after 40 of IPv6 header and 8 of ICMPv6
  assert_equal "$(grep '^ping ' "$FAKE_STATE/calls.log")" "ping -6 -n -q -c 1 -w 1 -i 0.02 -M do -s 1452 ::1"
  assert_equal "$LADDER_PATH_MTU" 1500
}

@test "direct over IPv6 with an underlay that has no IPv6 address fails rung ip saying so" {
  add_env direct PEER_IP6=::1
  bring_up direct
  run -1 ladder_climb "$PROTO_IFACE" "$PROTO_PEER" "$PROTO_BACKEND" 1
  ladder_climb "$PROTO_IFACE" "$PROTO_PEER" "$PROTO_BACKEND" 1 || true
  assert_equal "$RUNG_ERROR" "rung ip: interface fake0 has no IPv6 address within 1 s"
}

@test "over IPv6, iperf3 runs with -6 to PEER_IP6 and ping with -6" {
  iperf_run upload ::1 5201 2 1 0 "$P" 4
  assert_equal "$IPERF_ERROR" ""
  ping_measure ::1 5 0.2 "$P-ping.json"
  run calls
  assert_output --partial "iperf3 -J -c ::1 -p 5201 -t 2 -O 1 --connect-timeout 5000 -6 -P 4"
  assert_output --partial "ping -6 -n -c 5 -i 0.2 -W 2 ::1"
  _probe_ping ::1
  run grep -c '^ping -6 -n -c 1 -W 0.2 ::1$' "$FAKE_STATE/calls.log"
  assert_output 1
}

@test "a protocol without PEER_IP6 fails, naming the key and what it is, and never falls back to PEER_IP" {
  run bring_up direct
  assert_failure
  assert_output --partial "direct cannot run over IPv6 (settings.ipVersion 6): $VPNLENS_CONF_DIR/direct/protocol.env does not set PEER_IP6, the peer's IPv6 address (the VPN endpoint's IPv6 address on the underlay)"
  run bring_up ipsec
  assert_failure
  assert_output --partial "ipsec cannot run over IPv6 (settings.ipVersion 6): $VPNLENS_CONF_DIR/ipsec/protocol.env does not set PEER_IP6, the peer's IPv6 address (the endpoint's IPv6 address inside the ipsec tunnel)"
  add_env direct PEER_IP6=127.0.0.1
  run bring_up direct
  assert_output --partial "PEER_IP6 in $VPNLENS_CONF_DIR/direct/protocol.env is not an IPv6 address: '127.0.0.1'"
}

@test "a node with IPv6 switched off fails every protocol with the reason, before anything comes up" {
  add_env wireguard PEER_IP6=::1 TUNNEL_IP6=::1/128
  echo 1 >"$VPNLENS_IPV6_PROC/sys/net/ipv6/conf/all/disable_ipv6"
  run bring_up wireguard
  assert_failure
  assert_output --partial "wireguard cannot run over IPv6 (settings.ipVersion 6): on this node IPv6 is switched off (net.ipv6.conf.all.disable_ipv6 = 1)"
  assert_equal "$(calls | grep -c '^wg-quick up')" 0
}

@test "wireguard over IPv6: the config copy gives the tunnel TUNNEL_IP6 and routes PEER_IP6 into it; the ladder climbs over them" {
  add_env wireguard PEER_IP6=::1 TUNNEL_IP6=::1/128
  bring_up wireguard
  local copy="$VPNLENS_STATE_DIR/wireguard/vlwg-t1.conf"
  assert_equal "$(grep -c '^Address = ::1/128$' "$copy")" 1
  assert_equal "$(grep -c '^AllowedIPs = ::1/128$' "$copy")" 1
  # the original's own lines stay
  assert_equal "$(grep -c '^AllowedIPs = 127.0.0.1/32$' "$copy")" 1
  : >"$FAKE_STATE/calls.log"
  ladder_climb "$PROTO_IFACE" "$PROTO_PEER" "$PROTO_BACKEND" 2
  assert_equal "$LADDER_FAILED$RUNG_ERROR" ""
  assert_equal "$(grep -E '^ip .*batch' "$FAKE_STATE/calls.log")" "ip -o -6 -force -batch -"
  # 1420 bytes through the tunnel: 1372 of payload
  assert_equal "$(grep '^ping ' "$FAKE_STATE/calls.log")" "ping -6 -n -q -c 1 -w 1 -i 0.02 -M do -s 1372 ::1"
}

@test "wireguard over IPv6 without TUNNEL_IP6 needs an IPv6 Address in its config, else fails saying so" {
  add_env wireguard PEER_IP6=::1
  run bring_up wireguard
  assert_failure
  assert_output --partial "wireguard cannot run over IPv6 (settings.ipVersion 6): WG_CONFIG $VPNLENS_CONF_DIR/wireguard/wg.conf gives the tunnel no IPv6 Address and $VPNLENS_CONF_DIR/wireguard/protocol.env does not set TUNNEL_IP6"
  sed -i 's#^Address = .*#Address = 127.0.0.2/32, ::1/128#' "$VPNLENS_CONF_DIR/wireguard/wg.conf"
  run bring_up wireguard
  assert_success
}

@test "openvpn over IPv6: TUNNEL_IP6 goes to the tun with --ifconfig-ipv6, peer PEER_IP6" {
  add_env openvpn PEER_IP6=::1 TUNNEL_IP6=::1/128
  bring_up openvpn
  run grep -c -- '^openvpn --config .* --dev vlovpn-t1 --dev-type tun --verb 3 --ifconfig-ipv6 ::1/128 ::1$' "$FAKE_STATE/calls.log"
  assert_output 1
  driver_down
}

@test "nebula before 1.10 cannot carry IPv6 in its overlay: it fails naming its version" {
  add_env nebula PEER_IP6=::1
  run bring_up nebula
  assert_failure
  assert_output --partial "nebula cannot run over IPv6 (settings.ipVersion 6): Nebula 1.6.1 gives its overlay IPv4 addresses only; IPv6 in the overlay needs Nebula 1.10 or later and a v2 host certificate with an IPv6 network"
  assert_equal "$(calls | grep -c '^nebula -config')" 0
}

@test "the backend rung asks BACKEND_URL6 over IPv6, and says so when there is none" {
  add_env direct PEER_IP6=::1 'BACKEND_URL6=https://[::1]:8088/'
  bring_up direct
  assert_equal "$PROTO_BACKEND" 'https://[::1]:8088/'
  assert_equal "$PROTO_BACKEND_NOTE" ""
  write_env direct UNDERLAY_IF=fake0 PEER_IP6=::1
  bring_up direct
  assert_equal "$PROTO_BACKEND" https://127.0.0.1:8088/
  assert_equal "$PROTO_BACKEND_NOTE" "backend rung asks BACKEND_URL https://127.0.0.1:8088/: no BACKEND_URL6 set"
}

@test "a whole run over IPv6: direct measured to PEER_IP6 with -6 throughout, nebula failed with its reason, the run goes on" {
  export LOAD_RAMP_BYTES=0 FAKE_IPERF3_TIME_SCALE=0.05
  local rundir="$VPNLENS_HOME/runs/$RUN_ID"
  add_env direct PEER_IP6=::1
  add_env nebula PEER_IP6=::1
  printf 'fake0 ::1/128\n' >>"$FAKE_STATE/net/addrs"
  printf '::1/128 fake0\n' >>"$FAKE_STATE/net/routes"
  write_params "$rundir/params.json" '["direct","nebula"]' '{"ipVersion": 6}'
  run "$SCRIPTS_DIR/run.sh" "$rundir/params.json"
  assert_success
  run jq -r '.settings.ipVersion, (.protocols[] | [.protocol, .status, .peer, (.error.phase // ""), (.error.message // "")] | @tsv)' "$rundir/results.json"
  assert_output "$(printf '6\ndirect\tsucceeded\t::1\t\t\nnebula\tfailed\t\tbring_up\tnebula cannot run over IPv6 (settings.ipVersion 6): Nebula 1.6.1 gives its overlay IPv4 addresses only; IPv6 in the overlay needs Nebula 1.10 or later and a v2 host certificate with an IPv6 network')"
  # every ping and iperf3 went to ::1 with -6; none to the IPv4 peer
  assert [ "$(calls | grep -c '^iperf3 -J -c ::1 .* -6')" -ge 5 ]
  assert [ "$(calls | grep -c '^ping -6 .*::1$')" -ge 3 ]
  assert_equal "$(calls | grep -E '^(ping|iperf3) ' | grep -v -- '--version' | grep -vc -- '^[a-z0-9]* -6 .*::1$\|^iperf3 -J -c ::1 .* -6\( \|$\)')" 0
  assert_equal "$(calls | grep -E '^(ping|iperf3) ' | grep -c '127\.0\.0\.1')" 0
}
