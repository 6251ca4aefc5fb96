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
    "$(printf 'wireguard\tvlwg-t1\tnumber\tinterface,ip,route,ping,backend,full_size')"
  run link_exists vlneb-t1
  assert_failure
  assert_equal "$(link_mtu vlwg-t1)" 1420
  # stop everything came before the bring-up
  run grep -n -E '^(pgrep |wg-quick up)' "$FAKE_STATE/calls.log"
  assert_line --index 0 --partial "pgrep --ns "
}

@test "up logs each rung with the time it passed, and setupMs runs from the up command to rung ping" {
  run --separate-stderr "$SCRIPTS_DIR/switch.sh" up wireguard
  assert_success
  # shellcheck disable=SC2154 # run --separate-stderr sets it
  printf '%s\n' "$stderr" >"$BATS_TEST_TMPDIR/switch.log"
  local -a lines
  mapfile -t lines < <(grep -F '[switch] ladder: rung ' "$BATS_TEST_TMPDIR/switch.log")
  assert_equal "${#lines[@]}" 6
  local i rung ms by at prev=0
  for i in 0 1 2 3 4 5; do
    rung=$(jq -r ".ladder[$i].rung" <<<"$output")
    ms=$(jq -r ".ladder[$i].ms" <<<"$output")
    # a rung another rung's check proved says so: route by ip's, full_size by ping's
    by=$(jq -r ".ladder[$i].provenBy // empty" <<<"$output")
    [[ -z "$by" ]] || by=" \\(proven by rung $by\\)"
    assert_regex "${lines[i]}" "^[0-9T:.-]+Z INFO  \[switch\] ladder: rung $rung passed in $ms ms$by\$"
    at=$(iso_ms "${lines[i]%% *}")
    ((at >= prev)) || fail "rung $rung passed before the one before it"
    prev=$at
  done
  assert_equal "$(jq -c '[.ladder[] | select(.provenBy) | [.rung, .provenBy]]' <<<"$output")" '[["route","ip"],["full_size","ping"]]'
  # the lines come after the climb, stamped with the times the rungs passed
  local up ping finished
  up=$(log_line_ms "$BATS_TEST_TMPDIR/switch.log" "[switch] wireguard: wg-quick up")
  ping=$(log_line_ms "$BATS_TEST_TMPDIR/switch.log" "[switch] ladder: rung ping passed")
  finished=$(log_line_ms "$BATS_TEST_TMPDIR/switch.log" "passed the ladder")
  ((up <= ping && prev <= finished)) || fail "up $up, ping $ping, last rung $prev, finished $finished"
  local setup
  setup=$(jq .setupMs <<<"$output")
  # the clock starts just before the driver's up (its "wg-quick up" line comes a little later)
  ((setup >= ping - up && setup <= ping - up + 1000)) || fail "setupMs $setup, ping passed $((ping - up)) ms after wg-quick up"
}

@test "a rung in the middle that does not pass: the rungs before it logged, the failure, none after" {
  queue wg-quick noroute
  run "$SCRIPTS_DIR/switch.sh" up wireguard
  assert_failure
  assert_line --partial "[switch] ladder: rung interface passed in "
  assert_line --partial "[switch] ladder: rung ip passed in "
  assert_line --partial "[switch] ladder: rung route: 127.0.0.1 goes out via fake0, not via vlwg-t1 within 1 s"
  assert_line --partial "[switch] wireguard: rung route: 127.0.0.1 goes out via fake0, not via vlwg-t1 within 1 s"
  refute_output --partial "rung route passed"
  refute_output --partial "rung ping"
  assert_equal "$(calls | grep -cE '^(ping|curl) ')" 0
  assert_equal "$(cat "$FAKE_STATE/net/links")" "fake0 ether 1500"
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
