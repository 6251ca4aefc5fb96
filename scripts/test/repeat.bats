#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2317  # bats runs each @test in a subshell and calls functions indirectly
# Throughput tests repeat settings.repeats times, then on up to maxRepeats while the
# relative standard deviation is above rsdThresholdPercent.

load helpers

setup() {
  setup_fakes
  load_node_libs
  SAMPLES="$BATS_TEST_TMPDIR/samples.json"
}

teardown() { teardown_fakes; }

# fake_test N: the Nth "measurement" takes the Nth value of $VALUES (bits per second).
fake_test() {
  local values
  read -r -a values <<<"$VALUES"
  ((${#values[@]} >= $1)) || fail "asked for run $1 of ${#values[@]}"
  printf '{"bitsPerSecond": %s}\n' "${values[$(($1 - 1))]}" >"$REPEAT_SAMPLE_FILE"
}

@test "RSD is the sample standard deviation over the mean, in percent" {
  echo '[{"bitsPerSecond":90},{"bitsPerSecond":100},{"bitsPerSecond":110}]' >"$SAMPLES"
  run rsd_percent "$SAMPLES"
  assert_output 10
  echo '[{"bitsPerSecond":100}]' >"$SAMPLES"
  run rsd_percent "$SAMPLES"
  assert_output 0
}

@test "stable samples stop at settings.repeats" {
  VALUES="100 101 100 100 100 100"
  repeat_until_stable "$SAMPLES" 3 6 5 fake_test
  assert_equal "$REPEAT_COUNT" 3
  run jq -c 'map(.bitsPerSecond)' "$SAMPLES"
  assert_output '[100,101,100]'
}

@test "noisy samples go on until the RSD drops under the threshold" {
  VALUES="100 150 120 121 119 120 120"
  repeat_until_stable "$SAMPLES" 3 6 10 fake_test
  # after 3: RSD 20.4 %, after 4: 16.8 %, after 5: 14.7 %, after 6: 13.2 %: never under 10
  assert_equal "$REPEAT_COUNT" 6
  VALUES="100 140 100 100 100 100"
  rm -f "$SAMPLES"
  repeat_until_stable "$SAMPLES" 3 6 15 fake_test
  # after 3: RSD 20.4 %, after 4: 18.2 %, after 5: 16.6 %, after 6: 15.3 %
  assert_equal "$REPEAT_COUNT" 6
  VALUES="100 120 100 100 100 100"
  rm -f "$SAMPLES"
  repeat_until_stable "$SAMPLES" 3 6 9 fake_test
  # after 3: RSD 10.8 %, after 4: 9.5 %, after 5: 8.6 %: stop at 5
  assert_equal "$REPEAT_COUNT" 5
}

@test "maxRepeats caps the runs however noisy they are" {
  VALUES="10 1000 10 1000 10 1000 10 1000"
  repeat_until_stable "$SAMPLES" 2 4 1 fake_test
  assert_equal "$REPEAT_COUNT" 4
  assert_equal "$(jq length "$SAMPLES")" 4
}

@test "maxRepeats below repeats still runs repeats times" {
  VALUES="100 200 300"
  repeat_until_stable "$SAMPLES" 3 1 1 fake_test
  assert_equal "$REPEAT_COUNT" 3
}

@test "a failing run ends the repeats and keeps the samples before it" {
  failing_second() {
    (($1 == 2)) && return 1
    printf '{"bitsPerSecond": 100}\n' >"$REPEAT_SAMPLE_FILE"
  }
  if repeat_until_stable "$SAMPLES" 3 6 5 failing_second; then fail "succeeded"; fi
  assert_equal "$REPEAT_COUNT" 1
  assert_equal "$(jq length "$SAMPLES")" 1
}

@test "needs_another_run decides from count, repeats, max and RSD" {
  run needs_another_run 2 3 6 50 5
  assert_success
  run needs_another_run 3 3 6 5.1 5
  assert_success
  run needs_another_run 3 3 6 5 5
  assert_failure
  run needs_another_run 6 3 6 50 5
  assert_failure
}
