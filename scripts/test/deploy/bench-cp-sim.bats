#!/usr/bin/env bats
# bench/lib/figures.jq's control plane simulation figures from their evidence (vpnlens-bench
# cp-sim, one line per provider in cp-sim.jsonl): pass and miss against the targets, PostgreSQL and
# SQLite side by side, and a provider that could not be measured.

setup() {
  load helpers
  W="$BATS_TEST_TMPDIR"
  CFG='{"vpns": [], "runSettings": {"repeats": 1}, "settingsLabel": ""}'
  sim() {
    jq -cn --arg provider "$1" --argjson instances "$2" '{provider: $provider, instances: $instances, nodes: 1000, runsPerNode: 3,
      protocols: ["wireguard"], phaseMs: 500, offeredPerSecond: 2000, allEnded: true,
      queued: {runs: 3000, seconds: 20, refusedThenRepeated: 0, refusals: {}},
      measured: {runs: 3000, callbacksPerRun: 37, states: {Succeeded: 3000}, succeeded: 3000,
        dispatch: {fromLeaseFreeMs: {n: 2000, p50: 600, p95: 1300, p99: 1900, min: 20, max: 2500},
                   fromLeaseFreeToNodeMs: {n: 2000, p50: 700, p95: 1500, p99: 2000, min: 25, max: 2600},
                   firstFromQueueMs: {n: 1000, p50: 900, p95: 4000, p99: 5000, min: 30, max: 6000}},
        intake: {posted: 111000, accepted: 111000, answeredDuplicate: 0, refused: 0, statuses: {"200": 111000}, retried: 0,
                 peakPerSecond: 1400, peak10sPerSecond: 1210.5, meanPerSecond: 900, seconds: 120},
        stored: {deliveries: 111000, phaseEvents: 108000, protocolResults: 6000, notPosted: 0},
        lost: 0, duplicates: 0, endedTwice: 0, stopsAsked: 0},
      cpu: {benchProcessSeconds: 60, instanceSeconds: [100, 90], wallSeconds: 130},
      loadAverage: {before: [1.5, 1, 1], after: [4, 2, 1]}}'
  }
  sim Postgres 2 >"$W/cp-sim.jsonl"
  sim Sqlite 1 | jq -c '.measured.dispatch.fromLeaseFreeToNodeMs.p95 = 2600 | .measured.intake.peak10sPerSecond = 640' >>"$W/cp-sim.jsonl"
}

# figure EVIDENCE ID FILTER: FILTER applied to figure ID, from cp-sim.jsonl = EVIDENCE.
figure() {
  bench_figures "$CFG" cp-sim.jsonl="$1" | jq -c --arg id "$2" '.[] | select(.id == $id) | '"$3"
}

# sqlite_notes EVIDENCE MISSING: the distinct notes of the SQLite figures.
sqlite_notes() {
  bench_figures "$CFG" cp-sim.jsonl="$1" not-measured.jsonl="$2" |
    jq -r '.[] | select(.id | startswith("controlPlane.sim.sqlite.")) | .note' | sort -u
}

@test "PostgreSQL with two instances: dispatch p95 and intake against their targets" {
  run figure "$W/cp-sim.jsonl" controlPlane.sim.postgres.dispatchP95 '[.value, .n, .target, .pass]'
  assert_output '[1500,2000,"<= 2000",true]'
  run figure "$W/cp-sim.jsonl" controlPlane.sim.postgres.intake '[.value, .target, .pass]'
  assert_output '[1210.5,">= 1000",true]'
  run figure "$W/cp-sim.jsonl" controlPlane.sim.postgres.intake .note
  assert_output --partial 'load average 1.5 before, 4 after'
  assert_output --partial 'instances 100 + 90'
}

@test "SQLite with one instance is reported beside it, and misses where it is slower" {
  run figure "$W/cp-sim.jsonl" controlPlane.sim.sqlite.dispatchP95 '[.value, .pass]'
  assert_output '[2600,false]'
  run figure "$W/cp-sim.jsonl" controlPlane.sim.sqlite.intake '[.value, .pass]'
  assert_output '[640,false]'
  run figure "$W/cp-sim.jsonl" controlPlane.sim.sqlite.intake .figure
  assert_output --partial 'SQLite, 1 instance'
}

@test "a callback accepted but not stored, refused to the end or a run not Succeeded is lost" {
  run figure "$W/cp-sim.jsonl" controlPlane.sim.postgres.lost '[.value, .target, .pass]'
  assert_output '[0,"0",true]'
  head -n 1 "$W/cp-sim.jsonl" | jq -c '.measured.lost = 1 | .measured.intake.refused = 2 | .measured.succeeded = 2999 | .measured.states = {Succeeded: 2999, TimedOut: 1}' >"$W/lost.jsonl"
  run figure "$W/lost.jsonl" controlPlane.sim.postgres.lost '[.value, .pass]'
  assert_output '[4,false]'
  run figure "$W/lost.jsonl" controlPlane.sim.postgres.lost .note
  assert_output --partial 'TimedOut 1'
}

@test "a callback stored twice or a run ended twice misses the target of none" {
  run figure "$W/cp-sim.jsonl" controlPlane.sim.sqlite.duplicates '[.value, .pass]'
  assert_output '[0,true]'
  head -n 1 "$W/cp-sim.jsonl" | jq -c '.measured.duplicates = 3 | .measured.endedTwice = 1' >"$W/twice.jsonl"
  run figure "$W/twice.jsonl" controlPlane.sim.postgres.duplicates '[.value, .pass]'
  assert_output '[3,false]'
}

@test "dispatch is measured to the start reaching the node; older evidence falls back to the stored start" {
  run figure "$W/cp-sim.jsonl" controlPlane.sim.postgres.dispatchP95 .note
  assert_output --partial 'to the stored start p95 1300 ms'
  head -n 1 "$W/cp-sim.jsonl" | jq -c 'del(.measured.dispatch.fromLeaseFreeToNodeMs)' >"$W/older.jsonl"
  run figure "$W/older.jsonl" controlPlane.sim.postgres.dispatchP95 '[.value, .pass]'
  assert_output '[1300,true]'
  run figure "$W/older.jsonl" controlPlane.sim.postgres.dispatchP95 .note
  assert_output --partial 'older evidence'
}

@test "a dispatch p95 within target still misses when not every run ended" {
  head -n 1 "$W/cp-sim.jsonl" | jq -c '.allEnded = false' >"$W/unfinished.jsonl"
  run figure "$W/unfinished.jsonl" controlPlane.sim.postgres.dispatchP95 '[.value, .pass]'
  assert_output '[1500,false]'
}

@test "a provider without evidence stays in the table, not measured, with the reason" {
  head -n 1 "$W/cp-sim.jsonl" >"$W/pg-only.jsonl"
  jq -cn '{key: "cpSim.sqlite", reason: "vpnlens-bench cp-sim failed: boom"}' >"$W/missing.jsonl"
  run sqlite_notes "$W/pg-only.jsonl" "$W/missing.jsonl"
  assert_output 'not measured: vpnlens-bench cp-sim failed: boom'
}
