#!/usr/bin/env bats
# shellcheck disable=SC2016 # single-quoted snippets run in another shell
# bench/lib/verdicts.sh and its figures: consecutive succeeded runs of each protocol are compared
# through the app's /api/compare (here a fake app_api that records what it was asked), and each
# figure (the bench's settings; the product's defaults) counts the comparisons called different
# among those the verdict could judge.

setup() {
  load helpers
  bats_require_minimum_version 1.5.0
  export BENCH_WORK="$BATS_TEST_TMPDIR/work"
  mkdir -p "$BENCH_WORK/runs"
}

# run_file PAIR PROTOCOL RUN_ID QUEUED_AT STATE VPN_STATUS: a run's evidence as runs.sh writes it.
run_file() {
  jq -cn --argjson pair "$1" --arg p "$2" --arg id "$3" --arg queued "$4" --arg state "$5" --arg status "$6" \
    '{pair: $pair, protocol: $p, runId: $id, state: $state,
      run: {queuedAt: $queued, results: {protocols: [{protocol: "direct", status: "succeeded"}, {protocol: $p, status: $status}]}}}' \
    >"$BENCH_WORK/runs/run-$1-$2.json"
}

compare_with_fake_api() {
  bash -c '
    source "$1/bench/lib/common.sh"
    source "$1/bench/lib/runs.sh"
    source "$1/bench/lib/verdicts.sh"
    BENCH_WORK=$2 # common.sh starts it empty
    app_api() {
      echo "$3" >>"$BENCH_WORK/asked"
      local a=${3#*a=} b=${3#*b=}
      a=${a%%&*}
      jq -cn --arg a "$a" --arg b "$b" "{changes: [
        {protocol: \"direct\", metric: \"tcp_upload\", call: \"within_noise\"},
        {protocol: \"wireguard\", metric: \"tcp_upload\", call: (if \$b == \"w3\" then \"different\" else \"within_noise\" end)},
        {protocol: \"nebula\", metric: \"setup\", call: \"no_confidence\"}]}"
    }
    measure_false_differences 5180
  ' _ "$REPO_DIR" "$BENCH_WORK"
}

figure() {
  bench_figures '{"vpns": [], "settingsLabel": "5 s TCP/UDP tests, 3 repeats, 20 pings", "runSettings": {"repeats": 3},
    "seedMain": 1, "seedSmall": 1, "seedLarge": 1, "wrkConnections": 1, "circuits": 1, "wrkReps": 1}' \
    verdicts.jsonl="$BENCH_WORK/verdicts.jsonl" | jq -c '.[] | select(.id == "verdict.falseDifference")'
}

@test "each protocol's consecutive succeeded runs are compared in queue order; a failed run is left out" {
  run_file 1 wireguard w1 2026-12-05T10:00:00Z Succeeded succeeded
  run_file 1 nebula n1 2026-12-05T10:05:00Z Succeeded succeeded
  run_file 2 wireguard w2 2026-12-05T10:10:00Z Failed failed
  run_file 2 nebula n2 2026-12-05T10:15:00Z Succeeded succeeded
  run_file 3 wireguard w3 2026-12-05T10:20:00Z Succeeded succeeded
  run compare_with_fake_api
  assert_success
  # direct is in every succeeded run; the failed w2 is in no pair
  assert_equal "$(cat "$BENCH_WORK/asked")" "$(printf '%s\n' '/api/compare?a=w1&b=n1' '/api/compare?a=n1&b=n2' \
    '/api/compare?a=n2&b=w3' '/api/compare?a=w1&b=w3' '/api/compare?a=n1&b=n2')"
  run jq -sc 'map("\(.protocol) \(.a)>\(.b) \(.call)")' "$BENCH_WORK/verdicts.jsonl"
  assert_output '["direct w1>n1 within_noise","direct n1>n2 within_noise","direct n2>w3 within_noise","wireguard w1>w3 different","nebula n1>n2 no_confidence"]'
}

@test "the figure is the share called different among the judged comparisons, per protocol in the note" {
  run_file 1 wireguard w1 2026-12-05T10:00:00Z Succeeded succeeded
  run_file 2 wireguard w3 2026-12-05T10:20:00Z Succeeded succeeded
  run_file 1 nebula n1 2026-12-05T10:05:00Z Succeeded succeeded
  run_file 2 nebula n2 2026-12-05T10:15:00Z Succeeded succeeded
  compare_with_fake_api
  rm -r "$BENCH_WORK/runs" # the other figures need whole runs; this one reads only verdicts.jsonl
  run --separate-stderr figure
  assert_success
  assert_equal "$(jq -r '[.value, .n, .pass, .target] | @tsv' <<<"$output")" "$(printf '25\t4\tfalse\t<= 5')"
  assert_equal "$(jq -r .note <<<"$output" | cut -d';' -f1)" "1 of 4 metric comparisons called different (direct 0/3, WireGuard 1/1: tcp_upload)"
}

@test "with one repetition per run nothing is judged, and the figure says it was not measured" {
  printf '%s\n' '{"protocol":"direct","a":"1","b":"2","metric":"tcp_upload","call":"no_confidence"}' >"$BENCH_WORK/verdicts.jsonl"
  run --separate-stderr figure
  assert_success
  assert_equal "$(jq -r '[.value, .n, .pass] | @tsv' <<<"$output")" "$(printf '\t0\t')"
  assert_equal "$(jq -r .note <<<"$output")" \
    "not measured: 1 comparisons, none with an interval (one repetition per run), so the verdict calls no difference"
}

@test "a Completed run (some protocols failed) ends the bench's wait, and its succeeded protocols are compared" {
  run bash -c 'source "$1/bench/lib/common.sh"; source "$1/bench/lib/runs.sh"; is_terminal_state Completed && ! is_terminal_state Running' _ "$REPO_DIR"
  assert_success
  run_file 1 nebula n1 2026-12-05T10:05:00Z Succeeded succeeded
  run_file 2 nebula n2 2026-12-05T10:15:00Z Completed succeeded
  run_file 3 nebula n3 2026-12-05T10:25:00Z Completed failed
  compare_with_fake_api
  assert_equal "$(jq -r 'select(.protocol == "nebula") | "\(.a)>\(.b)"' "$BENCH_WORK/verdicts.jsonl")" "n1>n2"
}

# defaults_figure VERDICTS_FILE [NOT_MEASURED_FILE]: the figure at the product's defaults.
defaults_figure() {
  local inputs=(verdicts-defaults.jsonl="$1")
  [[ -z "${2:-}" ]] || inputs+=(not-measured.jsonl="$2")
  bench_figures '{"vpns": [], "settingsLabel": "5 s TCP/UDP tests, 3 repeats, 20 pings", "runSettings": {"repeats": 3},
    "seedMain": 1, "seedSmall": 1, "seedLarge": 1, "wrkConnections": 1, "circuits": 1, "wrkReps": 1}' \
    "${inputs[@]}" | jq -c '.[] | select(.id == "verdict.falseDifferenceDefaults")'
}

@test "the defaults' runs are compared from their own folder into their own evidence, for the protocols named" {
  mkdir -p "$BENCH_WORK/verdict-runs"
  local i
  for i in 1 2 3; do
    jq -cn --arg id "d$i" --arg q "2026-12-06T10:0$i:00Z" \
      '{runId: $id, state: "Succeeded", run: {queuedAt: $q, results: {protocols: [{protocol: "direct", status: "succeeded"}]}}}' \
      >"$BENCH_WORK/verdict-runs/$(printf 'run-%03d.json' "$i")"
  done
  run_file 1 wireguard w1 2026-12-05T10:00:00Z Succeeded succeeded # part_lab's: not in this figure
  run bash -c '
    source "$1/bench/lib/common.sh"
    source "$1/bench/lib/runs.sh"
    source "$1/bench/lib/verdicts.sh"
    BENCH_WORK=$2
    app_api() {
      echo "$3" >>"$BENCH_WORK/asked"
      echo "{\"changes\": [{\"protocol\": \"direct\", \"metric\": \"tcp_upload\", \"call\": \"within_noise\"}]}"
    }
    measure_false_differences 5184 "$BENCH_WORK/verdict-runs" "$BENCH_WORK/verdicts-defaults.jsonl" direct nebula
  ' _ "$REPO_DIR" "$BENCH_WORK"
  assert_success
  assert_equal "$(cat "$BENCH_WORK/asked")" "$(printf '%s\n' '/api/compare?a=d1&b=d2' '/api/compare?a=d2&b=d3')"
  assert_equal "$(jq -sc 'map("\(.a)>\(.b)")' "$BENCH_WORK/verdicts-defaults.jsonl")" '["d1>d2","d2>d3"]'
  [[ ! -e "$BENCH_WORK/verdicts.jsonl" ]]
}

@test "the figure at the defaults is its own, named for its settings and listing what was called different" {
  printf '%s\n' '{"protocol":"direct","a":"1","b":"2","metric":"tcp_upload","call":"within_noise"}' \
    '{"protocol":"direct","a":"2","b":"3","metric":"udp_loss","call":"different"}' \
    '{"protocol":"direct","a":"2","b":"3","metric":"setup","call":"no_confidence"}' >"$BENCH_WORK/d.jsonl"
  run --separate-stderr defaults_figure "$BENCH_WORK/d.jsonl"
  assert_success
  assert_equal "$(jq -r '[.value, .n, .pass] | @tsv' <<<"$output")" "$(printf '50\t2\tfalse')"
  assert_equal "$(jq -r .note <<<"$output")" "1 of 2 metric comparisons called different (direct 1/2: udp_loss); consecutive runs of direct + WireGuard at the product's default settings (an app given no Runs:Settings), each comparison with the node's other runs as its run-to-run spread; 1 without an interval not counted"
}

@test "a profile that runs none at the defaults says so, and the figure is not measured with that reason" {
  run bash -c '
    source "$1/bench/lib/common.sh"
    source "$1/bench/lib/control_plane.sh"
    source "$1/bench/lib/runs.sh"
    source "$1/bench/lib/verdicts.sh"
    BENCH_WORK=$2 BENCH_VERDICT_RUNS=0 PROFILE=smoke
    bench_lab_up() { echo "the lab was built" >&2; return 1; }
    part_verdict_defaults
  ' _ "$REPO_DIR" "$BENCH_WORK"
  assert_success
  refute_output --partial "the lab was built"
  run --separate-stderr defaults_figure /dev/null "$BENCH_WORK/not-measured.jsonl"
  assert_success
  assert_equal "$(jq -r '[.n, .pass, .note] | @tsv' <<<"$output")" "$(printf '0\t\tnot measured: the smoke profile runs none (a run takes ~9 min at the defaults)')"
}
