#!/usr/bin/env bats
# bench/lib/report.sh's table: values rounded for reading, except a miss that rounding would put
# on its target's bound, which shows the digit that misses; and bench.sh's --repeats, refused
# before it publishes or starts anything when it is not a whole number above 0.

setup() {
  load helpers
  RESULTS="$BATS_TEST_TMPDIR/results.json"
  jq -n '{figures: [
    {figure: "ratio that misses on the bound", unit: "ratio", value: 0.96996, spread: {min: 0.9, max: 1.2}, n: 5, target: ">= 0.97", pass: false},
    {figure: "ratio that passes", unit: "ratio", value: 1.17935, spread: {min: 0.897, max: 1.286}, n: 5, target: ">= 0.97", pass: true},
    {figure: "ceiling missed on the bound", unit: "ratio", value: 1.20004, spread: null, n: 5, target: "<= 1.2", pass: false},
    {figure: "miss well past the bound", unit: "ms", value: 33.31, spread: {min: 28.74, max: 45.66}, n: 3, target: "<= 20", pass: false},
    {figure: "no target", unit: "s/GB", value: 23.9036, spread: null, n: 5, target: "—", pass: null}]}' >"$RESULTS"
}

report() {
  bash -c 'source "$1/bench/lib/common.sh" && source "$1/bench/lib/report.sh" && report_table "$2" markdown' \
    _ "$REPO_DIR" "$RESULTS"
}

@test "a miss that rounds onto its bound shows the digit that misses, on the failing side" {
  run report
  assert_success
  assert_line '| ratio that misses on the bound | 0.9699 ratio [0.9–1.2] n=5 | >= 0.97 | MISS |'
  assert_line '| ceiling missed on the bound | 1.2001 ratio n=5 | <= 1.2 | MISS |'
}

@test "every other value is rounded as before" {
  run report
  assert_success
  assert_line '| ratio that passes | 1.179 ratio [0.897–1.286] n=5 | >= 0.97 | pass |'
  assert_line '| miss well past the bound | 33.3 ms [28.7–45.7] n=3 | <= 20 | MISS |'
  assert_line '| no target | 23.9 s/GB n=5 | — | info |'
}

@test "bench.sh refuses --repeats that is not a whole number above 0" {
  local bad
  for bad in 0 -1 x 2.5; do
    run "$REPO_DIR/bench/bench.sh" --repeats "$bad"
    assert_failure
    assert_output --partial "--repeats must be a whole number above 0, got '$bad'"
  done
}
