# shellcheck shell=bash
# A slow link on demand: a token-bucket filter (tc tbf) on both ends of the VPN endpoint's
# underlay veth, so everything between the nodes and the endpoint (the bare path and every
# tunnel inside it) gets at most RATE each way, as over a throttled uplink.

# Traffic towards the endpoint leaves the bridge by vl-cp0 (root namespace); traffic from
# it leaves by eth0 inside vl-cp. Each gets its own qdisc.
readonly LAB_THROTTLE_LATENCY=50ms
readonly LAB_THROTTLE_MIN_BURST_BYTES=65536

is_valid_throttle_rate() { [[ "$1" =~ ^[1-9][0-9]*(kbit|mbit|gbit)$ ]]; }
validate_throttle_rate() {
  is_valid_throttle_rate "$1" || die "the throttle rate must be a whole number with kbit, mbit or gbit (e.g. 200mbit), got '$1'"
}

# throttle_rate_bits RATE: RATE in bit/s.
throttle_rate_bits() {
  local n=${1%bit}
  case $n in
    *k) printf '%s' "$((10#${n%k} * 1000))" ;;
    *m) printf '%s' "$((10#${n%m} * 1000000))" ;;
    *g) printf '%s' "$((10#${n%g} * 1000000000))" ;;
  esac
}

# throttle_burst RATE: bytes the bucket holds, 10 ms at RATE and never less than one
# 64 KiB segmentation-offload packet (a smaller bucket drops those instead of pacing them).
throttle_burst() {
  local bytes
  bytes=$(($(throttle_rate_bits "$1") / 8 / 100))
  ((bytes >= LAB_THROTTLE_MIN_BURST_BYTES)) || bytes=$LAB_THROTTLE_MIN_BURST_BYTES
  printf '%s' "$bytes"
}

# tc in the namespace that holds each end: the bridge side, then the endpoint side.
throttle_tc_towards_cp() { tc "$@"; }
throttle_tc_from_cp() { ip netns exec "$LAB_CP_NS" tc "$@"; }

# throttle_on RATE: idempotent (replaces a previous rate); the lab must be up.
throttle_on() {
  local rate=${1:-} burst
  validate_throttle_rate "$rate"
  link_exists "$LAB_CP_VETH" || die "the lab is not up ($LAB_CP_VETH is missing)"
  burst=$(throttle_burst "$rate")
  run_cmd_fatal throttle_tc_towards_cp qdisc replace dev "$LAB_CP_VETH" root tbf rate "$rate" burst "$burst" latency "$LAB_THROTTLE_LATENCY"
  run_cmd_fatal throttle_tc_from_cp qdisc replace dev "$LAB_NODE_UNDERLAY_IF" root tbf rate "$rate" burst "$burst" latency "$LAB_THROTTLE_LATENCY"
  log_info "throttle on: $rate each way between the nodes and the VPN endpoint (tbf on $LAB_CP_VETH and $LAB_CP_NS $LAB_NODE_UNDERLAY_IF)"
}

# has_tbf TC_FN DEV: DEV's root qdisc is a tbf.
has_tbf() { "$1" qdisc show dev "$2" 2>/dev/null | grep -q '^qdisc tbf .* root '; }

# throttle_off: idempotent; nothing to do when the lab is down or not throttled.
throttle_off() {
  if link_exists "$LAB_CP_VETH" && has_tbf throttle_tc_towards_cp "$LAB_CP_VETH"; then
    run_cmd_fatal throttle_tc_towards_cp qdisc del dev "$LAB_CP_VETH" root
  fi
  if netns_exists "$LAB_CP_NS" && has_tbf throttle_tc_from_cp "$LAB_NODE_UNDERLAY_IF"; then
    run_cmd_fatal throttle_tc_from_cp qdisc del dev "$LAB_NODE_UNDERLAY_IF" root
  fi
  log_info "throttle off: the VPN endpoint's underlay runs at full speed"
}

# throttle_state: "on (RATE each way)" or "off".
throttle_state() {
  local rate
  rate=$(throttle_tc_towards_cp qdisc show dev "$LAB_CP_VETH" 2>/dev/null | sed -n 's/^qdisc tbf .* root .*rate \([^ ]*\) .*/\1/p')
  if [[ -n "$rate" ]]; then echo "on ($rate each way on $LAB_CP_VETH)"; else echo off; fi
}
