# shellcheck shell=bash disable=SC2034
# The Verification Ladder: after bring-up, check the physical reality of the tunnel one
# rung at a time, each polled until it passes or its deadline ends. An exit code 0 from
# an "up" command proves nothing; these do.
[[ -n "${_VPNLENS_LADDER_SH:-}" ]] && return 0
_VPNLENS_LADDER_SH=1

readonly LADDER_RUNGS=(interface ip route ping backend)

# Each check prints why it fails (poll_until keeps the last attempt's words).
check_interface() {
  ip link show dev "$1" >/dev/null 2>&1 || {
    echo "interface $1 does not exist"
    return 1
  }
}

check_ip() {
  local iface=$1 peer=$2 family=-4 word=inet label=IPv4
  [[ "$peer" == *:* ]] && family=-6 word=inet6 label=IPv6
  local out
  out=$(ip -o "$family" addr show dev "$iface" 2>/dev/null) || true
  [[ "$out" == *" $word "* ]] || {
    echo "interface $iface has no $label address"
    return 1
  }
}

check_route() {
  local iface=$1 peer=$2 out
  if ! out=$(ip -o route get "$peer" 2>&1); then
    echo "no route to $peer: ${out//$'\n'/ }"
    return 1
  fi
  [[ " $out " == *" dev $iface "* ]] || {
    local dev=elsewhere
    [[ " $out " =~ \ dev\ ([^ ]+) ]] && dev=${BASH_REMATCH[1]}
    echo "$peer goes out via $dev, not via $iface"
    return 1
  }
}

check_ping() {
  ping -n -c 1 -W 1 "$2" >/dev/null 2>&1 || {
    echo "no reply from $2"
    return 1
  }
}

check_backend() {
  local url=$3 out
  out=$(curl -sS -o /dev/null --noproxy '*' --connect-timeout 2 --max-time 5 -w '%{http_code}' "$url" 2>&1) || {
    echo "$url unreachable: ${out##*curl: }"
    return 1
  }
  [[ "$out" =~ ^[23][0-9][0-9]$ ]] || {
    echo "$url answered HTTP $out"
    return 1
  }
}

# ladder_rung RUNG IFACE PEER BACKEND_URL TIMEOUT_S
# Polls one rung. On success sets RUNG_MS; on failure sets RUNG_ERROR to a sentence naming
# the rung and the reason, e.g. "rung ping: no reply from 198.19.1.1 within 30 s".
ladder_rung() {
  local rung=$1 iface=$2 peer=$3 url=$4 timeout_s=$5
  RUNG_MS='' RUNG_ERROR=''
  if poll_until "$((timeout_s * 1000))" "check_$rung" "$iface" "$peer" "$url"; then
    RUNG_MS=$POLL_ELAPSED_MS
    log_info "ladder: rung $rung passed in ${RUNG_MS} ms"
    return 0
  fi
  RUNG_ERROR="rung $rung: ${POLL_OUTPUT:-check failed} within ${timeout_s} s"
  log_error "ladder: $RUNG_ERROR"
  return 1
}
