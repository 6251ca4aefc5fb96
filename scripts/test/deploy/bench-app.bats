#!/usr/bin/env bats
# bench/lib/app.sh's wait for an app it starts: ready once /readyz answers 2xx (the app checks its stored
# days of history in the background after it starts serving, /readyz says 503 until then); a measured
# commit without /readyz (404) is ready once /healthz answers. curl is a stand-in: nothing is sent.

setup() {
  load helpers
}

# ready READYZ HEALTHZ: _app_ready against an app whose /readyz and /healthz answer these status codes
# ('' = nothing listening).
ready() {
  # shellcheck disable=SC2016 # the script is expanded by the inner bash
  run bash -c '
    source "$1/bench/lib/common.sh" && source "$1/bench/lib/app.sh" || exit 99
    READYZ=$2 HEALTHZ=$3
    curl() {
      local url=${*: -1} code=""
      case "$url" in
        */readyz) code=$READYZ ;;
        */healthz) code=$HEALTHZ ;;
      esac
      if [[ " $* " == *" -w "* ]]; then
        printf %s "${code:-000}"
        [[ -n "$code" ]] || return 7
        return 0
      fi
      [[ -n "$code" ]] || return 7
      [[ "$code" == 2?? ]] || return 22
    }
    _app_ready 5080' _ "$REPO_DIR" "$1" "$2"
}

@test "an app whose /readyz answers 200 is ready" {
  ready 200 200
  assert_success
}

@test "an app that serves /healthz while /readyz says 503 (still checking its stored days) is not ready" {
  ready 503 200
  assert_failure
}

@test "a measured commit without /readyz (404) is ready once /healthz answers, not before" {
  ready 404 200
  assert_success
  ready 404 503
  assert_failure
}

@test "an app that does not listen yet is not ready" {
  ready '' ''
  assert_failure
}
