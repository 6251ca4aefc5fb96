#!/usr/bin/env bats
# bench/lib/figures.jq's callback-to-push figure with dashboards open, from vpnlens-bench
# dashboard-push's evidence: held to 10 ms at p95, and only when every callback was pushed and every
# dashboard was live while they arrived.

setup() {
  load helpers
  W="$BATS_TEST_TMPDIR"
  : >"$W/empty.json"
  CFG='{"vpns": [], "seedMain": 1, "seedSmall": 1, "seedLarge": 1, "wrkConnections": 1, "wrkReps": 1,
        "circuits": 1, "dashboards": 100, "runSettings": {"repeats": 3}, "settingsLabel": ""}'
  jq -n '{dashboards: {requested: 100, opened: 100, connected: 100, live: 100}, rate: 20, sent: 400, received: 400,
          missing: 0, statuses: {"200": 400}, latencyMs: {n: 400, p50: 3.1, p95: 7.5, p99: 12.2, min: 1.9, max: 30},
          callbackMs: {n: 400, p50: 2.5, p95: 6, p99: 9, min: 1.5, max: 20}}' >"$W/push-dashboards.json"
}

# figure EVIDENCE MISSING FILTER: FILTER applied to the dashboards figure, every other input empty.
figure() {
  bench_figures "$CFG" push-dashboards.json="$1" not-measured.jsonl="$2" |
    jq -c '.[] | select(.id == "controlPlane.callbackToPush.dashboards.p95") | '"$3"
}

@test "the push p95 with 100 dashboards open is held to 10 ms, its note naming the dashboards and the callback's answer" {
  run figure "$W/push-dashboards.json" "$W/empty.json" '[.value, .n, .target, .pass, .figure]'
  assert_output '[7.5,400,"<= 10",true,"Control plane: callback POST to SignalR push with 100 dashboards open, p95"]'
  run figure "$W/push-dashboards.json" "$W/empty.json" .note
  assert_output --partial '100 of 100 dashboards live'
  assert_output --partial 'callback answered p95 6 ms'
}

@test "a p95 over 10 ms, a lost push, an unanswered callback or a dashboard that never re-rendered misses the target" {
  jq '.latencyMs.p95 = 10.5' "$W/push-dashboards.json" >"$W/slow.json"
  run figure "$W/slow.json" "$W/empty.json" .pass
  assert_output false
  jq '.missing = 1 | .received = 399' "$W/push-dashboards.json" >"$W/lost.json"
  run figure "$W/lost.json" "$W/empty.json" .pass
  assert_output false
  jq '.statuses = {"200": 399, "timeout": 1}' "$W/push-dashboards.json" >"$W/unanswered.json"
  run figure "$W/unanswered.json" "$W/empty.json" .pass
  assert_output false
  jq '.dashboards.live = 99' "$W/push-dashboards.json" >"$W/dead.json"
  run figure "$W/dead.json" "$W/empty.json" .pass
  assert_output false
}

@test "without evidence the figure stays in the table with the reason the suite gave" {
  jq -n '{key: "pushDashboards", reason: "vpnlens-bench dashboard-push failed: signing in did not leave the sign-in page"}' >"$W/missing.json"
  run figure "$W/empty.json" "$W/missing.json" '[.value, .pass, .note]'
  assert_output '[null,null,"not measured: vpnlens-bench dashboard-push failed: signing in did not leave the sign-in page"]'
}
