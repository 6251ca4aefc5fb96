#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2317  # bats runs each @test in a subshell and calls functions indirectly
# "switch.sh stop" = stop everything: whatever any protocol left in this network namespace
# goes; nothing else is touched; twice, or with nothing up, succeeds.

load helpers

setup() {
  setup_fakes
  configure_protocols
  load_node_libs
  mkdir -p "$VPNLENS_STATE_DIR"
}

teardown() {
  teardown_fakes
  [[ -n "${BYSTANDER:-}" ]] && kill "$BYSTANDER" 2>/dev/null
  return 0
}

# leave_everything_up: what a crashed run of every protocol could leave behind.
leave_everything_up() {
  local n="$FAKE_STATE/net"
  # wireguard: one from our config copy, one wg-quick made from somewhere else
  mkdir -p "$VPNLENS_STATE_DIR/wireguard"
  printf '[Interface]\nAddress = 127.0.0.2/32\nMTU = 1420\n' >"$VPNLENS_STATE_DIR/wireguard/vlwg-t1.conf"
  wg-quick up "$VPNLENS_STATE_DIR/wireguard/vlwg-t1.conf" 2>/dev/null
  printf 'wg9 wireguard 1420\n' >>"$n/links"
  # daemons with pidfiles: nebula, tailscaled, openvpn
  daemon_start nebula /dev/null nebula -config "$VPNLENS_CONF_DIR/nebula/config.yml"
  daemon_start tailscaled /dev/null tailscaled --tun=vlts-t1 --socket="$BATS_TEST_TMPDIR/ts.sock"
  daemon_start openvpn /dev/null openvpn --config "$VPNLENS_CONF_DIR/openvpn/client.conf" --dev vlovpn-t1
  # policy routing from wg-quick (table 51820) and tailscaled (table 52)
  printf '%s\n' $'0:\tfrom all lookup local' $'1000:\tfrom all lookup 5200' \
    $'5210:\tfrom all fwmark 0x80000/0xff0000 lookup main' $'5270:\tfrom all lookup 52' \
    $'32764:\tfrom all lookup main suppress_prefixlength 0' $'32765:\tnot from all fwmark 0xca6c lookup 51820' \
    $'32766:\tfrom all lookup main' $'32767:\tfrom all lookup default' >"$n/rules4"
  printf '%s\n' $'32765:\tnot from all fwmark 0xca6c lookup 51820' $'32766:\tfrom all lookup main' >"$n/rules6"
  printf '4 51820 default dev vlwg-t1\n4 52 127.0.0.1 dev vlts-t1\n6 51820 default dev vlwg-t1\n' >"$n/tables"
  poll_until 3000 fake_links_up || fail "fake daemons did not start"
}

fake_links_up() {
  grep -q '^vlneb-t1 ' "$FAKE_STATE/net/links" && grep -q '^vlts-t1 ' "$FAKE_STATE/net/links" &&
    grep -q '^vlovpn-t1 ' "$FAKE_STATE/net/links"
}

fake_daemons_alive() {
  local pid _ alive=0
  while read -r pid _; do
    is_running "$pid" && alive=$((alive + 1))
  done <"$FAKE_STATE/procs"
  echo "$alive"
}

@test "with nothing up, stop succeeds and deletes nothing, twice" {
  run "$SCRIPTS_DIR/switch.sh" stop
  assert_success
  run "$SCRIPTS_DIR/switch.sh" stop
  assert_success
  run grep -E '^ip .*(del|delete|flush)' "$FAKE_STATE/calls.log"
  assert_failure
  assert_equal "$(cat "$FAKE_STATE/net/links")" "fake0 ether 1500"
}

@test "stop removes every protocol's interfaces, daemons, pidfiles and policy routing" {
  leave_everything_up
  assert_equal "$(fake_daemons_alive)" 3
  run "$SCRIPTS_DIR/switch.sh" stop
  assert_success
  assert_equal "$(cat "$FAKE_STATE/net/links")" "fake0 ether 1500"
  assert_equal "$(fake_daemons_alive)" 0
  assert_file_not_exists "$VPNLENS_STATE_DIR/nebula.pid"
  assert_file_not_exists "$VPNLENS_STATE_DIR/tailscaled.pid"
  assert_file_not_exists "$VPNLENS_STATE_DIR/openvpn.pid"
  assert_equal "$(cut -f2 "$FAKE_STATE/net/rules4" | tr '\n' ';')" "from all lookup local;from all lookup 5200;from all lookup main;from all lookup default;"
  assert_equal "$(cut -f2 "$FAKE_STATE/net/rules6" | tr '\n' ';')" "from all lookup main;"
  assert_equal "$(cat "$FAKE_STATE/net/tables")" ""
  run calls
  assert_output --partial "wg-quick down $VPNLENS_STATE_DIR/wireguard/vlwg-t1.conf"
  assert_output --partial "ip link delete dev wg9"
  assert_output --partial "tailscale --socket=$VPNLENS_STATE_DIR/tailscale/tailscaled.sock down"
  assert_output --partial "tailscaled --cleanup --tun=vlts-t1"
}

@test "stop is idempotent: a second run finds nothing and changes nothing" {
  leave_everything_up
  run "$SCRIPTS_DIR/switch.sh" stop
  assert_success
  : >"$FAKE_STATE/calls.log"
  run "$SCRIPTS_DIR/switch.sh" stop
  assert_success
  run grep -E '^(ip .*(del|delete|flush)|wg-quick down|pkill)' "$FAKE_STATE/calls.log"
  assert_failure
}

@test "another namespace's userspace wireguard socket is never touched" {
  export FAKE_WG_FOREIGN_IFACES="vlwg-cp vlwg-n2"
  leave_everything_up
  run "$SCRIPTS_DIR/switch.sh" stop
  assert_success
  run grep -E 'vlwg-cp|vlwg-n2' "$FAKE_STATE/calls.log"
  refute_output --partial "delete"
  refute_output --partial "wg-quick"
}

@test "daemons without a pidfile are swept only within this network namespace" {
  nebula -config "$VPNLENS_CONF_DIR/nebula/config.yml" &
  poll_until 3000 grep -q '^vlneb-t1 ' "$FAKE_STATE/net/links" || fail "fake nebula did not start"
  run "$SCRIPTS_DIR/switch.sh" stop
  assert_success
  assert_equal "$(fake_daemons_alive)" 0
  run grep '^pgrep ' "$FAKE_STATE/calls.log"
  assert_output --partial "pgrep --ns "
  assert_output --partial " --nslist net -l"
  refute_output --regexp '^pgrep -x'
}

@test "a pidfile whose pid now belongs to another program does not get that program killed" {
  sleep 60 &
  BYSTANDER=$!
  printf '%s\n' "$BYSTANDER" >"$VPNLENS_STATE_DIR/nebula.pid"
  run "$SCRIPTS_DIR/switch.sh" stop
  assert_success
  kill -0 "$BYSTANDER" || fail "stop killed an unrelated process"
  assert_file_not_exists "$VPNLENS_STATE_DIR/nebula.pid"
}

@test "stop fails, naming what is left, when a leftover cannot be removed" {
  printf 'vlwg-t1 wireguard 1420\n' >>"$FAKE_STATE/net/links"
  # an ip that cannot delete links
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  printf '#!/bin/sh\ncase "$*" in *delete*) echo "RTNETLINK answers: Operation not permitted" >&2; exit 2;; esac\nexec "%s/fakes/cmd/ip" "$@"\n' "$TEST_DIR" >"$BATS_TEST_TMPDIR/bin/ip"
  chmod +x "$BATS_TEST_TMPDIR/bin/ip"
  PATH="$BATS_TEST_TMPDIR/bin:$PATH" run "$SCRIPTS_DIR/switch.sh" stop
  assert_failure
  assert_output --partial "could not remove all VPN state: wireguard"
}
