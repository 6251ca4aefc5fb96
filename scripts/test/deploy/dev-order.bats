#!/usr/bin/env bats
# shellcheck disable=SC2016 # single-quoted snippets run in another shell or are searched for as written
# The README's two commands in a newcomer's order, `./vpnlens up` and then `./vpnlens test`, on one
# machine: what up leaves behind must not change what test finds.

setup() {
  load helpers
}

teardown() {
  [[ -z "${UP_PID:-}" ]] || kill "$UP_PID" 2>/dev/null || true
}

@test "up's ensure_config writes the token file private, and the umask ends with it" {
  local state="$BATS_TEST_TMPDIR/state"
  run env VPNLENS_STATE="$state" bash -c '
    source "$1/dev/up.sh" || true # sourced, its last line does not run main
    umask 0022
    ensure_config
    umask
    touch "$VPNLENS_STATE/after"
  ' _ "$REPO_DIR"
  assert_success
  assert_output 0022
  assert_equal "$(stat -c %a "$state/config.env")" 600
  run grep -cE '^Api__Token=[0-9a-f]{48}$' "$state/config.env"
  assert_output 1
  assert_equal "$(stat -c %a "$state/after")" 644
}

@test "a second ensure_config keeps the token" {
  local state="$BATS_TEST_TMPDIR/state" first
  VPNLENS_STATE="$state" bash -c 'source "$1/dev/up.sh" || true; ensure_config' _ "$REPO_DIR"
  first=$(<"$state/config.env")
  VPNLENS_STATE="$state" bash -c 'source "$1/dev/up.sh" || true; ensure_config' _ "$REPO_DIR"
  assert_equal "$(<"$state/config.env")" "$first"
}

@test "the image test's app is readable by its non-root user whatever modes the build left" {
  [[ "$(id -u)" == 0 ]] || skip "needs root to read as another user"
  # bats' own temporary directories are private to root: the other user could not reach these
  local app
  app=$(mktemp -d /tmp/vpnlens-modes.XXXXXX)
  chmod 0755 "$app"
  # what a publish copies from a NuGet cache filled under umask 077
  install -d -m 0700 "$app/runtimes"
  (umask 077 && printf 'assembly' >"$app/Hangfire.Core.dll" && printf 'native' >"$app/runtimes/lib.so")
  run setpriv --reuid=nobody --regid=nogroup --clear-groups cat "$app/Hangfire.Core.dll"
  assert_failure
  as_image_builds_it "$app"
  run setpriv --reuid=nobody --regid=nogroup --clear-groups cat "$app/Hangfire.Core.dll" "$app/runtimes/lib.so"
  assert_success
  assert_output assemblynative
  run find "$app" -perm /022
  assert_output ""
  rm -rf "$app"
  run grep -c 'as_image_builds_it "$APP_DIR"' "$DEPLOY_TEST_DIR/image-start.bats"
  assert_output 1
}

# fake_up: a process that looks like a running ./vpnlens up (its command line names dev/up.sh),
# its pid in $UP_PID.
fake_up() {
  mkdir -p "$BATS_TEST_TMPDIR/dev"
  printf 'while :; do sleep 1; done\n' >"$BATS_TEST_TMPDIR/dev/up.sh"
  bash "$BATS_TEST_TMPDIR/dev/up.sh" >/dev/null 2>&1 3>&- &
  UP_PID=$!
}

# dev_command NAME: dev/NAME.sh where installing packages fails at once, so that a command which
# does not refuse stops before it could run anything.
dev_command() {
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  printf '#!/bin/sh\nexit 1\n' >"$BATS_TEST_TMPDIR/bin/dpkg-query"
  printf '#!/bin/sh\necho "apt-get ran" >&2\nexit 1\n' >"$BATS_TEST_TMPDIR/bin/apt-get"
  chmod +x "$BATS_TEST_TMPDIR"/bin/*
  PATH="$BATS_TEST_TMPDIR/bin:$PATH" VPNLENS_UNDER_REAPER=1 "$REPO_DIR/dev/$1.sh"
}

@test "test and bench refuse while an up's lab is live, naming it; a stale pid file does not stop them" {
  export VPNLENS_UP_PIDFILE="$BATS_TEST_TMPDIR/up.pid"
  fake_up
  echo "$UP_PID" >"$VPNLENS_UP_PIDFILE"
  run dev_command test
  assert_failure 1
  assert_output --partial "ERROR [vpnlens] ./vpnlens up is running (pid $UP_PID) and its lab is live; ./vpnlens test would take that lab down"
  refute_output --partial "apt-get ran"
  run dev_command bench
  assert_failure 1
  assert_output --partial "./vpnlens bench would take that lab down"
  run dev_command up
  assert_failure 1
  assert_output --partial "a second ./vpnlens up would take that lab down"
  kill "$UP_PID"
  wait "$UP_PID" || true
  # that up has ended; then its pid may be any other program's
  run dev_command test
  assert_output --partial "apt-get ran"
  echo "$$" >"$VPNLENS_UP_PIDFILE"
  run dev_command test
  assert_output --partial "apt-get ran"
}

@test "the test summary names the failed tests of TAP and dotnet logs, not the passed ones" {
  local log="$BATS_TEST_TMPDIR/stage.log"
  printf '%s\n' 'ok 1 passes' 'not ok 2 - the ladder broke' 'passed VPNLens.Tests.A.Fine (1s)' \
    'failed VPNLens.Tests.Web.RunsTests.A_run_is_refused (1m 2s 3ms)' '  failed: 1' >"$log"
  run bash -c 'source "$1/dev/test.sh" || true; record_failed_names lab "$2"; printf "%s\n" "${FAILED_TESTS[@]}"' \
    _ "$REPO_DIR" "$log"
  assert_success
  assert_output "$(printf '%s\n' 'lab: the ladder broke' 'lab: VPNLens.Tests.Web.RunsTests.A_run_is_refused')"
}
