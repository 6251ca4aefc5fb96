#!/usr/bin/env bats
# scripts/run.sh for real, on lab node1: the scripts are shipped over ssh, params.json
# is written over ssh, and run.sh is started detached exactly as docs/node-protocol.md
# says. A small receiver on 198.18.0.1 plays the control plane's callback endpoint.
# The run happens once, in setup_file; each test checks one promise of the contract.
# Needs root. Run through scripts/test/run-lab.sh. Artefacts (callbacks, run.log,
# results.json, summary.txt) stay in $VPNLENS_LAB_TEST_OUT.

bats_require_minimum_version 1.5.0

load lab_helper
load webhook

PROTOCOLS=(direct wireguard nebula openvpn ipsec)
PHASES=(stop_everything bring_up rung_interface rung_ip rung_route rung_ping rung_backend rung_full_size
  latency_idle tcp_upload tcp_download tcp_parallel tcp_bidir latency_loaded udp cpu recovery teardown)
SCRIPTS_SRC="${VPNLENS_LAB_SCRIPTS_SRC:-$REPO_DIR/scripts}"
OUT="${VPNLENS_LAB_TEST_OUT:-/tmp/vpnlens-lab-test}"
RECEIVER_PORT="${VPNLENS_LAB_RECEIVER_PORT:-5099}"
RUN_TIMEOUT="${VPNLENS_LAB_RUN_TIMEOUT:-600}"
CALLBACKS="$OUT/callbacks"

# --- the run ----------------------------------------------------------------------------

receiver_listening() { ss -Hltn "sport = :$RECEIVER_PORT" | grep -q 198.18.0.1; }

start_receiver() {
  setsid python3 "$LAB_TEST_DIR/callback_receiver.py" --bind 198.18.0.1 --port "$RECEIVER_PORT" \
    --out "$CALLBACKS" </dev/null >"$OUT/receiver.log" 2>&1 3>&- &
  echo "$! $(proc_starttime $!)" >"$OUT/receiver.pid"
  poll 10 receiver_listening
}

stop_receiver() {
  [[ -r "$OUT/receiver.pid" ]] || return 0
  local pid start
  read -r pid start <"$OUT/receiver.pid"
  [[ -n "$(echo "$pid $start" | still_running)" ]] && kill "$pid" 2>/dev/null
  rm -f "$OUT/receiver.pid"
}

write_params() {
  jq -n --arg runId "$RUN_ID" --arg secret "$SECRET" \
    --arg cb "http://198.18.0.1:$RECEIVER_PORT/api/runs/$RUN_ID" \
    '{runId: $runId, callbackUrl: $cb, secret: $secret,
      protocols: ["direct", "wireguard", "nebula", "openvpn", "ipsec"],
      settings: {tcpSeconds: 2, udpSeconds: 2, omitSeconds: 1, repeats: 1, maxRepeats: 1,
        rsdThresholdPercent: 5, udpTargetMbps: 50, pingCount: 5, pingIntervalSeconds: 0.2,
        ladderTimeoutSeconds: 30, recoveryTimeoutSeconds: 30, parallelStreams: 4, ipVersion: 4}}' >"$OUT/params.json"
}

results_posted() { compgen -G "$CALLBACKS/*.json" >/dev/null && grep -lq '"path": ".*/results"' "$CALLBACKS"/*.json; }
run_finished() { [[ -z "$(echo "$RUN_PID $RUN_START" | still_running)" ]]; }
results_posted_or_run_ended() { results_posted || run_finished; }

# Ship the scripts, write params.json and start run.sh the way the control plane does.
start_run() {
  "$LAB_SH" install-scripts --node 1 --from "$SCRIPTS_SRC" 3>&-
  # shellcheck disable=SC2016 # expanded on the node
  "$LAB_SH" ssh node1 "set -e; d=\"\$VPNLENS_HOME/runs/$RUN_ID\"; install -d -m 0700 \"\$d\";
    umask 077; cat >\"\$d/params.json\"" <"$OUT/params.json" 3>&-
  # shellcheck disable=SC2016 # expanded on the node
  RUN_PID=$("$LAB_SH" ssh node1 "setsid nohup \"\$VPNLENS_HOME/scripts/run.sh\" \
    \"\$VPNLENS_HOME/runs/$RUN_ID/params.json\" </dev/null >/dev/null 2>&1 & echo \$!" 3>&-)
  # detached: the session has ended while run.sh, minutes of measuring ahead of it, still runs
  if kill -0 "$RUN_PID" 2>/dev/null; then echo running; else echo ended; fi >"$OUT/run-when-ssh-returned"
  echo "$RUN_PID" >"$OUT/run-pid"
  RUN_START=$(proc_starttime "$RUN_PID" || true)
}

# Keep what the node wrote before the lab (and its files) go away.
collect_node_files() {
  local run_dir="$LAB_DIR/node1/home/runs/$RUN_ID"
  cp -f "$run_dir/run.log" "$OUT/run.log" 2>/dev/null || true
  cp -f "$run_dir/results.json" "$OUT/results.json" 2>/dev/null || true
  cp -f "$run_dir/run.pid" "$OUT/run.pid" 2>/dev/null || true
}

setup_file() {
  [[ "$(id -u)" -eq 0 ]] || return 0
  # blackhole.bats keeps its artefacts in $OUT/blackhole, and runs first
  mkdir -p "$OUT"
  find "$OUT" -mindepth 1 -maxdepth 1 ! -name blackhole -exec rm -rf {} +
  mkdir -p "$CALLBACKS"
  if [[ ! -x "$SCRIPTS_SRC/run.sh" ]]; then
    echo "$SCRIPTS_SRC/run.sh does not exist or is not executable" >"$OUT/setup.error"
    return 0
  fi
  RUN_ID=$(cat /proc/sys/kernel/random/uuid)
  SECRET="whsec_$(head -c 24 /dev/urandom | base64 -w0)"
  printf '%s\n' "$RUN_ID" >"$OUT/run-id"
  printf '%s\n' "$SECRET" >"$OUT/secret"
  write_params
  "$LAB_SH" up --nodes 1 --recreate 3>&-
  start_receiver
  start_run
  # Until the results arrive, or run.sh ends without them.
  poll "$RUN_TIMEOUT" results_posted_or_run_ended || true
  if ! results_posted; then
    if run_finished; then
      echo "run.sh (pid $RUN_PID) ended without posting results" >"$OUT/setup.error"
    else
      echo "no results POST within ${RUN_TIMEOUT}s" >"$OUT/setup.error"
    fi
  fi
  poll 60 run_finished || echo "run.sh (pid $RUN_PID) still running after its results" >>"$OUT/setup.error"
  collect_node_files
  parse_posts >"$OUT/posts.jsonl"
}

teardown_file() {
  [[ "$(id -u)" -eq 0 ]] || return 0
  stop_receiver
  local pid
  pid=$(cat "$OUT/run-pid" 2>/dev/null || true)
  if [[ -n "$pid" ]] && [[ -n "$(echo "$pid $(proc_starttime "$pid")" | still_running)" ]]; then
    kill -TERM -- "-$pid" 2>/dev/null || true
  fi
  collect_node_files
  "$LAB_SH" down 3>&- || true
}

setup() {
  require_root
  RUN_ID=$(cat "$OUT/run-id" 2>/dev/null || true)
  SECRET=$(cat "$OUT/secret" 2>/dev/null || true)
}

# Every test but the first checks what the run left; without a run there is nothing
# to check (the first test fails and says why).
require_run() {
  [[ -f "$OUT/setup.error" && ! -s "$OUT/results.json" ]] && skip "no run to check: $(head -n1 "$OUT/setup.error")"
  return 0
}

# --- reading the callbacks ----------------------------------------------------------------

# The stored requests, one JSON object per line: path, id and the parsed body, in
# sequence order. A retry repeats a webhook-id; only one copy is kept. Parsed once,
# after the run, into $OUT/posts.jsonl.
posts() {
  if [[ -s "$OUT/posts.jsonl" ]]; then
    cat "$OUT/posts.jsonl"
  else
    parse_posts
  fi
}

parse_posts() {
  local meta
  for meta in "$CALLBACKS"/*.json; do
    [[ -e "$meta" ]] || continue
    jq -c --slurpfile body "${meta%.json}.body" '{path, id: .headers["webhook-id"], body: $body[0]}' "$meta"
  done | jq -sc 'unique_by(.id) | sort_by(.id | ltrimstr("msg_") | split("_") | last | tonumber? // 0) | .[]'
}

phase_events() { posts | jq -c 'select(.path | endswith("/phases")) | .body'; }
results() { posts | jq -c 'select(.path | endswith("/results")) | .body' | tail -n1; }

# Each check_* prints one line per broken promise; nothing when all is well.

check_signatures() {
  local meta
  for meta in "$CALLBACKS"/*.json; do
    [[ -e "$meta" ]] || continue
    webhook_verify "$SECRET" "$meta" "${meta%.json}.body" || true
  done
  jq -r --arg re "^msg_${RUN_ID}_[0-9]+$" '
    select((.headers["webhook-id"] // "" | test($re) | not)
      or (.headers["content-type"] // "" | startswith("application/json") | not))
    | "\(input_filename): webhook-id \(.headers["webhook-id"]), content-type \(.headers["content-type"])"' \
    "$CALLBACKS"/*.json
}

check_one_body_per_id() {
  local meta
  for meta in "$CALLBACKS"/*.json; do
    [[ -e "$meta" ]] || continue
    printf '%s %s\n' "$(jq -r '.headers["webhook-id"]' "$meta")" "$(sha256sum <"${meta%.json}.body" | cut -d' ' -f1)"
  done | sort -u | awk '{print $1}' | uniq -d
}

check_phase_statuses() {
  phase_events | jq -r '
    select(.status != "succeeded"
      and ((.protocol == "direct" and .phase == "recovery" and .status == "skipped") | not))
    | "\(.protocol) \(.phase) \(.status): \(.detail)"'
}

check_phase_times() {
  phase_events | jq -r '
    select((.startedAt | test("^[0-9-]+T[0-9:.]+Z$") | not) or (.endedAt < .startedAt))
    | "\(.protocol) \(.phase): \(.startedAt) .. \(.endedAt)"'
}

check_results_status() {
  results | jq -r '.status, ([.protocols[].protocol] | join(",")),
    (.protocols[] | select(.status != "succeeded") | "\(.protocol): \(.error)")'
}

check_throughput() {
  results | jq -r '
    .protocols[] as $p
    | ("tcpUpload", "tcpDownload", "tcpParallel", "tcpBidir", "udp") as $k
    | if (($p[$k] // []) | length) == 0 then "\($p.protocol) \($k): no samples"
      else ($p[$k][] | select((.bitsPerSecond // 0) <= 1000 or .bitsPerSecond > 1e12)
            | "\($p.protocol) \($k): \(.bitsPerSecond) bit/s") end'
}

check_latency() {
  results | jq -r '
    .protocols[] as $p | ("latencyIdle", "latencyLoaded") as $k | $p[$k] as $l
    | if $l == null then "\($p.protocol) \($k): missing"
      elif ($l.received // 0) < 1 or (($l.rttMs // []) | length) < 1 then "\($p.protocol) \($k): no replies"
      elif any($l.rttMs[]; . <= 0 or . > 5000) then "\($p.protocol) \($k): rtts \($l.rttMs)"
      else empty end'
}

check_setup_recovery() {
  results | jq -r '
    .protocols[]
    | if .protocol == "direct" then
        (if (.recovery.ms // 0) > 0 then "direct recovery measured: \(.recovery)" else empty end)
      else
        (if (.setupMs // 0) <= 0 then "\(.protocol) setupMs \(.setupMs)" else empty end),
        (if (.recovery.ms // 0) <= 0 then "\(.protocol) recovery \(.recovery)" else empty end)
      end,
      (if [.ladder[]?.rung] != ["interface", "ip", "route", "ping", "backend", "full_size"]
       then "\(.protocol) ladder \(.ladder)" else empty end)'
}

# --- the tests ----------------------------------------------------------------------------------

@test "run.sh exists, starts detached over ssh, writes run.pid, finishes and posts results" {
  if [[ -f "$OUT/setup.error" ]]; then
    fail "$(cat "$OUT/setup.error"); run.log tail: $(tail -n 20 "$OUT/run.log" 2>/dev/null)"
  fi
  run cat "$OUT/run-pid"
  assert_output --regexp '^[0-9]+$'
  [[ "$(cat "$OUT/run-when-ssh-returned")" == running ]] || fail "the ssh session stayed open until run.sh had ended"
  run cat "$OUT/run.pid"
  assert_output "$(cat "$OUT/run-pid")"
  assert_file_exists "$OUT/run.log"
  assert_file_exists "$OUT/results.json"
  run results
  assert_output --regexp '^\{'
}

@test "every callback is signed with the run's secret (HMAC over id.timestamp.body)" {
  require_run
  compgen -G "$CALLBACKS/*.json" >/dev/null || fail "no callbacks were received"
  run check_signatures
  assert_output ''
  # A webhook-id names one message: retries of it carry the same body.
  run check_one_body_per_id
  assert_output ''
}

@test "every phase of direct, wireguard, nebula, openvpn and ipsec was reported, in order, and passed" {
  require_run
  local p expected got
  expected=$(printf '%s\n' "${PHASES[@]}")
  for p in "${PROTOCOLS[@]}"; do
    got=$(phase_events | jq -r --arg p "$p" 'select(.protocol == $p) | .phase')
    assert_equal "$got" "$expected"
  done
  run check_phase_statuses
  assert_output ''
  run check_phase_times
  assert_output ''
}

@test "results: the run and each protocol succeeded, in the order asked" {
  require_run
  run check_results_status
  assert_output "$(printf 'succeeded\ndirect,wireguard,nebula,openvpn,ipsec')"
  # The body posted is the results.json kept on the node.
  assert_equal "$(results | jq -S .)" "$(jq -S . "$OUT/results.json")"
}

@test "throughput is plausible and non-zero for TCP up, TCP down and UDP on every protocol" {
  require_run
  run check_throughput
  assert_output ''
}

@test "latency idle and loaded: replies received and every rtt above zero" {
  require_run
  run check_latency
  assert_output ''
}

@test "setup and recovery times: above zero for the VPNs, recovery skipped for direct" {
  require_run
  run check_setup_recovery
  assert_output ''
}

@test "wireguard and openvpn ran at MTU 1420, ipsec at kernel-libipsec's 1400; each VPN used the lab's interface and peer" {
  require_run
  run jq -r '.protocols[] | "\(.protocol) \(.interface) \(.mtu) \(.peer)"' <<<"$(results)"
  assert_line --index 0 --regexp '^direct eth0 1500 198\.18\.0\.2$'
  assert_line --index 1 'wireguard vlwg-n1 1420 198.19.1.1'
  assert_line --index 2 --regexp '^nebula vlneb-n1 [0-9]+ 198\.19\.2\.1$'
  assert_line --index 3 'openvpn vlovpn-n1 1420 198.19.3.1'
  assert_line --index 4 'ipsec ipsec0 1400 198.19.4.1'
  run jq -r '.protocols[] | select(.protocol != "direct") | .cpu.daemon' <<<"$(results)"
  assert_line --index 0 wireguard-go
  assert_line --index 1 nebula
  assert_line --index 2 openvpn
  assert_line --index 3 charon-systemd
}

@test "teardown left no VPN interface, socket or process on the node" {
  require_run
  run ip -n vl-node1 -o link show
  refute_output --partial 'vlwg-n1'
  refute_output --partial 'vlneb-n1'
  refute_output --partial 'vlovpn-n1'
  refute_output --partial 'ipsec0'
  run ip -n vl-node1 rule show
  refute_output --partial 'lookup 220'
  assert_file_not_exists /var/run/wireguard/vlwg-n1.sock
  local pid comm left=()
  for pid in $(ip netns pids vl-node1); do
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
    [[ "$comm" == sshd ]] || left+=("$pid:$comm")
  done
  assert_equal "${left[*]}" ""
}

@test "report the measured figures" {
  require_run
  local summary="$OUT/summary.txt"
  results | jq -r '
    def mbit: . / 1e6 | . * 10 | round / 10;
    def med: sort | if length == 0 then null else .[(length / 2 | floor)] end;
    .protocols[] |
    "\(.protocol): tcp up \([.tcpUpload[]?.bitsPerSecond] | med | mbit) Mbit/s, tcp down \([.tcpDownload[]?.bitsPerSecond] | med | mbit) Mbit/s, tcp -P \([.tcpParallel[]?.streams] | med) up \([.tcpParallel[]?.bitsPerSecond] | med | mbit) Mbit/s, bidir up \([.tcpBidir[]?.bitsPerSecond] | med | mbit) down \([.tcpBidir[]?.reverseBitsPerSecond] | med | mbit) Mbit/s, udp \([.udp[]?.bitsPerSecond] | med | mbit) Mbit/s (loss \([.udp[]?.lostPercent] | med)%), rtt idle median \(.latencyIdle.rttMs | med) ms, loaded (bidir) \(.latencyLoaded.rttMs | med) ms, setup \(.setupMs) ms, recovery \(if .recovery.ms then "\(.recovery.ms) ms" else "skipped" end), mtu \(.mtu)"' >"$summary"
  local line
  while IFS= read -r line; do echo "# $line" >&3; done <"$summary"
  [[ -s "$summary" ]]
}

@test "the test's signature check reproduces the contract's known vector" {
  local body="$BATS_TEST_TMPDIR/vector.body"
  printf '%s' '{"test": 2432232314}' >"$body"
  run webhook_signature whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw msg_p5jXN8AQM9LWM0D4loKWxJek 1614265330 "$body"
  assert_output 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
}
