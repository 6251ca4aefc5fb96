#!/usr/bin/env bats
# bench/lib/figures.jq's readiness figure in milliseconds: how long after the tunnel first carried
# traffic the ladder, its full-size rung included, declared it ready; held to 30 ms at the median.

setup() {
  load helpers
  W="$BATS_TEST_TMPDIR"
  CFG='{"vpns": ["wireguard"], "seedMain": 1, "seedSmall": 1, "seedLarge": 1, "wrkConnections": 1, "wrkReps": 1,
        "circuits": 1, "dashboards": 1, "runSettings": {"tcpSeconds": 2, "udpSeconds": 2, "omitSeconds": 1, "repeats": 3, "maxRepeats": 3,
        "pingCount": 5, "pingIntervalSeconds": 0.2, "udpTargetMbps": 100}, "settingsLabel": ""}'
}

# run_evidence N LADDER_MS TRUE_MS: one run of WireGuard as bench/lib/runs.sh records it, its other
# figures left out (a run that did not succeed counts in no overhead).
run_evidence() {
  jq -cn --argjson pair "$1" --argjson ladder "$2" --argjson true "$3" \
    '{pair: $pair, protocol: "wireguard", runId: "r\($pair)", state: "Failed", wallMs: 1,
      readiness: {wireguard: {ladderMs: $ladder, trueMs: $true, pingRungMs: $true}}, firstSamples: {}}' >"$W/run-$1.json"
}

figure() {
  bench_figures "$CFG" "runs/run-1.json=$W/run-1.json" "runs/run-2.json=$W/run-2.json" "runs/run-3.json=$W/run-3.json" |
    jq -c '.[] | select(.id == "readiness.wireguard.ladderAfterTrueMs") | [.value, .n, .target, .pass]'
}

@test "the ladder declaring the tunnel ready within 30 ms of its first echo, at the median, meets the target" {
  run_evidence 1 125 100
  run_evidence 2 130 110
  run_evidence 3 190 100
  run figure
  assert_output '[25,3,"<= 30",true]'
}

@test "a ladder that declares it later than 30 ms after, at the median, misses" {
  run_evidence 1 135 100
  run_evidence 2 131 100
  run_evidence 3 120 100
  run figure
  assert_output '[31,3,"<= 30",false]'
}

@test "the ladder is ready when its last rung, the full-size path, passed: not at the backend rung" {
  cat >"$W/switch.log" <<'LOG'
2026-12-05T10:00:00.000Z INFO  [switch] wireguard: wg-quick up /etc/wg.conf
2026-12-05T10:00:00.060Z INFO  [switch] ladder: rung ping passed in 5 ms
2026-12-05T10:00:00.080Z INFO  [switch] ladder: rung backend passed in 20 ms
2026-12-05T10:00:00.095Z INFO  [switch] ladder: rung full_size passed in 15 ms
LOG
  printf '{"firstReplyMs": %s}\n' "$(date -d 2026-12-05T10:00:00.040Z +%s%3N)" >"$W/probe.json"
  run bash -c 'source "$1/bench/lib/common.sh" && source "$1/bench/lib/runs.sh" && readiness_json "$2/switch.log" switch wireguard "$2/probe.json"' \
    _ "$REPO_DIR" "$W"
  assert_success
  assert_equal "$(jq -c '[.ladderMs, .pingRungMs, .trueMs]' <<<"$output")" "[95,60,40]"
}
