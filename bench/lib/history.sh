# shellcheck shell=bash
# Continuous benchmarking at a year's scale: an app of its own holding a year of hourly runs (nodes x
# direct, WireGuard, Nebula, OpenVPN), GET /api/history over the whole year against it, the size of
# that database before and after retention; and the regression detector on seeded synthetic series (no app, no lab).
[[ -n "${_BENCH_HISTORY_SH:-}" ]] && return 0
_BENCH_HISTORY_SH=1

# history_query PORT: seeds the year into app 'history' on PORT, then the timed requests.
history_query() {
  local port=$1 seed="$BENCH_WORK/history-seed.json" nodes from to
  # loopback only: no node calls back, and the lab (with the gateway address) may not be up
  BENCH_LOOPBACK_ONLY=1 app_start history "$port"
  log_info "history: seeding $BENCH_HISTORY_NODES nodes x $BENCH_HISTORY_HOURS hourly runs x 4 protocols"
  bench_tool seed-history --db "$(app_db history)" --template "$BENCH_TEMPLATE" --nodes "$BENCH_HISTORY_NODES" \
    --hours "$BENCH_HISTORY_HOURS" >"$seed" 2>>"$BENCH_WORK/logs/tool.log" || {
    not_measured history "vpnlens-bench seed-history failed: $(tail -n 1 "$BENCH_WORK/logs/tool.log")"
    app_stop history
    return 0
  }
  nodes=$(jq -r '.nodes | join(",")' "$seed")
  from=$(jq -r .from "$seed")
  to=$(jq -r .to "$seed")
  # a year-old database has been through the app's hourly upkeep: retention (timed here, so the app's own
  # round at start finds nothing left to do while the queries run) and SQLite's query statistics at start
  app_stop history
  log_info "history: retention over the seeded runs (the app's thinner, samples kept $BENCH_RETENTION_DAYS days)"
  bench_tool retention --db "$(app_db history)" --days "$BENCH_RETENTION_DAYS" >"$BENCH_WORK/history-retention.json" 2>>"$BENCH_WORK/logs/tool.log" ||
    not_measured historyRetention "vpnlens-bench retention failed: $(tail -n 1 "$BENCH_WORK/logs/tool.log")"
  # ready once the app has written the stored days of the seeded history (the seed writes runs, not their
  # days, so this start writes every day): 2 nodes x a year took 50 s at load 33, so 60 s a node-year more
  BENCH_LOOPBACK_ONLY=1 BENCH_APP_READY_SECONDS=$((120 + 60 * BENCH_HISTORY_NODES * BENCH_HISTORY_HOURS / 8760)) \
    app_start history "$port"
  log_info "history: GET /api/history over the whole range, $BENCH_HISTORY_REQUESTS requests (at most ${BENCH_HISTORY_SECONDS} s)"
  profile_start history history "$BENCH_HISTORY_PROFILE_SECONDS" "GET /api/history, one request at a time, $BENCH_HISTORY_HOURS runs per series"
  bench_tool history-query --base "http://127.0.0.1:$port" --api-token "$BENCH_API_TOKEN" --node-ids "$nodes" \
    --from "$from" --to "$to" --requests "$BENCH_HISTORY_REQUESTS" --max-seconds "$BENCH_HISTORY_SECONDS" \
    >"$BENCH_WORK/history.json" 2>>"$BENCH_WORK/logs/tool.log" ||
    not_measured history "vpnlens-bench history-query failed: $(tail -n 1 "$BENCH_WORK/logs/tool.log")"
  profile_finish history
  app_stop history
  # the database is the figure, and its size is in the JSON
  rm -rf -- "$(app_data_dir history)"
}

# history_detector: delay and false alarms of the regression detector (vpnlens-bench detector).
history_detector() {
  log_info "regression detector: $BENCH_DETECTOR_STEP_SERIES step series, $BENCH_DETECTOR_NOISE_SERIES x $BENCH_DETECTOR_NOISE_RUNS runs of noise, per noise kind"
  bench_tool detector --step-series "$BENCH_DETECTOR_STEP_SERIES" --noise-series "$BENCH_DETECTOR_NOISE_SERIES" \
    --noise-runs "$BENCH_DETECTOR_NOISE_RUNS" >"$BENCH_WORK/detector.json" 2>>"$BENCH_WORK/logs/tool.log" ||
    not_measured detector "vpnlens-bench detector failed: $(tail -n 1 "$BENCH_WORK/logs/tool.log")"
}
