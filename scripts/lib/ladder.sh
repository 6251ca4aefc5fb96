# shellcheck shell=bash disable=SC2034
# The Verification Ladder: after bring-up, check the physical reality of the tunnel one
# rung at a time, each polled until it passes or its deadline ends. An exit code 0 from
# an "up" command proves nothing; these do.
#
# The ladder's time is the readiness it reports, so it is climbed in a tight loop: the
# checks fork as little as they can, and nothing runs between rungs (no jq, no logging).
# Whoever climbs it reports afterwards, from the times the climb recorded.
[[ -n "${_VPNLENS_LADDER_SH:-}" ]] && return 0
_VPNLENS_LADDER_SH=1

readonly LADDER_RUNGS=(interface ip route ping backend full_size)
# A rung that does not pass at once is tried again after a pause of an eighth of its wait so
# far (lag_pause_ms: 2 ms at first): a tunnel is usually ready within milliseconds of its up
# command, and the ladder's readiness is then at most ~1/8 of the rung's wait late.
# The backend rung's limit for one HTTP request (connect and status line).
LADDER_HTTP_TIMEOUT_S=${LADDER_HTTP_TIMEOUT_S:-5}

# Each check returns 0 when its rung holds; otherwise it sets CHECK_REASON to why not and
# returns 1 (try again) or LADDER_DEFINITE (waiting will not change it: give up now). They
# print nothing, so they run in the climbing shell, not in a $(...).
readonly LADDER_DEFINITE=2

# Without a fork where sysfs is this namespace's (link_exists).
check_interface() {
  link_exists "$1" && return 0
  CHECK_REASON="interface $1 does not exist"
  return 1
}

# ladder_run CMD...: runs CMD with its output in LADDER_STDOUT and LADDER_STDERR, returns its
# status. Through two files in the state directory, read back with read, not $(...): a command
# substitution costs more CPU per process than a plain fork and exec (ip: 18 against 12.5 ms of
# CPU here, under load), which a loaded machine multiplies into the ladder's time. Without a
# writable state directory (LADDER_OUT empty), a command substitution after all.
ladder_run() {
  local rc=0
  LADDER_STDOUT='' LADDER_STDERR=''
  if [[ -z "${LADDER_OUT:-}" ]]; then
    LADDER_STDOUT=$("$@" 2>&1) || rc=$?
    return "$rc"
  fi
  "$@" >"$LADDER_OUT.out" 2>"$LADDER_OUT.err" || rc=$?
  IFS= read -r -d '' LADDER_STDOUT <"$LADDER_OUT.out" || true
  IFS= read -r -d '' LADDER_STDERR <"$LADDER_OUT.err" || true
  return "$rc"
}

# The ip rung and the route rung from one iproute2 process: the interface's addresses and the
# route to the peer are read together (ip -batch). When that route already goes via the
# interface, the route rung is proven as well (CHECK_ALSO); when not, the route rung asks on
# its own (check_route), and its failure says why.
check_ip() {
  local iface=$1 peer=$2 family=-4 word=inet label=IPv4 out line
  [[ "$peer" == *:* ]] && family=-6 word=inet6 label=IPv6
  ladder_run ip -o "$family" -force -batch - <<<"addr show dev $iface"$'\n'"route get $peer" || true
  out=$LADDER_STDOUT
  if [[ "$out" != *" $word "* ]]; then
    CHECK_REASON="interface $iface has no $label address"
    return 1
  fi
  while IFS= read -r line; do
    [[ "$line" =~ ^[0-9]+: ]] && continue
    route_goes_via "$iface" "$line" && CHECK_ALSO=route
  done <<<"$out"
  return 0
}

# route_goes_via IFACE ROUTE: whether a line of "ip -o route get" sends via IFACE; else
# ROUTE_DEV is the device it names ("elsewhere" when none).
route_goes_via() {
  ROUTE_DEV=elsewhere
  [[ " $2 " == *" dev $1 "* ]] && return 0
  [[ " $2 " =~ \ dev\ ([^ ]+) ]] && ROUTE_DEV=${BASH_REMATCH[1]}
  return 1
}

check_route() {
  local iface=$1 peer=$2 out
  if ! ladder_run ip -o route get "$peer"; then
    out=$LADDER_STDOUT$LADDER_STDERR
    while [[ "$out" == *$'\n' ]]; do out=${out%$'\n'}; done
    CHECK_REASON="no route to $peer: ${out//$'\n'/ }"
    return 1
  fi
  route_goes_via "$iface" "$LADDER_STDOUT" && return 0
  CHECK_REASON="$peer goes out via $ROUTE_DEV, not via $iface"
  return 1
}

# The ping rung with the full-size rung's echo (pmtu_probe): one echo of the interface's whole
# MTU, DF set, that comes back proves a reply from the peer and the full-size path both
# (CHECK_ALSO, LADDER_PATH_MTU). Only when it gets none does a small echo tell "no reply at
# all" (the rung waits) from "small packets cross": then the full_size rung probes again in
# its turn, and only its own probe failing is a blackhole (a tunnel still settling when the
# large echo went out is not one). Each ping: one reply within a second, an echo sent every
# 20 ms until then (a lost one costs 20 ms, not the whole second "-c 1 -W 1" would wait).
check_ping() {
  local mtu
  if link_mtu_into mtu "$1" && pmtu_probe "$2" "$mtu"; then
    LADDER_PATH_MTU=$mtu CHECK_ALSO=full_size
    return 0
  fi
  ip_family_args "$2"
  ping ${IP_FAMILY_ARGS[@]+"${IP_FAMILY_ARGS[@]}"} -n -q -c 1 -w 1 -i 0.02 "$2" >/dev/null 2>&1 && return 0
  CHECK_REASON="no reply from $2"
  return 1
}

# Full-size path: a packet of the interface's whole MTU, DF set, crosses and comes back.
# When it does not, the largest size that does is searched for (pmtu_search) and the rung
# fails at once with a sentence naming both. LADDER_PATH_MTU is the size found (the MTU
# when it passes). The path is named after $PROTOCOL.
check_full_size() {
  local iface=$1 peer=$2 mtu
  if ! link_mtu_into mtu "$iface"; then
    CHECK_REASON="no MTU for interface $iface"
    return 1
  fi
  if pmtu_probe "$peer" "$mtu"; then
    LADDER_PATH_MTU=$mtu
    return 0
  fi
  LADDER_PATH_MTU=$(pmtu_search "$peer" "$(($(pmtu_header "$peer") + PMTU_FLOOR_PAYLOAD))" "$mtu")
  CHECK_REASON=$(pmtu_blackhole_sentence "${PROTOCOL:-vpn}" "$mtu" "$LADDER_PATH_MTU")
  return "$LADDER_DEFINITE"
}

# An http:// backend is asked by bash itself (/dev/tcp), which costs a fork but not curl's
# start-up (several ms, longer than the request); https:// and IPv6 literals go to curl.
# Either way: one GET, no proxy, no redirect followed, 2xx or 3xx passes.
check_backend() {
  local url=$3
  if [[ "$url" =~ ^http://([A-Za-z0-9._-]+)(:([0-9]+))?(/[^#]*)?(#.*)?$ ]]; then
    _check_backend_tcp "$url" "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]:-80}" "${BASH_REMATCH[4]:-/}"
  else
    _check_backend_curl "$url"
  fi
}

_check_backend_curl() {
  local url=$1 out
  out=$(curl -sS -o /dev/null --noproxy '*' --connect-timeout 2 --max-time "$LADDER_HTTP_TIMEOUT_S" \
    -w '%{http_code}' "$url" 2>&1) || {
    CHECK_REASON="$url unreachable: ${out##*curl: }"
    return 1
  }
  _check_http_code "$url" "$out"
}

_check_http_code() {
  [[ "$2" =~ ^[23][0-9][0-9]$ ]] && return 0
  CHECK_REASON="$1 answered HTTP $2"
  return 1
}

# _check_backend_tcp URL HOST PORT PATH: the request runs in a child (a connect has no
# timeout of its own) that prints one line: "< " and the status line, or bash's own words
# for a failed connect ("bash: connect: Connection refused"). The check waits for that line
# at most LADDER_HTTP_TIMEOUT_S, then stops the child.
_check_backend_tcp() {
  local url=$1 fd pid line='' rc=0
  exec {fd}< <(_http_status_line "$2" "$3" "$4")
  pid=$!
  IFS= timed_read -t "$LADDER_HTTP_TIMEOUT_S" -u "$fd" line || rc=$?
  exec {fd}<&-
  if ((rc > 128)); then
    kill "$pid" 2>/dev/null || true
    line=''
  fi
  line=${line%$'\r'}
  case "$line" in
    '')
      if ((rc > 128)); then
        CHECK_REASON="$url unreachable: no answer within ${LADDER_HTTP_TIMEOUT_S} s"
      else
        CHECK_REASON="$url closed the connection without an HTTP status line"
      fi
      ;;
    '< HTTP/'[0-9.]*' '[0-9][0-9][0-9]*)
      line=${line#< HTTP/* }
      _check_http_code "$url" "${line:0:3}"
      return
      ;;
    '< '*) CHECK_REASON="$url answered without an HTTP status line: ${line:2:80}" ;;
    *) CHECK_REASON="$url unreachable: ${line##*: }" ;;
  esac
  return 1
}

# _http_status_line HOST PORT PATH: in a child of its own (never trips run.sh's ERR trap).
_http_status_line() {
  trap - ERR
  set +e
  local request line
  printf -v request 'GET %s HTTP/1.1\r\nHost: %s:%s\r\nUser-Agent: vpnlens-ladder\r\nConnection: close\r\n\r\n' \
    "$3" "$1" "$2"
  exec 2>&1 3<>"/dev/tcp/$1/$2" || exit 0
  printf '%s' "$request" >&3
  IFS= read -r line <&3 && printf '< %s\n' "$line"
}

# ladder_climb IFACE PEER BACKEND_URL TIMEOUT_S
# Climbs every rung in order, each polled (lag_pause_ms) until it passes or TIMEOUT_S has
# passed since it began (a check that says LADDER_DEFINITE is not tried again). Records, per
# rung index i (as in LADDER_RUNGS), LADDER_START_MS[i] and LADDER_PASS_MS[i] (epoch ms);
# only climbed rungs have a pass time. A check that proves a later rung too names it in
# CHECK_ALSO: that rung passes as soon as it begins, without a check of its own, and
# LADDER_PROVEN_BY[its index] is the rung whose check proved it. When a rung does not pass:
# LADDER_FAILED is the rung, LADDER_GAVE_UP_MS when it gave up, RUNG_ERROR a sentence naming
# the rung and the reason ("rung ping: no reply from 198.19.1.1 within 30 s"), and it
# returns 1.
ladder_climb() {
  local iface=$1 peer=$2 url=$3 timeout_s=$4 i j now deadline rc
  LADDER_START_MS=() LADDER_PASS_MS=() LADDER_PROVEN_BY=() LADDER_FAILED='' LADDER_GAVE_UP_MS='' RUNG_ERROR=''
  LADDER_PATH_MTU='' LADDER_OUT="$VPNLENS_STATE_DIR/ladder"
  { : >"$LADDER_OUT.out" && : >"$LADDER_OUT.err"; } 2>/dev/null || LADDER_OUT=''
  for i in "${!LADDER_RUNGS[@]}"; do
    clock_ms now
    LADDER_START_MS[i]=$now
    if [[ -n "${LADDER_PROVEN_BY[i]:-}" ]]; then
      LADDER_PASS_MS[i]=$now
      continue
    fi
    deadline=$((now + timeout_s * 1000))
    CHECK_REASON=''
    while rc=0 CHECK_ALSO='' && { "check_${LADDER_RUNGS[i]}" "$iface" "$peer" "$url" || rc=$?; } && ((rc != 0)); do
      clock_ms now
      if ((rc == LADDER_DEFINITE)); then
        LADDER_FAILED=${LADDER_RUNGS[i]} LADDER_GAVE_UP_MS=$now
        RUNG_ERROR="rung $LADDER_FAILED: $CHECK_REASON"
        return 1
      fi
      if ((now >= deadline)); then
        LADDER_FAILED=${LADDER_RUNGS[i]} LADDER_GAVE_UP_MS=$now
        RUNG_ERROR="rung $LADDER_FAILED: ${CHECK_REASON:-check failed} within ${timeout_s} s"
        return 1
      fi
      lag_pause_ms $((now - LADDER_START_MS[i]))
      ((LAG_PAUSE_MS <= deadline - now)) || LAG_PAUSE_MS=$((deadline - now))
      pause_ms "$LAG_PAUSE_MS"
    done
    clock_ms now
    LADDER_PASS_MS[i]=$now
    [[ -n "$CHECK_ALSO" ]] || continue
    for j in "${!LADDER_RUNGS[@]}"; do
      ((j <= i)) || [[ "${LADDER_RUNGS[j]}" != "$CHECK_ALSO" ]] || LADDER_PROVEN_BY[j]=${LADDER_RUNGS[i]}
    done
  done
}

# ladder_passed_at RUNG: when RUNG passed in the last climb (epoch ms); empty if it did not.
ladder_passed_at() {
  local i
  for i in "${!LADDER_RUNGS[@]}"; do
    if [[ "${LADDER_RUNGS[i]}" == "$1" ]]; then
      printf '%s\n' "${LADDER_PASS_MS[i]:-}"
      return 0
    fi
  done
  return 1
}

# ladder_passed_in I: "N ms", and who proved rung I when its own check did not run
# ("0 ms (proven by rung ping)").
ladder_passed_in() {
  LADDER_PASSED_IN="$((LADDER_PASS_MS[$1] - LADDER_START_MS[$1])) ms"
  [[ -z "${LADDER_PROVEN_BY[$1]:-}" ]] || LADDER_PASSED_IN+=" (proven by rung ${LADDER_PROVEN_BY[$1]})"
}

# ladder_log: after a climb, one line per rung climbed, stamped with the time it passed
# ("ladder: rung ping passed in 3 ms", "ladder: rung full_size passed in 0 ms (proven by
# rung ping)"), and the failure, stamped when the rung gave up.
ladder_log() {
  local i
  for i in "${!LADDER_PASS_MS[@]}"; do
    ladder_passed_in "$i"
    log_at "${LADDER_PASS_MS[i]}" INFO "ladder: rung ${LADDER_RUNGS[i]} passed in $LADDER_PASSED_IN"
  done
  [[ -z "$LADDER_FAILED" ]] || log_at "$LADDER_GAVE_UP_MS" ERROR "ladder: $RUNG_ERROR"
}

# ladder_json: the rungs climbed, as the results' ladder: [{"rung":"interface","ms":3},...,
# {"rung":"full_size","ms":0,"provenBy":"ping"}]
ladder_json() {
  local i out='' sep=''
  for i in "${!LADDER_PASS_MS[@]}"; do
    out+="$sep{\"rung\":\"${LADDER_RUNGS[i]}\",\"ms\":$((LADDER_PASS_MS[i] - LADDER_START_MS[i]))"
    [[ -z "${LADDER_PROVEN_BY[i]:-}" ]] || out+=",\"provenBy\":\"${LADDER_PROVEN_BY[i]}\""
    out+='}'
    sep=,
  done
  printf '[%s]\n' "$out"
}
