# shellcheck shell=bash
# The one logger of every VPNLens shell script (node, lab, bootstrap, dev, bench, test runners):
# logging, fatal errors and clocks. Each line is "ISO-time LEVEL [tag] message" on stderr; run.sh
# points stderr at the run's run.log, so a headless run keeps every line and prints nothing
# anywhere else. A caller names itself in VPNLENS_LOG_TAG (a plain shell variable, not exported)
# and may keep a copy of its lines in VPNLENS_LOG_COPY (a file, appended to when its folder exists).
[[ -n "${_VPNLENS_LOG_SH:-}" ]] && return 0
_VPNLENS_LOG_SH=1

_log() {
  local level=$1 ms
  shift
  clock_ms ms
  log_at "$ms" "$level" "$@"
}

# log_at MS LEVEL MESSAGE: a log line stamped with a time taken earlier (epoch ms) instead
# of the time it is written: the ladder logs each rung once it has climbed them all, at the
# moment the rung passed.
log_at() {
  local ms=$1 level=$2 stamp line
  shift 2
  iso_from_ms_into stamp "$ms"
  printf -v line '%s %-5s [%s] %s' "$stamp" "$level" "${VPNLENS_LOG_TAG:-vpnlens}" "$*"
  printf '%s\n' "$line" >&2
  [[ -z "${VPNLENS_LOG_COPY:-}" ]] || printf '%s\n' "$line" 2>/dev/null >>"$VPNLENS_LOG_COPY" || true
}

log_info() { _log INFO "$@"; }
log_warn() { _log WARN "$@"; }
log_error() { _log ERROR "$@"; }

# die MESSAGE: log it, leave it in $VPNLENS_FAILURE_FILE (when set) for whoever reports
# the failure, and exit 1. The first message wins: a later, vaguer one never replaces it.
die() {
  log_error "$*"
  record_failure "$*"
  exit 1
}

# run_cmd_fatal CMD...: a step that must succeed; on failure say which one.
run_cmd_fatal() {
  "$@" || die "command failed ($?): $*"
}

record_failure() {
  local file=${VPNLENS_FAILURE_FILE:-}
  [[ -n "$file" ]] || return 0
  [[ -s "$file" ]] && return 0
  printf '%s\n' "$*" >"$file"
}

# clock_ms VAR: set VAR to the milliseconds since the epoch. No fork at all, unlike $(now_ms):
# what the ladder times itself with. EPOCHREALTIME always has six decimals, but its separator
# follows the locale (a comma in some), so only its digits are read.
clock_ms() {
  local _clock_t=${EPOCHREALTIME//[!0-9]/}
  printf -v "$1" '%d' "$((10#$_clock_t / 1000))"
}

# Milliseconds since the epoch.
now_ms() {
  local ms
  clock_ms ms
  printf '%d\n' "$ms"
}

# iso_from_ms_into VAR MS: set VAR to 2026-11-25T08:00:00.123Z (no fork).
iso_from_ms_into() {
  local _iso_date
  TZ=UTC printf -v _iso_date '%(%Y-%m-%dT%H:%M:%S)T' "$(($2 / 1000))"
  printf -v "$1" '%s.%03dZ' "$_iso_date" "$(($2 % 1000))"
}

# iso_from_ms MS: 2026-11-25T08:00:00.123Z
iso_from_ms() {
  local iso
  iso_from_ms_into iso "$1"
  printf '%s\n' "$iso"
}

iso_now() { iso_from_ms "$(now_ms)"; }
