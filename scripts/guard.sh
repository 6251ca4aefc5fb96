#!/usr/bin/env bash
# guard.sh <run dir> <run.sh pid>: started by run.sh, reads <run dir>/.guard, a FIFO only run.sh
# writes to. run.sh says "done" when it has torn down and reported; if the pipe ends without
# it, run.sh died without its own cleanup (SIGKILL, a crash): the guard then ends every process
# of run.sh's session (the protocol's phases, iperf3, ping; the sender and the VPN daemons run
# in sessions of their own) and stops everything, so nothing goes on measuring or stays up.
# Logs to the run's run.log.
# Globals set here are read by the lib/ functions (shellcheck does not follow that):
# shellcheck disable=SC2034
set -Eeuo pipefail
shopt -s inherit_errexit

# shellcheck source-path=SCRIPTDIR source=lib/node.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/node.sh"

usage() {
  echo "usage: $(basename "$0") <run dir> <run.sh pid>" >&2
  exit 2
}

# session_of PID: the session id of a live process.
session_of() {
  local stat
  { read -r stat <"$VPNLENS_PROC/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  read -r _ _ _ session _ <<<"$stat"
  printf '%s\n' "$session"
}

# session_pids SESSION: every live process in SESSION.
session_pids() {
  local dir pid
  for dir in "$VPNLENS_PROC"/[0-9]*; do
    pid=${dir##*/}
    [[ "$(session_of "$pid" 2>/dev/null)" == "$1" ]] && printf '%s\n' "$pid"
  done
  return 0
}

_session_gone() { [[ -z "$(session_pids "$1")" ]]; }

# end_session SESSION: TERM to each of its processes, KILL to those left after 5 s.
end_session() {
  local session=$1
  xargs -r kill -TERM 2>/dev/null < <(session_pids "$session") || true
  poll_until 5000 _session_gone "$session" && return 0
  log_warn "processes of session $session ignored TERM; sending KILL"
  xargs -r kill -KILL 2>/dev/null < <(session_pids "$session") || true
}

main() {
  (($# == 2)) || usage
  local run_dir=$1 run_pid=$2 session word=''
  exec </dev/null >>"$run_dir/run.log" 2>&1
  VPNLENS_LOG_TAG=guard
  # run.sh leads its session when started as the control plane starts it (setsid); otherwise
  # the session is its caller's too and not the guard's to end
  session=$(session_of "$run_pid") || session=''
  [[ "$session" == "$run_pid" ]] || session=''
  read -r word <"$run_dir/.guard" || true
  [[ "$word" != "done" ]] || return 0
  trap '' TERM INT HUP
  log_error "run.sh (pid $run_pid) ended without tearing down; stopping what it left running"
  [[ -z "$session" ]] || end_session "$session"
  VPNLENS_FAILURE_FILE='' stop_everything || log_error "stop everything failed; see above"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
