# shellcheck shell=bash
# shellcheck disable=SC2034 # constants are used by the other bench modules
# Bench basics: paths, logging, checks, and the processes the suite starts (recorded with their
# start time, so only the same process is ever signalled, as the lab does).
[[ -n "${_BENCH_COMMON_SH:-}" ]] && return 0
_BENCH_COMMON_SH=1

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly BENCH_DIR
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
readonly REPO_DIR
readonly BENCH_STATE="${VPNLENS_BENCH_STATE:-$REPO_DIR/.vpnlens/bench}"
readonly BENCH_PIDS="$BENCH_STATE/pids"
readonly BENCH_TOOL_DIR="$BENCH_STATE/tool"
readonly BENCH_LAB_DIR="${VPNLENS_LAB_DIR:-/run/vpnlens-lab}"
# The lab's own lock: held for the whole suite so no other lab.sh takes the lab away mid-run.
readonly BENCH_LAB_LOCK="${BENCH_LAB_DIR}.lock"
# lab.sh locks again inside each up/down; it gets its own file so it does not wait on ours.
readonly BENCH_INNER_LAB_LOCK="${BENCH_LAB_DIR}.bench.lock"
readonly BENCH_NODE=node1
# Where the measured work goes; set by bench_work_init.
BENCH_WORK=''

# shellcheck source-path=SCRIPTDIR source=../../scripts/lib/log.sh
source "$REPO_DIR/scripts/lib/log.sh"
VPNLENS_LOG_TAG=bench

validate_root() {
  [[ "$(id -u)" -eq 0 ]] || die "run this as root (sudo ...): the suite builds the lab's namespaces and tunnels"
}

readonly BENCH_TOOLS=(jq curl wrk iperf3 ping python3 flock setsid dotnet git ip timeout awk date)

# validate_tools [TOOL...]: each on PATH (the suite's BENCH_TOOLS when none are named).
validate_tools() {
  local tool missing=()
  (($#)) || set -- "${BENCH_TOOLS[@]}"
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) || die "missing tools: ${missing[*]} (sudo ./vpnlens bench installs them)"
}

is_positive_int() { [[ "$1" =~ ^[0-9]+$ ]] && ((10#$1 > 0)); }

validate_positive_int() {
  is_positive_int "$2" || die "$1 must be a whole number above 0, got '$2'"
}

# repo_git ARGS...: git in this repository. Root without sudo (as CI runs) over a checkout another
# user owns gets "detected dubious ownership" from git otherwise; the suite only reads it.
repo_git() { git -c safe.directory="$REPO_DIR" -C "$REPO_DIR" "$@"; }

# iso_to_ms 2026-11-25T08:00:00.123Z: epoch milliseconds.
iso_to_ms() { date -d "$1" +%s%3N; }

# json_append FILE JSON: one compact JSON object per line.
json_append() { jq -c . <<<"$2" >>"$1"; }

# --- processes (by pid and start time: proc_starttime, proc_is_running) ------------------
# shellcheck source-path=SCRIPTDIR source=../../scripts/lib/proc.sh
source "$REPO_DIR/scripts/lib/proc.sh"

# bench_record NAME PID: remember a process the suite started.
bench_record() {
  install -d -m 0700 "$BENCH_PIDS"
  printf '%s %s\n' "$2" "$(proc_starttime "$2" || echo 0)" >"$BENCH_PIDS/$1.pid"
}

# bench_spawn NAME LOG CMD...: start CMD in the background (stdin /dev/null, output to LOG, without
# the lab lock's descriptor) and record it. The pid stays CMD's own through exec chains (lab.sh
# exec, ip netns exec).
bench_spawn() {
  local name=$1 log=$2
  shift 2
  if [[ -n "${BENCH_LOCK_FD:-}" ]]; then
    "$@" </dev/null >>"$log" 2>&1 {BENCH_LOCK_FD}>&- &
  else
    "$@" </dev/null >>"$log" 2>&1 &
  fi
  bench_record "$name" "$!"
}

bench_pid() {
  local pid _start
  [[ -r "$BENCH_PIDS/$1.pid" ]] || return 1
  read -r pid _start <"$BENCH_PIDS/$1.pid" && printf '%s\n' "$pid"
}

bench_running() {
  local pid start
  [[ -r "$BENCH_PIDS/$1.pid" ]] || return 1
  read -r pid start <"$BENCH_PIDS/$1.pid" || return 1
  proc_is_running "$pid" "$start"
}

_bench_gone() { ! proc_is_running "$1" "$2"; }

# bench_stop NAME [SECONDS]: TERM, wait, KILL; only the recorded process. Gone already is fine.
bench_stop() {
  local name=$1 wait_s=${2:-10} pid start
  [[ -r "$BENCH_PIDS/$name.pid" ]] || return 0
  read -r pid start <"$BENCH_PIDS/$name.pid" || true
  if proc_is_running "$pid" "$start"; then
    kill -TERM "$pid" 2>/dev/null || true
    if ! poll_until "$wait_s" _bench_gone "$pid" "$start"; then
      log_warn "$name (pid $pid) ignored TERM for ${wait_s} s; sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$BENCH_PIDS/$name.pid"
}

bench_stop_all() {
  local file
  [[ -d "$BENCH_PIDS" ]] || return 0
  for file in "$BENCH_PIDS"/*.pid; do
    [[ -e "$file" ]] || continue
    bench_stop "$(basename "$file" .pid)" 5
  done
}

# poll_until SECONDS CMD...: run CMD every 0.1 s until it succeeds or the time is up.
poll_until() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# --- CPU while something runs -----------------------------------------------------------
# cpu_snapshot PID: "<PID's utime+stime> <machine busy> <machine total>" in clock ticks.
cpu_snapshot() {
  local stat app=0 label user nice system idle iowait irq softirq steal rest
  local -a f
  if stat=$(cat "/proc/$1/stat" 2>/dev/null); then
    read -r -a f <<<"${stat##*) }"
    app=$((f[11] + f[12]))
  fi
  read -r label user nice system idle iowait irq softirq steal rest </proc/stat
  printf '%s %s %s\n' "$app" "$((user + nice + system + irq + softirq + steal))" \
    "$((user + nice + system + idle + iowait + irq + softirq + steal))"
}

# cpu_share_json BEFORE AFTER: {appCores, machineBusy}: the process's average cores, and the
# share of the machine's CPU time that was busy, between two snapshots.
cpu_share_json() {
  local a0 b0 t0 a1 b1 t1
  read -r a0 b0 t0 <<<"$1"
  read -r a1 b1 t1 <<<"$2"
  jq -cn --argjson a "$((a1 - a0))" --argjson b "$((b1 - b0))" --argjson t "$((t1 - t0))" --argjson n "$(nproc)" '
    if $t <= 0 then {appCores: null, machineBusy: null}
    else {appCores: ($a / ($t / $n) * 1000 | round / 1000), machineBusy: ($b / $t * 1000 | round / 1000)} end'
}

# --- the measured work ----------------------------------------------------------------
# bench_work_init: a fresh work dir; only the last few are kept (each holds gigabytes of seeded
# databases until its suite ends).
bench_work_init() {
  local old
  if [[ -d "$BENCH_STATE/work" ]]; then
    while read -r old; do
      [[ "$(basename "$old")" =~ ^[0-9]{8}T[0-9]{6}Z$ ]] && rm -rf -- "$old"
    done < <(find "$BENCH_STATE/work" -mindepth 1 -maxdepth 1 -type d -name '2*' | sort -r | tail -n +4)
  fi
  BENCH_WORK="$BENCH_STATE/work/$(date -u +%Y%m%dT%H%M%SZ)"
  install -d -m 0700 "$BENCH_WORK" "$BENCH_WORK/runs" "$BENCH_WORK/bare" "$BENCH_WORK/logs"
  ln -sfn "$BENCH_WORK" "$BENCH_STATE/work/latest"
}

# bench_tool COMMAND ARGS...: the .NET side of the suite (bench/VPNLens.Bench).
bench_tool() {
  dotnet "$BENCH_TOOL_DIR/VPNLens.Bench.dll" "$@"
}
