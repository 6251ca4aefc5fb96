# shellcheck shell=bash
# Processes known by pid and start time, so a reused pid is never taken for the process that
# was recorded: what the lab and the benchmark suite keep of the processes they start.
[[ -n "${_VPNLENS_PROC_SH:-}" ]] && return 0
_VPNLENS_PROC_SH=1

# proc_starttime PID: its start time in clock ticks since boot (field 22 of /proc/PID/stat).
proc_starttime() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  # shellcheck disable=SC2086 # split the fields on purpose
  set -- $stat
  printf '%s' "${20}"
}

proc_state() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  printf '%s' "${stat%% *}"
}

# proc_is_running PID [STARTTIME]: alive, not a zombie, and (if given) the same process.
proc_is_running() {
  local pid=$1 want=${2:-} state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state=$(proc_state "$pid") || return 1
  [[ "$state" != Z && "$state" != X ]] || return 1
  [[ -z "$want" || "$(proc_starttime "$pid")" == "$want" ]]
}
