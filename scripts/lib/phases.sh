# shellcheck shell=bash disable=SC2153
# Phase mechanics: every phase is announced to the control plane when it ends, with its
# start and end times, status and detail. The phase in progress is kept on disk
# ($RUN_DIR/.phase) so that whoever outlives a failure (run.sh's protocol loop, its EXIT
# trap) can report the phase that was running, with the reason left by die/record_failure.
[[ -n "${_VPNLENS_PHASES_SH:-}" ]] && return 0
_VPNLENS_PHASES_SH=1

phase_file() { printf '%s/.phase\n' "$RUN_DIR"; }

run_is_closed() { [[ -e "$RUN_DIR/.closed" ]]; }

# Callbacks leave through a sender of their own (send.sh): each message is spooled to
# $RUN_DIR/.spool as <sequence>.<kind>.json, numbered through the whole run, and the sender
# posts the spool in order, retrying each with its own webhook-id (msg_<runId>_<sequence>).
# Nothing that measures ever waits on the control plane.
spool_dir() { printf '%s/.spool\n' "$RUN_DIR"; }

# spool_callback KIND FILE: queue FILE (moved; a copy for results, which stay in results.json)
# as the next message to POST to {callbackUrl}/KIND, and ring the sender's bell: a FIFO in the
# spool it waits on while idle (send.sh), so the message leaves at once, not at its next look.
# The bell is opened both ways, so the open never waits for a reader, and a ring nobody hears
# goes with the last descriptor.
spool_callback() {
  local kind=$1 file=$2 dir counter="$RUN_DIR/.webhook-seq" seq=0 target
  dir=$(spool_dir)
  [[ -d "$dir" ]] || install -d -m 0700 "$dir"
  [[ -r "$counter" ]] && read -r seq <"$counter"
  seq=$((seq + 1))
  printf '%s\n' "$seq" >"$counter"
  printf -v target '%s/%06d.%s.json' "$dir" "$seq" "$kind"
  if [[ "$kind" == results ]]; then
    cp -f "$file" "$target.tmp"
  else
    mv -f "$file" "$target.tmp"
  fi
  mv -f "$target.tmp" "$target"
  if [[ -p "$dir/.bell" ]]; then
    { printf '\n' 1<>"$dir/.bell"; } 2>/dev/null || true
  fi
}

# post_spooled FILE: POST one spooled message; a 409 means the control plane has finished this
# run: remember it so the run stops measuring.
post_spooled() {
  local file=$1 name seq kind
  name=$(basename "$file" .json)
  seq=$((10#${name%%.*})) kind=${name#*.}
  if webhook_post "$CALLBACK_URL/$kind" "$WEBHOOK_SECRET" "msg_${RUN_ID}_$seq" "$file"; then
    return 0
  fi
  if [[ "$WEBHOOK_STATUS" == 409 ]]; then
    log_warn "the control plane says run $RUN_ID is already finished"
    : >"$RUN_DIR/.closed"
  fi
  return 1
}

# jq: epoch ms -> the events' ISO-8601 UTC time with milliseconds.
readonly PHASE_JQ_ISO='def iso: (. / 1000 | floor | strftime("%Y-%m-%dT%H:%M:%S")) + "."
  + ("00" + (. % 1000 | tostring))[-3:] + "Z";'

# phase_begin PROTOCOL PHASE [STARTED_MS]: now, or at a time already taken (epoch ms).
phase_begin() {
  local started=${3:-}
  [[ -n "$started" ]] || clock_ms started
  # names ([a-z0-9_-], validated) need no JSON escaping: printf, not a jq per phase
  printf '{"protocol":"%s","phase":"%s","startedMs":%d}\n' "$1" "$2" "$started" >"$(phase_file)"
  log_at "$started" INFO "== $1: $2"
}

phase_in_progress() { [[ -s "$(phase_file)" ]]; }

# phase_end STATUS DETAIL [ENDED_MS]: queue the event for the phase in progress (ended now,
# or at a time already taken) and flush the queue to the sender (unless PHASE_DEFER_POST is set); a failure
# also marks the protocol failed in its results. Never fails: a lost callback must not stop
# a teardown.
phase_end() {
  local status=$1 detail=$2 ended=${3:-} file body begun='' protocol='' phase=''
  file=$(phase_file)
  [[ -s "$file" ]] || return 0
  [[ -n "$ended" ]] || clock_ms ended
  body=$(outbox_next)
  jq -c --arg status "$status" --arg detail "$detail" --argjson ended "$ended" "$PHASE_JQ_ISO"'
    {protocol, phase, status: $status, startedAt: (.startedMs | iso), endedAt: ($ended | iso),
     detail: (if $detail == "" then null else $detail[0:4000] end)}' "$file" >"$body.tmp" || return 0
  mv -f "$body.tmp" "$body"
  # phase_begin's own line: read without another jq (each costs ~35 ms of start-up)
  { read -r begun <"$file"; } 2>/dev/null || true
  if [[ "$begun" =~ ^\{\"protocol\":\"([^\"]*)\",\"phase\":\"([^\"]*)\" ]]; then
    protocol=${BASH_REMATCH[1]} phase=${BASH_REMATCH[2]}
  fi
  rm -f "$file"
  if [[ "$status" == failed ]]; then
    log_error "$protocol: $phase failed: $detail"
    [[ -n "${RESULT_FILE:-}" ]] && result_fail "$phase" "$detail"
  else
    log_info "$protocol: $phase $status${detail:+: $detail}"
  fi
  [[ -n "${PHASE_DEFER_POST:-}" ]] || phase_flush
}

# phase_record PROTOCOL EVENTS: queue the events of phases that are already over, timed as
# they happened (the ladder's rungs, climbed with no phase bookkeeping between them), with
# one jq for them all; flushed like phase_end's unless PHASE_DEFER_POST is set. EVENTS: one
# line per event, "phase<TAB>status<TAB>startedMs<TAB>endedMs<TAB>detail" (no tab or
# newline inside a field). Never fails.
phase_record() {
  local protocol=$1 events=$2 event phase status detail
  local -a bodies=()
  mapfile -t bodies < <(jq -Rc --arg p "$protocol" "$PHASE_JQ_ISO"'
    split("\t") | {protocol: $p, phase: .[0], status: .[1],
      startedAt: (.[2] | tonumber | iso), endedAt: (.[3] | tonumber | iso),
      detail: (if (.[4] // "") == "" then null else .[4][0:4000] end)}' <<<"$events" || true)
  for event in "${bodies[@]}"; do
    printf '%s\n' "$event" >"$(outbox_next)"
  done
  while IFS=$'\t' read -r phase status _ _ detail; do
    log_info "$protocol: $phase $status${detail:+: $detail}"
  done <<<"$events"
  [[ -n "${PHASE_DEFER_POST:-}" ]] || phase_flush
}

# Events wait in $RUN_DIR/.outbox, numbered, until flushed to the sender's spool: the bring-up
# and the ladder are timed without callbacks in between (a callback's work must not inflate
# setupMs), and whoever reports a failure flushes the waiting events first, in order.
outbox_next() {
  local dir="$RUN_DIR/.outbox" seq=0
  mkdir -p "$dir"
  [[ -r "$dir/.seq" ]] && read -r seq <"$dir/.seq"
  seq=$((seq + 1))
  printf '%s\n' "$seq" >"$dir/.seq"
  printf '%s/%06d.json\n' "$dir" "$seq"
}

phase_flush() {
  local event
  for event in "$RUN_DIR"/.outbox/*.json; do
    [[ -e "$event" ]] || continue
    spool_callback phases "$event" || log_error "could not spool $event"
  done
}

# The phase being run sets these to say how it went (default: succeeded, no detail).
phase_detail() { PHASE_DETAIL=$*; }
phase_skip() {
  PHASE_STATUS=skipped
  PHASE_DETAIL=$*
}

# phase_fail MESSAGE: end the phase (and so the protocol) as failed with MESSAGE.
phase_fail() {
  log_error "$*"
  record_failure "$*"
  return 1
}

# phase_check_open: no phase starts once the control plane has closed the run.
phase_check_open() {
  run_is_closed && die "the control plane has closed this run (HTTP 409); stopping"
  return 0
}

# phase_run PHASE COMMAND [ARGS...]: begin, run, end. Runs under set -e: a failing command
# (phase_fail, die, or a bug) leaves the phase file for the caller to report.
phase_run() {
  local phase=$1
  shift
  phase_check_open
  phase_begin "$PROTOCOL" "$phase"
  PHASE_STATUS=succeeded PHASE_DETAIL=''
  "$@"
  phase_end "$PHASE_STATUS" "$PHASE_DETAIL"
}
