#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2317  # bats runs each @test in a subshell and calls functions indirectly
# iperf3 outputs (captured from real iperf3 3.12 runs, see fixtures/README.md) become
# samples, and every non-standard outcome becomes an error with iperf3's own words.

load helpers

setup() {
  setup_fakes
  load_node_libs
  P="$BATS_TEST_TMPDIR/out"
}

teardown() { teardown_fakes; }

@test "a TCP upload becomes a sample: receiver rate, bytes, retransmits, CPU, intervals without the omitted one" {
  iperf_run upload 127.0.0.1 5201 2 1 0 "$P"
  assert_equal "$IPERF_ERROR" ""
  run jq -r '[.bitsPerSecond, .bytes, .retransmits, .cpuLocalPercent, .cpuRemotePercent, (.intervals | length)] | @tsv' "$P.sample"
  assert_output "$(jq -r '[.end.sum_received.bits_per_second, .end.sum_received.bytes, .end.sum_sent.retransmits,
    .end.cpu_utilization_percent.host_total, .end.cpu_utilization_percent.remote_total, 2] | @tsv' "$FIXTURES/iperf3/tcp_upload.stdout")"
  run jq -r '.intervals[0]' "$P.sample"
  assert_output "$(jq -r '[.intervals[] | select(.sum.omitted | not)][0].sum.bits_per_second' "$FIXTURES/iperf3/tcp_upload.stdout")"
  run calls
  assert_output --partial "iperf3 -J -c 127.0.0.1 -p 5201 -t 2 -O 1 --connect-timeout 5000"
}

@test "a TCP download runs iperf3 with -R" {
  iperf_run download 127.0.0.1 5201 2 1 0 "$P"
  assert_equal "$IPERF_ERROR" ""
  run calls
  assert_output --partial " -R"
  run jq -r .bitsPerSecond "$P.sample"
  assert_output "$(jq -r .end.sum_received.bits_per_second "$FIXTURES/iperf3/tcp_download.stdout")"
}

@test "a UDP test runs at the target rate and reports the arrived rate, jitter and loss" {
  iperf_run udp 127.0.0.1 5201 2 1 10 "$P"
  assert_equal "$IPERF_ERROR" ""
  run calls
  assert_output --partial "-u -b 10M"
  run jq -c '[.bitsPerSecond > 0, .jitterMs, .lostPackets, .packets, .lostPercent]' "$P.sample"
  assert_output "$(jq -c '[true, .end.sum.jitter_ms, .end.sum.lost_packets, .end.sum.packets, .end.sum.lost_percent]' "$FIXTURES/iperf3/udp.stdout")"
}


@test "connection refused (exit 0 with an error member) fails with iperf3's message" {
  queue iperf3 refused
  if iperf_run upload 127.0.0.1 5201 2 1 0 "$P"; then fail "iperf_run succeeded"; fi
  assert_equal "$IPERF_ERROR" "iperf3: unable to connect to server: Connection refused"
  assert_file_not_exists "$P.sample"
  assert_equal "$(cat "$P.error")" "$IPERF_ERROR"
}

# fake_clock: clock_ms on a clock of its own, moved only by the pauses (recorded in PAUSES).
fake_clock() {
  FAKE_NOW=1700000000000 PAUSES=()
  clock_ms() { printf -v "$1" '%d' "$FAKE_NOW"; }
  pause_ms() {
    PAUSES+=("$1")
    FAKE_NOW=$((FAKE_NOW + $1))
  }
}

@test "a busy server is asked again with growing pauses, and the test runs once it is free" {
  fake_clock
  queue iperf3 busy busy busy tcp_upload
  iperf_measure upload 127.0.0.1 5201 2 1 0 "$P"
  assert_equal "$IPERF_ERROR" ""
  assert_equal "${PAUSES[*]}" "500 1000 2000"
  assert_equal "$(calls | grep -c '^iperf3 -J')" 4
  assert_file_exists "$P.sample"
}

@test "a server busy for longer than the bound fails with iperf3's message and how long it was asked" {
  fake_clock
  queue iperf3 busy busy busy busy busy busy busy busy busy busy
  if iperf_measure upload 127.0.0.1 5201 2 1 0 "$P"; then fail "iperf_run succeeded"; fi
  # 0.5 + 1 + 2 + 4 + 8 s fit in the 20 s bound, 16 more would not
  assert_equal "${PAUSES[*]}" "500 1000 2000 4000 8000"
  assert_equal "$IPERF_ERROR" "iperf3: the server is busy running a test. try again later (still busy after 6 tries within 20 s)"
  assert_equal "$(cat "$P.error")" "$IPERF_ERROR"
}

@test "other failures are not asked again" {
  fake_clock
  queue iperf3 refused tcp_upload
  if iperf_measure upload 127.0.0.1 5201 2 1 0 "$P"; then fail "iperf_run succeeded"; fi
  assert_equal "${#PAUSES[@]}" 0
  assert_equal "$(calls | grep -c '^iperf3 -J')" 1
}

@test "a server that dies mid-test fails, although the JSON has intervals and the exit code is 0" {
  queue iperf3 server_terminated
  if iperf_run upload 127.0.0.1 5201 2 1 0 "$P"; then fail "iperf_run succeeded"; fi
  assert_equal "$IPERF_ERROR" "iperf3: the server has terminated"
}

@test "a non-zero exit with a JSON error body (iperf3 3.13+) fails with the JSON's message" {
  queue iperf3 refused:1
  if iperf_run upload 127.0.0.1 5201 2 1 0 "$P"; then fail "iperf_run succeeded"; fi
  assert_equal "$IPERF_ERROR" "iperf3: unable to connect to server: Connection refused"
}

@test "a parameter error (usage text instead of JSON, exit 1) fails with iperf3's stderr line" {
  queue iperf3 param_error
  if iperf_run upload 127.0.0.1 5201 2 1 0 "$P"; then fail "iperf_run succeeded"; fi
  assert_equal "$IPERF_ERROR" "iperf3: parameter error - only one test end condition (-t, -n, -k) may be specified"
}

@test "truncated JSON from a killed iperf3 fails without crashing" {
  queue iperf3 truncated
  if iperf_run upload 127.0.0.1 5201 2 1 0 "$P"; then fail "iperf_run succeeded"; fi
  assert_equal "$IPERF_ERROR" "iperf3 did not finish in time and was killed"
  queue iperf3 truncated:0
  if iperf_run upload 127.0.0.1 5201 2 1 0 "$P"; then fail "iperf_run succeeded"; fi
  assert_equal "$IPERF_ERROR" "iperf3 printed invalid or truncated JSON (exit 0)"
}

@test "valid JSON with no end summary, or 0 bit/s, is an error, never a silent 0" {
  jq 'del(.end.sum_received)' "$FIXTURES/iperf3/tcp_upload.stdout" >"$P.json"
  : >"$P.stderr"
  run iperf_error "$P.json" "$P.stderr" 0 tcp
  assert_output "iperf3 JSON has no end summary (.end.sum_received)"
  jq '.end.sum_received.bits_per_second = 0' "$FIXTURES/iperf3/tcp_upload.stdout" >"$P.json"
  run iperf_error "$P.json" "$P.stderr" 0 tcp
  assert_output "iperf3 measured 0 bit/s: nothing went through"
  : >"$P.json"
  run iperf_error "$P.json" "$P.stderr" 1 tcp
  assert_output "iperf3 exited with status 1 and printed nothing"
}

@test "a successful output is not an error" {
  : >"$P.stderr"
  run iperf_error "$FIXTURES/iperf3/tcp_upload.stdout" "$P.stderr" 0 tcp
  assert_success
  assert_output ""
  run iperf_error "$FIXTURES/iperf3/udp.stdout" "$P.stderr" 0 udp
  assert_output ""
}

@test "the iperf3 version comes from iperf3 --version" {
  run iperf_version
  assert_output 3.12
}
