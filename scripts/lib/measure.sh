# shellcheck shell=bash disable=SC2034,SC2016
# The phases of one protocol (docs/node-protocol.md, "Phases"), each a function that
# phase_run calls. They share the protocol's state in PROTO_* variables and write what
# they measure into the protocol's results file as soon as they have it.
[[ -n "${_VPNLENS_MEASURE_SH:-}" ]] && return 0
_VPNLENS_MEASURE_SH=1

# A load is "on" once the interface has sent this many bytes since the test started.
LOAD_RAMP_BYTES=${LOAD_RAMP_BYTES:-1048576}

measure_stop_everything() {
  stop_everything || phase_fail "stop everything left VPN state behind (see run.log)"
  phase_detail "no VPN state left in this network namespace"
}

# The per-run auth key file for tailscale, 0600 in the state dir; removed at teardown.
auth_key_file() { printf '%s/tailscale-authkey\n' "$VPNLENS_STATE_DIR"; }

write_auth_key_file() {
  [[ -n "${TAILSCALE_AUTH_KEY:-}" ]] || return 0
  ensure_state_dir
  (
    umask 077
    printf '%s\n' "$TAILSCALE_AUTH_KEY" >"$(auth_key_file)"
  )
  TS_AUTH_KEY_FILE=$(auth_key_file)
}

measure_bring_up() {
  load_driver "$PROTOCOL" required
  driver_check
  PROTO_IFACE=$(driver_interface)
  ip_version_peer "$PROTOCOL"
  PROTO_PORT=$IPERF_PORT
  ip_version_backend
  result_update '.interface = $i | .peer = $p' --arg i "$PROTO_IFACE" --arg p "$PROTO_PEER"
  clock_ms PROTO_UP_STARTED_MS
  driver_up
  clock_ms PROTO_UP_ENDED_MS
  phase_detail "$PROTOCOL up on $PROTO_IFACE, peer $PROTO_PEER${PROTO_BACKEND_NOTE:+ ($PROTO_BACKEND_NOTE)}"
}

# phases_bring_up_and_ladder: the bring_up phase and the ladder's rung_* phases. The up
# command and the climb run back to back, with nothing in between (no phase bookkeeping,
# no jq, no log line): the ladder's readiness is the time it reports. Then every phase is
# reported at once, with the times it really began and ended (ladder_report).
phases_bring_up_and_ladder() {
  phase_check_open
  phase_begin "$PROTOCOL" bring_up
  PHASE_STATUS=succeeded PHASE_DETAIL=''
  measure_bring_up
  trap_signals ladder_stopped TERM INT
  ladder_climb "$PROTO_IFACE" "$PROTO_PEER" "$PROTO_BACKEND" "$S_LADDER_TIMEOUT" || true
  trap - TERM INT
  ladder_report
}

# ladder_stopped SIGNAL: the run is being stopped in the middle of the climb. Report what
# the climb got to (the rung it was on stays the phase in progress, for whoever sent the
# signal to report), then end as the signal would have. run.sh signals this subshell again
# while it waits for it to end (and KILLs it after a while): that must not cut the report.
ladder_stopped() {
  trap '' TERM INT
  ladder_report || true
  exit_on_signal "$1"
}

# ladder_report: after the climb, queue bring_up's event (ended when the up command returned),
# then one event per rung climbed (rung_<name>, succeeded, "<rung> in N ms" and "(proven by
# rung ping)" when another rung's check proved it, from when it began to when it passed), and
# write the results (ladder_results). A rung that did not pass is left as the phase in progress, begun when it really began, and fails with RUNG_ERROR.
ladder_report() {
  local i rung events=''
  ladder_log
  phase_end "$PHASE_STATUS" "$PHASE_DETAIL" "$PROTO_UP_ENDED_MS"
  for i in "${!LADDER_PASS_MS[@]}"; do
    rung=${LADDER_RUNGS[i]}
    ladder_passed_in "$i"
    events+="rung_$rung"$'\t'succeeded$'\t'"${LADDER_START_MS[i]}"$'\t'"${LADDER_PASS_MS[i]}"
    events+=$'\t'"$rung in $LADDER_PASSED_IN"$'\n'
  done
  [[ -z "$events" ]] || phase_record "$PROTOCOL" "${events%$'\n'}"
  ladder_results
  i=${#LADDER_PASS_MS[@]}
  if ((i < ${#LADDER_START_MS[@]})); then
    phase_begin "$PROTOCOL" "rung_${LADDER_RUNGS[i]}" "${LADDER_START_MS[i]}"
    if [[ -n "$LADDER_FAILED" ]]; then
      phase_fail "$RUNG_ERROR"
    fi
  fi
}

# ladder_results: the climb's part of the protocol's results, in one jq: the ladder; the
# interface's MTU once rung interface passed; pathMtu once a full-size echo crossed (rung
# ping's, or rung full_size's probe and search: the largest packet that crossed); setupMs once rung ping passed (from the up command to the
# first reply through the tunnel); versions (and the daemon's pid, for the CPU figures)
# once rung backend passed.
ladder_results() {
  local at updates
  updates="{\"ladder\":$(ladder_json)"
  if [[ -n "$(ladder_passed_at interface)" ]]; then
    updates+=",\"mtu\":$(link_mtu "$PROTO_IFACE" || echo null)"
  fi
  [[ -z "$LADDER_PATH_MTU" ]] || updates+=",\"pathMtu\":$LADDER_PATH_MTU"
  at=$(ladder_passed_at ping)
  [[ -z "$at" ]] || updates+=",\"setupMs\":$((at - PROTO_UP_STARTED_MS))"
  if [[ -n "$(ladder_passed_at backend)" ]]; then
    updates+=",\"versions\":$(driver_versions)"
    PROTO_DAEMON_PID=$(driver_daemon_pid)
  fi
  result_update '. + $u' --argjson u "$updates}"
}

# describe_latency JSON: "20/20 replies"
describe_latency() { jq -r '"\(.received)/\(.sent) replies"' <<<"$1"; }

measure_latency_idle() {
  local out="$PROTO_DIR/latency-idle.json"
  ping_measure "$PROTO_PEER" "$S_PING_COUNT" "$S_PING_INTERVAL" "$out" || phase_fail "$PING_ERROR"
  result_set latencyIdle "$(cat "$out")"
  phase_detail "$(describe_latency "$(cat "$out")")"
}

# tcp_once MODE N: one iperf3 TCP test, CPU counted around it.
tcp_once() {
  local mode=$1 n=$2 prefix="$PROTO_DIR/tcp-$1-$2"
  cpu_window_begin "$PROTO_DAEMON_PID"
  iperf_measure "$mode" "$PROTO_PEER" "$PROTO_PORT" "$S_TCP_SECONDS" "$S_OMIT" 0 "$prefix" ||
    phase_fail "$IPERF_ERROR"
  cpu_window_end "$(jq -r '.bytes // 0' "$prefix.sample")"
  cp "$prefix.sample" "$REPEAT_SAMPLE_FILE"
}

# udp_once N: one iperf3 UDP test at the target rate.
udp_once() {
  local prefix="$PROTO_DIR/udp-$1"
  iperf_measure udp "$PROTO_PEER" "$PROTO_PORT" "$S_UDP_SECONDS" "$S_OMIT" "$S_UDP_MBPS" "$prefix" ||
    phase_fail "$IPERF_ERROR"
  cp "$prefix.sample" "$REPEAT_SAMPLE_FILE"
}

# describe_samples FILE: "median 812.3 Mbit/s over 3 runs (RSD 1.2 %)"
describe_samples() {
  jq -r --arg rsd "$REPEAT_RSD" 'map(.bitsPerSecond) | sort as $v | ($v | length) as $n
    | (if $n % 2 == 1 then $v[($n - 1) / 2] else ($v[$n / 2 - 1] + $v[$n / 2]) / 2 end) as $m
    | "median \($m / 1e6 * 10 | round / 10) Mbit/s over \($n) runs (RSD \($rsd) %)"' "$1"
}

# measure_throughput KEY COMMAND...: repeat until stable; keep every sample, even when a
# later repeat fails.
measure_throughput() {
  local key=$1 samples="$PROTO_DIR/$1.json" rc=0
  shift
  repeat_until_stable "$samples" "$S_REPEATS" "$S_MAX_REPEATS" "$S_RSD" "$@" || rc=$?
  [[ -s "$samples" ]] && result_set "$key" "$(cat "$samples")"
  ((rc == 0)) || return "$rc"
  phase_detail "$(describe_samples "$samples")"
}

measure_tcp_upload() { measure_throughput tcpUpload tcp_once upload; }
measure_tcp_download() { measure_throughput tcpDownload tcp_once download; }

# tcp_streams_once MODE(upload|bidir) N: one iperf3 TCP test with settings.parallelStreams
# streams (each way, for bidir), as real traffic runs many connections at once.
tcp_streams_once() {
  local prefix="$PROTO_DIR/tcp-$1-p$S_PARALLEL_STREAMS-$2"
  iperf_measure "$1" "$PROTO_PEER" "$PROTO_PORT" "$S_TCP_SECONDS" "$S_OMIT" 0 "$prefix" "$S_PARALLEL_STREAMS" ||
    phase_fail "$IPERF_ERROR"
  cp "$prefix.sample" "$REPEAT_SAMPLE_FILE"
}

measure_tcp_parallel() {
  measure_throughput tcpParallel tcp_streams_once upload
  phase_detail "$PHASE_DETAIL, $S_PARALLEL_STREAMS streams"
}

# Both directions at once (--bidir): the up figure is repeated until stable, the down one
# rides along.
measure_tcp_bidir() {
  local down
  measure_throughput tcpBidir tcp_streams_once bidir
  down=$(jq -r 'map(.reverseBitsPerSecond // 0) | sort as $v | ($v | length) as $n
    | (if $n % 2 == 1 then $v[($n - 1) / 2] else ($v[$n / 2 - 1] + $v[$n / 2]) / 2 end) / 1e6 * 10 | round / 10' \
    "$PROTO_DIR/tcpBidir.json")
  phase_detail "up $PHASE_DETAIL, down median $down Mbit/s at the same time, $S_PARALLEL_STREAMS streams each way"
}
measure_udp() { measure_throughput udp udp_once; }

tx_bytes() { cat "$VPNLENS_SYS_NET/$1/statistics/tx_bytes" 2>/dev/null || echo 0; }

# _load_is_on IFACE TX0 PREFIX: enough bytes left IFACE, or the load test already ended.
_load_is_on() {
  (($(tx_bytes "$1") - $2 >= LOAD_RAMP_BYTES)) && return 0
  [[ -e "$3.done" ]] && return 0
  echo "no load on $1 yet"
  return 1
}

# _load_error PREFIX: why the background load test has no result.
_load_error() {
  if [[ -s "$1.error" ]]; then
    cat "$1.error"
  elif [[ -s "$1.sample" ]]; then
    echo "the iperf3 load ended before the ping started"
  else
    echo "iperf3 load test ended without a result"
  fi
}

# Latency under load: ping while settings.parallelStreams iperf3 TCP streams run each way
# (--bidir: flent's RRUL idea, a link loaded as real traffic loads it). The ping starts once
# the interface's byte counter shows the load, not after a guessed pause. The load's own
# figures are kept beside the pings (latencyLoaded.load).
measure_latency_loaded() {
  local out="$PROTO_DIR/latency-loaded.json" prefix="$PROTO_DIR/tcp-loaded" tx0 seconds pid wait_s
  seconds=$(awk -v c="$S_PING_COUNT" -v i="$S_PING_INTERVAL" 'BEGIN { printf "%d", c * i + 5.999 }')
  wait_s=$((S_OMIT + 10))
  rm -f "$prefix".*
  tx0=$(tx_bytes "$PROTO_IFACE")
  (
    iperf_measure bidir "$PROTO_PEER" "$PROTO_PORT" "$seconds" "$S_OMIT" 0 "$prefix" "$S_PARALLEL_STREAMS" || true
    : >"$prefix.done"
  ) &
  pid=$!
  if ! poll_until "$((wait_s * 1000))" _load_is_on "$PROTO_IFACE" "$tx0" "$prefix"; then
    kill_tree "$pid"
    wait "$pid" || true
    phase_fail "no load on $PROTO_IFACE within ${wait_s} s of starting iperf3"
  fi
  if [[ -e "$prefix.done" ]]; then
    wait "$pid" || true
    phase_fail "$(_load_error "$prefix")"
  fi
  ping_measure "$PROTO_PEER" "$S_PING_COUNT" "$S_PING_INTERVAL" "$out" || {
    kill_tree "$pid"
    wait "$pid" || true
    phase_fail "$PING_ERROR"
  }
  [[ -e "$prefix.done" ]] && log_warn "latency_loaded: the load ended before the last ping"
  wait "$pid" || true
  [[ -s "$prefix.sample" ]] || phase_fail "$(_load_error "$prefix")"
  result_set latencyLoaded "$(jq -c --slurpfile load "$prefix.sample" '. + {load: $load[0]}' "$out")"
  phase_detail "$(describe_latency "$(cat "$out")") under $(jq -r '"\(.bitsPerSecond / 1e6 * 10 | round / 10) up and \((.reverseBitsPerSecond // 0) / 1e6 * 10 | round / 10) down Mbit/s, \(.streams) streams each way"' "$prefix.sample")"
}

measure_cpu() {
  local report
  report=$(cpu_report)
  result_set cpu "$report"
  phase_detail "$(jq -r '"\(.daemon // "kernel/none"): \(.daemonCpuSeconds // 0) s daemon, \(.systemCpuSeconds) s system CPU for \(.bytesMoved) bytes"' <<<"$report")"
}

_probe_ping() {
  ip_family_args "$1"
  ping ${IP_FAMILY_ARGS[@]+"${IP_FAMILY_ARGS[@]}"} -n -c 1 -W 0.2 "$1" >/dev/null 2>&1
}

# Recovery: restart the VPN daemon, then time until a reply comes back through the tunnel
# (a tight probe: one ping with a 200 ms timeout after another).
measure_recovery() {
  local start rc=0 ms
  start=$(now_ms)
  driver_restart || rc=$?
  if ((rc == DRIVER_NOT_APPLICABLE)); then
    phase_skip "no tunnel to restart"
    return 0
  fi
  ((rc == 0)) || phase_fail "restarting $PROTOCOL failed (exit $rc)"
  if ! POLL_FIRST_PAUSE_MS=20 POLL_MAX_PAUSE_MS=20 \
    poll_until "$((S_RECOVERY_TIMEOUT * 1000))" _probe_ping "$PROTO_PEER"; then
    phase_fail "no reply from $PROTO_PEER within ${S_RECOVERY_TIMEOUT} s of restarting $PROTOCOL"
  fi
  ms=$(($(now_ms) - start))
  result_set recovery "$(jq -cn --argjson ms "$ms" '{method: "restart", ms: $ms}')"
  PROTO_DAEMON_PID=$(driver_daemon_pid)
  phase_detail "traffic again ${ms} ms after the restart"
}
