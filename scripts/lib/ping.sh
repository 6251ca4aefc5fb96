# shellcheck shell=bash disable=SC2034
# Latency with iputils ping: the raw per-packet round-trip times, packets sent and
# received. Statistics are the control plane's job.
[[ -n "${_VPNLENS_PING_SH:-}" ]] && return 0
_VPNLENS_PING_SH=1

# ping_parse FILE: {"sent": N, "received": N, "rttMs": [...]} from ping's output.
# Duplicates are not replies of their own; a missing summary line is an error.
ping_parse() {
  local file=$1 line sent='' received='' rtts=()
  while IFS= read -r line; do
    if [[ "$line" =~ icmp_seq=[0-9]+.*\ time[=\<]([0-9.]+)\ ms ]] && [[ "$line" != *"(DUP!)"* ]]; then
      rtts+=("${BASH_REMATCH[1]}")
    elif [[ "$line" =~ ^([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ (packets\ )?received ]]; then
      sent=${BASH_REMATCH[1]} received=${BASH_REMATCH[2]}
    fi
  done <"$file"
  [[ -n "$sent" ]] || return 1
  jq -cn --argjson sent "$sent" --argjson received "$received" \
    '{sent: $sent, received: $received, rttMs: ($ARGS.positional | map(tonumber))}' \
    --args "${rtts[@]}"
}

# ping_measure PEER COUNT INTERVAL_S OUT_JSON
# Runs ping and leaves the parsed JSON in OUT_JSON. Lost packets are data, not failure;
# a ping that could not run at all (no route, bad address) sets PING_ERROR and fails.
ping_measure() {
  local peer=$1 count=$2 interval=$3 out_json=$4 raw rc=0 deadline
  raw="${out_json%.json}.txt"
  # ping stops by itself after COUNT packets; the deadline only bounds a stuck one
  deadline=$(awk -v c="$count" -v i="$interval" 'BEGIN { printf "%d", c * i + 10 }')
  ip_family_args "$peer"
  timeout --foreground -k 2 "$deadline" ping ${IP_FAMILY_ARGS[@]+"${IP_FAMILY_ARGS[@]}"} -n -c "$count" -i "$interval" -W 2 "$peer" >"$raw" 2>&1 || rc=$?
  PING_ERROR=''
  if ! ping_parse "$raw" >"$out_json"; then
    PING_ERROR="ping ${peer} failed (exit $rc): $(grep -v '^[[:space:]]*$' "$raw" | tail -n 1)"
    ((rc == 124)) && PING_ERROR="ping $peer did not finish within ${deadline} s"
    return 1
  fi
}
