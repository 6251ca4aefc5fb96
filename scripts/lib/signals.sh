# shellcheck shell=bash
# Signal traps and reads with a timeout. Bash (5.2) runs a trap that arrives during `read -t`
# inside the read, and if the read's timeout expires while the trap is still running (one
# command substitution in it is enough), it jumps back into the read: the trap is abandoned
# half-way and the shell carries on from the read as if no signal had come. A run told to
# stop in the middle of a pause would then go on measuring, having reported half of why not.
#
# So every read with a timeout goes through timed_read, and every trap that does real work is
# set with trap_signals: during a timed_read the trap only notes the signal, and timed_read
# sends it again once the read is over, when the trap runs whole.
[[ -n "${_VPNLENS_SIGNALS_SH:-}" ]] && return 0
_VPNLENS_SIGNALS_SH=1

IN_TIMED_READ='' DEFERRED_SIGNAL=''

# trap_signals HANDLER SIGNAL...: on each SIGNAL, `HANDLER SIGNAL`, deferred past a timed_read.
trap_signals() {
  local handler=$1 signal
  shift
  for signal in "$@"; do
    # shellcheck disable=SC2064 # the handler and signal are fixed when the trap is set
    trap "signal_deferred $signal || $handler $signal" "$signal"
  done
}

# exit_on_signal SIGNAL: end as the signal would have (128 + its number), EXIT trap included.
exit_on_signal() { exit $((128 + $(kill -l "$1"))); }

# signal_deferred SIGNAL: true, having noted SIGNAL for timed_read to send again, when a trap
# interrupted a timed_read; false (the trap goes on) anywhere else.
signal_deferred() {
  [[ -n "$IN_TIMED_READ" ]] || return 1
  DEFERRED_SIGNAL=$1
}

# timed_read READ_ARGS...: `read -r READ_ARGS...` (with its -t), then any signal a trap deferred
# during it. Returns read's status.
timed_read() {
  local _timed_read_rc=0 _timed_read_signal
  IN_TIMED_READ=1
  read -r "$@" || _timed_read_rc=$?
  IN_TIMED_READ=''
  _timed_read_signal=$DEFERRED_SIGNAL DEFERRED_SIGNAL=''
  [[ -z "$_timed_read_signal" ]] || kill -s "$_timed_read_signal" "$BASHPID"
  return "$_timed_read_rc"
}
