# The figures of the suite from its evidence (bench/lib/*.sh write it; bench.sh calls this).
# Inputs (--slurpfile): $runs $bare $switch $idle $first $push $pushDashboards $intake $locked $circuits $permalink $missing $profile
#   $verdicts $verdictsDefaults $history $historySeed $historyRetention $detector $cpSim $pairs;
# (--argjson) $cfg. Output: an array of figures
#   {id, figure, unit, value, spread: {min, max} | null, n, target, pass: true | false | null, note}
# where pass null means "no target, shown for information" or "not measured" (the note says which).

def median: map(select(. != null)) | sort | if length == 0 then null
  elif length % 2 == 1 then .[(length - 1) / 2] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def spread: map(select(. != null)) | if length == 0 then null else {min: min, max: max} end;
def count: map(select(. != null)) | length;
def r($d): if . == null then null else (. * pow(10; $d) | round) / pow(10; $d) end;
def title: {direct: "direct", wireguard: "WireGuard", nebula: "Nebula", openvpn: "OpenVPN", ipsec: "IPsec"}[.] // .;

def fig($id; $what; $unit; $values; $target; $pass; $note):
  {id: $id, figure: $what, unit: $unit, value: ($values | median), spread: ($values | spread),
   n: ($values | count), target: $target, pass: (if ($values | count) == 0 then null else $pass end),
   note: (if ($values | count) == 0 then "no samples" else $note end)};

def prof($key): $profile | map(select(.key == $key)) | first;
def prof_note($key): prof($key) as $x | if $x == null then "" else
  "; app during it: \($x.cpuCoresBusy) cores busy, \($x.allocatedMbPerSecond) MB/s allocated, GC paused \($x.gcPauseFraction * 100 | round) % of the time, \($x.exceptionsPerSecond | to_entries | map(select(.value > 0) | "\(.value) \(.key)/s") | join(", ") | if . == "" then "no exceptions" else . end), working set up to \($x.workingSetMbMax) MB" end;
def missing_reason($key): ($missing | map(select(.key == $key)) | first | .reason) // null;
def unmeasured($id; $what; $unit; $target; $reason):
  {id: $id, figure: $what, unit: $unit, value: null, spread: null, n: 0, target: $target, pass: null,
   note: "not measured: \($reason)"};

def proto($run; $p): $run.run.results.protocols // [] | map(select(.protocol == $p)) | first;
def bare($pair; $p): $bare | map(select(.pair == $pair and .protocol == $p and .error == null)) | first;
def ratio($a; $b): if $a == null or $b == null or $b == 0 then null else $a / $b end;
def minus($a; $b): if $a == null or $b == null then null else $a - $b end;

# Nominal measurement windows of one protocol, in ms: each iperf3 test's -t + -O, each ping's
# count x interval, and latency_loaded's iperf3 load (ping count x interval + 6 s, + -O).
def windows_ms($s):
  ([.tcpUpload, .tcpDownload, .tcpParallel, .tcpBidir] | map(. // [] | length) | add) * ($s.tcpSeconds + $s.omitSeconds)
  + (((.udp // []) | length) * ($s.udpSeconds + $s.omitSeconds))
  + (if .latencyIdle then .latencyIdle.sent * $s.pingIntervalSeconds else 0 end)
  + (if .latencyLoaded then (($s.pingCount * $s.pingIntervalSeconds + 5.999) | floor) + $s.omitSeconds else 0 end)
  | . * 1000;

def run_windows_ms: .run.results.settings as $s | [.run.results.protocols[]? | windows_ms($s)] | add // 0;

# What the same fixed cost would weigh at the product's default settings (10 s tests, 3 repeats,
# 20 pings every 0.2 s): an estimate, labelled as one.
def default_windows_ms($protocols):
  {tcpSeconds: 10, udpSeconds: 10, omitSeconds: 1, pingCount: 20, pingIntervalSeconds: 0.2} as $s
  | ({tcpUpload: [1, 2, 3], tcpDownload: [1, 2, 3], tcpParallel: [1, 2, 3], tcpBidir: [1, 2, 3], udp: [1, 2, 3], latencyIdle: {sent: 20}, latencyLoaded: {}} | windows_ms($s)) * $protocols;

def fidelity:
  $cfg.vpns[] as $p
  | [$runs[] | . as $run | bare($run.pair; $p) as $b | proto($run; $p) as $v
     | select($v != null and $b != null)
     | def m($side; $test; $k): [$side[$test][]?[$k]] | median;
       {up: ratio(m($v; "tcpUpload"; "bitsPerSecond"); m($b; "tcpUpload"; "bitsPerSecond")),
        down: ratio(m($v; "tcpDownload"; "bitsPerSecond"); m($b; "tcpDownload"; "bitsPerSecond")),
        vUp: m($v; "tcpUpload"; "bitsPerSecond"), bUp: m($b; "tcpUpload"; "bitsPerSecond"),
        vDown: m($v; "tcpDownload"; "bitsPerSecond"), bDown: m($b; "tcpDownload"; "bitsPerSecond"),
        vJitter: m($v; "udp"; "jitterMs"), bJitter: m($b; "udp"; "jitterMs"),
        vLoss: m($v; "udp"; "lostPercent"), bLoss: m($b; "udp"; "lostPercent"),
        vRtt: ($v.latencyIdle.rttMs // [] | median), bRtt: ($b.rttMs | median)}] as $pairs
  | def within($vk; $bk; $unit; $d):
      ([$pairs[][$vk]] | median) as $m | ([$pairs[][$bk]] | spread) as $bs
      | {pass: ($m != null and $bs != null and $m >= $bs.min and $m <= $bs.max),
         note: "VPNLens median \($m | r($d)) \($unit); bare \([$pairs[][$bk]] | median | r($d)) \($unit) [\($bs.min | r($d))–\($bs.max | r($d))]"};
    ([$pairs[].up] | median) as $mu | ([$pairs[].down] | median) as $md
    | def mbit($k): [$pairs[][$k]] | median | if . == null then "–" else (. / 1e6 | round | tostring) end;
      def note($dir): "\($pairs | length) interleaved pairs (a run of \($p | title) and the tunnel by hand beside it, each side the median of its \($cfg.runSettings.repeats) tests); medians VPNLens \(mbit("v" + $dir)) Mbit/s, bare \(mbit("b" + $dir)) Mbit/s; the app (on the same 2 cores in the lab) used \([$runs[] | select(.protocol == $p) | .cpuDuringRun.appCores] | median) cores during runs, \([$bare[] | select(.protocol == $p) | .cpuDuringTests.appCores] | median) during bare tests; machine busy \([$runs[] | select(.protocol == $p) | .cpuDuringRun.machineBusy] | median) vs \([$bare[] | select(.protocol == $p) | .cpuDuringTests.machineBusy] | median)";
      fig("fidelity.\($p).tcpUpload"; "Fidelity \($p | title): TCP upload, VPNLens / bare iperf3"; "ratio";
        [$pairs[].up]; ">= 0.97"; $mu >= 0.97; note("Up")),
      fig("fidelity.\($p).tcpDownload"; "Fidelity \($p | title): TCP download, VPNLens / bare iperf3"; "ratio";
        [$pairs[].down]; ">= 0.97"; $md >= 0.97; note("Down")),
      (within("vJitter"; "bJitter"; "ms"; 4) as $w
       | fig("fidelity.\($p).udpJitter"; "Fidelity \($p | title): UDP jitter (VPNLens)"; "ms";
           [$pairs[].vJitter]; "within bare spread"; $w.pass; $w.note)),
      (within("vLoss"; "bLoss"; "%"; 4) as $w
       | fig("fidelity.\($p).udpLoss"; "Fidelity \($p | title): UDP loss (VPNLens)"; "%";
           [$pairs[].vLoss]; "within bare spread"; $w.pass; $w.note)),
      (within("vRtt"; "bRtt"; "ms"; 3) as $w
       | fig("fidelity.\($p).ping"; "Fidelity \($p | title): idle ping median (VPNLens)"; "ms";
           [$pairs[].vRtt]; "within bare spread"; $w.pass; $w.note));

def readiness:
  ($cfg.vpns[] as $p
   | [$runs[].readiness[$p] | select(. != null)] as $r
   | ([$r[] | ratio(.ladderMs; .trueMs)]) as $ratios
   | ([$r[].trueMs] | median) as $true
   | ([$r[] | select(.ladderMs == null)] | length) as $unclimbed
   | fig("readiness.\($p).ladderOverTrue"; "Readiness \($p | title): ladder-declared / true ready time"; "ratio";
       $ratios; "<= 1.2"; ($ratios | median) <= 1.2;
       "ladder \([$r[].ladderMs] | median) ms (its ping rung \([$r[].pingRungMs] | median) ms) vs true \($true | r(0)) ms (10 ms probe), medians: \([$r[] | minus(.ladderMs; .trueMs)] | median | r(0)) ms after the tunnel carried traffic"
       + (if $unclimbed > 0 then "; \($unclimbed) of \($r | length) runs climbed no ladder (\($p) did not come up: see the runs' evidence)" else "" end)),
     ([$r[] | minus(.ladderMs; .trueMs)] as $after
      | fig("readiness.\($p).ladderAfterTrueMs"; "Readiness \($p | title): ladder-declared minus true ready time"; "ms";
          $after; "<= 30"; ($after | median) <= 30;
          "how long after the tunnel first carried a 10 ms probe's echo the ladder's last rung (the full-size path) passed, median of \($after | length) runs")),
     ([$switch[] | select(.protocol == $p)] as $w
      | fig("readiness.\($p).switchLadderOverTrue"; "Readiness \($p | title): switch.sh up ladder alone / true ready time"; "ratio";
          [$w[] | ratio(.ladderMs; .trueMs)]; "—"; null;
          "the same ladder without run.sh's phase bookkeeping between rungs: \([$w[].ladderMs] | median | r(0)) ms vs true \([$w[].trueMs] | median | r(0)) ms")),
     fig("readiness.\($p).sleep5OverTrue"; "Readiness \($p | title): a fixed sleep 5 / true ready time"; "ratio";
       [$r[] | ratio(5000; .trueMs)]; "—"; null;
       (if $true == null then null else "sleep 5 would wait \(5000 - $true | r(0)) ms past ready, the ladder \([$r[] | minus(.ladderMs; .trueMs)] | median | r(0)) ms" end))),
  ([$runs[] | .firstSamples | to_entries[] | .value] as $first
   | {id: "readiness.firstSampleZero", figure: "Readiness: runs whose first throughput sample is 0", unit: "runs",
      value: ($runs | map(select(.firstSamples | to_entries | any(.value == 0))) | length),
      spread: null, n: ($runs | length), target: "0",
      pass: (if ($runs | length) == 0 then null else ($runs | map(select(.firstSamples | to_entries | any(.value == 0))) | length) == 0 end),
      note: "first 1-s interval of each protocol's first TCP upload, warm-up included; \($first | map(select(. == null)) | length) missing"});

# Where a run's time outside the measurement windows went, in ms, from its phase events.
def phase_ms($names): [.run.phases[]? | select(.phase as $p | $names | index($p)) | .durationMs] | add // 0;
def run_breakdown:
  run_windows_ms as $w
  | (phase_ms(["latency_idle", "tcp_upload", "tcp_download", "tcp_parallel", "tcp_bidir", "latency_loaded", "udp"])) as $measuring
  | {setup: phase_ms(["bring_up", "rung_interface", "rung_ip", "rung_route", "rung_ping", "rung_backend", "rung_full_size"]),
     stopAndTeardown: phase_ms(["stop_everything", "teardown"]),
     recovery: phase_ms(["recovery"]), cpu: phase_ms(["cpu"]),
     toolsInsideMeasuring: ($measuring - $w),
     betweenPhases: (.wallMs - ([.run.phases[]?.durationMs] | add // 0))};

def overhead:
  [$runs[] | select(.state == "Succeeded") | {ratio: ratio(.wallMs; run_windows_ms), fixed: (.wallMs - run_windows_ms),
   protocols: (.run.results.protocols | length), breakdown: run_breakdown}] as $o
  | ([$o[].fixed] | median) as $fixed
  | def part($k): [$o[].breakdown[$k]] | median / 1000 | r(1);
  fig("overhead.run"; "Overhead: run wall time / sum of measurement windows"; "ratio"; [$o[].ratio]; "<= 1.25";
      ([$o[].ratio] | median) <= 1.25;
      if $fixed == null then null else
        "\($fixed / 1000 | r(1)) s per run outside iperf3/ping (\($cfg.settingsLabel)): bring-up+ladder \(part("setup")) s, recovery \(part("recovery")) s, stop+teardown \(part("stopAndTeardown")) s, cpu \(part("cpu")) s, tool start-up inside measuring phases \(part("toolsInsideMeasuring")) s, between phases (dispatch, run.sh start, callbacks, results) \(part("betweenPhases")) s; at the default settings that cost would give about \(((default_windows_ms($o[0].protocols) + $fixed) / default_windows_ms($o[0].protocols)) | r(2)) (estimate)"
      end);

def cost:
  (["direct"] + $cfg.vpns)[] as $p
  | [$runs[] | proto(.; $p) | .cpu | select(. != null and (.bytesMoved // 0) > 0)] as $c
  | fig("cost.\($p).daemon"; "Cost \($p | title): VPN daemon CPU-seconds per GB"; "s/GB";
      [$c[] | (.daemonCpuSeconds // 0) / (.bytesMoved / 1e9)]; "—"; null;
      "daemon \([$c[].daemon] | map(select(. != null)) | first // "none (no userspace daemon)")"),
    fig("cost.\($p).system"; "Cost \($p | title): whole-node CPU-seconds per GB"; "s/GB";
      [$c[] | .systemCpuSeconds / (.bytesMoved / 1e9)]; "—"; null; "all busy CPU on the machine during the TCP tests");

def control_plane:
  ([$first[].ms] as $v
   | fig("controlPlane.queueToFirstPhase"; "Control plane: POST /api/runs to first phase event"; "ms"; $v; "<= 1000";
       ($v | median) <= 1000;
       "received via \([$first[].via] | unique | join(", ")); medians: queue pick-up \([$first[].breakdown.queuedToDispatchMs] | median | r(0)) ms, SSH dispatch to run.sh's first line \([$first[].breakdown.sshDispatchMs] | median | r(0)) ms, run.sh start-up \([$first[].breakdown.runShStartupMs] | median | r(0)) ms, first phase (stop everything) \([$first[].breakdown.firstPhaseMs] | median | r(0)) ms, the rest is the callback and the push")),
  (if ($push | length) == 0 then
     (["p50", "p95", "p99"][] as $q
      | unmeasured("controlPlane.callbackToPush.\($q)"; "Control plane: callback POST to SignalR push, \($q)"; "ms";
          (if $q == "p95" then "<= 100" else "—" end); missing_reason("push") // "no data"))
   else $push[0] as $x
     | (["p50", "p95", "p99"][] as $q
        | {id: "controlPlane.callbackToPush.\($q)", figure: "Control plane: callback POST to SignalR push, \($q)", unit: "ms",
           value: $x.latencyMs[$q], spread: {min: $x.latencyMs.min, max: $x.latencyMs.max}, n: $x.received,
           target: (if $q == "p95" then "<= 100" else "—" end),
           pass: (if $q == "p95" then $x.latencyMs.p95 <= 100 and $x.missing == 0 else null end),
           note: "\($x.sent) signed callbacks at \($x.rate)/s, open loop; \($x.missing) never pushed"})
   end),
  ("Control plane: callback POST to SignalR push with \($cfg.dashboards) dashboards open, p95" as $what
   | if ($pushDashboards | length) == 0 then
       unmeasured("controlPlane.callbackToPush.dashboards.p95"; $what; "ms"; "<= 10"; missing_reason("pushDashboards") // "no data")
     else $pushDashboards[0] as $x
       | {id: "controlPlane.callbackToPush.dashboards.p95", figure: $what, unit: "ms",
          value: $x.latencyMs.p95, spread: {min: $x.latencyMs.min, max: $x.latencyMs.max}, n: $x.received, target: "<= 10",
          pass: ($x.latencyMs.p95 <= 10 and $x.missing == 0 and ($x.statuses | keys) == ["200"] and $x.dashboards.live == $x.dashboards.requested),
          note: "\($x.dashboards.live) of \($x.dashboards.requested) dashboards live (signed in, /, re-rendered during the callbacks); \($x.sent) signed callbacks at \($x.rate)/s, open loop; \($x.missing) never pushed; answers \($x.statuses | to_entries | map("\(.value)× \(.key)") | join(", ")); push p50 \($x.latencyMs.p50) ms, p99 \($x.latencyMs.p99) ms; callback answered p95 \($x.callbackMs.p95) ms"}
     end),
  ([$intake[].perSecond] as $v
   | ([$intake[].lost] | add // 0) as $lost | ([$intake[].refused] | add // 0) as $refused
   | ($locked[0].databaseIsLocked // 0) as $locked_n
   | fig("controlPlane.callbackIntake"; "Control plane: signed callbacks accepted per second"; "/s"; $v;
       "none lost, no \"database is locked\""; ($lost == 0 and $refused == 0 and $locked_n == 0);
       "\($intake[0].concurrency // 0) concurrent senders, \($intake[0].runs // 0) runs; lost \($lost), refused \($refused), \"database is locked\" \($locked_n)x; request p99 \([$intake[].latencyMs.p99] | median) ms")),
  (if ($permalink | length) == 0 then
     (missing_reason("permalink") // "no data") as $why
     | unmeasured("controlPlane.permalink.p99"; "Control plane: permalink page p99, \($cfg.wrkConnections) clients, \($cfg.seedMain) runs"; "ms"; "<= 20"; $why),
       unmeasured("controlPlane.permalink.p99.small"; "Control plane: permalink page p99 with \($cfg.seedSmall) runs"; "ms"; "—"; $why),
       unmeasured("controlPlane.permalink.p99.large"; "Control plane: permalink page p99 with \($cfg.seedLarge) runs"; "ms"; "—"; $why),
       unmeasured("controlPlane.permalink.growth"; "Control plane: permalink p99 growth \($cfg.seedSmall) → \($cfg.seedLarge) runs"; "ratio"; "<= 1.5 (flat)"; $why)
   else
     def at($n): [$permalink[] | select(.storedRuns == $n)];
     def note($n): "\(at($n) | map(.rps) | median | r(0)) req/s; \(at($n) | map(.non2xx + .socketErrors) | add) errors; p50 \(at($n) | map(.p50Ms) | median) ms";
     fig("controlPlane.permalink.p99"; "Control plane: permalink page p99, \($cfg.wrkConnections) clients, \($cfg.seedMain) runs"; "ms";
       [at($cfg.seedMain)[].p99Ms]; "<= 20"; ([at($cfg.seedMain)[].p99Ms] | median) <= 20; note($cfg.seedMain) + prof_note("permalink")),
     fig("controlPlane.permalink.p99.small"; "Control plane: permalink page p99 with \($cfg.seedSmall) runs"; "ms";
       [at($cfg.seedSmall)[].p99Ms]; "—"; null; note($cfg.seedSmall)),
     fig("controlPlane.permalink.p99.large"; "Control plane: permalink page p99 with \($cfg.seedLarge) runs"; "ms";
       [at($cfg.seedLarge)[].p99Ms]; "—"; null; note($cfg.seedLarge)),
     (([at($cfg.seedLarge)[].p99Ms] | median) as $l | ([at($cfg.seedSmall)[].p99Ms] | median) as $s
      | fig("controlPlane.permalink.growth"; "Control plane: permalink p99 growth \($cfg.seedSmall) → \($cfg.seedLarge) runs"; "ratio";
          [ratio($l; $s)]; "<= 1.5 (flat)"; ratio($l; $s) <= 1.5; "medians of \($cfg.wrkReps) interleaved wrk runs each"))
   end),
  ([$permalink[] | select(.page == "live")] as $live
   | "Control plane: live permalink page p99, \($cfg.wrkConnections) signed-out clients on one running run" as $what
   | if ($live | length) == 0 then
       unmeasured("controlPlane.permalinkLive.p99"; $what; "ms"; "<= 100"; missing_reason("permalinkLive") // missing_reason("permalink") // "no data")
     else
       fig("controlPlane.permalinkLive.p99"; $what; "ms"; [$live[].p99Ms]; "<= 100"; ([$live[].p99Ms] | median) <= 100;
         "\($live | map(.rps) | median | r(0)) req/s; \($live | map(.non2xx + .socketErrors) | add) errors; p50 \($live | map(.p50Ms) | median) ms; no callbacks during the runs: one render per 2 s cache lifetime")
     end),
  ([$permalink[] | select(.page == "livePush")] as $push
   | "Control plane: callback to open live permalink pages (event, then the page fetched), p95" as $what
   | if ($push | length) == 0 then
       unmeasured("controlPlane.permalinkLive.push.p95"; $what; "ms"; "<= 1000"; missing_reason("permalinkLivePush") // missing_reason("permalinkLive") // missing_reason("permalink") // "no data")
     else $push[0] as $x
       | {id: "controlPlane.permalinkLive.push.p95", figure: $what, unit: "ms", value: $x.latencyMs.p95,
          spread: {min: $x.latencyMs.min, max: $x.latencyMs.max}, n: $x.latencyMs.n, target: "<= 1000",
          pass: ($x.latencyMs.p95 <= 1000 and $x.missing == 0),
          note: "\($x.readers) readers of /r/{token}/events, \($x.sent) signed callbacks \($x.intervalMs) ms apart; p50 \($x.latencyMs.p50) ms, p99 \($x.latencyMs.p99) ms; \($x.missing) never shown"}
     end),
  fig("memory.idle"; "Memory: app RSS idle"; "MB"; ($idle[0] // []); "<= 250"; (($idle[0] // []) | median) <= 250;
    "\($cfg.seedMain) stored runs, after one page and one API call"),
  (if ($circuits | length) == 0 then
     unmeasured("memory.circuits"; "Memory: app RSS with \($cfg.circuits) open Blazor circuits (live page)"; "MB"; "<= 250"; missing_reason("circuits") // "no data")
   else $circuits[0] as $c
     | fig("memory.circuits"; "Memory: app RSS with \($cfg.circuits) open Blazor circuits (live page)"; "MB"; $c.rssMb.samples; "<= 250";
         ($c.rssMb.samples | max) <= 250;
         "\($c.connected) circuits connected, \($c.live) re-rendered on \($c.events) live events; max \($c.rssMb.holdMax) MB; before \($c.rssMb.before) MB"
         + (prof("circuits") as $x | if $x == null then "" else "; GC heap \($x.gcHeapMbLast) MB (committed \($x.gcCommittedMbLast) MB) of a \($x.workingSetMbMax) MB working set" end))
   end);

# How often the verdict calls a difference between two runs of the same path (consecutive runs of one
# protocol, compared as GET /api/compare compares them): every such call is a false one.
def false_differences_of($calls; $id; $what; $where; $missing):
  ($calls | map(select(.call != "no_confidence"))) as $judged
  | if ($judged | length) == 0 then
      unmeasured($id; $what; "%"; "<= 5";
        if $missing != null then $missing
        elif ($calls | length) == 0 then "no protocol has two succeeded runs to compare"
        else "\($calls | length) comparisons, none with an interval (one repetition per run), so the verdict calls no difference" end)
    else
      ($judged | map(select(.call == "different"))) as $different
      | ($judged | group_by(.protocol) | map({protocol: .[0].protocol, n: length, different: map(select(.call == "different")) | length})) as $by
      | (($different | length) * 100 / ($judged | length)) as $rate
      | {id: $id, figure: $what, unit: "%", value: ($rate | r(2)),
         spread: ($by | map(.different * 100 / .n) | {min: min, max: max}), n: ($judged | length), target: "<= 5",
         pass: ($rate <= 5),
         note: "\($different | length) of \($judged | length) metric comparisons called different (\($by | map("\(.protocol | title) \(.different)/\(.n)") | join(", "))\(if ($different | length) > 0 then ": " + ($different | map(.metric) | join(", ")) else "" end)); \($where); \(($calls | length) - ($judged | length)) without an interval not counted"}
    end;

def false_differences:
  false_differences_of($verdicts; "verdict.falseDifference"; "Verdict: false differences, the same path run twice";
    "consecutive runs of each protocol at the bench's settings (\($cfg.settingsLabel))"; missing_reason("verdict.falseDifference")),
  false_differences_of($verdictsDefaults; "verdict.falseDifferenceDefaults";
    "Verdict: false differences at the default settings, the same path run twice";
    "consecutive runs of direct + WireGuard at the product's default settings (an app given no Runs:Settings), each comparison with the node's other runs as its run-to-run spread";
    missing_reason("verdict.falseDifferenceDefaults"));

def history:
  ($historySeed[0] // null) as $seed
  | (if ($history | length) == 0 then
       (missing_reason("history") // "no data") as $why
       | unmeasured("history.query.p95"; "History: GET /api/history over a year, p95"; "ms"; "<= 50"; $why),
         unmeasured("history.query.p50"; "History: GET /api/history over a year, p50"; "ms"; "—"; $why),
         unmeasured("history.query.p99"; "History: GET /api/history over a year, p99"; "ms"; "—"; $why)
     else $history[0] as $h
       | def over: if ($h.daysPerSeries // 0) > 0 then "\($seed.hours) runs per series, answered as \($h.daysPerSeries) days"
           else "\($h.pointsPerSeries) runs per series" end;
         def q($q; $target; $pass; $note):
           {id: "history.query.\($q)", figure: "History: GET /api/history over \(over), \($q)", unit: "ms",
            value: $h.latencyMs[$q], spread: {min: $h.latencyMs.min, max: $h.latencyMs.max}, n: $h.requests,
            target: $target, pass: (if $h.requests == 0 then null else $pass end), note: $note};
       q("p95"; "<= 50"; $h.latencyMs.p95 <= 50;
         "one node x protocol x metric over the whole range, one request at a time, nodes, protocols and metrics taken in turn; \($seed.nodes | length) nodes x \($seed.hours) hourly runs x 4 protocols seeded; median \($h.changePointsMedian) change points per series"
         + (if $h.answerKbMedian then "; answer \($h.answerKbMedian) KB (median), resolution \($h.resolutions | join(", "))" else "" end)
         + (if $h.stoppedEarly then "; stopped after \($h.requests) of \($h.asked) requests at the time limit (\($h.seconds) s)" else "" end)
         + prof_note("history")),
       q("p50"; "—"; null; "as the p95"),
       q("p99"; "—"; null; "as the p95")
     end),
  (if $seed == null then
     unmeasured("history.databaseSize"; "History: database size for a year of hourly runs"; "MB"; "—"; missing_reason("history") // "no data")
   else
     {id: "history.databaseSize", figure: "History: database size, \($seed.nodes | length) nodes x \($seed.hours) hourly runs x 4 protocols",
      unit: "MB", value: $seed.databaseMb, spread: null, n: 1, target: "—", pass: null,
      note: "SQLite pages after seeding \($seed.runs) finished runs as the app stores them (results body, \($seed.protocolResults) protocol results, \($seed.phaseEvents) phase events; no retention); of it runs' results bodies \($seed.payloads.runResultsJsonMb) MB; phase events' text \($seed.payloads.phaseEventTextMb) MB"}
   end),
  (($historyRetention[0] // null) as $ret
   | "History: database size after retention" as $what
   | if $ret == null or $seed == null then
       unmeasured("history.databaseSizeAfterRetention"; $what; "MB"; "—"; missing_reason("historyRetention") // missing_reason("history") // "no data")
     else
       {id: "history.databaseSizeAfterRetention", figure: "\($what), \($seed.nodes | length) nodes x \($seed.hours) hourly runs",
        unit: "MB", value: $ret.after.databaseMb, spread: null, n: 1, target: "—", pass: null,
        note: "the app's retention (raw samples kept \($ret.days) days) thinned \($ret.runsThinned) of \($seed.runs) runs in \($ret.seconds) s: \($ret.before.databaseMb) MB before, \(($ret.after.databaseMb * 100 / $ret.before.databaseMb) | round) % of it left; file \($ret.after.fileMb) MB, \($ret.after.freeMb) MB free inside it (auto_vacuum \($ret.after.autoVacuum))"}
     end);

# The control plane with many simulated nodes (vpnlens-bench cp-sim), one set of figures per
# provider: PostgreSQL with two instances, SQLite with one, side by side.
def cp_sim:
  ({postgres: {provider: "Postgres", title: "PostgreSQL, 2 instances"}, sqlite: {provider: "Sqlite", title: "SQLite, 1 instance"}}) as $kinds
  | ("postgres", "sqlite") as $k
  | $kinds[$k] as $kind
  | ($cpSim | map(select(.provider == $kind.provider)) | first) as $s
  | "Control plane sim (\($kind.title))" as $what
  | if $s == null then
      (missing_reason("cpSim.\($k)") // "no data") as $why
      | unmeasured("controlPlane.sim.\($k).dispatchP95"; "\($what): freed lease to the next run's start reaching its node, p95"; "ms"; "<= 2000"; $why),
        unmeasured("controlPlane.sim.\($k).intake"; "\($what): signed callbacks accepted per second at the peak"; "/s"; ">= 1000"; $why),
        unmeasured("controlPlane.sim.\($k).lost"; "\($what): callbacks lost or runs not Succeeded"; "count"; "0"; $why),
        unmeasured("controlPlane.sim.\($k).duplicates"; "\($what): callbacks stored twice or runs ended twice"; "count"; "0"; $why)
    else $s.measured as $m
      | "\($s.nodes) nodes x \($s.runsPerNode) runs, \($m.callbacksPerRun) callbacks per run \($s.phaseMs) ms apart (\($s.offeredPerSecond)/s offered at most); load average \($s.loadAverage.before[0]) before, \($s.loadAverage.after[0]) after; CPU seconds: instances \($s.cpu.instanceSeconds | map(r(0)) | join(" + ")), simulated nodes \($s.cpu.benchProcessSeconds | r(0)), in \($s.cpu.wallSeconds | r(0)) s" as $context
      # Evidence from before the nodes recorded when a start reached them has the stored start only.
      | ($m.dispatch.fromLeaseFreeToNodeMs // $m.dispatch.fromLeaseFreeMs) as $d
      | {id: "controlPlane.sim.\($k).dispatchP95", figure: "\($what): freed lease to the next run's start reaching its node, p95", unit: "ms",
         value: $d.p95, spread: {min: $d.min, max: $d.max},
         n: $d.n, target: "<= 2000",
         pass: ($d.n > 0 and $d.p95 <= 2000 and $s.allEnded),
         note: "the previous run's stored end to the node receiving the next run's start\(if $m.dispatch.fromLeaseFreeToNodeMs == null then " (older evidence: to the stored start)" else "" end); p50 \($d.p50) ms; to the stored start p95 \($m.dispatch.fromLeaseFreeMs.p95) ms; queue to start of each node's first run p95 \($m.dispatch.firstFromQueueMs.p95) ms\(if $s.allEnded then "" else "; NOT every run ended in time" end); \($context)"},
        {id: "controlPlane.sim.\($k).intake", figure: "\($what): signed callbacks accepted per second at the peak", unit: "/s",
         value: $m.intake.peak10sPerSecond, spread: {min: $m.intake.meanPerSecond, max: $m.intake.peakPerSecond},
         n: $m.intake.accepted, target: ">= 1000", pass: ($m.intake.peak10sPerSecond >= 1000),
         note: "the best 10 s, answered 200 as the nodes saw them, posted in turn to each instance; best second \($m.intake.peakPerSecond)/s, mean \($m.intake.meanPerSecond)/s over \($m.intake.seconds) s; \($m.intake.retried) posts retried; \($context)"},
        ($m.lost + $m.intake.refused + ($m.runs - $m.succeeded)) as $lost
        | {id: "controlPlane.sim.\($k).lost", figure: "\($what): callbacks lost or runs not Succeeded", unit: "count",
           value: $lost, spread: null, n: $m.intake.posted, target: "0", pass: ($lost == 0),
           note: "accepted but not stored \($m.lost), refused after retries \($m.intake.refused) (\($m.intake.statuses | to_entries | map("\(.key): \(.value)") | join(", "))), runs \($m.succeeded) of \($m.runs) Succeeded (\($m.states | to_entries | map("\(.key) \(.value)") | join(", "))); POST /api/runs answered 5xx and repeated \($s.queued.refusedThenRepeated) times"},
        {id: "controlPlane.sim.\($k).duplicates", figure: "\($what): callbacks stored twice or runs ended twice", unit: "count",
         value: $m.duplicates, spread: null, n: $m.stored.deliveries, target: "0", pass: ($m.duplicates == 0),
         note: "\($m.stored.phaseEvents) phase events stored for the phase callbacks accepted; \($m.endedTwice) runs with two results applied; \($m.intake.answeredDuplicate) retries answered \"duplicate\""}
    end;

# What the delay is up against: a CUSUM that knows the level, the spread and the shift, on the same normal series,
# at the lowest threshold with no alarm in the same noise; the note says what a median of <= 3 would cost it.
def detector_bound($d; $what):
  $d.bound as $b
  | ($b.grid | map(select(.medianDelay != null and .medianDelay <= 3)) | last) as $fast
  | {id: "detector.bound.normal", figure: $what, unit: "runs", value: $b.medianDelay, spread: null, n: $b.noiseRuns,
     target: "—", pass: null,
     note: ("median delay of Page's CUSUM on z-scores with the level, spread and -15 % shift known (k \($b.reference), no M of N), "
       + (if $b.threshold == null then "which alarmed in the noise at every h up to 8"
          else "at h \($b.threshold), the lowest with no alarm in the same \($b.noiseRuns) noise results" end)
       + (if $fast == null then "; no h gives a median of 3 or less"
          else "; a median of \($fast.medianDelay) needs h \($fast.threshold): \($fast.alerts) alarms in them (\($fast.alerts * 1000 / $b.noiseRuns | r(1)) per 1,000)" end))};

def detector:
  "Detector bound: the best known-shift detector's delay with no false alarm, normal noise" as $bound_what
  | ({normal: "normal noise, RSD 10 %", heavyTailed: "heavy-tailed noise (Student's t, 3 df, same scale)", bimodal: "bimodal noise (modes 16 % apart, 70/30)"}) as $what
  | if ($detector | length) == 0 then
      (missing_reason("detector") // "no data") as $why
      | ("normal", "heavyTailed", "bimodal") as $k
      | unmeasured("detector.delay.\($k)"; "Detector: results from a -15 % step to the alert, \($what[$k])"; "runs"; "<= 6"; $why),
        unmeasured("detector.placement.\($k)"; "Detector: results between the step and where the alert places it, \($what[$k])"; "runs"; "<= 3"; $why),
        unmeasured("detector.falseAlarms.\($k)"; "Detector: alerts per 1,000 results of \($what[$k])"; "/1000"; "0"; $why),
      ($k | select(. == "normal") | unmeasured("detector.bound.normal"; $bound_what; "runs"; "—"; $why))
    else $detector[0] as $d
      | (($d.m + 3) as $goal
      | $d.kinds[] as $k
      | {id: "detector.delay.\($k.kind)", figure: "Detector: results from a -15 % step to the alert, \($what[$k.kind])", unit: "runs",
         value: $k.step.medianDelay, spread: ($k.step.delays | spread), n: $k.step.series, target: "<= \($goal)",
         pass: ($k.step.medianDelay != null and $k.step.medianDelay <= $goal),
         note: "median over \($k.step.series) seeded series of \($d.before) results then \($d.after) at the new level, the app's RegressionMonitor (a CUSUM of rank scores, k \($d.reference), h \($d.threshold), \($d.m) of \($d.n)) asked after each; \($k.step.detected) alerted after the step, \($k.step.openedBeforeStep) alerts before it; goal: the \($d.m) results the rule needs + 3"},
        {id: "detector.placement.\($k.kind)", figure: "Detector: results between the step and where the alert places it, \($what[$k.kind])", unit: "runs",
         value: $k.step.medianPlacementError, spread: ($k.step.placements | spread), n: $k.step.detected, target: "<= 3",
         pass: ($k.step.medianPlacementError != null and $k.step.medianPlacementError <= 3),
         note: "median distance from the real step to the change each alert's evidence names (the history chart draws it there), over the \($k.step.detected) series that alerted after the step; \($k.step.placedWithin3) of them within 3 results; spread: signed, negative is before the step"},
        {id: "detector.falseAlarms.\($k.kind)", figure: "Detector: alerts per 1,000 results of \($what[$k.kind])", unit: "/1000",
         value: $k.noise.perThousand, spread: null, n: $k.noise.runs, target: "0", pass: ($k.noise.alerts == 0),
         note: "\($k.noise.alerts) alerts over \($k.noise.series) seeded series of \($k.noise.runs / $k.noise.series | round) results each, \($d.m) of \($d.n)"}),
        detector_bound($d; $bound_what)
    end;

# Runs per hour over P disjoint node/endpoint pairs (bench/lib/pairs.sh), from the stored times: the
# runs that Succeeded over the first start to the last finish; how many ran at once on average (the
# runs' start-to-finish time over that span); and, beside 1 pair, the speedup and what limited it.
def pair_stats($p):
  ($pairs | map(select(.pairs == $p)) | first) as $e
  | if $e == null then null else
      ($e.runs | map(select(.startedAtMs != null and .finishedAtMs != null))) as $ran
      | (($ran | map(.finishedAtMs) | max) - ($ran | map(.startedAtMs) | min)) as $span
      | ($ran | map(select(.state == "Succeeded")) | length) as $ok
      | $e + {span: $span, ok: $ok, ran: ($ran | length),
          perHour: (if $span > 0 and $ok > 0 then $ok * 3600000 / $span else null end),
          overlap: (if $span > 0 then ($ran | map(.finishedAtMs - .startedAtMs) | add) / $span else null end),
          runSeconds: ($ran | map((.finishedAtMs - .startedAtMs) / 1000)),
          firstStartSeconds: (if ($ran | length) == 0 then null
            else (($ran | map(.startedAtMs) | min) - ($e.runs | map(.queuedAtMs) | min)) / 1000 end),
          states: ($e.runs | group_by(.state) | map("\(.[0].state) \(length)") | join(", "))}
    end;

def throughput:
  def load($s): "load average \($s.loadAverage.before[0]) before, up to \($s.loadAverage.max1m) during, \($s.loadAverage.after[0]) after on \($s.cores) cores";
  def busy($s): "machine CPU busy \($s.cpuDuring.machineBusy * 100 | round) % of the time, the app \($s.cpuDuring.appCores) cores";
  pair_stats(1) as $one
  | (1, 2, 4) as $p
  | pair_stats($p) as $s
  | (missing_reason("pairs.\($p)") // "no data") as $why
  | "Throughput: runs per hour over \($p) disjoint node/endpoint pair\(if $p == 1 then "" else "s" end)" as $what
  | (if $s == null or $s.perHour == null then
       unmeasured("throughput.runsPerHour.pairs\($p)"; $what; "runs/h"; "—";
         if $s == null then $why else "no run Succeeded (\($s.states))" end)
     else
       {id: "throughput.runsPerHour.pairs\($p)", figure: $what, unit: "runs/h", value: ($s.perHour | r(1)), spread: null,
        n: $s.ok, target: "—", pass: null,
        note: "\($s.runsPerNode) run\(if $s.runsPerNode == 1 then "" else "s" end) per node of direct + \($s.protocols | map(title) | join(" + ")) at the shortest settings, all queued at once; \($s.ok) of \($s.runs | length) Succeeded (\($s.states))\(if $s.allEnded then "" else ", NOT every run ended in time" end); first start to last finish \($s.span / 1000 | r(1)) s, first start \($s.firstStartSeconds | r(1)) s after the first queued; runs at once on average \($s.overlap | r(2)); a run \($s.runSeconds | median | r(1)) s start to finish [\($s.runSeconds | min | r(1))–\($s.runSeconds | max | r(1))]; \(busy($s)); \(load($s))"}
     end),
    (select($p > 1)
     | "Throughput: speedup of \($p) disjoint pairs over 1 (runs per hour)" as $what
     | if $s == null or $s.perHour == null or $one == null or $one.perHour == null then
         unmeasured("throughput.scaling.pairs\($p)"; $what; "ratio"; "—";
           if $s == null or $s.perHour == null then (if $s == null then $why else "no run Succeeded over \($p) pairs" end)
           else missing_reason("pairs.1") // "1 pair measured nothing" end)
       else
         ($s.perHour / $one.perHour) as $x
         | (($s.runSeconds | median) / ($one.runSeconds | median)) as $slower
         | {id: "throughput.scaling.pairs\($p)", figure: $what, unit: "ratio", value: ($x | r(2)), spread: null, n: $s.ok,
            target: "—", pass: null,
            note: ("\($s.perHour | r(1)) against \($one.perHour | r(1)) runs/h: \($x / $p * 100 | round) % of linear; runs at once on average \($s.overlap | r(2)), each \($slower | r(2))x as long as alone (\($s.runSeconds | median | r(1)) s against \($one.runSeconds | median | r(1)) s); what limits it: "
              + (if $slower > 1.1 and $s.cpuDuring.machineBusy >= 0.9 then "CPU contention: each run took longer, on a saturated CPU (\(busy($s)))"
                 elif $slower > 1.1 then "each run took longer, the CPU not saturated (\(busy($s)))"
                 elif $s.overlap < 0.9 * $p then "not the runs, which took as long as alone, but the dispatch: fewer than \($p) ran at once (\(busy($s)))"
                 else "the length of a run itself: each took as long as alone, \($p) at once (\(busy($s)))" end)
              + "; \(load($s))")}
       end);

[fidelity, readiness, overhead, cost, control_plane, cp_sim, false_differences, history, detector, throughput]
