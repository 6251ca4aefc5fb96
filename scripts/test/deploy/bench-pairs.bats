#!/usr/bin/env bats
# bench/lib/figures.jq's throughput figures from their evidence (bench/lib/pairs.sh, one line per
# pair count in pairs.jsonl): runs per hour from the stored start and finish times, how many ran at
# once, the speedup over one pair and what limited it, and a pair count left out or without a run.

setup() {
  load helpers
  W="$BATS_TEST_TMPDIR"
  CFG='{"vpns": [], "runSettings": {"repeats": 1}, "settingsLabel": "", "seedMain": 1, "seedSmall": 1, "seedLarge": 1,
        "wrkConnections": 1, "wrkReps": 1, "circuits": 1, "pairCounts": [1, 2, 4], "pairsRunsPerNode": 3}'
}

# pairs_line P K RUN_S BUSY: P pairs x K runs per node, each RUN_S seconds from start to finish, each
# node's runs back to back from 10 s after the queueing; the machine BUSY (share) meanwhile.
pairs_line() {
  jq -cn --argjson p "$1" --argjson k "$2" --argjson d "$3" --argjson busy "$4" '
    {pairs: $p, runsPerNode: $k, protocols: ["wireguard"], allEnded: true, cores: 2,
     loadAverage: {before: [1.5, 1, 0.5], after: [3.25, 2, 1], max1m: 3.5}, cpuDuring: {appCores: 0.1, machineBusy: $busy},
     runs: [range($k) as $i | range($p) as $n
       | {runId: "r\($n)-\($i)", nodeId: "n\($n)", state: "Succeeded", queuedAtMs: 1000,
          startedAtMs: (11000 + $i * $d * 1000), finishedAtMs: (11000 + ($i + 1) * $d * 1000)}]}'
}

# figure EVIDENCE ID FILTER [MISSING]: FILTER applied to figure ID (a string raw), from pairs.jsonl = EVIDENCE.
figure() {
  bench_figures "$CFG" pairs.jsonl="$1" not-measured.jsonl="${4:-/dev/null}" | jq -rc --arg id "$2" '.[] | select(.id == $id) | '"$3"
}

@test "runs per hour are the Succeeded runs over the first start to the last finish" {
  pairs_line 1 3 30 0.6 >"$W/pairs.jsonl"
  # 3 runs in 90 s
  run figure "$W/pairs.jsonl" throughput.runsPerHour.pairs1 '[.value, .unit, .n, .pass]'
  assert_output '[120,"runs/h",3,null]'
  run figure "$W/pairs.jsonl" throughput.runsPerHour.pairs1 .note
  assert_output --partial 'first start to last finish 90 s, first start 10 s after the first queued'
  assert_output --partial 'runs at once on average 1;'
  assert_output --partial 'load average 1.5 before, up to 3.5 during, 3.25 after on 2 cores'
}

@test "a run that did not succeed counts in the overlap, not in the runs per hour" {
  pairs_line 2 3 30 0.6 | jq -c '.runs[0].state = "Failed" | .runs[5].startedAtMs = null | .runs[5].finishedAtMs = null
    | .runs[5].state = "Queued" | .allEnded = false' >"$W/pairs.jsonl"
  # 4 Succeeded in 90 s; 5 ran (150 run-seconds) over 90 s
  run figure "$W/pairs.jsonl" throughput.runsPerHour.pairs2 '[.value, .n]'
  assert_output '[160,4]'
  run figure "$W/pairs.jsonl" throughput.runsPerHour.pairs2 .note
  assert_output --partial 'runs at once on average 1.67;'
  assert_output --partial 'Failed 1, Queued 1, Succeeded 4'
  assert_output --partial 'NOT every run ended in time'
}

@test "the speedup over one pair, with how much longer each run took and whether the CPU was saturated" {
  {
    pairs_line 1 3 30 0.6
    pairs_line 2 3 45 0.95
    pairs_line 4 3 90 0.5
  } >"$W/pairs.jsonl"
  # 1 pair: 120/h; 2 pairs: 6 in 135 s = 160/h; 4 pairs: 12 in 270 s = 160/h
  run figure "$W/pairs.jsonl" throughput.scaling.pairs2 '[.value, .n]'
  assert_output '[1.33,6]'
  run figure "$W/pairs.jsonl" throughput.scaling.pairs2 .note
  assert_output --partial '67 % of linear'
  assert_output --partial 'each 1.5x as long as alone (45 s against 30 s)'
  assert_output --partial 'what limits it: CPU contention: each run took longer, on a saturated CPU (machine CPU busy 95 %'
  run figure "$W/pairs.jsonl" throughput.scaling.pairs4 '[.value, .note]'
  assert_output --partial '[1.33,"160 against 120 runs/h: 33 % of linear;'
  assert_output --partial 'what limits it: each run took longer, the CPU not saturated (machine CPU busy 50 %'
}

@test "a pair count the profile leaves out stays in the table, not measured, and so does its speedup" {
  {
    pairs_line 1 1 30 0.6
    pairs_line 2 1 30 0.9
  } >"$W/pairs.jsonl"
  jq -cn '{key: "pairs.4", reason: "the smoke profile measures 1, 2 pair(s) only"}' >"$W/missing.jsonl"
  run figure "$W/pairs.jsonl" throughput.runsPerHour.pairs4 '[.value, .note]' "$W/missing.jsonl"
  assert_output '[null,"not measured: the smoke profile measures 1, 2 pair(s) only"]'
  run figure "$W/pairs.jsonl" throughput.scaling.pairs4 .note "$W/missing.jsonl"
  assert_output 'not measured: the smoke profile measures 1, 2 pair(s) only'
  run figure "$W/pairs.jsonl" throughput.scaling.pairs2 '[.value, .n]' "$W/missing.jsonl"
  assert_output '[2,2]'
}

@test "runs as long as alone: the limit is the run's own length, or the dispatch when fewer ran at once" {
  {
    pairs_line 1 2 30 1
    pairs_line 2 2 31 1
  } >"$W/pairs.jsonl"
  run figure "$W/pairs.jsonl" throughput.scaling.pairs2 .note
  assert_output --partial "what limits it: the length of a run itself: each took as long as alone, 2 at once"
  # node 1's runs start 40 s late: 1.6 at once on average over the 102 s span
  {
    pairs_line 1 2 30 1
    pairs_line 2 2 31 1 | jq -c '(.runs[] | select(.nodeId == "n1") | .startedAtMs, .finishedAtMs) += 40000'
  } >"$W/pairs.jsonl"
  run figure "$W/pairs.jsonl" throughput.scaling.pairs2 .note
  assert_output --partial 'what limits it: not the runs, which took as long as alone, but the dispatch: fewer than 2 ran at once'
}

@test "no run Succeeded: runs per hour and the speedup are not measured, with why" {
  {
    pairs_line 1 1 30 0.6
    pairs_line 2 1 30 0.9 | jq -c '.runs[].state = "Failed"'
  } >"$W/pairs.jsonl"
  run figure "$W/pairs.jsonl" throughput.runsPerHour.pairs2 .note
  assert_output 'not measured: no run Succeeded (Failed 2)'
  run figure "$W/pairs.jsonl" throughput.scaling.pairs2 .note
  assert_output 'not measured: no run Succeeded over 2 pairs'
}

@test "bench.sh --only takes the suite's parts and refuses any other" {
  run "$REPO_DIR/bench/bench.sh" --only pairs,bogus
  assert_failure
  assert_output --partial "--only takes history, cp-sim, pairs, verdicts, lab; got 'bogus'"
}
