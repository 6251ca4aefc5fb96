#!/usr/bin/env bash
# run.sh <params.json>: one benchmark run on this Benchmark Node (docs/node-protocol.md).
#
# Started detached by the control plane (setsid nohup ... &). Reads everything from the
# 0600 params file, prints nothing (all output goes to run.log beside it), writes run.pid,
# runs every protocol's phases in order, spools each phase event as it ends and the results
# at the end (also kept in results.json) for send.sh, which POSTs them. Whatever happens - a
# failed phase, a bug, TERM or INT - the tunnel is torn down and the failure is reported with
# the phase it happened in; if run.sh itself is killed outright, its guard stops what it left
# measuring and tears down.
# Globals set here are read by the lib/ functions (shellcheck does not follow that):
# shellcheck disable=SC2034,SC2153
set -Eeuo pipefail
shopt -s inherit_errexit

# shellcheck source-path=SCRIPTDIR source=lib/node.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/node.sh"

readonly RUN_TOOLS=(jq curl openssl iperf3 ping ip timeout setsid awk base64 od)
# After a signal the control plane is already tearing the run down: report briefly (all
# the callbacks still to send share this many seconds of retries).
WEBHOOK_BUDGET_AFTER_SIGNAL_S=${WEBHOOK_BUDGET_AFTER_SIGNAL_S:-20}
SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPTS_DIR

RUN_FINISHED='' TERMINATED_BY='' CURRENT_PROTOCOL='' PROTOCOL_PID='' PARAMS_CALLBACK_OK=''
SENDER_PID='' GUARD_FD='' ENVIRONMENT_STARTED=''

usage() {
  echo "usage: $(basename "$0") <params.json>" >&2
  exit 2
}

on_err() {
  record_failure "unexpected error (exit $1) at $(basename "${BASH_SOURCE[1]:-run.sh}"):$2: $3"
}

on_signal() {
  TERMINATED_BY=$1
  log_error "received SIG$1"
  exit_on_signal "$1"
}

# failure_reason RC FAILURE_FILE: the sentence that explains a failure.
failure_reason() {
  local rc=$1 file=$2
  if [[ -n "$TERMINATED_BY" ]]; then
    echo "run terminated by SIG$TERMINATED_BY"
  elif [[ -s "$file" ]]; then
    head -c 4000 "$file"
  elif ((rc > 128)); then
    echo "killed by SIG$(kill -l "$rc" 2>/dev/null || echo "$((rc - 128))")"
  else
    echo "ended unexpectedly (exit $rc)"
  fi
}

# is_run_script PID: PID is a live run.sh (its process is called bash: its command line tells).
is_run_script() {
  is_running "$1" && tr '\0' '\n' <"$VPNLENS_PROC/$1/cmdline" 2>/dev/null | grep -q '/run\.sh$'
}

# claim_node: one run at a time per state dir ("stop everything" would break the other). The
# look and the claim are one step under a lock, so two runs started together cannot both pass.
claim_node() {
  local file="$VPNLENS_STATE_DIR/active-run" pid='' lock
  ensure_state_dir
  exec {lock}>"$VPNLENS_STATE_DIR/active-run.lock"
  flock "$lock"
  [[ -r "$file" ]] && read -r pid _ <"$file"
  if [[ -n "$pid" && "$pid" != "$$" ]] && is_run_script "$pid"; then
    exec {lock}>&-
    die "another run (pid $pid) is in progress on this node"
  fi
  printf '%s %s\n' "$$" "$RUN_ID" >"$file"
  exec {lock}>&-
}

# start_sender: send.sh, in a session of its own (a stop of run.sh's process group leaves it to
# deliver what is spooled), once the callback is known.
start_sender() {
  [[ -z "$SENDER_PID" && -n "$PARAMS_CALLBACK_OK" ]] || return 0
  if [[ -n "$GUARD_FD" ]]; then
    setsid "$SCRIPTS_DIR/send.sh" "$RUN_DIR" </dev/null &>/dev/null {GUARD_FD}>&- &
  else
    setsid "$SCRIPTS_DIR/send.sh" "$RUN_DIR" </dev/null &>/dev/null &
  fi
  SENDER_PID=$!
}

# wait_sender: until the sender has posted what was spooled (its retries are bounded).
wait_sender() {
  [[ -n "$SENDER_PID" ]] || return 0
  wait "$SENDER_PID" 2>/dev/null || true
  SENDER_PID=''
}

# start_guard: guard.sh reads a FIFO whose only writer is this shell (the protocol subshell and
# the sender do not inherit it): if run.sh dies without saying "done", even by SIGKILL, the guard
# stops what it left measuring and tears down.
start_guard() {
  local fifo="$RUN_DIR/.guard"
  rm -f "$fifo"
  mkfifo -m 0600 "$fifo"
  setsid "$SCRIPTS_DIR/guard.sh" "$RUN_DIR" "$$" </dev/null &>/dev/null &
  # read-write: the open does not wait for the guard's
  exec {GUARD_FD}<>"$fifo"
}

release_guard() {
  [[ -n "$GUARD_FD" ]] || return 0
  { printf 'done\n' >&"$GUARD_FD"; } 2>/dev/null || true
  exec {GUARD_FD}>&-
  GUARD_FD=''
}

release_node() {
  local file="$VPNLENS_STATE_DIR/active-run" pid=''
  [[ -r "$file" ]] && read -r pid _ <"$file"
  [[ "$pid" == "$$" ]] && rm -f "$file"
  return 0
}

# underlay_interface: direct's UNDERLAY_IF, else the interface of the default route.
underlay_interface() {
  local iface
  iface=$(
    load_protocol_env direct
    printf '%s' "${UNDERLAY_IF:-}"
  ) || true
  if [[ -z "$iface" ]]; then
    iface=$(ip -o route show default 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')
  fi
  printf '%s\n' "$iface"
}

# start_environment: the node's environment (lib/environment.sh) gathered beside the first phase
# rather than before it (its jq alone is ~50 ms of the time to the first phase event), into a
# file that appears whole; {} if it cannot be gathered.
start_environment() {
  local file="$RUN_DIR/.environment.json"
  rm -f "$file"
  (
    trap - ERR
    environment_json "$(underlay_interface)" >"$file.tmp" || printf '{}\n' >"$file.tmp"
    mv -f "$file.tmp" "$file"
  ) &
  ENVIRONMENT_STARTED=1
}

_environment_written() { [[ -e "$RUN_DIR/.environment.json" ]]; }

# write_results STATUS MESSAGE: results.json (lib/results.sh), with the environment once
# start_environment has it. A poll, not `wait`: this also runs in a signal's trap.
write_results() {
  if [[ -n "$ENVIRONMENT_STARTED" ]]; then
    poll_until 10000 _environment_written || log_warn "the node's environment was not gathered within 10 s"
    [[ -s "$RUN_DIR/.environment.json" ]] && ENVIRONMENT_JSON=$(<"$RUN_DIR/.environment.json")
    ENVIRONMENT_STARTED=''
  fi
  results_write "$@"
}

# protocol_phases: every phase of $PROTOCOL, in order. Runs in a background subshell under
# set -e: the first failing phase ends it, leaving the phase file and the reason for the
# parent (run_protocol, or on_exit after a signal) to report.
protocol_phases() {
  VPNLENS_FAILURE_FILE="$PROTO_DIR/.failure"
  VPNLENS_LOG_TAG=$PROTOCOL
  trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
  trap - TERM INT
  cpu_reset
  PROTO_DAEMON_PID=''
  phase_run stop_everything measure_stop_everything
  [[ "$PROTOCOL" == tailscale ]] && write_auth_key_file
  # no callbacks between "up" and the last rung: they would be counted in setupMs
  PHASE_DEFER_POST=1
  phases_bring_up_and_ladder
  PHASE_DEFER_POST=''
  phase_flush
  phase_run latency_idle measure_latency_idle
  phase_run tcp_upload measure_tcp_upload
  phase_run tcp_download measure_tcp_download
  phase_run tcp_parallel measure_tcp_parallel
  phase_run tcp_bidir measure_tcp_bidir
  phase_run latency_loaded measure_latency_loaded
  phase_run udp measure_udp
  phase_run cpu measure_cpu
  phase_run recovery measure_recovery
}

# teardown_protocol: always, after every protocol, whatever happened before.
teardown_protocol() {
  local rc=0 why="$PROTO_DIR/.teardown-failure"
  rm -f "$why"
  phase_begin "$PROTOCOL" teardown
  VPNLENS_FAILURE_FILE=$why stop_everything || rc=1
  rm -f "$(auth_key_file)"
  if ((rc == 0)); then
    phase_end succeeded "no VPN state left"
  else
    phase_end failed "$(head -c 4000 "$why" 2>/dev/null || echo "VPN state left behind (see run.log)")"
  fi
}

# finish_protocol REASON: report the phase that was running as failed (REASON empty: the
# protocol ended normally), then tear down.
finish_protocol() {
  local reason=$1
  if [[ -n "$reason" ]]; then
    if phase_in_progress; then
      phase_end failed "$reason"
    else
      result_fail "" "$reason"
    fi
  fi
  rm -f "$PROTO_DIR/.failure"
  teardown_protocol
  # "running" until finish_run: a results.json fetched after run.sh was killed must not pass for a finished run
  write_results running ""
  CURRENT_PROTOCOL=''
}

# run_protocol INDEX PROTOCOL
run_protocol() {
  local rc=0
  PROTOCOL=$2 CURRENT_PROTOCOL=$2
  PROTO_DIR=$(printf '%s/protocols/%02d-%s' "$RUN_DIR" "$1" "$2")
  install -d -m 0700 "$PROTO_DIR"
  rm -f "$PROTO_DIR/.failure" "$(phase_file)"
  result_begin "$1" "$2"
  if [[ -n "$GUARD_FD" ]]; then
    protocol_phases {GUARD_FD}>&- &
  else
    protocol_phases &
  fi
  PROTOCOL_PID=$!
  wait "$PROTOCOL_PID" || rc=$?
  PROTOCOL_PID=''
  if ((rc == 0)); then
    finish_protocol ""
  else
    finish_protocol "$(failure_reason "$rc" "$PROTO_DIR/.failure")"
  fi
}

_subshell_gone() { ! is_running "$1"; }

# stop_protocol_subshell: after a signal or an error in run.sh itself, stop the phases
# still running (and their iperf3/ping) before tearing down under them.
stop_protocol_subshell() {
  [[ -n "$PROTOCOL_PID" ]] || return 0
  kill_tree "$PROTOCOL_PID" TERM
  poll_until 5000 _subshell_gone "$PROTOCOL_PID" || kill_tree "$PROTOCOL_PID" KILL
  # no `wait` for it here: inside a signal's trap bash may have reaped it without noting so,
  # and would then wait for the guard and the sender, which outlive it, forever
  PROTOCOL_PID=''
}

# finish_run STATUS MESSAGE: write results.json, spool it last, and wait for the sender.
finish_run() {
  phase_flush
  write_results "$1" "$2"
  RUN_FINISHED=1
  log_info "run $RUN_ID finished: $1${2:+ ($2)}; results in $RUN_DIR/results.json"
  start_sender
  spool_callback results "$RUN_DIR/results.json"
  release_guard
  wait_sender
  release_node
}

# on_exit: the single cleanup path. Runs on normal exit, die, errors and signals; tears down
# whatever protocol was in progress and reports what happened. Ignores further signals.
on_exit() {
  local rc=$? reason
  trap '' TERM INT
  trap - ERR
  set +e
  [[ -n "$RUN_FINISHED" ]] && return 0
  if [[ -n "$TERMINATED_BY" ]]; then
    install -d -m 0700 "$(spool_dir)"
    printf '%s\n' "$(($(now_ms) + WEBHOOK_BUDGET_AFTER_SIGNAL_S * 1000))" >"$(spool_dir)/deadline"
  fi
  if [[ -n "$CURRENT_PROTOCOL" ]]; then
    stop_protocol_subshell
    reason=$(failure_reason "$rc" "$PROTO_DIR/.failure")
    [[ -s "$PROTO_DIR/.failure" || -n "$TERMINATED_BY" ]] || reason=$(failure_reason "$rc" "$RUN_DIR/.failure")
    finish_protocol "$reason"
  fi
  reason=$(failure_reason "$rc" "$RUN_DIR/.failure")
  if [[ -n "$PARAMS_CALLBACK_OK" ]]; then
    finish_run failed "$reason"
  else
    write_results failed "$reason"
    log_error "run failed before its callback was known: $reason"
    release_guard
    release_node
  fi
}

main() {
  (($# == 1)) || usage
  [[ -f "$1" ]] || usage
  umask 077
  PARAMS_FILE=$(realpath -- "$1")
  RUN_DIR=$(dirname -- "$PARAMS_FILE")
  exec </dev/null >>"$RUN_DIR/run.log" 2>&1
  printf '%s\n' "$$" >"$RUN_DIR/run.pid"
  VPNLENS_FAILURE_FILE="$RUN_DIR/.failure"
  rm -f "$VPNLENS_FAILURE_FILE" "$RUN_DIR/.closed" "$RUN_DIR/.webhook-seq" "$RUN_DIR/.phase"
  rm -rf "$RUN_DIR/protocols" "$RUN_DIR/.outbox" "$RUN_DIR/.spool" "$RUN_DIR/.guard"
  trap on_exit EXIT
  trap_signals on_signal TERM INT
  trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
  log_info "run.sh (pid $$) starting with $PARAMS_FILE"
  validate_command "${RUN_TOOLS[@]}"
  read_params "$PARAMS_FILE"
  claim_node
  start_guard
  start_sender
  start_environment
  local i=0 protocol
  for protocol in "${PROTOCOLS[@]}"; do
    if run_is_closed; then
      log_warn "the control plane closed run $RUN_ID; not starting $protocol"
      break
    fi
    i=$((i + 1))
    run_protocol "$i" "$protocol"
  done
  finish_run succeeded ""
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
