# shellcheck shell=bash
# The suite's output: the figures from the evidence (figures.jq), the machine and the commit, as
# JSON under bench/results/ and as a table on stdout (also in Markdown for the README).
[[ -n "${_BENCH_REPORT_SH:-}" ]] && return 0
_BENCH_REPORT_SH=1

# l3_cache_mb: the last-level cache cpu0 reports (sysfs), in MB; null when it reports none. It sets
# the .NET GC's default gen0 budget, so it moves the memory figures between machines.
l3_cache_mb() {
  local dir size
  for dir in /sys/devices/system/cpu/cpu0/cache/index*; do
    [[ "$(cat "$dir/level" 2>/dev/null)" == 3 ]] || continue
    size=$(cat "$dir/size" 2>/dev/null) || break
    case "$size" in
      *K) echo $((${size%K} / 1024)) ;;
      *M) echo "${size%M}" ;;
      *) break ;;
    esac
    return 0
  done
  echo null
}

machine_json() {
  jq -cn --arg kernel "$(uname -r)" --arg os "$(. /etc/os-release && echo "$PRETTY_NAME")" \
    --arg cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
    --argjson cores "$(nproc)" --argjson l3 "$(l3_cache_mb)" \
    --argjson memMb "$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' /proc/meminfo)" \
    --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" --arg dotnet "$(dotnet --version 2>/dev/null)" \
    '{cores: $cores, memoryMb: $memMb, kernel: $kernel, os: $os, cpuModel: $cpu, l3CacheMb: $l3, dotnetSdk: $dotnet, loadAverage: $load}'
}

# _slurp FILE: the file's JSON values as an array ([] when absent), for --slurpfile.
_slurp() {
  if [[ -s "$1" ]]; then printf '%s\n' "$1"; else printf '/dev/null\n'; fi
}

# report_figures CFG_JSON: the figures array.
report_figures() {
  local w=$BENCH_WORK runs bare f
  runs="$w/runs.jsonl"
  bare="$w/bare.jsonl"
  cat "$w"/runs/run-*.json >"$runs" 2>/dev/null || : >"$runs"
  cat "$w"/bare/bare-*-*.json 2>/dev/null | grep -h '^{"pair"' >"$bare" || : >"$bare"
  : >"$w/switch.jsonl"
  for f in "$w"/runs/switch-*.json; do
    [[ "$(basename "$f")" =~ ^switch-[0-9]+-[a-z]+\.json$ ]] && cat "$f" >>"$w/switch.jsonl"
  done
  jq -n -f "$BENCH_DIR/lib/figures.jq" --argjson cfg "$1" \
    --slurpfile runs "$(_slurp "$runs")" --slurpfile bare "$(_slurp "$bare")" \
    --slurpfile idle "$(_slurp "$w/rss-idle.json")" --slurpfile first "$(_slurp "$w/first-phase.jsonl")" \
    --slurpfile push "$(_slurp "$w/push.json")" --slurpfile pushDashboards "$(_slurp "$w/push-dashboards.json")" \
    --slurpfile intake "$(_slurp "$w/intake.jsonl")" \
    --slurpfile locked "$(_slurp "$w/intake-locked.json")" --slurpfile circuits "$(_slurp "$w/circuits.json")" \
    --slurpfile permalink "$(_slurp "$w/permalink.jsonl")" --slurpfile missing "$(_slurp "$w/not-measured.jsonl")" \
    --slurpfile switch "$(_slurp "$w/switch.jsonl")" --slurpfile profile "$(_slurp "$w/profile.json")" \
    --slurpfile verdicts "$(_slurp "$w/verdicts.jsonl")" --slurpfile verdictsDefaults "$(_slurp "$w/verdicts-defaults.jsonl")" \
    --slurpfile history "$(_slurp "$w/history.json")" --slurpfile historySeed "$(_slurp "$w/history-seed.json")" \
    --slurpfile historyRetention "$(_slurp "$w/history-retention.json")" \
    --slurpfile detector "$(_slurp "$w/detector.json")" --slurpfile cpSim "$(_slurp "$w/cp-sim.jsonl")" \
    --slurpfile pairs "$(_slurp "$w/pairs.jsonl")"
}

# report_write OUT CFG_JSON MACHINE_BEFORE STARTED_ISO: the results JSON.
report_write() {
  local out=$1 cfg=$2 machine=$3 started=$4 figures
  figures=$(report_figures "$cfg")
  jq -n --arg date "$started" --arg finished "$(date -u +%FT%TZ)" --arg commit "$BENCH_COMMIT" \
    --arg short "$(repo_git rev-parse --short "$BENCH_COMMIT")" --arg ref "$BENCH_REF_NAME" \
    --argjson machine "$machine" --arg loadAfter "$(cut -d' ' -f1-3 /proc/loadavg)" \
    --argjson cfg "$cfg" --argjson figures "$figures" \
    --slurpfile missing "$(_slurp "$BENCH_WORK/not-measured.jsonl")" \
    --slurpfile first "$(_slurp "$BENCH_WORK/first-phase.jsonl")" \
    --slurpfile push "$(_slurp "$BENCH_WORK/push.json")" --slurpfile pushDashboards "$(_slurp "$BENCH_WORK/push-dashboards.json")" \
    --slurpfile intake "$(_slurp "$BENCH_WORK/intake.jsonl")" \
    --slurpfile circuits "$(_slurp "$BENCH_WORK/circuits.json")" --slurpfile permalink "$(_slurp "$BENCH_WORK/permalink.jsonl")" \
    --slurpfile profile "$(_slurp "$BENCH_WORK/profile.json")" \
    --slurpfile switch "$(_slurp "$BENCH_WORK/switch.jsonl")" \
    --slurpfile history "$(_slurp "$BENCH_WORK/history.json")" --slurpfile historySeed "$(_slurp "$BENCH_WORK/history-seed.json")" \
    --slurpfile detector "$(_slurp "$BENCH_WORK/detector.json")" --slurpfile cpSim "$(_slurp "$BENCH_WORK/cp-sim.jsonl")" \
    --slurpfile runs "$(_slurp "$BENCH_WORK/runs.jsonl")" --slurpfile bare "$(_slurp "$BENCH_WORK/bare.jsonl")" \
    --slurpfile pairs "$(_slurp "$BENCH_WORK/pairs.jsonl")" --slurpfile verdicts "$(_slurp "$BENCH_WORK/verdicts.jsonl")" '
    {date: $date, finished: $finished, commit: $commit, shortCommit: $short, ref: $ref,
     machine: ($machine + {loadAverageAfter: $loadAfter}), settings: $cfg,
     summary: {pass: ($figures | map(select(.pass == true)) | length),
               miss: ($figures | map(select(.pass == false)) | length),
               info: ($figures | map(select(.pass == null and (.note // "" | startswith("not measured") | not))) | length),
               notMeasured: ($figures | map(select(.note // "" | startswith("not measured"))) | length)},
     figures: $figures, notMeasured: $missing,
     evidence: {
       runs: [$runs[] | {pair, protocol, runId, state, wallMs, readiness, firstSamples,
         phaseMs: (.run.phases // [] | group_by(.phase) | map({key: .[0].phase, value: (map(.durationMs) | add | round)}) | from_entries),
         protocols: [.run.results.protocols[]? | {protocol, status, setupMs, ladder,
           tcpUpload: [.tcpUpload[]?.bitsPerSecond], tcpDownload: [.tcpDownload[]?.bitsPerSecond],
           udp: [.udp[]? | {bitsPerSecond, jitterMs, lostPercent}], latencyIdleRttMs: .latencyIdle.rttMs, cpu, recovery}]}],
       bare: $bare, switchLadder: $switch, firstPhase: $first, push: $push, pushDashboards: $pushDashboards, intake: $intake, circuits: [$circuits[] | .rssMb.samples |= length],
       permalink: $permalink, profile: $profile, history: $history, historySeed: $historySeed,
       detector: $detector, verdicts: $verdicts, cpSim: $cpSim, pairs: $pairs}}' >"$out.tmp"
  mv -f "$out.tmp" "$out"
}

# _align_tsv: tab-separated lines as aligned columns (column counts characters, mawk counts bytes).
_align_tsv() {
  if command -v column >/dev/null 2>&1; then
    column -t -s $'\t'
    return
  fi
  awk -F'\t' '{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NF }
    END { for (r = 1; r <= NR; r++) { line = ""; for (i = 1; i <= n; i++) line = line sprintf(i < n ? "%-" w[i] + 2 "s" : "%s", cell[r, i]); print line } }'
}

# report_table FILE [text|markdown]: figure, value [min–max] n, target, pass/MISS/info/not measured.
report_table() {
  local file=$1 format=${2:-text}
  jq -r --arg format "$format" '
    def num: if . == null then "–" elif (. | type) != "number" then tostring
      elif (. | fabs) >= 1000 then (. | round | tostring)
      elif (. | fabs) >= 10 then ((. * 10 | round) / 10 | tostring)
      elif (. | fabs) >= 0.1 then ((. * 1000 | round) / 1000 | tostring)
      else ((. * 10000 | round) / 10000 | tostring) end;
    # a miss that rounding would put on its bound (0.96996 against ">= 0.97") shows the digit that misses
    def bound: (.target // "" | capture("^(?<op>[<>]=) (?<n>[0-9.]+)$")?) // null;
    def shown: (.value | num) as $v | bound as $b
      | if $b != null and .pass == false and ($v | tonumber) == ($b.n | tonumber) then
          (if $b.op == ">=" then (.value * 10000 | floor) else (.value * 10000 | ceil) end) / 10000 | tostring
        else $v end;
    def value: if .value == null then "–" else
      "\(shown) \(.unit)" + (if .spread != null and .n > 1 then " [\(.spread.min | num)–\(.spread.max | num)]" else "" end)
      + (if .n > 0 then " n=\(.n)" else "" end) end;
    def result: if .pass == true then "pass" elif .pass == false then "MISS"
      elif (.note // "" | startswith("not measured")) then "not measured" else "info" end;
    if $format == "markdown" then
      "| figure | value [min–max] | target | result |", "| --- | --- | --- | --- |",
      (.figures[] | "| \(.figure) | \(value) | \(.target) | \(result) |")
    else
      (.figures[] | [.figure, value, .target, result] | @tsv)
    end' "$file" | if [[ "$format" == markdown ]]; then cat; else _align_tsv; fi
}
