# shellcheck shell=bash
# The control plane under load, the app started as the README starts it: queue to first phase,
# callback to push (alone and with dashboards open), callback intake, memory idle and with open circuits,
# the permalink page under wrk with 1,000 / 10,000 / 100,000 stored runs, and a running run's permalink
# under wrk. Each part records why it could not be measured.
[[ -n "${_BENCH_CONTROL_PLANE_SH:-}" ]] && return 0
_BENCH_CONTROL_PLANE_SH=1

# not_measured KEY REASON: the figure stays in the table, marked, with the reason.
not_measured() {
  json_append "$BENCH_WORK/not-measured.jsonl" "$(jq -cn --arg k "$1" --arg r "$2" '{key: $k, reason: $r}')"
  log_warn "not measured: $1: $2"
}

cp_idle_memory() {
  local name=$1
  log_info "memory: idle RSS ($BENCH_IDLE_SAMPLES samples)"
  # warm: the pages and API once, then quiet
  curl -fsS -o /dev/null "http://127.0.0.1:$BENCH_PORT/" || true
  app_api "$BENCH_PORT" GET /api/runs >/dev/null || true
  sleep 5
  app_rss_samples "$name" "$BENCH_IDLE_SAMPLES" 0.5 >"$BENCH_WORK/rss-idle.json"
}

_wait_idle() {
  bench_tool wait-idle --db "$(app_db main)" --timeout-seconds 120 >/dev/null &&
    poll_until 60 node_is_quiet
}

# first_phase_split SAMPLE_JSON: the sample with where the dispatch time went, from run.log: SSH
# (dispatch to run.sh's first line) and run.sh's start-up (to its first phase beginning).
first_phase_split() {
  local sample=$1 id log started='null' begun='null'
  id=$(jq -r .runId <<<"$sample")
  log="$(node_run_dir "$id")/run.log"
  if [[ -s "$log" ]]; then
    cp -f "$log" "$BENCH_WORK/runs/first-phase-$id.log"
    started=$(iso_to_ms "$(head -n 1 "$log" | cut -d' ' -f1)") || started='null'
    begun=$(log_line_ms "$log" direct '== direct: stop_everything') || begun='null'
  fi
  jq -c --argjson started "$started" --argjson begun "$begun" '
    .breakdown += {
      sshDispatchMs: (if $started and .breakdown.dispatchedAtMs then $started - .breakdown.dispatchedAtMs else null end),
      runShStartupMs: (if $started and $begun then $begun - $started else null end)}' <<<"$sample"
}

# cp_first_phase NODE_ID: POST /api/runs to the first phase event at a SignalR client, on an idle
# node; each run is cancelled once measured and the node left idle before the next.
cp_first_phase() {
  local node_id=$1 i out="$BENCH_WORK/first-phase.jsonl" sample
  log_info "queue to first phase: $BENCH_FIRST_PHASE_SAMPLES runs"
  for ((i = 1; i <= BENCH_FIRST_PHASE_SAMPLES; i++)); do
    _wait_idle || die "the queue or the node did not become idle"
    if sample=$(bench_tool first-phase --base "http://127.0.0.1:$BENCH_PORT" --api-token "$BENCH_API_TOKEN" \
      --node-id "$node_id" --protocols wireguard 2>>"$BENCH_WORK/logs/tool.log"); then
      json_append "$out" "$(first_phase_split "$sample")"
    else
      log_error "queue to first phase: sample $i failed; see $BENCH_WORK/logs/tool.log"
    fi
  done
  _wait_idle || log_warn "the last cancelled run did not leave the node idle"
}

# cp_running_run NODE_ID: a running run to post callbacks to (never dispatched); prints id:secret:token.
cp_running_run() {
  bench_tool running-run --db "$(app_db main)" --node-id "$1" --protocols direct,wireguard | jq -r '"\(.id):\(.secret):\(.token)"'
}

cp_push() {
  local run=$1
  if ! app_has_hub "$BENCH_PORT"; then
    not_measured push "the app has no SignalR hub at /hubs/runs (the dashboard branch is not merged)"
    return 0
  fi
  log_info "callback to push: $BENCH_PUSH_COUNT callbacks at $BENCH_PUSH_RATE/s"
  IFS=: read -r id secret _ <<<"$run"
  bench_tool push --base "http://127.0.0.1:$BENCH_PORT" --api-token "$BENCH_API_TOKEN" --run-id "$id" --secret "$secret" \
    --rate "$BENCH_PUSH_RATE" --count "$BENCH_PUSH_COUNT" >"$BENCH_WORK/push.json" 2>>"$BENCH_WORK/logs/tool.log" ||
    not_measured push "vpnlens-bench push failed: $(tail -n 1 "$BENCH_WORK/logs/tool.log")"
}

# cp_dashboard_push RUN: the same callbacks and push timing as cp_push, with BENCH_DASHBOARDS dashboards
# (/, signed in) open in a headless Chromium, each a live circuit that follows every run event. The
# browser runs at nice 19: its tabs stand for people's own machines, not for load on the app's cores.
cp_dashboard_push() {
  local run=$1 id secret
  if ! app_has_hub "$BENCH_PORT"; then
    not_measured pushDashboards "the app has no SignalR hub at /hubs/runs"
    return 0
  fi
  log_info "callback to push with $BENCH_DASHBOARDS dashboards open: $BENCH_PUSH_COUNT callbacks at $BENCH_PUSH_RATE/s"
  IFS=: read -r id secret _ <<<"$run"
  bench_tool dashboard-push --base "http://127.0.0.1:$BENCH_PORT" --api-token "$BENCH_API_TOKEN" --run-id "$id" --secret "$secret" \
    --email "$BENCH_ADMIN_EMAIL" --password "$BENCH_ADMIN_PASSWORD" --dashboards "$BENCH_DASHBOARDS" \
    --browser-nice 19 --rate "$BENCH_PUSH_RATE" --count "$BENCH_PUSH_COUNT" >"$BENCH_WORK/push-dashboards.json" 2>>"$BENCH_WORK/logs/tool.log" ||
    not_measured pushDashboards "vpnlens-bench dashboard-push failed: $(tail -n 1 "$BENCH_WORK/logs/tool.log")"
}

locked_count() { grep -c 'database is locked' "$(app_log main)" || true; }

cp_intake() {
  local runs=$1 i before
  log_info "callback intake: $BENCH_INTAKE_REPS x ${BENCH_INTAKE_SECONDS} s, $BENCH_INTAKE_CONCURRENCY senders"
  before=$(locked_count)
  for ((i = 1; i <= BENCH_INTAKE_REPS; i++)); do
    bench_tool intake --base "http://127.0.0.1:$BENCH_PORT" --db "$(app_db main)" --runs "$runs" \
      --concurrency "$BENCH_INTAKE_CONCURRENCY" --seconds "$BENCH_INTAKE_SECONDS" >>"$BENCH_WORK/intake.jsonl" 2>>"$BENCH_WORK/logs/tool.log" ||
      log_error "callback intake: repetition $i failed; see $BENCH_WORK/logs/tool.log"
  done
  jq -cn --argjson n "$(($(locked_count) - before))" '{databaseIsLocked: $n}' >"$BENCH_WORK/intake-locked.json"
}

cp_circuits() {
  local run=$1 id secret token
  IFS=: read -r id secret token <<<"$run"
  if ! app_has_page "$BENCH_PORT" "/r/$token"; then
    not_measured circuits "the app has no live run page at /r/{token} (the dashboard branch is not merged)"
    return 0
  fi
  # signed out, a live run's permalink is a shared static page with no circuit: signed in, it has one
  log_info "memory: $BENCH_CIRCUITS Blazor circuits on the live page of a running run, signed in"
  bench_tool circuits --base "http://127.0.0.1:$BENCH_PORT" --path "/r/$token" --app-pid "$(app_pid main)" \
    --email "$BENCH_ADMIN_EMAIL" --password "$BENCH_ADMIN_PASSWORD" \
    --run-id "$id" --secret "$secret" --count "$BENCH_CIRCUITS" --hold-seconds "$BENCH_CIRCUIT_HOLD" \
    >"$BENCH_WORK/circuits.json" 2>>"$BENCH_WORK/logs/tool.log" ||
    not_measured circuits "vpnlens-bench circuits failed: $(tail -n 1 "$BENCH_WORK/logs/tool.log")"
  # where the RSS is once the tabs have closed and their circuits ended
  profile_start circuits main 4 "right after $BENCH_CIRCUITS circuits were open (their tabs closed as a person closes them)"
  profile_finish circuits
}

# wrk_ms VALUE: wrk's "12.34ms" / "850.00us" / "1.20s" in milliseconds.
wrk_ms() {
  [[ -n "$1" ]] || {
    echo null
    return 0
  }
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n = n * 60000; else if (v ~ /s$/) n = n * 1000
    printf "%.3f\n", n }'
}

# wrk_run PORT TOKENS SECONDS: one wrk run against /r/{random seeded token}; prints its JSON.
wrk_run() {
  local port=$1 tokens=$2 seconds=$3 out
  out=$(wrk -t 2 -c "$BENCH_WRK_CONNECTIONS" -d "${seconds}s" --timeout 30s --latency \
    -s "$BENCH_DIR/lib/permalink.lua" "http://127.0.0.1:$port" -- "$tokens" 2>&1) || true
  printf '%s\n' "$out" >>"$BENCH_WORK/logs/wrk.log"
  # wrk prints a zero latency distribution when no request finished: that is no measurement
  grep -Eq '^ +0 requests in' <<<"$out" && out=$(grep -Ev '^ +(50|99)%' <<<"$out")
  jq -cn --argjson p50 "$(wrk_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")" \
    --argjson p99 "$(wrk_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")" \
    --argjson rps "$(awk '/^Requests\/sec:/ { print $2 + 0 }' <<<"$out" | grep . || echo null)" \
    --argjson requests "$(awk '/requests in/ { print $1 + 0 }' <<<"$out" | grep . || echo null)" \
    --argjson non2xx "$(awk '/Non-2xx or 3xx responses:/ { print $NF + 0 }' <<<"$out" | grep . || echo 0)" \
    --argjson socketErrors "$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' <<<"$out" | grep . || echo 0)" \
    '{p50Ms: $p50, p99Ms: $p99, rps: $rps, requests: $requests, non2xx: $non2xx, socketErrors: $socketErrors}'
}

# cp_permalink NODE_ID: three apps with 1,000 / 10,000 (the main one) / 100,000 stored runs, wrk
# against each in turn (A, B, C, A, B, C ...), 200 connections.
cp_permalink() {
  local token rep name port size
  token=$(head -n 1 "$BENCH_WORK/tokens-main.txt")
  if ! app_has_page "$BENCH_PORT" "/r/$token"; then
    not_measured permalink "the app has no permalink page at /r/{token} (the dashboard branch is not merged)"
    return 0
  fi
  local -A ports=([small]=$((BENCH_PORT + 1)) [main]=$BENCH_PORT [large]=$((BENCH_PORT + 2)))
  local -A sizes=([small]=$BENCH_SEED_SMALL [main]=$BENCH_SEED_MAIN [large]=$BENCH_SEED_LARGE)
  for name in small large; do
    app_start "$name" "${ports[$name]}"
    log_info "seeding ${sizes[$name]} runs into app '$name'"
    bench_tool seed --db "$(app_db "$name")" --runs "${sizes[$name]}" --template "$BENCH_TEMPLATE" \
      --tokens-out "$BENCH_WORK/tokens-$name.txt" >"$BENCH_WORK/seed-$name.json" || die "seeding app '$name' failed"
  done
  log_info "permalink page: wrk warm-up"
  for name in small main large; do
    wrk_run "${ports[$name]}" "$BENCH_WORK/tokens-$name.txt" "$BENCH_WRK_WARMUP" >/dev/null
  done
  for ((rep = 1; rep <= BENCH_WRK_REPS; rep++)); do
    for name in small main large; do
      port=${ports[$name]}
      size=${sizes[$name]}
      log_info "permalink page: $size runs, repetition $rep, ${BENCH_WRK_SECONDS} s"
      if ((rep == 1)) && [[ "$name" == main ]]; then
        profile_start permalink main "$((BENCH_WRK_SECONDS - 1))" "wrk, $BENCH_WRK_CONNECTIONS connections, /r/{token} with $size stored runs"
      fi
      json_append "$BENCH_WORK/permalink.jsonl" "$(wrk_run "$port" "$BENCH_WORK/tokens-$name.txt" "$BENCH_WRK_SECONDS" |
        jq -c --argjson size "$size" --argjson rep "$rep" '. + {storedRuns: $size, rep: $rep}')"
      profile_finish permalink
    done
  done
  app_stop small
  app_stop large
  # the seeded databases are gigabytes and evidence of nothing the JSON does not keep
  rm -rf -- "$(app_data_dir small)" "$(app_data_dir large)"
}

# cp_permalink_live RUN: wrk against one running run's permalink (id:secret:token), as signed-out
# readers of a link shared while the run goes on, then callbacks to as many open pages (vpnlens-bench
# live-push); the rows join permalink.jsonl as page "live" and "livePush".
cp_permalink_live() {
  local id secret token tokens="$BENCH_WORK/tokens-live.txt" rep
  IFS=: read -r id secret token <<<"$1"
  if ! app_has_page "$BENCH_PORT" "/r/$token"; then
    not_measured permalinkLive "the app has no permalink page at /r/{token}"
    return 0
  fi
  printf '%s\n' "$token" >"$tokens"
  log_info "live permalink page: wrk warm-up"
  wrk_run "$BENCH_PORT" "$tokens" "$BENCH_WRK_WARMUP" >/dev/null
  for ((rep = 1; rep <= BENCH_WRK_REPS; rep++)); do
    log_info "live permalink page: repetition $rep, ${BENCH_WRK_SECONDS} s"
    json_append "$BENCH_WORK/permalink.jsonl" "$(wrk_run "$BENCH_PORT" "$tokens" "$BENCH_WRK_SECONDS" |
      jq -c --argjson rep "$rep" '. + {page: "live", rep: $rep}')"
  done
  log_info "live permalink page: callback to $BENCH_WRK_CONNECTIONS open pages"
  local push
  if push=$(bench_tool live-push --base "http://127.0.0.1:$BENCH_PORT" --token "$token" --run-id "$id" --secret "$secret" \
    --readers "$BENCH_WRK_CONNECTIONS" --count 20 --interval-ms 500 2>>"$BENCH_WORK/logs/tool.log"); then
    json_append "$BENCH_WORK/permalink.jsonl" "$(jq -c '. + {page: "livePush"}' <<<"$push")"
  else
    not_measured permalinkLivePush "vpnlens-bench live-push failed: $(tail -n 1 "$BENCH_WORK/logs/tool.log")"
  fi
}
