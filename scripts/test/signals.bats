#!/usr/bin/env bats
# shellcheck disable=SC2016  # single-quoted snippets run in another shell
# A trap that arrives during a read with a timeout (every pause, the backend rung's HTTP read)
# runs whole, after the read, never half inside it (bash abandons a trap that is still running
# when the read's timeout expires).

load helpers

# The snippet's trap takes longer than the read it interrupts has left, with a command
# substitution in it: with a plain `read -t`, bash cuts it off and the shell carries on.
readonly TRAPPED_READ='
  source "$1/lib/signals.sh"
  on_term() {
    local whole
    whole=$(sleep 0.6 && echo whole)
    echo "trap ran $whole"
    exit 143
  }
  trap_signals on_term TERM
  (sleep 0.05 && kill -TERM $$) &
  timed_read -t 0.4 _ <> <(:)
  echo "carried on after the read"'

@test "a trap that interrupts a timed read runs whole once the read is over" {
  run bash -c "$TRAPPED_READ" _ "$SCRIPTS_DIR"
  assert_equal "$status" 143
  assert_output "trap ran whole"
}

@test "a timed read that no signal interrupts returns what read returns" {
  run bash -c 'source "$1/lib/signals.sh"
    timed_read line <<<"a line" && echo "read: $line"
    timed_read -t 0.05 line <> <(:) || echo "timed out: $?"' _ "$SCRIPTS_DIR"
  assert_success
  assert_output "$(printf 'read: a line\ntimed out: 142')"
}

@test "outside a timed read a trap is not deferred" {
  # shellcheck source-path=SCRIPTDIR source=../lib/signals.sh
  source "$SCRIPTS_DIR/lib/signals.sh"
  run signal_deferred TERM
  assert_failure
  assert_equal "$DEFERRED_SIGNAL" ""
}
