# shellcheck shell=bash
# Throughput with iperf3 -J. iperf3 reports many failures with exit code 0 and an "error"
# member (connection refused, server busy, server terminated mid-test), some with a
# non-zero exit and usage text instead of JSON, and a killed one leaves truncated JSON.
# Every one of those becomes IPERF_ERROR with iperf3's own words: never a crash, never a
# silent 0.
[[ -n "${_VPNLENS_IPERF_SH:-}" ]] && return 0
_VPNLENS_IPERF_SH=1

# iperf_error STDOUT_FILE STDERR_FILE EXIT_CODE MODE(tcp|udp): print why this run is not a
# measurement, or nothing when it is one.
iperf_error() {
  local out=$1 err=$2 rc=$3 mode=$4 message last_err
  last_err=$(grep -v '^[[:space:]]*$' "$err" 2>/dev/null | tail -n 1 || true)
  if ((rc == 124 || rc == 137)); then
    echo "iperf3 did not finish in time and was killed"
    return 0
  fi
  if [[ ! -s "$out" ]]; then
    echo "iperf3 exited with status $rc and printed nothing${last_err:+: $last_err}"
    return 0
  fi
  if ! jq -e 'type == "object"' "$out" >/dev/null 2>&1; then
    if [[ -n "$last_err" ]]; then
      echo "$last_err"
    else
      echo "iperf3 printed invalid or truncated JSON (exit $rc)"
    fi
    return 0
  fi
  message=$(jq -r '.error // empty' "$out")
  if [[ -n "$message" ]]; then
    echo "iperf3: $message"
    return 0
  fi
  if ((rc != 0)); then
    echo "iperf3 exited with status $rc${last_err:+: $last_err}"
    return 0
  fi
  local summary='.end.sum_received'
  [[ "$mode" == udp ]] && summary='.end.sum'
  if ! jq -e "$summary.bits_per_second | type == \"number\"" "$out" >/dev/null 2>&1; then
    echo "iperf3 JSON has no end summary ($summary)"
    return 0
  fi
  if ! jq -e '(.end.sum_received // .end.sum).bits_per_second > 0' "$out" >/dev/null 2>&1; then
    echo "iperf3 measured 0 bit/s: nothing went through"
  fi
}

# iperf_tcp_sample FILE: one tcpUpload/tcpDownload sample (receiver's view of the bytes).
iperf_tcp_sample() {
  jq -c '{
    bitsPerSecond: .end.sum_received.bits_per_second,
    retransmits: (.end.sum_sent.retransmits // null),
    bytes: .end.sum_received.bytes,
    cpuLocalPercent: (.end.cpu_utilization_percent.host_total // null),
    cpuRemotePercent: (.end.cpu_utilization_percent.remote_total // null),
    intervals: [.intervals[]? | select(.sum.omitted != true) | .sum.bits_per_second],
    streams: (.start.test_start.num_streams // 1)
  } + (if .end.sum_received_bidir_reverse then {
    reverseBitsPerSecond: .end.sum_received_bidir_reverse.bits_per_second,
    reverseRetransmits: (.end.sum_sent_bidir_reverse.retransmits // null)
  } else {} end)' "$1"
}

# iperf_udp_sample FILE: one udp sample: the rate that arrived, the receiver's loss/jitter.
iperf_udp_sample() {
  jq -c '{
    bitsPerSecond: ((.end.sum_received // .end.sum).bits_per_second),
    jitterMs: (.end.sum.jitter_ms // null),
    lostPackets: (.end.sum.lost_packets // null),
    packets: (.end.sum.packets // null),
    lostPercent: (.end.sum.lost_percent // null)
  }' "$1"
}

# iperf_run MODE(upload|download|bidir|udp) PEER PORT SECONDS OMIT UDP_MBPS OUT_PREFIX [STREAMS]
# Runs one iperf3 client (STREAMS parallel TCP streams, -P; 1 by default). On success writes the sample JSON to OUT_PREFIX.sample; on
# failure sets IPERF_ERROR (also written to OUT_PREFIX.error) and returns 1. Raw output
# stays in OUT_PREFIX.json and .stderr.
iperf_run() {
  local mode=$1 peer=$2 port=$3 seconds=$4 omit=$5 mbps=$6 prefix=$7 streams=${8:-1} rc=0 kind=tcp
  local args=(-J -c "$peer" -p "$port" -t "$seconds" -O "$omit" --connect-timeout 5000)
  ip_family_args "$peer"
  args+=(${IP_FAMILY_ARGS[@]+"${IP_FAMILY_ARGS[@]}"})
  ((streams == 1)) || args+=(-P "$streams")
  case "$mode" in
    upload) ;;
    download) args+=(-R) ;;
    bidir) args+=(--bidir) ;;
    udp)
      args+=(-u -b "${mbps}M")
      kind=udp
      ;;
    *) die "iperf_run: unknown mode $mode" ;;
  esac
  IPERF_ERROR=''
  log_info "iperf3 ${args[*]}"
  timeout --foreground -k 5 "$((seconds + omit + 30))" iperf3 "${args[@]}" \
    >"$prefix.json" 2>"$prefix.stderr" || rc=$?
  IPERF_ERROR=$(iperf_error "$prefix.json" "$prefix.stderr" "$rc" "$kind")
  if [[ -n "$IPERF_ERROR" ]]; then
    log_error "$IPERF_ERROR"
    printf "%s\n" "$IPERF_ERROR" >"$prefix.error"
    return 1
  fi
  if [[ "$kind" == udp ]]; then
    iperf_udp_sample "$prefix.json" >"$prefix.sample"
  else
    iperf_tcp_sample "$prefix.json" >"$prefix.sample"
  fi
}

# A server still inside a test (its last client gone without a goodbye: a tunnel deleted mid-test)
# answers "busy" until it gives that test up (the servers VPNLens starts do within seconds:
# --rcv-timeout/--snd-timeout); so "busy" is asked again, pausing 0.5, 1, 2 ... s, for up to
# IPERF_BUSY_WAIT_MS in all.
IPERF_BUSY_WAIT_MS=${IPERF_BUSY_WAIT_MS:-20000}
IPERF_BUSY_FIRST_PAUSE_MS=500

is_iperf_busy() { [[ "$1" == *"the server is busy running a test"* ]]; }

# iperf_measure ARGS...: iperf_run ARGS..., asked again while the server is busy (above).
iperf_measure() {
  local start now pause=$IPERF_BUSY_FIRST_PAUSE_MS tries=1
  clock_ms start
  while ! iperf_run "$@"; do
    is_iperf_busy "$IPERF_ERROR" || return 1
    clock_ms now
    if ((now + pause > start + IPERF_BUSY_WAIT_MS)); then
      IPERF_ERROR="$IPERF_ERROR (still busy after $tries tries within $((IPERF_BUSY_WAIT_MS / 1000)) s)"
      log_error "$IPERF_ERROR"
      printf "%s\n" "$IPERF_ERROR" >"$7.error"
      return 1
    fi
    log_warn "iperf3 server $2:$3 is busy; asking again in $pause ms"
    pause_ms "$pause"
    pause=$((pause * 2))
    tries=$((tries + 1))
  done
}

iperf_version() {
  local out='' words=()
  out=$(iperf3 --version 2>/dev/null) || true
  read -r -a words <<<"$out" || true
  printf '%s\n' "${words[1]:-}"
}
