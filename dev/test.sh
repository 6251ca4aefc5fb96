#!/usr/bin/env bash
# ./vpnlens test: every test, with the real parts the tests need started by the project's own scripts:
# ShellCheck and bats over the node scripts, the deployment checks, dotnet format, the xunit suite
# (unit, integration on SQLite and again on a real PostgreSQL that scripts/test/postgres.sh starts, real
# sshd, the lab end to end, the browser), the lab's own bats, and
# the benchmark suite's smoke (one short pass: every figure produced, no target judged).
# Ends with one line "N passed, N failed"; exits non-zero when anything failed.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

readonly RESULTS_DIR="$REPO_DIR/artifacts/test-results"
PASSED=0
FAILED=0
FAILED_STAGES=()
FAILED_TESTS=()

teardown() {
  set +e
  "$REPO_DIR/scripts/test/postgres.sh" stop >/dev/null 2>&1
  "$REPO_DIR/scripts/lab/lab.sh" down >/dev/null 2>&1
}

# Adds a stage's counts; a stage that failed without counting anything still counts as one failure.
record() {
  local stage=$1 status=$2 passed=$3 failed=$4
  if [[ "$status" -ne 0 && "$failed" -eq 0 ]]; then failed=1; fi
  PASSED=$((PASSED + passed))
  FAILED=$((FAILED + failed))
  ((failed == 0)) || FAILED_STAGES+=("$stage")
  log_info "$stage: $passed passed, $failed failed"
}

# Remembers the names of a log's failed tests (TAP "not ok" lines, dotnet "failed <name>" lines) for the summary.
record_failed_names() {
  local stage=$1 log=$2 name
  while IFS= read -r name; do
    FAILED_TESTS+=("$stage: $name")
  done < <(sed -nE -e 's/^not ok [0-9]+ (- )?//p' -e 's/^failed ([A-Za-z0-9_.]+).*/\1/p' "$log" | head -n 20)
}

# Runs a bats-based runner with TAP output and counts its "ok" and "not ok" lines.
run_tap_stage() {
  local stage=$1 log="$RESULTS_DIR/$1.tap" status=0
  shift
  log_info "== $stage"
  BATS_FORMATTER=tap "$@" 2>&1 | tee "$log" || status=$?
  record "$stage" "$status" "$(grep -cE '^ok ' "$log" || true)" "$(grep -cE '^not ok ' "$log" || true)"
  record_failed_names "$stage" "$log"
}

run_format_check() {
  local status=0
  log_info "== dotnet format"
  # format needs restored projects to resolve package types; a clean checkout has none yet
  if dotnet restore "$REPO_DIR/VPNLens.sln" -v quiet; then
    dotnet format "$REPO_DIR/VPNLens.sln" --verify-no-changes --no-restore -v quiet || status=$?
  else
    status=$?
  fi
  record "dotnet-format" "$status" "$((status == 0 ? 1 : 0))" "$((status == 0 ? 0 : 1))"
}

# Counts a dotnet test log's results as one stage.
record_dotnet_log() {
  local stage=$1 status=$2 log=$3
  record "$stage" "$status" \
    "$(grep -oE 'succeeded: [0-9]+' "$log" | awk '{s += $2} END {print s + 0}')" \
    "$(grep -oE 'failed: [0-9]+' "$log" | awk '{s += $2} END {print s + 0}')"
  record_failed_names "$stage" "$log"
}

# The whole suite (its PostgreSQL-only tests on the test cluster), then every Web test a second time with the app on
# PostgreSQL, but the bUnit component tests: they find what a component renders at once, and against PostgreSQL's
# asynchronous reads a component first renders its loading state.
run_dotnet_tests() {
  local log="$RESULTS_DIR/dotnet.log" pg_log="$RESULTS_DIR/dotnet-postgres.log" status=0
  log_info "== dotnet test"
  # axe-core for the browser tests' accessibility checks (tools/npm/package-lock.json pins it)
  npm ci --prefix "$REPO_DIR/tools/npm" --no-audit --no-fund >/dev/null
  dotnet build "$REPO_DIR/VPNLens.sln" -c Debug --nologo -v quiet
  "$REPO_DIR/scripts/test/postgres.sh" start
  VPNLENS_TEST_POSTGRES="$("$REPO_DIR/scripts/test/postgres.sh" connection-string)"
  export VPNLENS_TEST_POSTGRES
  CI=true dotnet test --solution "$REPO_DIR/VPNLens.sln" --no-build 2>&1 | tee "$log" || status=$?
  record_dotnet_log "dotnet-test" "$status" "$log"

  status=0
  log_info "== dotnet test, the app on PostgreSQL"
  CI=true VPNLENS_TEST_DATABASE=Postgres dotnet test --project "$REPO_DIR/VPNLens.Tests" --no-build -- \
    --filter-namespace 'VPNLens.Tests.Web*' --filter-not-namespace 'VPNLens.Tests.Web.Components*' 2>&1 | tee "$pg_log" || status=$?
  record_dotnet_log "dotnet-test-postgres" "$status" "$pg_log"
  "$REPO_DIR/scripts/test/postgres.sh" stop
}

# The lab stage has taken its lab down, so the smoke need not wait long for it.
run_bench_smoke() {
  VPNLENS_BENCH_SMOKE_DIR="$RESULTS_DIR/bench-smoke" VPNLENS_BENCH_LAB_WAIT=120 \
    run_tap_stage bench-smoke bench/smoke.sh
}

main() {
  validate_no_live_up "./vpnlens test"
  install_prerequisites
  run_under_reaper "$@"
  trap teardown EXIT
  rm -rf "$RESULTS_DIR"
  install -d "$RESULTS_DIR"
  cd "$REPO_DIR"

  run_tap_stage node-scripts scripts/test/run-unit.sh
  run_tap_stage deployment scripts/test/run-deploy.sh
  run_format_check
  run_dotnet_tests
  run_tap_stage lab scripts/test/run-lab.sh
  run_bench_smoke

  echo
  if ((${#FAILED_STAGES[@]} > 0)); then
    log_error "failed: ${FAILED_STAGES[*]} (logs in $RESULTS_DIR)"
  fi
  local name
  for name in "${FAILED_TESTS[@]}"; do
    log_error "  $name"
  done
  echo "$PASSED passed, $FAILED failed"
  ((FAILED == 0))
}

[[ "${BASH_SOURCE[0]}" == "$0" ]] && main "$@"
