# shellcheck shell=bash
# Evidence for a missed target: the app's runtime counters (dotnet-counters) while the load that
# missed runs: CPU, allocation rate, GC pauses, exceptions, JIT, working set and GC heap.
[[ -n "${_BENCH_PROFILE_SH:-}" ]] && return 0
_BENCH_PROFILE_SH=1

readonly BENCH_DOTNET_TOOLS="$BENCH_STATE/tools"

# ensure_counters: dotnet-counters in the suite's own tool path (NuGet, once); false when it cannot be had.
ensure_counters() {
  [[ -x "$BENCH_DOTNET_TOOLS/dotnet-counters" ]] && return 0
  log_info "installing dotnet-counters into $BENCH_DOTNET_TOOLS"
  dotnet tool install dotnet-counters --tool-path "$BENCH_DOTNET_TOOLS" >>"$BENCH_WORK/logs/tools.log" 2>&1
}

# profile_start KEY APP SECONDS CONTEXT: collect the app's counters for SECONDS in the background.
profile_start() {
  local key=$1 app=$2 seconds=$3
  ensure_counters || {
    log_warn "no dotnet-counters: no profile for $key"
    return 0
  }
  printf '%s\n' "$4" >"$BENCH_WORK/profile-$key.context"
  bench_spawn "counters-$key" "$BENCH_WORK/logs/counters.log" "$BENCH_DOTNET_TOOLS/dotnet-counters" collect \
    -p "$(app_pid "$app")" --refresh-interval 1 --format csv -o "$BENCH_WORK/profile-$key.csv" \
    --counters System.Runtime,Microsoft.AspNetCore.Hosting --duration "00:00:00:$(printf '%02d' "$seconds")"
}

_counters_done() { ! bench_running "counters-$1"; }

# profile_finish KEY: wait for the collection, summarise it into profile.json (one object per key).
profile_finish() {
  local key=$1 csv="$BENCH_WORK/profile-$1.csv" summary
  [[ -r "$BENCH_PIDS/counters-$key.pid" ]] || return 0
  poll_until 30 _counters_done "$key" || bench_stop "counters-$key" 5
  rm -f "$BENCH_PIDS/counters-$key.pid"
  [[ -s "$csv" ]] || return 0
  summary=$(awk -F, 'NR > 1 {
      name = $3; for (i = 4; i < NF - 1; i++) name = name "," $i
      v = $NF + 0; sum[name] += v; n[name]++; if (!(name in max) || v > max[name]) max[name] = v; last[name] = v }
    END { for (k in sum) printf "%s\t%s\t%s\t%s\n", k, sum[k] / n[k], max[k], last[k] }' "$csv" |
    jq -R -s --arg key "$key" --arg context "$(cat "$BENCH_WORK/profile-$key.context" 2>/dev/null)" '
      [split("\n")[] | select(length > 0) | split("\t") | {name: .[0], mean: (.[1] | tonumber), max: (.[2] | tonumber), last: (.[3] | tonumber)}] as $c
      | def m($re): [$c[] | select(.name | test($re))];
        def mean($re): m($re) | map(.mean) | add;
        def last($re): m($re) | map(.last) | add;
        def most($re): m($re) | map(.max) | max;
        # a counter the app did not report stays null rather than failing the summary
        def scaled($v; $per; $steps): if $v == null then null else $v / $per * $steps | round / $steps end;
      {key: $key, context: $context,
       cpuCoresBusy: scaled((mean("cpu.time .*cpu.mode=user") // 0) + (mean("cpu.time .*cpu.mode=system") // 0); 1; 100),
       allocatedMbPerSecond: scaled(mean("gc.heap.total_allocated"); 1048576; 10),
       gcPauseFraction: scaled(mean("gc.pause.time"); 1; 1000),
       gen0PerSecond: scaled(mean("gc.collections.*gen0"); 1; 10),
       gen2PerSecond: scaled(mean("gc.collections.*gen2"); 1; 100),
       exceptionsPerSecond: (m("dotnet.exceptions") | map({key: (.name | capture("error.type=(?<t>[^];]+)").t), value: (.mean | round)}) | from_entries),
       jitMethodsPerSecond: scaled(mean("jit.compiled_methods"); 1; 1),
       lockContentionsPerSecond: scaled(mean("lock_contentions"); 1; 1),
       threadPoolQueueMax: most("thread_pool.queue.length"),
       workingSetMbMax: scaled(most("memory.working_set"); 1048576; 1),
       gcHeapMbLast: scaled(last("last_collection.heap.size"); 1048576; 1),
       gcCommittedMbLast: scaled(last("memory.committed_size") // 0; 1048576; 1),
       requestP99Seconds: most("request.duration.*Percentile=99")}')
  json_append "$BENCH_WORK/profile.json" "$summary"
}
