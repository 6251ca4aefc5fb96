#!/usr/bin/env bats
# lab.sh throttle / unthrottle with fakes on PATH: the tc tbf calls on both ends of the VPN
# endpoint's underlay veth, idempotence, status, and the errors. No root, no network: fake
# `tc` keeps each device's root qdisc in a file, fake `ip` knows the lab's links and runs
# `ip netns exec` commands with FAKE_NETNS set, fake `id` says root.

load helpers

LAB_SH="$SCRIPTS_DIR/lab/lab.sh"

setup() {
  BIN="$BATS_TEST_TMPDIR/bin"
  export FAKE_LAB="$BATS_TEST_TMPDIR/fake-lab"
  export VPNLENS_LAB_DIR="$BATS_TEST_TMPDIR/lab"
  mkdir -p "$BIN" "$FAKE_LAB/qdisc" "$VPNLENS_LAB_DIR/logs"
  printf 'vl-br0\nvl-cp0\n' >"$FAKE_LAB/links"
  printf 'vl-cp\n' >"$FAKE_LAB/netns"
  cat >"$BIN/id" <<'FAKE'
#!/bin/bash
echo "${FAKE_UID:-0}"
FAKE
  cat >"$BIN/ip" <<'FAKE'
#!/bin/bash
echo "ip $*" >>"$FAKE_LAB/calls"
case "$1 $2" in
  "link show") grep -qx -- "$4" "$FAKE_LAB/links" || { echo "Device \"$4\" does not exist." >&2; exit 1; } ;;
  "netns list") cat "$FAKE_LAB/netns" ;;
  "netns exec") ns=$3; shift 3; FAKE_NETNS=$ns exec "$@" ;;
esac
FAKE
  cat >"$BIN/tc" <<'FAKE'
#!/bin/bash
echo "${FAKE_NETNS:-root}: tc $*" >>"$FAKE_LAB/calls"
[[ "$1 $3" == "qdisc dev" ]] || exit 2
file="$FAKE_LAB/qdisc/${FAKE_NETNS:-root}-$4"
case $2 in
  replace) shift 6; echo "qdisc tbf 8001: root refcnt 2 $*" >"$file" ;;
  del) [[ -e "$file" ]] || { echo "Error: Cannot delete qdisc with handle of zero." >&2; exit 2; }; rm -f "$file" ;;
  show) if [[ -e "$file" ]]; then cat "$file"; else echo "qdisc noqueue 0: root refcnt 2"; fi ;;
esac
FAKE
  chmod +x "$BIN"/*
  export PATH="$BIN:$PATH"
}

qdisc() { cat "$FAKE_LAB/qdisc/$1" 2>/dev/null || echo none; }

@test "throttle puts a tbf of the rate on the bridge side and the endpoint side of its veth" {
  run "$LAB_SH" throttle 200mbit
  assert_success
  assert_output --partial "throttle on: 200mbit each way"
  assert_equal "$(qdisc root-vl-cp0)" "qdisc tbf 8001: root refcnt 2 rate 200mbit burst 250000 latency 50ms"
  assert_equal "$(qdisc vl-cp-eth0)" "qdisc tbf 8001: root refcnt 2 rate 200mbit burst 250000 latency 50ms"
}

@test "a small rate still gets a bucket of one 64 KiB offload packet" {
  "$LAB_SH" throttle 8mbit
  assert_equal "$(qdisc root-vl-cp0)" "qdisc tbf 8001: root refcnt 2 rate 8mbit burst 65536 latency 50ms"
}

@test "throttle again replaces the rate; unthrottle removes both; unthrottle twice is fine" {
  "$LAB_SH" throttle 200mbit
  "$LAB_SH" throttle 1gbit
  assert_equal "$(qdisc vl-cp-eth0)" "qdisc tbf 8001: root refcnt 2 rate 1gbit burst 1250000 latency 50ms"
  run "$LAB_SH" unthrottle
  assert_success
  assert_equal "$(qdisc root-vl-cp0)" none
  assert_equal "$(qdisc vl-cp-eth0)" none
  run "$LAB_SH" unthrottle
  assert_success
  refute_output --partial "failed"
  run grep -c ': tc qdisc del' "$FAKE_LAB/calls"
  assert_output 2
}

@test "unthrottle with the lab down does nothing and succeeds" {
  : >"$FAKE_LAB/links"
  : >"$FAKE_LAB/netns"
  run "$LAB_SH" unthrottle
  assert_success
  run grep -c ': tc qdisc del' "$FAKE_LAB/calls"
  assert_output 0
}

@test "status says whether the endpoint is throttled" {
  run "$LAB_SH" status
  assert_line "throttle    off"
  "$LAB_SH" throttle 200mbit
  run "$LAB_SH" status
  assert_line "throttle    on (200mbit each way on vl-cp0)"
}

@test "a bad rate, a missing rate, a lab that is not up and a non-root user are refused, changing nothing" {
  run "$LAB_SH" throttle 200
  assert_failure
  assert_output --partial "the throttle rate must be a whole number with kbit, mbit or gbit (e.g. 200mbit), got '200'"
  run "$LAB_SH" throttle
  assert_failure
  assert_output --partial "usage: lab.sh throttle <RATE>"
  run env FAKE_UID=1000 "$LAB_SH" throttle 200mbit
  assert_failure
  assert_output --partial "needs root"
  : >"$FAKE_LAB/links"
  run "$LAB_SH" throttle 200mbit
  assert_failure
  assert_output --partial "the lab is not up (vl-cp0 is missing)"
  run grep -c ': tc qdisc replace' "$FAKE_LAB/calls"
  assert_output 0
}
