#!/usr/bin/env bash
# bench/smoke.sh: one short pass of the benchmark suite (bench.sh --profile smoke: one pair, tiny
# sizes) asserting only that every figure was produced, never its target. TAP on stdout, one line
# per figure: "ok", "ok ... # SKIP <why>" for a figure the suite says it could not measure,
# "not ok" for a missing one. Needs root (the lab); a few minutes.
#
#   sudo bench/smoke.sh
#
# VPNLENS_BENCH_SMOKE_DIR: where its results and log go (default a new /tmp/vpnlens-bench-smoke.*).
set -Eeuo pipefail

SMOKE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SMOKE_DIR

# Every figure the suite reports (bench/lib/figures.jq).
readonly FIGURES=(
  fidelity.wireguard.tcpUpload fidelity.wireguard.tcpDownload fidelity.wireguard.udpJitter
  fidelity.wireguard.udpLoss fidelity.wireguard.ping
  fidelity.nebula.tcpUpload fidelity.nebula.tcpDownload fidelity.nebula.udpJitter
  fidelity.nebula.udpLoss fidelity.nebula.ping
  fidelity.openvpn.tcpUpload fidelity.openvpn.tcpDownload fidelity.openvpn.udpJitter
  fidelity.openvpn.udpLoss fidelity.openvpn.ping
  fidelity.ipsec.tcpUpload fidelity.ipsec.tcpDownload fidelity.ipsec.udpJitter
  fidelity.ipsec.udpLoss fidelity.ipsec.ping
  readiness.wireguard.ladderOverTrue readiness.wireguard.ladderAfterTrueMs readiness.wireguard.switchLadderOverTrue readiness.wireguard.sleep5OverTrue
  readiness.nebula.ladderOverTrue readiness.nebula.ladderAfterTrueMs readiness.nebula.switchLadderOverTrue readiness.nebula.sleep5OverTrue
  readiness.openvpn.ladderOverTrue readiness.openvpn.ladderAfterTrueMs readiness.openvpn.switchLadderOverTrue readiness.openvpn.sleep5OverTrue
  readiness.ipsec.ladderOverTrue readiness.ipsec.ladderAfterTrueMs readiness.ipsec.switchLadderOverTrue readiness.ipsec.sleep5OverTrue
  readiness.firstSampleZero
  overhead.run
  cost.direct.daemon cost.direct.system cost.wireguard.daemon cost.wireguard.system
  cost.nebula.daemon cost.nebula.system cost.openvpn.daemon cost.openvpn.system
  cost.ipsec.daemon cost.ipsec.system
  controlPlane.queueToFirstPhase
  controlPlane.callbackToPush.p50 controlPlane.callbackToPush.p95 controlPlane.callbackToPush.p99
  controlPlane.callbackToPush.dashboards.p95
  controlPlane.callbackIntake
  controlPlane.permalink.p99 controlPlane.permalink.p99.small controlPlane.permalink.p99.large
  controlPlane.permalink.growth controlPlane.permalinkLive.p99 controlPlane.permalinkLive.push.p95
  controlPlane.sim.postgres.dispatchP95 controlPlane.sim.postgres.intake controlPlane.sim.postgres.lost
  controlPlane.sim.postgres.duplicates controlPlane.sim.sqlite.dispatchP95 controlPlane.sim.sqlite.intake
  controlPlane.sim.sqlite.lost controlPlane.sim.sqlite.duplicates
  memory.idle memory.circuits
  verdict.falseDifference verdict.falseDifferenceDefaults
  history.query.p95 history.query.p50 history.query.p99 history.databaseSize history.databaseSizeAfterRetention
  detector.delay.normal detector.placement.normal detector.falseAlarms.normal
  detector.delay.heavyTailed detector.placement.heavyTailed detector.falseAlarms.heavyTailed
  detector.delay.bimodal detector.placement.bimodal detector.falseAlarms.bimodal detector.bound.normal
  throughput.runsPerHour.pairs1 throughput.runsPerHour.pairs2 throughput.scaling.pairs2
  throughput.runsPerHour.pairs4 throughput.scaling.pairs4
)

# tap_line N ID RESULTS_JSON: one TAP line for one figure.
tap_line() {
  local n=$1 id=$2 file=$3 figure
  figure=$(jq -c --arg id "$id" '.figures[] | select(.id == $id)' "$file" | head -n 1)
  if [[ -z "$figure" ]]; then
    echo "not ok $n - $id: missing from the results"
  elif jq -e '(.value | type) == "number" and .n > 0' <<<"$figure" >/dev/null; then
    echo "ok $n - $id = $(jq -r '"\(.value) \(.unit)"' <<<"$figure")"
  elif jq -e '.note // "" | startswith("not measured")' <<<"$figure" >/dev/null; then
    echo "ok $n - $id # SKIP $(jq -r '.note' <<<"$figure")"
  else
    echo "not ok $n - $id: no value ($(jq -r '.note // "no note"' <<<"$figure"))"
  fi
}

main() {
  local work out log n=0 id rc=0
  [[ "$(id -u)" -eq 0 ]] || {
    echo "1..1"
    echo "not ok 1 - the benchmark smoke needs root (the lab): sudo $0"
    return 1
  }
  if [[ -n "${VPNLENS_BENCH_SMOKE_DIR:-}" ]]; then
    work=$VPNLENS_BENCH_SMOKE_DIR
    install -d "$work"
    # an earlier smoke's results must never stand in for this one's
    rm -f "$work/smoke.json" "$work/smoke.log" "$work/smoke.tap"
  else
    work=$(mktemp -d /tmp/vpnlens-bench-smoke.XXXXXX)
  fi
  out="$work/smoke.json"
  log="$work/smoke.log"
  echo "1..$((${#FIGURES[@]} + 1))"
  if "$SMOKE_DIR/bench.sh" --profile smoke --out "$out" >"$log" 2>&1; then
    echo "ok 1 - bench.sh --profile smoke ran to the end"
  else
    echo "not ok 1 - bench.sh --profile smoke failed (log: $log)"
    tail -n 20 "$log" | sed 's/^/# /'
    rc=1
  fi
  [[ -s "$out" ]] || out=/dev/null
  n=1
  for id in "${FIGURES[@]}"; do
    n=$((n + 1))
    if [[ "$out" == /dev/null ]]; then
      echo "not ok $n - $id: no results file"
      continue
    fi
    tap_line "$n" "$id" "$out"
  done | tee "$work/smoke.tap"
  grep -q '^not ok' "$work/smoke.tap" && rc=1
  echo "# results: $out, log: $log"
  return "$rc"
}

main "$@"
