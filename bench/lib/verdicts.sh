# shellcheck shell=bash
# The verdict's false-difference rate: the same path measured twice should be called a tie. Each
# protocol's consecutive successful app runs (bench.sh made them in part_lab) are compared through
# GET /api/compare, and every metric's call is kept as evidence for figures.jq.
[[ -n "${_BENCH_VERDICTS_SH:-}" ]] && return 0
_BENCH_VERDICTS_SH=1

# _runs_with PROTOCOL: the ids of the succeeded runs that measured PROTOCOL, in the order they were queued.
_runs_with() {
  jq -rs --arg p "$1" '[.[] | select(.state == "Succeeded" or .state == "Completed")
      | select([.run.results.protocols[]? | select(.protocol == $p and .status == "succeeded")] | length > 0)]
    | sort_by(.run.queuedAt) | .[].runId' "$BENCH_WORK"/runs/run-*.json
}

# measure_false_differences PORT: one line per compared metric in verdicts.jsonl
# ({protocol, a, b, metric, call}); direct is in every run, each VPN in its own.
measure_false_differences() {
  local port=$1 proto previous run body
  local out="$BENCH_WORK/verdicts.jsonl"
  : >"$out"
  compgen -G "$BENCH_WORK/runs/run-*.json" >/dev/null || return 0
  for proto in direct "${BENCH_VPNS[@]}"; do
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
    done < <(_runs_with "$proto")
  done
  log_info "verdicts: $(wc -l <"$out") metric comparisons of the same path run twice"
}
