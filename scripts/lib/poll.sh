# shellcheck shell=bash disable=SC2034
# Waiting for a condition: poll with a deadline and a growing pause, never a fixed sleep.
[[ -n "${_VPNLENS_POLL_SH:-}" ]] && return 0
_VPNLENS_POLL_SH=1

# The pause grows from POLL_FIRST_PAUSE_MS, doubling, up to POLL_MAX_PAUSE_MS.
POLL_FIRST_PAUSE_MS=${POLL_FIRST_PAUSE_MS:-50}
POLL_MAX_PAUSE_MS=${POLL_MAX_PAUSE_MS:-1000}
# Waits whose lateness is what gets measured (a tunnel coming up) pause in proportion instead.
POLL_MIN_PAUSE_MS=${POLL_MIN_PAUSE_MS:-2}
LAG_PAUSE_MS=0

# lag_pause_ms WAITED_MS: sets LAG_PAUSE_MS to an eighth of the time waited so far, at least
# POLL_MIN_PAUSE_MS, at most POLL_MAX_PAUSE_MS: what comes true is seen at most ~1/8 of the wait
# late (a doubling pause can be as late as the whole wait). A variable, not output: the waits that
# use it poll in a tight loop without forking.
lag_pause_ms() {
  LAG_PAUSE_MS=$(($1 / 8))
  ((LAG_PAUSE_MS >= POLL_MIN_PAUSE_MS)) || LAG_PAUSE_MS=$POLL_MIN_PAUSE_MS
  ((LAG_PAUSE_MS <= POLL_MAX_PAUSE_MS)) || LAG_PAUSE_MS=$POLL_MAX_PAUSE_MS
}

# pause_ms MS: sleep that many milliseconds (a seam tests may replace). A read with a
# timeout on a pipe nobody writes to (opened both ways, so it never ends) sleeps without
# starting sleep(1), whose start-up would add a millisecond or two to every pause. Through
# timed_read, so that a signal's trap is not cut off by the read's timeout (signals.sh).
pause_ms() {
  local s
  seconds_into s "$1"
  timed_read -t "$s" _ <> <(:) || true
}

# seconds_into VAR MS: MS as the seconds read -t takes ("1.250"), without a subshell.
seconds_into() { printf -v "$1" '%d.%03d' "$(($2 / 1000))" "$(($2 % 1000))"; }

# poll_until TIMEOUT_MS COMMAND [ARGS...]
# Runs COMMAND until it succeeds or TIMEOUT_MS has passed (it always runs at least once).
# Sets POLL_ELAPSED_MS to the time until success (or until giving up), and POLL_OUTPUT to
# what the last attempt printed (stdout and stderr), which names why it is still failing.
poll_until() {
  local timeout_ms=$1
  shift
  local start now pause=$POLL_FIRST_PAUSE_MS remaining
  clock_ms start
  while :; do
    if POLL_OUTPUT=$("$@" 2>&1); then
      clock_ms now
      POLL_ELAPSED_MS=$((now - start))
      return 0
    fi
    clock_ms now
    remaining=$((start + timeout_ms - now))
    if ((remaining <= 0)); then
      POLL_ELAPSED_MS=$((now - start))
      return 1
    fi
    ((pause > remaining)) && pause=$remaining
    pause_ms "$pause"
    pause=$((pause * 2))
    ((pause > POLL_MAX_PAUSE_MS)) && pause=$POLL_MAX_PAUSE_MS
  done
}
