#!/usr/bin/env bats
# shellcheck disable=SC2034  # the libraries read the globals set here
# Phase mechanics (lib/phases.sh): a phase's end becomes its event and its log line.

load helpers

setup() {
  setup_fakes
  load_node_libs
  RUN_DIR="$BATS_TEST_TMPDIR/run"
  mkdir -p "$RUN_DIR"
}

teardown() { teardown_fakes; }

@test "a phase's end is logged with its protocol, name, status and detail, and spooled as its event" {
  phase_begin wireguard bring_up 1700000000000
  run phase_end succeeded "up on vlwg-t1" 1700000000250
  assert_success
  assert_output --partial "[vpnlens] wireguard: bring_up succeeded: up on vlwg-t1"
  run jq -c '[.protocol, .phase, .status, .startedAt, .endedAt, .detail]' "$RUN_DIR/.spool/000001.phases.json"
  assert_output '["wireguard","bring_up","succeeded","2023-11-14T22:13:20.000Z","2023-11-14T22:13:20.250Z","up on vlwg-t1"]'
  assert_file_not_exists "$(phase_file)"
}

@test "a failed phase is logged as an error naming the protocol and the phase" {
  phase_begin nebula rung_ping
  run phase_end failed "no reply from 198.18.10.1"
  assert_success
  assert_output --partial "ERROR [vpnlens] nebula: rung_ping failed: no reply from 198.18.10.1"
}
