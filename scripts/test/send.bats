#!/usr/bin/env bats
# shellcheck disable=SC2034  # the libraries read the globals set here
# send.sh's wait on an idle spool: the bell spool_callback rings ends it at once.

load helpers

setup() {
  setup_fakes
  # shellcheck source-path=SCRIPTDIR source=../send.sh
  source "$SCRIPTS_DIR/send.sh"
  RUN_DIR="$BATS_TEST_TMPDIR/run"
  mkdir -p "$RUN_DIR"
  printf '{"phase":"udp"}' >"$BATS_TEST_TMPDIR/event.json"
}

teardown() { teardown_fakes; }

@test "with nothing spooled, the sender's wait runs out" {
  open_spool_bell
  run await_spool 10
  assert_failure
}

@test "a message spooled while the sender waits ends the wait at once" {
  open_spool_bell
  spool_callback phases "$BATS_TEST_TMPDIR/event.json"
  # a wait of a minute: without the bell this test would fail only after it
  run await_spool 60000
  assert_success
  run await_spool 10
  assert_failure
  assert_file_exists "$RUN_DIR/.spool/000001.phases.json"
}

@test "spooling with no sender listening neither waits nor fails" {
  open_spool_bell
  exec {BELL_FD}>&-
  cp "$BATS_TEST_TMPDIR/event.json" "$BATS_TEST_TMPDIR/results.json"
  spool_callback phases "$BATS_TEST_TMPDIR/event.json"
  spool_callback results "$BATS_TEST_TMPDIR/results.json"
  run ls "$RUN_DIR/.spool"
  assert_output "$(printf '000001.phases.json\n000002.results.json')"
}
