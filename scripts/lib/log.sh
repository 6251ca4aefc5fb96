# shellcheck shell=bash
# Logging, fatal errors and clocks. Everything goes to stderr; run.sh points stderr at
# the run's run.log, so a headless run keeps every line and prints nothing anywhere else.
[[ -n "${_VPNLENS_LOG_SH:-}" ]] && return 0
_VPNLENS_LOG_SH=1

_log() {
  local level=$1
  shift
  printf '%s %-5s [%s] %s\n' "$(iso_now)" "$level" "${VPNLENS_LOG_TAG:-vpnlens}" "$*" >&2
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

record_failure() {
  local file=${VPNLENS_FAILURE_FILE:-}
  [[ -n "$file" ]] || return 0
  [[ -s "$file" ]] && return 0
  printf '%s\n' "$*" >"$file"
}

# Milliseconds since the epoch, without forking (EPOCHREALTIME needs LC_ALL=C for its dot).
now_ms() {
  local t=$EPOCHREALTIME
  printf '%d\n' "$((${t%.*} * 1000 + 10#${t#*.} / 1000))"
}

# iso_from_ms MS: 2026-11-25T08:00:00.123Z
iso_from_ms() {
  local ms=$1 date
  TZ=UTC printf -v date '%(%Y-%m-%dT%H:%M:%S)T' "$((ms / 1000))"
  printf '%s.%03dZ\n' "$date" "$((ms % 1000))"
}

iso_now() { iso_from_ms "$(now_ms)"; }
