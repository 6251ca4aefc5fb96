#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2317  # bats runs each @test in a subshell and calls functions indirectly
# switch.sh: "stop" (see stop.bats) and "up <protocol>" = stop everything, bring up, ladder.

load helpers

setup() {
  setup_fakes
  configure_protocols
  load_node_libs
  export VPNLENS_LADDER_TIMEOUT_SECONDS=1
}

teardown() { teardown_fakes; }

@test "up stops everything first, brings the protocol up and prints the ladder" {
  # a leftover from another protocol
  nebula -config "$VPNLENS_CONF_DIR/nebula/config.yml" &
  poll_until 3000 link_exists vlneb-t1 || fail "fake nebula did not start"
  run --separate-stderr "$SCRIPTS_DIR/switch.sh" up wireguard
  assert_success
  assert_equal "$(jq -r '[.protocol, .interface, (.setupMs | type), (.ladder | map(.rung) | join(","))] | @tsv' <<<"$output")" \
    "$(printf 'wireguard\tvlwg-t1\tnumber\tinterface,ip,route,ping,backend')"
  run link_exists vlneb-t1
  assert_failure
  assert_equal "$(link_mtu vlwg-t1)" 1420
  # stop everything came before the bring-up
  run grep -n -E '^(pgrep .*nebula|wg-quick up)' "$FAKE_STATE/calls.log"
  assert_line --index 0 --partial "nebula"
}

@test "a rung that does not pass names itself, fails, and leaves nothing up" {
  export FAKE_PING_DEFAULT=none
  run "$SCRIPTS_DIR/switch.sh" up wireguard
  assert_failure
  assert_output --partial "wireguard: rung ping: no reply from 127.0.0.1 within 1 s"
  assert_output --partial "stopping everything"
  assert_equal "$(cat "$FAKE_STATE/net/links")" "fake0 ether 1500"
}

@test "up with a tailscale key file stays headless" {
  printf 'hskey-switch\n' >"$BATS_TEST_TMPDIR/key"
  TS_AUTH_KEY_FILE="$BATS_TEST_TMPDIR/key" run "$SCRIPTS_DIR/switch.sh" up tailscale
  assert_success
  run grep -c hskey-switch "$FAKE_STATE/calls.log"
  assert_output 0
  "$SCRIPTS_DIR/switch.sh" stop
}

@test "usage errors" {
  run "$SCRIPTS_DIR/switch.sh"
  assert_failure 2
  assert_output --partial "usage:"
  run "$SCRIPTS_DIR/switch.sh" up
  assert_failure 2
  run "$SCRIPTS_DIR/switch.sh" up bogus
  assert_failure
  assert_output --partial "no driver for protocol 'bogus'"
  run "$SCRIPTS_DIR/switch.sh" stop extra
  assert_failure 2
}
