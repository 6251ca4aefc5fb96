#!/usr/bin/env bats
# bench/lib/figures.jq's live permalink figure from its evidence: cp_permalink_live's wrk rows in
# permalink.jsonl (page "live"), apart from the finished page's rows (storedRuns).

setup() {
  load helpers
  W="$BATS_TEST_TMPDIR"
  : >"$W/empty.json"
  CFG='{"vpns": ["wireguard"], "seedMain": 10000, "seedSmall": 1000, "seedLarge": 100000,
        "wrkConnections": 200, "wrkReps": 3, "circuits": 100, "runSettings": {"repeats": 3}, "settingsLabel": ""}'
  {
    for size in 1000 10000 100000; do
      jq -cn --argjson size "$size" '{p50Ms: 5, p99Ms: 20, rps: 17000, requests: 340000, non2xx: 0, socketErrors: 0, storedRuns: $size, rep: 1}'
    done
    for p99 in 60 90 130; do
      jq -cn --argjson p99 "$p99" '{p50Ms: 11, p99Ms: $p99, rps: 12000, requests: 240000, non2xx: 0, socketErrors: 1, page: "live", rep: 1}'
    done
    jq -cn '{readers: 200, sent: 20, intervalMs: 500, accepted: 20, missing: 0, page: "livePush",
             latencyMs: {n: 4000, p50: 94, p95: 760, p99: 1500, min: 30, max: 1518}}'
  } >"$W/permalink.jsonl"
}

# figure PERMALINK MISSING ID FILTER: FILTER applied to figure ID, every other input empty.
figure() {
  bench_figures "$CFG" permalink.jsonl="$1" not-measured.jsonl="$2" | jq -c --arg id "$3" '.[] | select(.id == $id) | '"$4"
}

@test "the live permalink's p99 is the median of its wrk runs, held to 100 ms" {
  run figure "$W/permalink.jsonl" "$W/empty.json" controlPlane.permalinkLive.p99 '[.value, .n, .target, .pass]'
  assert_output '[90,3,"<= 100",true]'
  run figure "$W/permalink.jsonl" "$W/empty.json" controlPlane.permalinkLive.p99 '.note'
  assert_output --partial '12000 req/s; 3 errors'
}

@test "a live p99 over 100 ms misses" {
  sed 's/"p99Ms":90/"p99Ms":101/' "$W/permalink.jsonl" >"$W/slow.jsonl"
  run figure "$W/slow.jsonl" "$W/empty.json" controlPlane.permalinkLive.p99 '[.value, .pass]'
  assert_output '[101,false]'
}

@test "the finished page's figures leave the live rows out" {
  run figure "$W/permalink.jsonl" "$W/empty.json" controlPlane.permalink.p99 '[.value, .n]'
  assert_output '[20,1]'
}

@test "without live rows the figure stays in the table, not measured, with the reason" {
  grep -v '"live"' "$W/permalink.jsonl" >"$W/finished-only.jsonl"
  jq -cn '{key: "permalinkLive", reason: "the app has no permalink page at /r/{token}"}' >"$W/missing.json"
  run figure "$W/finished-only.jsonl" "$W/missing.json" controlPlane.permalinkLive.p99 '[.value, .pass, .note]'
  assert_output --partial '[null,null,"not measured'
  assert_output --partial 'no permalink page'
}

@test "callback to open live pages: p95 held to 1 s, and a page never shown misses" {
  run figure "$W/permalink.jsonl" "$W/empty.json" controlPlane.permalinkLive.push.p95 '[.value, .n, .target, .pass]'
  assert_output '[760,4000,"<= 1000",true]'
  sed 's/"missing":0/"missing":3/' "$W/permalink.jsonl" >"$W/lost.jsonl"
  run figure "$W/lost.jsonl" "$W/empty.json" controlPlane.permalinkLive.push.p95 '.pass'
  assert_output false
}
