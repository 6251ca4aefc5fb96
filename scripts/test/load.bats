#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2317  # bats runs each @test in a subshell and calls functions indirectly
# Load like real traffic: parallel TCP streams (iperf3 -P) and both directions at once
# (--bidir), from outputs of real iperf3 3.12 runs (fixtures/iperf3/tcp_parallel, tcp_bidir).

load helpers

setup() {
  setup_fakes
  load_node_libs
  P="$BATS_TEST_TMPDIR/out"
}

teardown() { teardown_fakes; }

@test "-P 4: iperf3 runs four streams and the sample is their sum, saying how many" {
  iperf_run upload 127.0.0.1 5201 2 1 0 "$P" 4
  assert_equal "$IPERF_ERROR" ""
  run calls
  assert_output --partial "iperf3 -J -c 127.0.0.1 -p 5201 -t 2 -O 1 --connect-timeout 5000 -P 4"
  run jq -r '[.bitsPerSecond, .streams, .retransmits, (.reverseBitsPerSecond // "none")] | @tsv' "$P.sample"
  assert_output "$(jq -r '[.end.sum_received.bits_per_second, 4, .end.sum_sent.retransmits, "none"] | @tsv' \
    "$FIXTURES/iperf3/tcp_parallel.stdout")"
}

@test "--bidir: one sample holds both directions measured at the same time" {
  iperf_run bidir 127.0.0.1 5201 2 1 0 "$P" 4
  assert_equal "$IPERF_ERROR" ""
  run calls
  assert_output --partial " -P 4 --bidir"
  run jq -r '[.bitsPerSecond, .reverseBitsPerSecond, .reverseRetransmits, .streams] | @tsv' "$P.sample"
  assert_output "$(jq -r '[.end.sum_received.bits_per_second, .end.sum_received_bidir_reverse.bits_per_second,
    .end.sum_sent_bidir_reverse.retransmits, 4] | @tsv' "$FIXTURES/iperf3/tcp_bidir.stdout")"
}

@test "one stream passes no -P and says streams 1" {
  iperf_run upload 127.0.0.1 5201 2 1 0 "$P"
  run grep -c -- ' -P ' "$FAKE_STATE/calls.log"
  assert_output 0
  assert_equal "$(jq -r .streams "$P.sample")" 1
}

# streams_setting PARAMS: settings.parallelStreams as read_params reads it (a shell of its own:
# helpers.bash makes RUN_ID read-only here).
streams_setting() {
  bash -c 'source "$1/lib/node.sh"; read_params "$2"; echo "$S_PARALLEL_STREAMS"' _ "$SCRIPTS_DIR" "$1"
}

@test "settings.parallelStreams is required, and outside 1-16 the run is refused naming the field" {
  local params="$BATS_TEST_TMPDIR/run/params.json" n
  write_params "$params" '["direct"]'
  run streams_setting "$params"
  assert_success
  assert_output 4
  jq 'del(.settings.parallelStreams)' "$params" >"$params.new" && mv "$params.new" "$params" && chmod 600 "$params"
  run streams_setting "$params"
  assert_failure
  assert_output --partial "settings.parallelStreams is missing"
  for n in 0 17 -1 '"4x"' 2.5; do
    write_params "$params" '["direct"]' "{\"parallelStreams\": $n}"
    run streams_setting "$params"
    assert_failure
    assert_output --partial "settings.parallelStreams must be a whole number from 1 to 16, not '${n//\"/}'"
  done
  write_params "$params" '["direct"]' '{"parallelStreams": 16}'
  run streams_setting "$params"
  assert_output 16
}
