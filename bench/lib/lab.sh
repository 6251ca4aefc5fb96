# shellcheck shell=bash
# The lab, shared with everyone's lab tests: wait until nobody uses it, hold its lock for the whole
# suite, build it with the measured commit's lab.sh, always take it down (docs/lab.md).
[[ -n "${_BENCH_LAB_SH:-}" ]] && return 0
_BENCH_LAB_SH=1

LAB_SH=''
BENCH_LOCK_FD=''

lab_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -Eq '^vl-(cp|node[0-9]+)$'; }

# bench_lab_acquire WAIT_SECONDS: the lab lock, with no lab up. A lab that exists belongs to a test
# that is running (lab.sh only locks during up and down): wait for it to be taken down.
bench_lab_acquire() {
  local wait_s=$1 deadline said=''
  deadline=$((SECONDS + wait_s))
  exec {BENCH_LOCK_FD}>"$BENCH_LAB_LOCK"
  while :; do
    if flock -n "$BENCH_LOCK_FD"; then
      lab_exists || break
      flock -u "$BENCH_LOCK_FD"
    fi
    ((SECONDS < deadline)) || die "the lab is still in use after ${wait_s} s (another lab test?); when it is free, run this again"
    [[ -n "$said" ]] || log_info "the lab is in use (a lab test is running); waiting up to ${wait_s} s for it"
    said=1
    sleep 5
  done
  log_info "holding the lab lock $BENCH_LAB_LOCK"
}

bench_lab_release() {
  [[ -n "$BENCH_LOCK_FD" ]] || return 0
  flock -u "$BENCH_LOCK_FD" 2>/dev/null || true
  exec {BENCH_LOCK_FD}>&-
  BENCH_LOCK_FD=''
}

# without_lock CMD...: CMD without the lab lock's descriptor, so that nothing it leaves running
# (a daemon, a detached run) can keep the lab locked after the suite ends.
without_lock() {
  if [[ -n "$BENCH_LOCK_FD" ]]; then
    "$@" {BENCH_LOCK_FD}>&-
  else
    "$@"
  fi
}

bench_lab() { VPNLENS_LAB_LOCK="$BENCH_INNER_LAB_LOCK" VPNLENS_LAB_DIR="$BENCH_LAB_DIR" without_lock "$LAB_SH" "$@"; }

# bench_lab_up [NODES [ENDPOINTS]]: a fresh lab (default 1 node, 1 endpoint); node N measures against
# endpoint ((N-1) % ENDPOINTS) + 1.
bench_lab_up() {
  local nodes=${1:-1} endpoints=${2:-1}
  log_info "building the lab ($nodes node(s), $endpoints endpoint(s))"
  bench_lab up --nodes "$nodes" --endpoints "$endpoints" --recreate >>"$BENCH_WORK/logs/lab.log" 2>&1 ||
    die "lab.sh up failed; see $BENCH_WORK/logs/lab.log"
}

bench_lab_down() {
  [[ -n "$LAB_SH" && -x "$LAB_SH" ]] || return 0
  bench_lab down >>"${BENCH_WORK:-/tmp}/lab-down.log" 2>&1 || log_error "lab.sh down failed; run: sudo $LAB_SH down"
}

# on_node CMD...: CMD in node1's namespace with its VPNLENS_* environment.
on_node() { bench_lab exec "$BENCH_NODE" "$@"; }

node_dir() { printf '%s/%s\n' "$BENCH_LAB_DIR" "$BENCH_NODE"; }

# node_conf PROTOCOL KEY: a value from the node's protocol.env (KEY=value lines).
node_conf() {
  sed -n "s/^$2=//p" "$(node_dir)/conf/$1/protocol.env" | tail -n 1 | sed "s/^'\(.*\)'$/\1/"
}

node_run_dir() { printf '%s/home/runs/%s\n' "$(node_dir)" "$1"; }

# node_is_quiet: no run.sh, VPN daemon or tunnel left on the node.
node_is_quiet() {
  ! pgrep -f "$(node_dir)/home/scripts/run.sh" >/dev/null 2>&1 || return 1
  ! on_node ip -o link show 2>/dev/null | grep -Eq 'vlwg-|vlneb-|vlovpn-|ipsec[0-9]+:'
}
