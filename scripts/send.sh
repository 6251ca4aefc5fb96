#!/usr/bin/env bash
# send.sh <run dir>: the run's callbacks, from a process of their own (started by run.sh).
#
# Posts every message run.sh spools to <run dir>/.spool (lib/phases.sh: spool_callback), in
# order, each retried with backoff under its own webhook-id (lib/webhook.sh), so a control plane
# that is slow or down never stalls a measurement. Ends after posting the results, or once
# run.sh has gone and nothing is left to post. After a signal, run.sh leaves a deadline (ms
# since the epoch) in .spool/deadline that no retry starts after. Logs to the run's run.log.
# Reads the callback URL and the secret from params.json, never from argv or the environment.
# Globals set here are read by the lib/ functions (shellcheck does not follow that):
# shellcheck disable=SC2034
set -Eeuo pipefail
shopt -s inherit_errexit

# shellcheck source-path=SCRIPTDIR source=lib/node.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/node.sh"

# How long to wait for the bell between looks at an empty spool, at most (the looks also see
# run.sh gone).
SEND_IDLE_PAUSE_MS=${SEND_IDLE_PAUSE_MS:-100}

usage() {
  echo "usage: $(basename "$0") <run dir>" >&2
  exit 2
}

# load_deadline: the shared deadline run.sh set after a signal, if any.
load_deadline() {
  local file
  file="$(spool_dir)/deadline"
  [[ -r "$file" ]] && read -r WEBHOOK_DEADLINE_MS <"$file"
  return 0
}

# read_within FD MS: a line from FD within MS (0), or none (1).
read_within() {
  local s
  seconds_into s "$2"
  read -r -t "$s" -u "$1" _ || return 1
}

# pause_ms MS: as lib/poll.sh's, on a pipe opened once (main), so that no pause forks.
pause_ms() { read_within "$IDLE_FD" "$1" || true; }

# open_spool_bell: the FIFO spool_callback rings (lib/phases.sh), made before the first look at
# the spool, so a message spooled after any look also rings.
open_spool_bell() {
  local spool
  spool=$(spool_dir)
  install -d -m 0700 "$spool"
  [[ -p "$spool/.bell" ]] || mkfifo -m 0600 "$spool/.bell"
  exec {BELL_FD}<>"$spool/.bell"
}

# await_spool MS: until the bell rings (0) or MS have passed (1).
await_spool() { read_within "$BELL_FD" "$1"; }

# A retry's pause also picks up a deadline set while it waited.
backoff_sleep() {
  pause_ms $(($1 * 1000))
  load_deadline
}

writer_alive() {
  local pid=''
  { read -r pid <"$RUN_DIR/run.pid"; } 2>/dev/null || return 1
  is_running "$pid"
}

# send_all: post the spool in order until the results are posted or run.sh has gone and nothing
# is left. Waiting on an idle spool forks nothing (the measurement shares the CPU).
send_all() {
  local spool pause=1 file
  local -a waiting
  spool=$(spool_dir)
  while :; do
    waiting=("$spool"/*.json)
    file=${waiting[0]}
    if [[ -e "$file" ]]; then
      load_deadline
      post_spooled "$file" || log_error "${file##*/} could not be delivered${WEBHOOK_STATUS:+ (HTTP $WEBHOOK_STATUS)}"
      rm -f "$file"
      [[ "$file" != *.results.json ]] || return 0
      pause=1
      continue
    fi
    if ! writer_alive; then
      waiting=("$spool"/*.json)
      [[ -e "${waiting[0]}" ]] || return 0
      continue
    fi
    if await_spool "$pause"; then
      pause=1
    else
      pause=$((pause * 2 > SEND_IDLE_PAUSE_MS ? SEND_IDLE_PAUSE_MS : pause * 2))
    fi
  done
}

main() {
  (($# == 1)) || usage
  [[ -d "$1" ]] || usage
  RUN_DIR=$(realpath -- "$1")
  exec </dev/null >>"$RUN_DIR/run.log" 2>&1
  VPNLENS_LOG_TAG=send
  read_callback_params "$RUN_DIR/params.json"
  exec {IDLE_FD}<> <(:)
  open_spool_bell
  send_all
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
