# shellcheck shell=bash
# VPN daemons: started detached with a pidfile in $VPNLENS_STATE_DIR, stopped by that id.
# A lab runs several nodes as network namespaces on one machine (one process table, one
# filesystem), so a sweep only ever looks at processes in this shell's network namespace.
[[ -n "${_VPNLENS_PROCESS_SH:-}" ]] && return 0
_VPNLENS_PROCESS_SH=1

STOP_TIMEOUT_MS=${STOP_TIMEOUT_MS:-5000}

pidfile_of() { printf '%s/%s.pid\n' "$VPNLENS_STATE_DIR" "$1"; }

# is_running PID: alive and not a zombie (an unreaped zombie still answers kill -0).
is_running() {
  local pid=$1 stat
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  { read -r stat <"$VPNLENS_PROC/$pid/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  [[ "${stat%% *}" != Z && "${stat%% *}" != X ]]
}

process_comm() {
  local comm
  { read -r comm <"$VPNLENS_PROC/$1/comm"; } 2>/dev/null || return 1
  printf '%s\n' "$comm"
}

# pid_from_pidfile NAME COMM: the pid in NAME's pidfile if that process is alive and is COMM.
# Reads /proc itself, without a fork.
pid_from_pidfile() {
  local file="$VPNLENS_STATE_DIR/$1.pid" pid comm
  [[ -r "$file" ]] || return 1
  read -r pid <"$file" || return 1
  is_running "$pid" || return 1
  { read -r comm <"$VPNLENS_PROC/$pid/comm"; } 2>/dev/null && [[ "$comm" == "$2" ]] || return 1
  printf '%s\n' "$pid"
}

# daemon_start NAME LOGFILE COMMAND [ARGS...]: start COMMAND in its own session (so a
# kill of run.sh's process group does not take the tunnel down behind the teardown's
# back), stdin from /dev/null, output to LOGFILE; write its pid to NAME's pidfile.
daemon_start() {
  local name=$1 logfile=$2
  shift 2
  ensure_state_dir
  setsid "$@" </dev/null >>"$logfile" 2>&1 &
  local pid=$!
  printf '%s\n' "$pid" >"$(pidfile_of "$name")"
  log_info "started $name (pid $pid): $*"
}

_is_gone() { ! is_running "$1"; }

# stop_pid PID: TERM, wait up to STOP_TIMEOUT_MS, then KILL. Gone already is success.
stop_pid() {
  local pid=$1
  is_running "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  if ! poll_until "$STOP_TIMEOUT_MS" _is_gone "$pid"; then
    log_warn "pid $pid ignored TERM for ${STOP_TIMEOUT_MS} ms; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    poll_until 2000 _is_gone "$pid" || return 1
  fi
}

# daemon_stop NAME COMM: stop the process in NAME's pidfile if it is still COMM; remove
# the pidfile. Idempotent.
daemon_stop() {
  local name=$1 comm=$2 pid
  if pid=$(pid_from_pidfile "$name" "$comm"); then
    log_info "stopping $name (pid $pid)"
    stop_pid "$pid" || return 1
  fi
  rm -f "$(pidfile_of "$name")"
}

# netns_processes: "pid name" of every process in this shell's network namespace. A caller that
# asks for several names at once (stop everything) reads it once into NETNS_PROCESSES: each
# pgrep costs ~15 ms of CPU whatever it looks for.
netns_processes() { pgrep --ns $$ --nslist net -l || true; }

# pids_in_my_netns COMM [FULL_REGEX]: running processes named COMM (and whose command
# line matches FULL_REGEX) in this shell's network namespace only; by name from
# NETNS_PROCESSES when it is set (a look at each pid still checks it now).
pids_in_my_netns() {
  local comm=$1 regex=${2:-} pid name
  local -a found=()
  if [[ -n "$regex" ]]; then
    mapfile -t found < <(pgrep --ns $$ --nslist net -f "$regex" || true)
  elif [[ -n "${NETNS_PROCESSES+set}" ]]; then
    while read -r pid name; do
      [[ "$name" == "$comm" ]] && found+=("$pid")
    done <<<"$NETNS_PROCESSES"
  else
    mapfile -t found < <(pgrep --ns $$ --nslist net -x "$comm" || true)
  fi
  for pid in "${found[@]}"; do
    is_running "$pid" && [[ "$(process_comm "$pid")" == "$comm" ]] && printf '%s\n' "$pid"
  done
  return 0
}

# sweep_my_netns COMM [FULL_REGEX]: stop every such process in this network namespace,
# never one in another namespace (a lab's control-plane endpoint runs its own daemons).
sweep_my_netns() {
  local pid rc=0
  while read -r pid; do
    [[ -n "$pid" ]] || continue
    log_info "stopping leftover $1 (pid $pid) in this network namespace"
    stop_pid "$pid" || rc=1
  done < <(pids_in_my_netns "$@")
  return "$rc"
}

# kill_tree PID [SIGNAL]: signal PID's descendants (deepest first), then PID itself.
kill_tree() {
  local pid=$1 sig=${2:-TERM} child
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
    kill_tree "$child" "$sig"
  done
  kill "-$sig" "$pid" 2>/dev/null || true
}

# wait_daemon_started NAME COMM IFACE: poll until the daemon has made IFACE or has died;
# dies with the end of its log if it died (the ladder then checks everything else). This wait
# is part of the bring-up the ladder's readiness is timed from, and some daemons (OpenVPN) make
# their interface only once the tunnel is up: it polls without forking, pausing lag_pause_ms.
# It waits on the pid daemon_start recorded being alive, not on its name: until setsid has
# exec'd the daemon, the process is still called bash or setsid, and a machine under load can
# be asked in that window (a nebula run once failed "exited at once" that way).
wait_daemon_started() {
  local name=$1 comm=$2 iface=$3 pid='' start now
  { read -r pid <"$VPNLENS_STATE_DIR/$name.pid"; } 2>/dev/null || true
  clock_ms start
  now=$start
  while ((now - start < 5000)) && ! link_exists "$iface" && is_running "$pid"; do
    lag_pause_ms $((now - start))
    pause_ms "$LAG_PAUSE_MS"
    clock_ms now
  done
  is_running "$pid" ||
    die "$name exited at once: $(tail -n 1 "$VPNLENS_STATE_DIR/$name.log" 2>/dev/null)"
  pid_from_pidfile "$name" "$comm" >/dev/null ||
    log_warn "$name (pid $pid) is called '$(process_comm "$pid")', not '$comm'"
}
