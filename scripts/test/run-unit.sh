#!/usr/bin/env bash
# run-unit.sh: the node scripts' unit tests, no root and no network needed.
#   1. shellcheck -x over every *.sh under scripts/, the bats files, their helpers and fakes
#   2. shfmt -d -i 2 -ci over the node scripts and tests (when shfmt is installed)
#   3. bats over scripts/test/*.bats (the lab's tests live in scripts/test/lab and need root)
# Exits non-zero if any of them fails; ends with "N passed, N failed".
set -Eeuo pipefail

TEST_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly TEST_DIR
SCRIPTS_DIR="$(cd "$TEST_DIR/.." && pwd)"
readonly SCRIPTS_DIR

# shellcheck source-path=SCRIPTDIR source=../lib/log.sh
source "$SCRIPTS_DIR/lib/log.sh"
VPNLENS_LOG_TAG=run-unit

require() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || {
      log_error "$cmd is not installed (apt-get install $cmd)"
      exit 2
    }
  done
}

# Files of ours that are bash but not named *.sh.
bash_test_files() {
  printf '%s\n' "$TEST_DIR"/*.bats "$TEST_DIR/helpers.bash" "$TEST_DIR/fakes/lib.bash" "$TEST_DIR"/fakes/cmd/*
}

run_shellcheck() {
  local -a files
  mapfile -t files < <(find "$SCRIPTS_DIR" -name '*.sh' -type f | sort)
  mapfile -t -O "${#files[@]}" files < <(bash_test_files)
  log_info "shellcheck -x: ${#files[@]} files"
  (cd "$SCRIPTS_DIR/.." && shellcheck -x "${files[@]}")
}

run_shfmt() {
  if ! command -v shfmt >/dev/null 2>&1; then
    log_info "shfmt not installed: format not checked"
    return 0
  fi
  local -a files
  mapfile -t files < <(
    printf '%s\n' "$SCRIPTS_DIR"/*.sh "$SCRIPTS_DIR"/lib/*.sh \
      "$SCRIPTS_DIR"/drivers/*.sh "$TEST_DIR/run-unit.sh" "$TEST_DIR/helpers.bash" \
      "$TEST_DIR/fakes/lib.bash" "$TEST_DIR"/fakes/cmd/*
  )
  log_info "shfmt -d -i 2 -ci: ${#files[@]} files"
  shfmt -d -i 2 -ci "${files[@]}"
}

run_bats() {
  local tap passed failed rc=0
  tap=$(mktemp)
  log_info "bats $TEST_DIR/*.bats"
  bats --tap "$TEST_DIR"/*.bats | tee "$tap" || rc=$?
  passed=$(grep -c '^ok ' "$tap" || true)
  failed=$(grep -c '^not ok ' "$tap" || true)
  rm -f "$tap"
  echo "${passed} passed, ${failed} failed"
  ((rc == 0 && failed == 0 && passed > 0))
}

main() {
  require shellcheck bats jq openssl python3
  local status=0
  run_shellcheck || {
    log_error "shellcheck found problems"
    status=1
  }
  run_shfmt || {
    log_error "shfmt -d -i 2 -ci: the files above are not formatted"
    status=1
  }
  run_bats || {
    log_error "bats tests failed"
    status=1
  }
  return "$status"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
