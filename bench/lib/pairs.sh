# shellcheck shell=bash
# Throughput over disjoint node/endpoint pairs: for each pair count P, a lab of P nodes and P VPN
# endpoints (node N measures against endpoint N), a fresh app that knows every endpoint and has each
# node registered with its own, K runs per node of one short fixed protocol set queued at once
# through the API, and every run's stored times once all have ended. Evidence: one JSON line per P in
# pairs.jsonl; a pair count the profile leaves out is recorded as not measured.
[[ -n "${_BENCH_PAIRS_SH:-}" ]] && return 0
_BENCH_PAIRS_SH=1

# Every pair count the figures declare; BENCH_PAIR_COUNTS is the profile's share of them.
readonly PAIRS_DECLARED=(1 2 4)
# The protocol set of each run (direct is added by the app) and its shortest settings.
readonly PAIRS_PROTOCOLS=(wireguard)
readonly PAIRS_SETTINGS=(Runs__Settings__TcpSeconds=1 Runs__Settings__UdpSeconds=1 Runs__Settings__OmitSeconds=0
  Runs__Settings__Repeats=1 Runs__Settings__MaxRepeats=1 Runs__Settings__PingCount=3 Runs__Settings__PingIntervalSeconds=0.2
  Runs__Settings__ParallelStreams=2 Runs__Settings__UdpTargetMbps=20)

loadavg_json() { awk '{ printf "[%s,%s,%s]\n", $1, $2, $3 }' /proc/loadavg; }

# pairs_endpoint_settings: Endpoints__Names__i for every endpoint the lab's nodes name besides the
# control plane's (always known to the app).
pairs_endpoint_settings() {
  jq -r '[.nodes[].endpoint // empty | select(. != "control-plane")] | unique | to_entries[]
    | "Endpoints__Names__\(.key)=\(.value)"' "$BENCH_LAB_DIR/nodes.json"
}

# iso_ms_or_null ISO: epoch ms, or null for an empty time.
iso_ms_or_null() { if [[ -n "$1" ]]; then iso_to_ms "$1"; else echo null; fi; }

# pairs_run_json PORT RUN_ID: the run's stored state and times (epoch ms, null where unset).
pairs_run_json() {
  local body
  body=$(app_api "$1" GET "/api/runs/$2") || body='{}'
  jq -cn --arg id "$2" --argjson b "$body" \
    --argjson q "$(iso_ms_or_null "$(jq -r '.queuedAt // empty' <<<"$body")")" \
    --argjson s "$(iso_ms_or_null "$(jq -r '.startedAt // empty' <<<"$body")")" \
    --argjson f "$(iso_ms_or_null "$(jq -r '.finishedAt // empty' <<<"$body")")" \
    '{runId: $id, nodeId: $b.nodeId, state: ($b.status // "unknown"), queuedAtMs: $q, startedAtMs: $s, finishedAtMs: $f}'
}

# pairs_all_ended PORT IDS...: every run in a terminal state.
pairs_all_ended() {
  local port=$1 id
  shift
  for id in "$@"; do
    is_terminal_state "$(app_api "$port" GET "/api/runs/$id" | jq -r '.status // empty')" || return 1
  done
}

# pairs_measure P K: one pair count, its evidence appended to pairs.jsonl.
pairs_measure() {
  local p=$1 k=$2 port=$BENCH_PORT name="pairs$1" i n node_ids=() ids=() settings load0 load_max cpu0 cpu
  local deadline request ended=0 runs
  log_info "throughput: $p node/endpoint pair(s), $k run(s) per node"
  bench_lab_up "$p" "$p"
  mapfile -t settings < <(pairs_endpoint_settings)
  app_start "$name" "$port" "${PAIRS_SETTINGS[@]}" "${settings[@]}"
  for ((n = 0; n < p; n++)); do node_ids+=("$(app_register_lab_node "$port" "$n")"); done
  load0=$(loadavg_json)
  load_max=$(cut -d' ' -f1 /proc/loadavg)
  cpu0=$(cpu_snapshot "$(app_pid "$name")")
  for ((i = 1; i <= k; i++)); do
    for n in "${node_ids[@]}"; do
      request=$(jq -cn --arg n "$n" '{nodeId: $n, protocols: $ARGS.positional, email: "bench@vpnlens.test"}' --args "${PAIRS_PROTOCOLS[@]}")
      ids+=("$(app_api "$port" POST /api/runs "$request" | jq -r .id)")
    done
  done
  # each run alone takes well under a minute at these settings; a generous bound for a loaded machine
  deadline=$((SECONDS + 300 + 120 * k))
  while ((SECONDS < deadline)); do
    sleep 5
    load_max=$(awk -v m="$load_max" '{ print ($1 > m ? $1 : m) }' /proc/loadavg)
    if pairs_all_ended "$port" "${ids[@]}"; then
      ended=1
      break
    fi
  done
  cpu=$(cpu_share_json "$cpu0" "$(cpu_snapshot "$(app_pid "$name")")")
  ((ended)) || log_warn "throughput: not every run of $p pair(s) ended within the time allowed"
  runs=$(for i in "${ids[@]}"; do pairs_run_json "$port" "$i"; done | jq -sc .)
  json_append "$BENCH_WORK/pairs.jsonl" "$(jq -cn --argjson p "$p" --argjson k "$k" --argjson runs "$runs" \
    --argjson before "$load0" --argjson after "$(loadavg_json)" --argjson max "$load_max" --argjson cpu "$cpu" \
    --argjson ended "$((ended))" --argjson cores "$(nproc)" \
    '{pairs: $p, runsPerNode: $k, protocols: $ARGS.positional, allEnded: ($ended == 1), cores: $cores,
      loadAverage: {before: $before, after: $after, max1m: $max}, cpuDuring: $cpu, runs: $runs}' --args "${PAIRS_PROTOCOLS[@]}")"
  app_stop "$name"
}

# part_pairs: every declared pair count, those of the profile measured, in increasing order.
part_pairs() {
  local p
  for p in "${PAIRS_DECLARED[@]}"; do
    if [[ " $BENCH_PAIR_COUNTS " != *" $p "* ]]; then
      not_measured "pairs.$p" "the $PROFILE profile measures ${BENCH_PAIR_COUNTS// /, } pair(s) only"
    else
      pairs_measure "$p" "$BENCH_PAIRS_RUNS_PER_NODE"
    fi
  done
}
