# shellcheck shell=bash
# The control plane with many nodes (vpnlens-bench cp-sim): the app as separate instance processes,
# only the node client simulated, BENCH_CPSIM_NODES nodes each running BENCH_CPSIM_RUNS_PER_NODE runs
# one after the other; on PostgreSQL with two instances (a throwaway cluster from
# scripts/test/postgres.sh) and on SQLite with one. No lab. Evidence: one JSON line per provider in
# cp-sim.jsonl.
[[ -n "${_BENCH_CP_SIM_SH:-}" ]] && return 0
_BENCH_CP_SIM_SH=1

# The bench's own PostgreSQL folder, apart from the test suite's cluster; under the temporary directory,
# because the server's OS user cannot reach into the checkout's state folder (0700, root's).
cp_sim_postgres() { VPNLENS_TEST_POSTGRES_DIR="${TMPDIR:-/tmp}/vpnlens-bench-postgres-$(id -u)" "$REPO_DIR/scripts/test/postgres.sh" "$@"; }

# cp_sim_run KEY ARGS...: one simulation; its JSON joins cp-sim.jsonl, a failure is recorded as not measured.
cp_sim_run() {
  local key=$1 out
  shift
  log_info "control plane simulation ($key): $BENCH_CPSIM_NODES nodes x $BENCH_CPSIM_RUNS_PER_NODE runs, phases ${BENCH_CPSIM_PHASE_MS} ms apart"
  if out=$(bench_tool cp-sim --work "$BENCH_WORK/cp-sim-$key" --results "$BENCH_TEMPLATE" --nodes "$BENCH_CPSIM_NODES" \
    --runs-per-node "$BENCH_CPSIM_RUNS_PER_NODE" --phase-ms "$BENCH_CPSIM_PHASE_MS" "$@" 2>>"$BENCH_WORK/logs/cp-sim.log"); then
    json_append "$BENCH_WORK/cp-sim.jsonl" "$out"
  else
    not_measured "cpSim.$key" "vpnlens-bench cp-sim failed: $(tail -n 1 "$BENCH_WORK/logs/cp-sim.log")"
  fi
}

part_cp_sim() {
  local connection
  if cp_sim_postgres start >>"$BENCH_WORK/logs/cp-sim.log" 2>&1 && connection=$(cp_sim_postgres connection-string); then
    cp_sim_run postgres --provider Postgres --instances 2 --connection-string "$connection"
  else
    not_measured cpSim.postgres "PostgreSQL did not start (scripts/test/postgres.sh): $(tail -n 1 "$BENCH_WORK/logs/cp-sim.log")"
  fi
  cp_sim_postgres stop >>"$BENCH_WORK/logs/cp-sim.log" 2>&1 || log_warn "the bench's PostgreSQL did not stop cleanly"
  cp_sim_run sqlite --provider Sqlite --instances 1
}
