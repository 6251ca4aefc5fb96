# shellcheck shell=bash
# The verdict's false-difference rate: the same path measured twice should be called a tie. Each
# protocol's consecutive successful app runs are compared through GET /api/compare, and every
# metric's call is kept as evidence for figures.jq: the runs of part_lab (the bench's settings), and
# the runs of part_verdict_defaults (the product's default settings, direct and WireGuard).
[[ -n "${_BENCH_VERDICTS_SH:-}" ]] && return 0
_BENCH_VERDICTS_SH=1

# _runs_with DIR PROTOCOL: the ids of the succeeded runs in DIR that measured PROTOCOL, in the order they were queued.
_runs_with() {
  jq -rs --arg p "$2" '[.[] | select(.state == "Succeeded" or .state == "Completed")
      | select([.run.results.protocols[]? | select(.protocol == $p and .status == "succeeded")] | length > 0)]
    | sort_by(.run.queuedAt) | .[].runId' "$1"/run-*.json
}

# measure_false_differences PORT [DIR OUT PROTOCOLS...]: one line per compared metric in OUT
# ({protocol, a, b, metric, call}) for the runs in DIR (default: part_lab's, into verdicts.jsonl;
# direct is in every run, each VPN in its own).
measure_false_differences() {
  local port=$1 dir=${2:-$BENCH_WORK/runs} out=${3:-$BENCH_WORK/verdicts.jsonl} proto previous run body protocols
  if (($# > 3)); then protocols=("${@:4}"); else protocols=(direct "${BENCH_VPNS[@]}"); fi
  : >"$out"
  compgen -G "$dir/run-*.json" >/dev/null || return 0
  for proto in "${protocols[@]}"; do
    previous=''
    while IFS= read -r run; do
      if [[ -n "$previous" ]]; then
        body=$(app_api "$port" GET "/api/compare?a=$previous&b=$run") || {
          log_warn "comparing runs $previous and $run failed"
          previous=$run
          continue
        }
        jq -c --arg p "$proto" --arg a "$previous" --arg b "$run" \
          '.changes[] | select(.protocol == $p) | {protocol, a: $a, b: $b, metric, call}' <<<"$body" >>"$out"
      fi
      previous=$run
    done < <(_runs_with "$dir" "$proto")
  done
  log_info "verdicts: $(wc -l <"$out") metric comparisons of the same path run twice ($(basename "$out"))"
}

# part_verdict_defaults: BENCH_VERDICT_RUNS (set by bench.sh's profile) runs of WireGuard (the app
# puts direct before it) at the product's default settings (an app with no Runs__Settings), queued
# at once on the one-node lab, then compared as above. A run takes about 9 minutes at the defaults;
# 7 runs leave every comparison the run-to-run spread of 5 other runs of the node, the fewest the
# comparison uses.
part_verdict_defaults() {
  local port=$((BENCH_PORT + 4)) dir="$BENCH_WORK/verdict-runs" node_id request ids=() i id body
  if ((BENCH_VERDICT_RUNS < 2)); then
    not_measured verdict.falseDifferenceDefaults "the $PROFILE profile runs none (a run takes ~9 min at the defaults)"
    return 0
  fi
  install -d "$dir"
  bench_lab_up
  app_start verdicts "$port"
  node_id=$(app_register_lab_node "$port")
  request=$(jq -cn --arg n "$node_id" '{nodeId: $n, protocols: ["wireguard"], email: "bench@vpnlens.test"}')
  for ((i = 1; i <= BENCH_VERDICT_RUNS; i++)); do
    ids+=("$(app_api "$port" POST /api/runs "$request" | jq -r .id)")
  done
  log_info "verdicts at the defaults: $BENCH_VERDICT_RUNS runs of direct + WireGuard queued"
  for i in "${!ids[@]}"; do
    id=${ids[$i]}
    body=$(wait_run_end "$port" "$id" 1800)
    jq -c --arg id "$id" '{runId: $id, state: .status, run: .}' <<<"$body" >"$(printf '%s/run-%03d.json' "$dir" "$((i + 1))")"
    log_info "verdicts at the defaults: run $((i + 1)) of ${#ids[@]} $(jq -r .status <<<"$body")"
  done
  measure_false_differences "$port" "$dir" "$BENCH_WORK/verdicts-defaults.jsonl" direct wireguard
  app_stop verdicts
}
