#!/usr/bin/env bats
# bench/lib/figures.jq's history and detector figures from their evidence (vpnlens-bench
# history-query, seed-history, detector), and smoke.sh's FIGURES naming exactly the figures the
# suite gives, so a figure added to one is never missing from the other.

setup() {
  load helpers
  W="$BATS_TEST_TMPDIR"
  : >"$W/empty.json"
  CFG='{"vpns": ["wireguard", "nebula", "openvpn", "ipsec"], "seedMain": 10000, "seedSmall": 1000, "seedLarge": 100000,
        "wrkConnections": 200, "wrkReps": 3, "circuits": 100, "runSettings": {"repeats": 3}, "settingsLabel": ""}'
  jq -n '{requests: 200, asked: 200, warmup: 5, stoppedEarly: false, seconds: 12.5, pointsPerSeries: 8760,
          changePointsMedian: 1, latencyMs: {n: 200, p50: 31.5, p95: 48.25, p99: 70.1, min: 20, max: 80}}' >"$W/history.json"
  jq -n '{nodes: ["a", "b"], protocols: ["direct", "wireguard", "nebula", "openvpn"], hours: 8760, runs: 17520,
          protocolResults: 70080, phaseEvents: 1261440, databaseMb: 401.5, fileMb: 401.5,
          payloads: {runResultsJsonMb: 150, phaseEventTextMb: 20}}' >"$W/history-seed.json"
  jq -n '{days: 30, runsThinned: 16000, seconds: 42.5, before: {databaseMb: 401.5, freeMb: 0, fileMb: 401.5, autoVacuum: "incremental"},
          after: {databaseMb: 100.4, freeMb: 0, fileMb: 100.4, autoVacuum: "incremental"}}' >"$W/history-retention.json"
  jq -n '{m: 3, n: 3, reference: 0.75, threshold: 6, before: 37, after: 25, kinds: [
           {kind: "normal", step: {series: 5, detected: 4, openedBeforeStep: 0, medianDelay: 8, delays: [6, 8, 8, 10],
                                placedWithin3: 3, medianPlacementError: 1.5, placements: [-5, -1, 0, 2]},
            noise: {series: 2, runs: 2000, alerts: 0, perThousand: 0}},
           {kind: "heavyTailed", step: {series: 5, detected: 5, openedBeforeStep: 0, medianDelay: 5, delays: [4, 5, 5, 6, 9],
                                     placedWithin3: 1, medianPlacementError: 4, placements: [-6, -4, 0, 4, 7]},
            noise: {series: 2, runs: 2000, alerts: 1, perThousand: 0.5}},
           {kind: "bimodal", step: {series: 5, detected: 0, openedBeforeStep: 1, medianDelay: null, delays: [],
                                 placedWithin3: 0, medianPlacementError: null, placements: []},
            noise: {series: 2, runs: 2000, alerts: 0, perThousand: 0}}],
          bound: {kind: "normal", reference: 0.75, threshold: 4.5, medianDelay: 6, noiseRuns: 2000, grid: [
            {threshold: 2, alerts: 20, medianDelay: 3}, {threshold: 2.5, alerts: 9, medianDelay: 3},
            {threshold: 4, alerts: 1, medianDelay: 5}, {threshold: 4.5, alerts: 0, medianDelay: 6}]}}' >"$W/detector.json"
}

# figures HISTORY SEED DETECTOR [RETENTION]: the figures array, every other input empty.
figures() {
  bench_figures "$CFG" history.json="$1" history-seed.json="$2" detector.json="$3" history-retention.json="${4:-$W/history-retention.json}"
}

# figure_in HISTORY SEED DETECTOR ID FILTER: FILTER applied to figure ID.
figure_in() { figures "$1" "$2" "$3" | jq -c --arg id "$4" '.[] | select(.id == $id) | '"$5"; }

figure() { figure_in "$W/history.json" "$W/history-seed.json" "$W/detector.json" "$@"; }

new_figure_notes_without_evidence() {
  figures "$W/empty.json" "$W/empty.json" "$W/empty.json" "$W/empty.json" | jq -r '.[] | select(.id | test("^(history|detector)\\.")) | .note' | sort -u
}

@test "the history query's p95 is held to 50 ms, with p50 and p99 beside it" {
  run figure history.query.p95 '[.value, .n, .target, .pass]'
  assert_output '[48.25,200,"<= 50",true]'
  run figure history.query.p99 '[.value, .pass]'
  assert_output '[70.1,null]'
  jq '.latencyMs.p95 = 50.5' "$W/history.json" >"$W/slow.json"
  run figure_in "$W/slow.json" "$W/history-seed.json" "$W/detector.json" history.query.p95 .pass
  assert_output false
}

@test "the database size is information, its note says what was seeded" {
  run figure history.databaseSize '[.value, .pass, .target]'
  assert_output '[401.5,null,"—"]'
  run figure history.databaseSize '.note'
  assert_output --partial '17520 finished runs'
}

@test "the size after retention is information, its note says how much retention left and how long it took" {
  run figure history.databaseSizeAfterRetention '[.value, .pass, .target]'
  assert_output '[100.4,null,"—"]'
  run figure history.databaseSizeAfterRetention '.note'
  assert_output --partial 'thinned 16000 of 17520 runs in 42.5 s: 401.5 MB before, 25 % of it left'
}

@test "detector delay passes at M + 3 runs and fails past it or when most series never alert" {
  run figure detector.delay.normal '[.value, .target, .pass, .spread]'
  assert_output '[8,"<= 6",false,{"min":6,"max":10}]'
  run figure detector.delay.heavyTailed '.pass'
  assert_output true
  run figure detector.delay.bimodal '[.value, .pass]'
  assert_output '[null,false]'
}

@test "the detector's bound is information: the known-shift CUSUM's delay with no alarm, and what a delay of 3 costs it" {
  run figure detector.bound.normal '[.value, .n, .target, .pass]'
  assert_output '[6,2000,"—",null]'
  run figure detector.bound.normal '.note'
  assert_output --partial 'at h 4.5, the lowest with no alarm in the same 2000 noise results'
  assert_output --partial 'a median of 3 needs h 2.5: 9 alarms in them (4.5 per 1,000)'
  jq '.bound.grid |= map(select(.medianDelay > 3)) | .bound.threshold = null | .bound.medianDelay = null' "$W/detector.json" >"$W/slow.json"
  run figure_in "$W/history.json" "$W/history-seed.json" "$W/slow.json" detector.bound.normal '[.value, .note]'
  assert_output '[null,"median delay of Page'"'"'s CUSUM on z-scores with the level, spread and -15 % shift known (k 0.75, no M of N), which alarmed in the noise at every h up to 8; no h gives a median of 3 or less"]'
}

@test "the change's placement passes within 3 runs of the step and fails past it or when no series alerted" {
  run figure detector.placement.normal '[.value, .n, .target, .pass, .spread]'
  assert_output '[1.5,4,"<= 3",true,{"min":-5,"max":2}]'
  run figure detector.placement.normal '.note'
  assert_output --partial '3 of them within 3 results'
  run figure detector.placement.heavyTailed '[.value, .pass]'
  assert_output '[4,false]'
  run figure detector.placement.bimodal '[.value, .pass]'
  assert_output '[null,false]'
}

@test "the delay's note names the detector's settings" {
  run figure detector.delay.normal '.note'
  assert_output --partial 'a CUSUM of rank scores, k 0.75, h 6, 3 of 3'
}

@test "one false alarm in noise misses the target of none" {
  run figure detector.falseAlarms.normal '[.value, .n, .pass]'
  assert_output '[0,2000,true]'
  run figure detector.falseAlarms.heavyTailed '[.value, .pass]'
  assert_output '[0.5,false]'
}

@test "without evidence every new figure stays in the table, not measured" {
  run new_figure_notes_without_evidence
  assert_output 'not measured: no data'
}

@test "smoke.sh's FIGURES are exactly the figures the suite gives" {
  local listed given
  listed=$(sed -n '/^readonly FIGURES=(/,/^)/p' "$REPO_DIR/bench/smoke.sh" | sed '1d;$d' | tr -s ' ' '\n' | sed '/^$/d' | sort)
  given=$(figures "$W/empty.json" "$W/empty.json" "$W/empty.json" | jq -r '.[].id' | sort)
  assert_equal "$listed" "$given"
}
