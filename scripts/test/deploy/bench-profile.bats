#!/usr/bin/env bats
# bench/lib/profile.sh's summary of a dotnet-counters CSV (profile.json): what the app reported, and null
# for a counter it did not report (a part too short or too quiet for it), never a failed summary.

setup() {
  load helpers
  W="$BATS_TEST_TMPDIR"
  export VPNLENS_BENCH_STATE="$W/state"
  mkdir -p "$VPNLENS_BENCH_STATE/pids" "$W/work"
  # a collector that has already exited: profile_finish only reads what it wrote
  echo "999999999 0" >"$VPNLENS_BENCH_STATE/pids/counters-circuits.pid"
  echo "right after 100 circuits were open" >"$W/work/profile-circuits.context"
  cat >"$W/work/profile-circuits.csv" <<'CSV'
Timestamp,Provider,Counter Name,Counter Type,Mean/Increment
12/07/2026 12:19:35,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=gen0],Metric,1048576
12/07/2026 12:19:35,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=gen2],Metric,70254592
12/07/2026 12:19:35,System.Runtime,dotnet.process.memory.working_set (By),Metric,209715200
12/07/2026 12:19:36,System.Runtime,dotnet.process.memory.working_set (By),Metric,230686720
12/07/2026 12:19:36,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=gen0],Metric,2097152
12/07/2026 12:19:36,System.Runtime,dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=gen2],Metric,71303168
CSV
}

# summarise: profile_finish over the CSV above; prints profile.json.
summarise() {
  bash -c 'source "$1/bench/lib/common.sh" && source "$1/bench/lib/profile.sh" && BENCH_WORK=$2 && profile_finish circuits && cat "$2/profile.json"' \
    _ "$REPO_DIR" "$W/work"
}

@test "the summary keeps the largest working set and the last heap, with the part's context" {
  run summarise
  assert_success
  run jq -c '[.key, .context, .workingSetMbMax, .gcHeapMbLast]' <<<"$output"
  assert_output '["circuits","right after 100 circuits were open",220,70]'
}

@test "a counter the app did not report is null in the summary, not a failed summary" {
  run summarise
  assert_success
  run jq -c '[.allocatedMbPerSecond, .gcPauseFraction, .jitMethodsPerSecond, .threadPoolQueueMax, .requestP99Seconds]' <<<"$output"
  assert_output '[null,null,null,null,null]'
}
