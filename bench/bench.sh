#!/usr/bin/env bash
# bench/bench.sh: the VPNLens benchmark suite. Builds the lab, measures VPNLens itself
# (fidelity, readiness, overhead, cost per protocol, the control plane, the control plane with
# 1,000 simulated nodes on PostgreSQL and SQLite, a year of history, the
# regression detector, runs per hour over 1, 2 and 4 disjoint lab node pairs), prints a table and writes
# bench/results/<date>-<shortcommit>.json. Needs root; `sudo ./vpnlens bench` installs what is
# missing and runs this.
#
#   sudo bench/bench.sh [--pairs N] [--repeats N] [--profile full|smoke] [--only PARTS] [--ref REF] [--out FILE]
#
#   --pairs N      rounds of interleaved VPNLens/bare pairs, one pair per VPN (default 5; the issue
#                  asks for at least 5)
#   --repeats N    each TCP and UDP test of a pair, on both sides, N times; the figures are the
#                  medians, as a run reports them (default 4, the product's; smoke 1)
#   --profile      full (default) or smoke: one short pass with tiny sizes, for bench/smoke.sh
#   --only PARTS   only these parts, comma-separated: history, cp-sim, pairs (runs per hour over
#                  disjoint lab node pairs), verdicts (false differences at the product's default
#                  settings, ~65 min), lab (the one-node lab: pairs of runs and bare tunnels,
#                  verdicts at the bench's settings, control plane); the others' figures are
#                  reported as not measured
#   --ref REF      the commit to measure (default HEAD), exported clean from git
#   --out FILE     where the JSON goes (default bench/results/<date>-<shortcommit>.json)
#
# Environment: VPNLENS_BENCH_PORT (5180; +1 to +4 are used too), VPNLENS_BENCH_STATE
# (.vpnlens/bench), VPNLENS_BENCH_LAB_WAIT (1800 s to wait for a lab test to finish).
# Holds the lab's lock for the whole suite and always takes the lab down.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
shopt -s inherit_errexit

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/lab.sh
source "$BENCH_DIR/lib/lab.sh"
# shellcheck source=lib/app.sh
source "$BENCH_DIR/lib/app.sh"
# shellcheck source=lib/runs.sh
source "$BENCH_DIR/lib/runs.sh"
# shellcheck source=lib/bare.sh
source "$BENCH_DIR/lib/bare.sh"
# shellcheck source=lib/control_plane.sh
source "$BENCH_DIR/lib/control_plane.sh"
# shellcheck source=lib/history.sh
source "$BENCH_DIR/lib/history.sh"
# shellcheck source=lib/cp_sim.sh
source "$BENCH_DIR/lib/cp_sim.sh"
# shellcheck source=lib/pairs.sh
source "$BENCH_DIR/lib/pairs.sh"
# shellcheck source=lib/profile.sh
source "$BENCH_DIR/lib/profile.sh"
# shellcheck source=lib/verdicts.sh
source "$BENCH_DIR/lib/verdicts.sh"
# shellcheck source=lib/report.sh
source "$BENCH_DIR/lib/report.sh"

readonly BENCH_PORT="${VPNLENS_BENCH_PORT:-5180}"
readonly BENCH_TEMPLATE="$BENCH_DIR/fixtures/results-template.json"

usage() {
  sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed '/^# shellcheck/d; s/^# \{0,1\}//'
}

# profile_settings full|smoke: every size and duration of the suite.
profile_settings() {
  BENCH_OMIT_SECONDS=1 BENCH_PING_INTERVAL=0.2 BENCH_UDP_MBPS=100 BENCH_PUSH_RATE=20
  BENCH_INTAKE_CONCURRENCY=16 BENCH_WRK_CONNECTIONS=200
  case "$1" in
    full)
      BENCH_PAIRS=${BENCH_PAIRS:-5} BENCH_TCP_SECONDS=5 BENCH_UDP_SECONDS=5 BENCH_REPEATS=${BENCH_REPEATS:-4} BENCH_PING_COUNT=20
      BENCH_FIRST_PHASE_SAMPLES=7 BENCH_PUSH_COUNT=400 BENCH_INTAKE_REPS=3 BENCH_INTAKE_SECONDS=10
      BENCH_CIRCUITS=100 BENCH_CIRCUIT_HOLD=20 BENCH_IDLE_SAMPLES=20 BENCH_DASHBOARDS=100
      BENCH_SEED_SMALL=1000 BENCH_SEED_MAIN=10000 BENCH_SEED_LARGE=100000 BENCH_WRK_SECONDS=10 BENCH_WRK_REPS=3
      BENCH_WRK_WARMUP=8
      BENCH_HISTORY_NODES=10 BENCH_HISTORY_HOURS=8760 BENCH_HISTORY_REQUESTS=200 BENCH_HISTORY_SECONDS=300
      BENCH_HISTORY_PROFILE_SECONDS=30 BENCH_RETENTION_DAYS=30
      BENCH_DETECTOR_STEP_SERIES=100 BENCH_DETECTOR_NOISE_SERIES=5 BENCH_DETECTOR_NOISE_RUNS=1000
      BENCH_CPSIM_NODES=1000 BENCH_CPSIM_RUNS_PER_NODE=3 BENCH_CPSIM_PHASE_MS=500
      BENCH_PAIR_COUNTS="1 2 4" BENCH_PAIRS_RUNS_PER_NODE=4 BENCH_VERDICT_RUNS=7
      ;;
    smoke)
      BENCH_PAIRS=${BENCH_PAIRS:-1} BENCH_TCP_SECONDS=2 BENCH_UDP_SECONDS=2 BENCH_REPEATS=${BENCH_REPEATS:-1} BENCH_PING_COUNT=5
      BENCH_FIRST_PHASE_SAMPLES=2 BENCH_PUSH_COUNT=40 BENCH_INTAKE_REPS=1 BENCH_INTAKE_SECONDS=3
      BENCH_CIRCUITS=5 BENCH_CIRCUIT_HOLD=4 BENCH_IDLE_SAMPLES=4 BENCH_DASHBOARDS=5
      BENCH_SEED_SMALL=100 BENCH_SEED_MAIN=300 BENCH_SEED_LARGE=1000 BENCH_WRK_SECONDS=5 BENCH_WRK_REPS=1
      BENCH_WRK_WARMUP=5
      BENCH_HISTORY_NODES=2 BENCH_HISTORY_HOURS=336 BENCH_HISTORY_REQUESTS=20 BENCH_HISTORY_SECONDS=30
      BENCH_HISTORY_PROFILE_SECONDS=3 BENCH_RETENTION_DAYS=7
      BENCH_DETECTOR_STEP_SERIES=5 BENCH_DETECTOR_NOISE_SERIES=1 BENCH_DETECTOR_NOISE_RUNS=100
      BENCH_CPSIM_NODES=50 BENCH_CPSIM_RUNS_PER_NODE=2 BENCH_CPSIM_PHASE_MS=100
      BENCH_PAIR_COUNTS="1 2" BENCH_PAIRS_RUNS_PER_NODE=1 BENCH_VERDICT_RUNS=0
      ;;
    *) die "--profile must be full or smoke, got '$1'" ;;
  esac
}

# The settings every run of the main app uses (Runs:Settings), and the bare runs mirror. A fixed
# number of repeats (no extra ones while the samples scatter), so both sides take as many.
run_settings_env() {
  printf '%s\n' "Runs__Settings__TcpSeconds=$BENCH_TCP_SECONDS" "Runs__Settings__UdpSeconds=$BENCH_UDP_SECONDS" \
    "Runs__Settings__OmitSeconds=$BENCH_OMIT_SECONDS" "Runs__Settings__Repeats=$BENCH_REPEATS" \
    "Runs__Settings__MaxRepeats=$BENCH_REPEATS" \
    "Runs__Settings__UdpTargetMbps=$BENCH_UDP_MBPS" "Runs__Settings__PingCount=$BENCH_PING_COUNT" \
    "Runs__Settings__PingIntervalSeconds=$BENCH_PING_INTERVAL"
}

config_json() {
  jq -cn --arg profile "$PROFILE" --argjson pairs "$BENCH_PAIRS" --argjson tcp "$BENCH_TCP_SECONDS" \
    --argjson udp "$BENCH_UDP_SECONDS" --argjson omit "$BENCH_OMIT_SECONDS" --argjson repeats "$BENCH_REPEATS" \
    --argjson pings "$BENCH_PING_COUNT" \
    --argjson interval "$BENCH_PING_INTERVAL" --argjson mbps "$BENCH_UDP_MBPS" \
    --argjson firstPhase "$BENCH_FIRST_PHASE_SAMPLES" --argjson push "$BENCH_PUSH_COUNT" --argjson rate "$BENCH_PUSH_RATE" \
    --argjson intakeReps "$BENCH_INTAKE_REPS" --argjson intakeSeconds "$BENCH_INTAKE_SECONDS" \
    --argjson concurrency "$BENCH_INTAKE_CONCURRENCY" --argjson circuits "$BENCH_CIRCUITS" \
    --argjson dashboards "$BENCH_DASHBOARDS" \
    --argjson seedSmall "$BENCH_SEED_SMALL" --argjson seedMain "$BENCH_SEED_MAIN" --argjson seedLarge "$BENCH_SEED_LARGE" \
    --argjson wrkSeconds "$BENCH_WRK_SECONDS" --argjson wrkReps "$BENCH_WRK_REPS" --argjson conns "$BENCH_WRK_CONNECTIONS" \
    --argjson historyNodes "$BENCH_HISTORY_NODES" --argjson historyHours "$BENCH_HISTORY_HOURS" \
    --argjson historyRequests "$BENCH_HISTORY_REQUESTS" --argjson stepSeries "$BENCH_DETECTOR_STEP_SERIES" \
    --argjson noiseSeries "$BENCH_DETECTOR_NOISE_SERIES" --argjson noiseRuns "$BENCH_DETECTOR_NOISE_RUNS" \
    --arg pairCounts "$BENCH_PAIR_COUNTS" \
    --argjson pairsRunsPerNode "$BENCH_PAIRS_RUNS_PER_NODE" --argjson verdictRuns "$BENCH_VERDICT_RUNS" --arg only "$ONLY" \
    '{profile: $profile, pairs: $pairs, vpns: $ARGS.positional,
      runSettings: {tcpSeconds: $tcp, udpSeconds: $udp, omitSeconds: $omit, repeats: $repeats, maxRepeats: $repeats,
                    pingCount: $pings, pingIntervalSeconds: $interval, udpTargetMbps: $mbps},
      settingsLabel: "\($tcp) s TCP/UDP tests, \($repeats) repeat\(if $repeats == 1 then "" else "s" end), \($pings) pings",
      firstPhaseSamples: $firstPhase, pushCount: $push, pushRate: $rate, intakeReps: $intakeReps,
      intakeSeconds: $intakeSeconds, intakeConcurrency: $concurrency, circuits: $circuits, dashboards: $dashboards,
      seedSmall: $seedSmall, seedMain: $seedMain, seedLarge: $seedLarge,
      wrkSeconds: $wrkSeconds, wrkReps: $wrkReps, wrkConnections: $conns,
      historyNodes: $historyNodes, historyHours: $historyHours, historyRequests: $historyRequests,
      detectorStepSeries: $stepSeries, detectorNoiseSeries: $noiseSeries, detectorNoiseRuns: $noiseRuns,
      pairCounts: ($pairCounts | split(" ") | map(tonumber)), pairsRunsPerNode: $pairsRunsPerNode, verdictRunsAtDefaults: $verdictRuns, only: (if $only == "" then null else $only end)}' --args "${BENCH_VPNS[@]}"
}

# Safe to call twice: stops what the suite started, takes the lab down, lets the lab go.
teardown() {
  local rc=$?
  set +e
  trap '' INT TERM
  bench_stop_all
  cp_sim_postgres stop >/dev/null 2>&1
  bench_lab_down
  bench_lab_release
  return "$rc"
}

ERR_REPORTED=0
on_err() {
  ((ERR_REPORTED)) && return 0
  ERR_REPORTED=1
  log_error "failed at line $1: $2"
}

# part_lab NODE_ID: interleaved pairs, one per VPN and round: a run of that VPN through the app
# (VPNLens's figures) and, right beside it, the same tunnel by hand (bare iperf3 and ping). The
# order alternates from one pair to the next (and from one VPN to the next in a round), so a
# shared machine that speeds up or slows down during the suite favours neither side of a ratio,
# and the two sides of a pair are minutes apart, not a whole four-protocol run.
part_lab() {
  local node_id=$1 round i proto
  for ((round = 1; round <= BENCH_PAIRS; round++)); do
    for i in "${!BENCH_VPNS[@]}"; do
      proto=${BENCH_VPNS[$i]}
      if (((round + i) % 2)); then
        measure_app_run "$round" "$BENCH_PORT" "$node_id" "$proto"
        measure_by_hand "$round" "$proto"
      else
        measure_by_hand "$round" "$proto"
        measure_app_run "$round" "$BENCH_PORT" "$node_id" "$proto"
      fi
    done
  done
}

# measure_by_hand PAIR PROTOCOL: the tunnel by hand: bare iperf3 and ping, then switch.sh's ladder alone.
measure_by_hand() {
  local pair=$1 proto=$2
  measure_bare "$pair" "$proto"
  measure_switch_readiness "$pair" "$proto"
  poll_until 30 node_is_quiet || log_warn "pair $pair: the node is not quiet after $proto by hand"
}

part_control_plane() {
  local node_id=$1 push_run intake_runs='' circuit_run live_run i run
  cp_first_phase "$node_id"
  # From here on the main app holds running runs that are never dispatched: no more real runs.
  push_run=$(cp_running_run "$node_id")
  for ((i = 0; i < 4; i++)); do
    run=$(cp_running_run "$node_id")
    intake_runs+="${intake_runs:+,}${run%:*}"
  done
  circuit_run=$(cp_running_run "$node_id")
  live_run=$(cp_running_run "$node_id")
  cp_push "$push_run"
  cp_dashboard_push "$push_run"
  cp_intake "$intake_runs"
  cp_circuits "$circuit_run"
  cp_permalink "$node_id"
  cp_permalink_live "$live_run"
}

# part_history: a year of hourly runs behind GET /api/history, and the regression detector's figures.
part_history() {
  history_query "$((BENCH_PORT + 3))"
  history_detector
}

# want PART: PART is measured (every part is, without --only).
want() { [[ -z "$ONLY" || ",$ONLY," == *",$1,"* ]]; }

# not_measured_part KEY...: figures of a part --only left out.
not_measured_part() {
  local key
  for key in "$@"; do not_measured "$key" "left out (--only $ONLY)"; done
}

# part_main_lab: the one-node lab: the main app, interleaved pairs, verdicts, the control plane.
part_main_lab() {
  local node_id settings
  bench_lab_up
  mapfile -t settings < <(run_settings_env)
  app_start main "$BENCH_PORT" "${settings[@]}"
  node_id=$(app_register_lab_node "$BENCH_PORT")
  log_info "seeding $BENCH_SEED_MAIN stored runs into the main app"
  bench_tool seed --db "$(app_db main)" --runs "$BENCH_SEED_MAIN" --template "$BENCH_TEMPLATE" \
    --tokens-out "$BENCH_WORK/tokens-main.txt" >"$BENCH_WORK/seed-main.json" || die "seeding the main app failed"
  cp_idle_memory main

  part_lab "$node_id"
  measure_false_differences "$BENCH_PORT"
  part_control_plane "$node_id"
}

main() {
  local out='' ref=HEAD machine started cfg part
  PROFILE=full ONLY=
  while (($#)); do
    case "$1" in
      --pairs)
        BENCH_PAIRS=${2:-}
        shift 2 || die "--pairs needs a number"
        ;;
      --repeats)
        BENCH_REPEATS=${2:-}
        shift 2 || die "--repeats needs a number"
        ;;
      --profile)
        PROFILE=${2:-}
        shift 2 || die "--profile needs full or smoke"
        ;;
      --only)
        ONLY=${2:-}
        shift 2 || die "--only needs parts: history, cp-sim, pairs, verdicts, lab"
        ;;
      --ref)
        ref=${2:-}
        shift 2 || die "--ref needs a commit"
        ;;
      --out)
        out=${2:-}
        shift 2 || die "--out needs a file"
        ;;
      -h | --help)
        usage
        return 0
        ;;
      *)
        usage >&2
        die "unknown option '$1'"
        ;;
    esac
  done
  profile_settings "$PROFILE"
  validate_positive_int --pairs "$BENCH_PAIRS"
  validate_positive_int --repeats "$BENCH_REPEATS"
  for part in ${ONLY//,/ }; do
    [[ "$part" =~ ^(history|cp-sim|pairs|verdicts|lab)$ ]] || die "--only takes history, cp-sim, pairs, verdicts, lab; got '$part'"
  done
  validate_root
  validate_tools
  started=$(date -u +%FT%TZ)
  machine=$(machine_json)

  trap teardown EXIT
  trap 'on_err "$LINENO" "$BASH_COMMAND"' ERR
  trap 'exit 130' INT
  trap 'exit 143' TERM
  install -d -m 0700 "$BENCH_STATE"
  bench_work_init
  BENCH_API_TOKEN=$(openssl rand -hex 24)
  BENCH_ADMIN_PASSWORD="$(openssl rand -hex 16)Aa1!"
  bench_export_source "$ref"
  out=${out:-$BENCH_DIR/results/$(date -u +%Y-%m-%d)-$(repo_git rev-parse --short "$BENCH_COMMIT").json}
  bench_publish
  # no lab needed: measured before the lab is taken, so the lab is not held for it
  if want history; then part_history; else not_measured_part history detector historyRetention; fi
  if want cp-sim; then part_cp_sim; else not_measured_part cpSim.postgres cpSim.sqlite; fi

  if want pairs || want verdicts || want lab; then bench_lab_acquire "${VPNLENS_BENCH_LAB_WAIT:-1800}"; fi
  if want pairs; then part_pairs; else not_measured_part "${PAIRS_DECLARED[@]/#/pairs.}"; fi
  if want verdicts; then part_verdict_defaults; else not_measured_part verdict.falseDifferenceDefaults; fi
  if want lab; then part_main_lab; fi

  cfg=$(config_json)
  # mkdir -p, not install -d: that resets the mode of a directory that exists (/tmp, for --out /tmp/x)
  mkdir -p "$(dirname "$out")"
  report_write "$out" "$cfg" "$machine" "$started"
  echo
  report_table "$out"
  echo
  log_info "results: $out (work files in $BENCH_WORK)"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
