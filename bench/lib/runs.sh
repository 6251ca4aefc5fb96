# shellcheck shell=bash
# Whole runs through the app on the lab node, one VPN each, with the readiness probe on: the
# evidence for fidelity (VPNLens's side), readiness, overhead and cost per protocol.
[[ -n "${_BENCH_RUNS_SH:-}" ]] && return 0
_BENCH_RUNS_SH=1

# The VPNs measured (direct is added by the app) and, per driver, the run.log line that marks the
# start of its up command (the time the ladder and the probe are both measured from).
# shellcheck disable=SC2034 # bench.sh walks them
readonly BENCH_VPNS=(wireguard nebula openvpn ipsec)
declare -A BENCH_UP_MARKER=([wireguard]='wireguard: wg-quick up' [nebula]='started nebula (pid' [openvpn]='started openvpn (pid'
  [ipsec]='started charon-systemd (pid')
readonly BENCH_UP_MARKER

# node_exec_argv: the argv prefix that runs a command in node1's namespace as one process chain
# (env -> lab.sh exec -> ip netns exec -> CMD), so a recorded pid is the command's own.
node_exec_argv() {
  NODE_EXEC=(env "VPNLENS_LAB_LOCK=$BENCH_INNER_LAB_LOCK" "VPNLENS_LAB_DIR=$BENCH_LAB_DIR" "$LAB_SH" exec "$BENCH_NODE")
}

# Completed: the run ended with results, some of its protocols failed.
is_terminal_state() { [[ "$1" =~ ^(Succeeded|Completed|Failed|TimedOut|Cancelled)$ ]]; }

# wait_run_end PORT RUN_ID TIMEOUT_S: prints the final GET /api/runs/{id} body. While the run
# measures, it only looks for the node's results.json (a builtin test), every 2 s: the suite
# must not load or wake the machine it measures. The API is asked when that file appears, or every 20 s.
wait_run_end() {
  local port=$1 id=$2 timeout_s=$3 deadline body state asked=0 results
  deadline=$((SECONDS + timeout_s))
  results="$(node_run_dir "$id")/results.json"
  while :; do
    if [[ -e "$results" ]] || ((SECONDS - asked >= 20)); then
      asked=$SECONDS
      body=$(app_api "$port" GET "/api/runs/$id") || body='{}'
      state=$(jq -r '.status // empty' <<<"$body")
      if is_terminal_state "$state"; then
        printf '%s\n' "$body"
        return 0
      fi
    fi
    ((SECONDS < deadline)) || die "run $id still ${state:-unknown} after ${timeout_s} s"
    sleep 2
  done
}

# log_line_ms RUN_LOG PROTOCOL TEXT: epoch ms of the first line of PROTOCOL's that contains TEXT.
log_line_ms() {
  local line
  line=$(grep -F -m 1 -- "[$2] $3" "$1" || true)
  [[ -n "$line" ]] || return 1
  iso_to_ms "${line%% *}"
}

# readiness_json LOG TAG PROTOCOL PROBE_FILE: when the up command started, when the ladder said
# ready (its last rung, full_size, passed), when the ping rung passed, and the probe's first reply.
# TAG is the log tag of the lines (run.sh tags them with the protocol, switch.sh with "switch").
readiness_json() {
  local log=$1 tag=$2 proto=$3 probe=$4 up ready ping reply='null'
  up=$(log_line_ms "$log" "$tag" "${BENCH_UP_MARKER[$proto]}") ||
    up=$(log_line_ms "$log" "$tag" "== $proto: bring_up") || up='null'
  ready=$(log_line_ms "$log" "$tag" 'ladder: rung full_size passed') || ready='null'
  ping=$(log_line_ms "$log" "$tag" 'ladder: rung ping passed') || ping='null'
  [[ -s "$probe" ]] && reply=$(jq '.firstReplyMs' "$probe")
  jq -cn --argjson up "$up" --argjson ready "$ready" --argjson ping "$ping" --argjson reply "$reply" '
    {upAtMs: $up, ladderReadyAtMs: $ready, pingRungAtMs: $ping, firstReplyAtMs: $reply,
     ladderMs: (if $up and $ready then $ready - $up else null end),
     pingRungMs: (if $up and $ping then $ping - $up else null end),
     trueMs: (if $up and $reply then $reply - $up else null end)}'
}

# first_samples_json RUN_ID: each protocol's first iperf3 interval of its first TCP upload (bit/s),
# warm-up included: 0 would mean the ladder called the tunnel ready before it carried traffic.
first_samples_json() {
  local dir file proto out='{}'
  dir="$(node_run_dir "$1")/protocols"
  for file in "$dir"/*/tcp-upload-1.json; do
    [[ -s "$file" ]] || continue
    proto=$(basename "$(dirname "$file")")
    proto=${proto#*-}
    out=$(jq -c --arg p "$proto" --argjson v "$(jq '.intervals[0].sum.bits_per_second // null' "$file")" '.[$p] = $v' <<<"$out")
  done
  printf '%s\n' "$out"
}

# start_probe NAME PROTOCOL OUT: the 10 ms readiness probe towards PROTOCOL's peer, in node1.
start_probe() {
  rm -f "$3"
  bench_spawn "$1" "$BENCH_WORK/logs/probe.log" "${NODE_EXEC[@]}" python3 "$BENCH_DIR/lib/ready_probe.py" \
    --peer "$(node_conf "$2" PEER_IP)" --out "$3" --timeout 1200
}

# measure_switch_readiness PAIR PROTOCOL: the same ladder without a run around it (switch.sh up:
# no phase callbacks or results bookkeeping between rungs), with the probe; evidence in
# runs/switch-PAIR-PROTOCOL.json. Tells the ladder's own cost from run.sh's.
measure_switch_readiness() {
  local pair=$1 proto=$2 prefix="$BENCH_WORK/runs/switch-$1-$2" switch
  node_exec_argv
  switch="$(node_dir)/home/scripts/switch.sh"
  [[ -x "$switch" ]] || return 0
  start_probe "probe-switch" "$proto" "$prefix.probe.json"
  without_lock "${NODE_EXEC[@]}" "$switch" up "$proto" >"$prefix.ladder.json" 2>"$prefix.log" </dev/null ||
    log_warn "pair $pair: switch.sh up $proto failed; see $prefix.log"
  "${NODE_EXEC[@]}" "$switch" stop >/dev/null 2>>"$prefix.log" </dev/null || log_warn "pair $pair: switch.sh stop failed"
  bench_stop probe-switch 5
  jq -cn --argjson pair "$pair" --arg p "$proto" --argjson r "$(readiness_json "$prefix.log" switch "$proto" "$prefix.probe.json")" \
    '{pair: $pair, protocol: $p} + $r' >"$prefix.json"
}

# measure_app_run PAIR PORT NODE_ID PROTOCOL: one whole run of PROTOCOL (the app adds direct before
# it), evidence in runs/run-PAIR-PROTOCOL.json.
measure_app_run() {
  local pair=$1 port=$2 node_id=$3 proto=$4 out="$BENCH_WORK/runs/run-$1-$4.json" probe id body request cpu0 cpu readiness
  node_exec_argv
  probe="$BENCH_WORK/runs/probe-$pair-$proto.json"
  start_probe "probe-$proto" "$proto" "$probe"
  request=$(jq -cn --arg n "$node_id" --arg p "$proto" '{nodeId: $n, protocols: [$p], email: "bench@vpnlens.test"}')
  cpu0=$(cpu_snapshot "$(app_pid main)")
  id=$(app_api "$port" POST /api/runs "$request" | jq -r .id)
  log_info "pair $pair: run $id (direct $proto) queued"
  body=$(wait_run_end "$port" "$id" 1200)
  cpu=$(cpu_share_json "$cpu0" "$(cpu_snapshot "$(app_pid main)")")
  poll_until 60 node_is_quiet || log_warn "run $id: the node still has a run.sh or tunnel 60 s after the run ended"
  bench_stop "probe-$proto" 5
  readiness=$(jq -cn --arg p "$proto" --argjson r "$(readiness_json "$(node_run_dir "$id")/run.log" "$proto" "$proto" "$probe")" '{($p): $r}')
  cp -f "$(node_run_dir "$id")/run.log" "$BENCH_WORK/runs/run-$pair-$proto.log" 2>/dev/null || true
  jq -cn --argjson pair "$pair" --arg p "$proto" --argjson run "$body" --argjson readiness "$readiness" --argjson cpu "$cpu" \
    --argjson first "$(first_samples_json "$id")" \
    --argjson queued "$(iso_to_ms "$(jq -r .queuedAt <<<"$body")")" \
    --argjson finished "$(iso_to_ms "$(jq -r '.finishedAt // .queuedAt' <<<"$body")")" \
    '{pair: $pair, protocol: $p, runId: $run.id, state: $run.status, wallMs: ($finished - $queued), run: $run,
      readiness: $readiness, firstSamples: $first, cpuDuringRun: $cpu}' >"$out"
  log_info "pair $pair: run $id $(jq -r .status <<<"$body") in $(jq -r '.wallMs / 1000' "$out") s"
}
