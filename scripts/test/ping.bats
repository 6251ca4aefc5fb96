#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2317  # bats runs each @test in a subshell and calls functions indirectly
# ping outputs (captured from real iputils ping) become raw samples for the control plane.

load helpers

setup() {
  setup_fakes
  load_node_libs
  OUT="$BATS_TEST_TMPDIR/lat.json"
}

teardown() { teardown_fakes; }

@test "every reply's rtt is kept, with packets sent and received" {
  ping_measure 127.0.0.1 5 0.2 "$OUT"
  run jq -c . "$OUT"
  assert_output '{"sent":5,"received":5,"rttMs":[0.109,0.037,0.038,0.059,0.034]}'
  run calls
  assert_output --partial "ping -n -c 5 -i 0.2 -W 2 127.0.0.1"
}

@test "lost packets are data, not a failure" {
  queue ping loss
  ping_measure 127.0.0.1 6 0.2 "$OUT"
  run jq -c . "$OUT"
  assert_output '{"sent":6,"received":4,"rttMs":[0.046,0.041,0.042,0.041]}'
}

@test "no reply at all (exit 1) is still a measurement: 0 of 3" {
  queue ping none
  ping_measure 127.0.0.1 3 0.2 "$OUT"
  run jq -c . "$OUT"
  assert_output '{"sent":3,"received":0,"rttMs":[]}'
}

@test "a ping that cannot run (no route) fails with ping's own message" {
  queue ping unreachable
  if ping_measure 127.0.0.1 3 0.2 "$OUT"; then fail "ping_measure succeeded"; fi
  assert_equal "$PING_ERROR" "ping 127.0.0.1 failed (exit 2): ping: connect: Network is unreachable"
}

@test "duplicates are not counted as replies" {
  {
    sed -n 1,2p "$FIXTURES/ping/ok.stdout"
    echo "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.200 ms (DUP!)"
    sed -n '3,$p' "$FIXTURES/ping/ok.stdout"
  } >"$BATS_TEST_TMPDIR/dup.txt"
  run ping_parse "$BATS_TEST_TMPDIR/dup.txt"
  assert_output '{"sent":5,"received":5,"rttMs":[0.109,0.037,0.038,0.059,0.034]}'
}
