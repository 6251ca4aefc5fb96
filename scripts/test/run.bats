#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2317,SC2153  # bats runs each @test in a subshell and calls functions indirectly
# run.sh end to end with every tool faked: phases, callbacks, results.json, and the
# failure paths (a failing phase, a rung, a bring-up, an unexpected error, TERM).

load helpers

readonly PHASES="stop_everything bring_up rung_interface rung_ip rung_route rung_ping rung_backend rung_full_size latency_idle tcp_upload tcp_download tcp_parallel tcp_bidir latency_loaded udp cpu recovery teardown"

setup() {
  setup_fakes
  configure_protocols
  load_node_libs
  export LOAD_RAMP_BYTES=0 FAKE_IPERF3_TIME_SCALE=0.05
  RUNDIR="$VPNLENS_HOME/runs/$RUN_ID"
  PARAMS="$RUNDIR/params.json"
}

teardown() {
  [[ -n "${RUN_PID:-}" ]] && kill -KILL "$RUN_PID" 2>/dev/null
  teardown_fakes
}

results() { jq -r "$1" "$RUNDIR/results.json"; }

# expect_phases PROTOCOL "phase status ..." : the phase events posted for PROTOCOL
expect_phases() {
  local words
  read -r -a words <<<"$2"
  run phase_events "$1"
  assert_output "$(printf '%s %s\n' "${words[@]}")"
}

all_succeeded() {
  local phase out=''
  for phase in $PHASES; do out+="$phase succeeded "; done
  printf '%s' "$out"
}

@test "a full run measures every protocol and writes a results.json of the contract's shape" {
  write_params "$PARAMS" '["direct","wireguard","nebula","tailscale","openvpn"]'
  run "$SCRIPTS_DIR/run.sh" "$PARAMS"
  assert_success
  assert_output "" # headless: everything goes to run.log
  assert_file_exists "$RUNDIR/run.log"
  assert_equal "$(cat "$RUNDIR/run.pid")" "$(grep -o 'run.sh (pid [0-9]*' "$RUNDIR/run.log" | grep -o '[0-9]*$')"

  # the run
  assert_equal "$(results '[.status, .error] | @json')" '["succeeded",null]'
  assert_equal "$(jq -n --slurpfile r "$RUNDIR/results.json" --slurpfile p "$PARAMS" '$r[0].settings == $p[0].settings')" true
  assert_equal "$(results '.environment | keys | sort | join(" ")')" \
    "congestionControl cpuCores cpuModel hostname iperf3Version kernel nodeLoadAfter nodeLoadBefore offloads rmemMax tcpRmem tcpWmem underlayInterface underlayMtu wmemMax"
  assert_equal "$(results '.environment | [.underlayInterface, .underlayMtu, .iperf3Version, (.cpuCores | type), (.offloads | type)] | @tsv')" \
    "$(printf 'fake0\t1500\t3.12\tnumber\tobject')"

  # every protocol, in order, with every key of the contract
  assert_equal "$(results '[.protocols[].protocol] | join(" ")')" "direct wireguard nebula tailscale openvpn"
  assert_equal "$(results '[.protocols[] | keys | sort | join(",")] | unique | .[]')" \
    "cpu,error,interface,ladder,latencyIdle,latencyLoaded,mtu,pathMtu,peer,protocol,recovery,setupMs,status,tcpBidir,tcpDownload,tcpParallel,tcpUpload,udp,versions"
  assert_equal "$(results '[.protocols[] | .status, (.error | tostring)] | unique | join(" ")')" "null succeeded"
  assert_equal "$(results '[.protocols[] | .ladder | map(.rung) | join(",")] | unique | .[]')" "interface,ip,route,ping,backend,full_size"
  assert_equal "$(results '[.protocols[] | .ladder[].ms, .setupMs | type] | unique | .[]')" number
  assert_equal "$(results '[.protocols[] | .latencyIdle, .latencyLoaded | (.sent >= .received) and (.rttMs | length) == .received] | unique | .[]')" true
  assert_equal "$(results '[.protocols[] | .tcpUpload[], .tcpDownload[] | (.bitsPerSecond > 0) and (.bytes > 0) and (.intervals | length > 0) and (.cpuLocalPercent | type) == "number"] | unique | .[]')" true
  assert_equal "$(results '[.protocols[] | .udp[] | (.bitsPerSecond > 0) and (.jitterMs | type) == "number" and (.packets > 0)] | unique | .[]')" true
  assert_equal "$(results '[.protocols[] | (.cpu.systemCpuSeconds | type), (.cpu.bytesMoved > 0)] | unique | map(tostring) | join(" ")')" "true number"
  assert_equal "$(results '[.protocols[] | .cpu.daemon] | @json')" '[null,null,"nebula","tailscaled","openvpn"]'
  assert_equal "$(results '[.protocols[] | .recovery.method] | @json')" '[null,"restart","restart","restart","restart"]'
  assert_equal "$(results '[.protocols[] | .interface] | join(" ")')" "fake0 vlwg-t1 vlneb-t1 vlts-t1 vlovpn-t1"
  assert_equal "$(results '.protocols[1] | [.mtu, .versions."wireguard-tools"] | @tsv')" "$(printf '1420\tv1.0.20210914')"

  # one event per phase, in the contract's order; direct has nothing to restart
  expect_phases direct "$(all_succeeded | sed 's/recovery succeeded/recovery skipped/')"
  local p
  for p in wireguard nebula tailscale openvpn; do
    expect_phases "$p" "$(all_succeeded)"
  done

  # phase events carry ISO-8601 UTC times with milliseconds, ended after started
  run webhooks 'select(.url | endswith("/phases")) | .body
    | (.startedAt | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$"))
      and (.endedAt >= .startedAt) and (.status | IN("succeeded", "skipped"))'
  assert_equal "$(sort -u <<<"$output")" true

  # every callback signed, ids counting up, the results last
  local n
  n=$(wc -l <"$FAKE_STATE/webhooks.jsonl")
  assert_equal "$n" $((5 * 18 + 1))
  assert_equal "$(webhooks '.id' | tr '\n' ' ')" "$(for ((i = 1; i <= n; i++)); do printf 'msg_%s_%s ' "$RUN_ID" "$i"; done)"
  assert_equal "$(webhooks '.url' | sort | uniq -c | awk '{ print $1, $2 }' | tr '\n' ';')" \
    "90 http://127.0.0.1:9/api/runs/$RUN_ID/phases;1 http://127.0.0.1:9/api/runs/$RUN_ID/results;"
  assert_equal "$(tail -n 1 "$FAKE_STATE/webhooks.jsonl" | jq -r .body | jq -S .)" "$(jq -S . "$RUNDIR/results.json")"
  local id ts sig body
  while IFS=$'\t' read -r id ts sig body; do
    printf '%s' "$body" | base64 -d >"$BATS_TEST_TMPDIR/b"
    assert_equal "$sig" "$(webhook_sign "$SECRET" "$id" "$ts" "$BATS_TEST_TMPDIR/b")"
  done < <(jq -r '[.id, .ts, .sig, (.body | @base64)] | @tsv' "$FAKE_STATE/webhooks.jsonl")

  # torn down, and the key never written anywhere but its own 0600 file, now gone
  assert_equal "$(cat "$FAKE_STATE/net/links")" "fake0 ether 1500"
  assert_file_not_exists "$VPNLENS_STATE_DIR/tailscale-authkey"
  run grep -rl "TESTKEY" "$RUNDIR/run.log" "$RUNDIR/results.json" "$FAKE_STATE/calls.log" "$FAKE_STATE/webhooks.jsonl"
  assert_failure
}

@test "an iperf3 error fails its phase with iperf3's words, tears down, and the run goes on" {
  write_params "$PARAMS" '["direct","wireguard","nebula"]'
  # direct's six iperf3 runs succeed (latency under load runs a bidirectional load), wireguard's first finds no server
  queue iperf3 tcp_upload tcp_download tcp_parallel tcp_bidir tcp_bidir udp refused
  run "$SCRIPTS_DIR/run.sh" "$PARAMS"
  assert_success
  expect_phases wireguard "stop_everything succeeded bring_up succeeded rung_interface succeeded rung_ip succeeded rung_route succeeded rung_ping succeeded rung_backend succeeded rung_full_size succeeded latency_idle succeeded tcp_upload failed teardown succeeded"
  run webhooks 'select(.body.phase == "tcp_upload" and .body.protocol == "wireguard") | .body.detail'
  assert_output "iperf3: unable to connect to server: Connection refused"
  assert_equal "$(results '.status')" succeeded
  assert_equal "$(results '.protocols[1] | [.status, .error.phase, .error.message] | @tsv')" \
    "$(printf 'failed\ttcp_upload\tiperf3: unable to connect to server: Connection refused')"
  # what it measured before the failure is kept
  assert_equal "$(results '.protocols[1].latencyIdle.sent')" 5
  assert_equal "$(results '.protocols[2].status')" succeeded
  expect_phases nebula "$(all_succeeded)"
}

@test "each non-standard iperf3 outcome becomes a failed phase carrying iperf3's message" {
  local scenario expected
  export IPERF_BUSY_WAIT_MS=0 # busy is asked again (iperf.bats), here not
  while IFS='|' read -r scenario expected; do
    rm -rf "$FAKE_STATE/webhooks.jsonl" "$FAKE_STATE/iperf3.queue" "$RUNDIR"
    write_params "$PARAMS" '["direct"]'
    queue iperf3 "$scenario"
    run "$SCRIPTS_DIR/run.sh" "$PARAMS"
    assert_success
    run webhooks 'select(.body.phase == "tcp_upload") | [.body.status, .body.detail] | @tsv'
    assert_output "$(printf 'failed\t%s' "$expected")"
    assert_equal "$(results '.protocols[0].error | "\(.phase): \(.message)"')" "tcp_upload: $expected"
    assert_equal "$(results '.protocols[0].tcpUpload')" "[]"
  done <<'CASES'
refused|iperf3: unable to connect to server: Connection refused
refused:1|iperf3: unable to connect to server: Connection refused
busy|iperf3: the server is busy running a test. try again later (still busy after 1 tries within 0 s)
server_terminated|iperf3: the server has terminated
param_error|iperf3: parameter error - only one test end condition (-t, -n, -k) may be specified
truncated|iperf3 did not finish in time and was killed
truncated:0|iperf3 printed invalid or truncated JSON (exit 0)
CASES
}

@test "a rung that does not pass in time fails the protocol naming the rung" {
  write_params "$PARAMS" '["wireguard"]'
  export FAKE_PING_DEFAULT=none
  run "$SCRIPTS_DIR/run.sh" "$PARAMS"
  assert_success
  expect_phases wireguard "stop_everything succeeded bring_up succeeded rung_interface succeeded rung_ip succeeded rung_route succeeded rung_ping failed teardown succeeded"
  assert_equal "$(results '.protocols[0].error | [.phase, .message] | @tsv')" \
    "$(printf 'rung_ping\trung ping: no reply from 127.0.0.1 within 2 s')"
  assert_equal "$(results '.protocols[0].ladder | map(.rung) | join(",")')" "interface,ip,route"
}

# ladder_events PROTOCOL: "phase startedMs endedMs detail" of bring_up and the rungs, in
# posting order.
ladder_events() {
  webhooks "select(.url | endswith(\"/phases\")) | .body | select(.protocol == \"$1\")
    | select(.phase == \"bring_up\" or (.phase | startswith(\"rung_\")))
    | def ms: (.[0:19] + \"Z\" | fromdateiso8601) * 1000 + (.[20:23] | tonumber);
      \"\\(.phase) \\(.startedAt | ms) \\(.endedAt | ms) \\(.detail)\""
}

@test "the ladder's phases carry the times each rung really began and passed; setupMs ends at rung ping" {
  write_params "$PARAMS" '["wireguard"]'
  run "$SCRIPTS_DIR/run.sh" "$PARAMS"
  assert_success
  expect_phases wireguard "$(all_succeeded)"
  local -a events
  mapfile -t events < <(ladder_events wireguard)
  assert_equal "${#events[@]}" 7
  local phase started ended detail i=0 prev_end line up_started up_ended ping_end
  read -r phase up_started up_ended detail <<<"${events[0]}"
  assert_equal "$phase $detail" "bring_up wireguard up on vlwg-t1, peer 127.0.0.1"
  prev_end=$up_ended
  # route is proven by rung ip's iproute2 process, full_size by rung ping's full-size echo
  local -A proven=([route]=ip [full_size]=ping)
  local by
  for rung in interface ip route ping backend full_size; do
    i=$((i + 1))
    read -r phase started ended detail <<<"${events[i]}"
    assert_equal "$phase" "rung_$rung"
    ((started >= prev_end && ended >= started)) || fail "rung_$rung: ${events[i]} (previous ended $prev_end)"
    by=${proven[$rung]:+ (proven by rung ${proven[$rung]})}
    assert_equal "$detail" "$rung in $((ended - started)) ms$by"
    assert_equal "$(results ".protocols[0].ladder[$((i - 1))] | \"\\(.rung) \\(.ms) \\(.provenBy)\"")" "$rung $((ended - started)) ${proven[$rung]:-null}"
    # run.log: the rung's line, stamped with the time it passed
    line=$(grep -F "[wireguard] ladder: rung $rung passed in " "$RUNDIR/run.log")
    assert_equal "$(iso_ms "${line%% *}") ${line##*passed in }" "$ended $((ended - started)) ms$by"
    [[ "$rung" == ping ]] && ping_end=$ended
    prev_end=$ended
  done
  # setupMs: from the up command (begun inside bring_up, just before the driver's
  # "wg-quick up" line) to the moment rung ping passed
  local setup marker
  setup=$(results '.protocols[0].setupMs')
  marker=$(log_line_ms "$RUNDIR/run.log" "[wireguard] wireguard: wg-quick up")
  ((ping_end - setup >= up_started && ping_end - setup <= marker)) ||
    fail "setupMs $setup: the up command would have started at $((ping_end - setup)), bring_up began $up_started, wg-quick up logged $marker"
  assert_equal "$(results '.protocols[0] | [.mtu, .versions."wireguard-tools"] | @tsv')" "$(printf '1420\tv1.0.20210914')"
}

@test "a rung in the middle that does not pass is the failed phase; the rungs before it succeeded, none after" {
  write_params "$PARAMS" '["wireguard","nebula"]'
  queue wg-quick noroute
  run "$SCRIPTS_DIR/run.sh" "$PARAMS"
  assert_success
  expect_phases wireguard "stop_everything succeeded bring_up succeeded rung_interface succeeded rung_ip succeeded rung_route failed teardown succeeded"
  local error="rung route: 127.0.0.1 goes out via fake0, not via vlwg-t1 within 2 s"
  assert_equal "$(results '.protocols[0] | [.status, .error.phase, .error.message] | @tsv')" \
    "$(printf 'failed\trung_route\t%s' "$error")"
  assert_equal "$(results '.protocols[0] | [(.ladder | map(.rung) | join(",")), .mtu, .setupMs, (.versions | length)] | @tsv')" \
    "$(printf 'interface,ip\t1420\t\t0')"
  # the failed rung's event: when it really began (after rung ip passed), its reason
  local -a events
  mapfile -t events < <(ladder_events wireguard)
  local ip_end route_start route_end detail
  read -r _ _ ip_end _ <<<"${events[2]}"
  read -r _ route_start route_end detail <<<"${events[3]}"
  assert_equal "$detail" "$error"
  ((route_start >= ip_end && route_end - route_start >= 2000)) || fail "rung_route: ${events[3]}, rung ip ended $ip_end"
  assert_equal "$(calls | sed -n '/^wg-quick up/,/^wg-quick down/p' | grep -c '^ping ')" 0
  assert_equal "$(results '.protocols[1].status')" succeeded
  expect_phases nebula "$(all_succeeded)"
}

@test "a failing bring-up is reported with its reason and still torn down" {
  write_params "$PARAMS" '["wireguard","nebula"]'
  queue wg-quick fail
  run "$SCRIPTS_DIR/run.sh" "$PARAMS"
  assert_success
  expect_phases wireguard "stop_everything succeeded bring_up failed teardown succeeded"
  assert_equal "$(results '.protocols[0].error.message')" "wg-quick up vlwg-t1 failed (see run.log)"
  assert_equal "$(results '.protocols[1].status')" succeeded
}

@test "a protocol without a driver fails at bring_up and the others still run" {
  write_params "$PARAMS" '["direct","quic"]'
  run "$SCRIPTS_DIR/run.sh" "$PARAMS"
  assert_success
  expect_phases quic "stop_everything succeeded bring_up failed teardown succeeded"
  assert_equal "$(results '.protocols[1].error.message')" "no driver for protocol 'quic' (looked for $SCRIPTS_DIR/drivers/quic.sh)"
}

@test "an unexpected error inside a phase fails that phase, with the command and line" {
  write_params "$PARAMS" '["direct"]'
  run bash -c '
    source "$1/run.sh"
    measure_latency_idle() { jq -n "nope(" >/dev/null; }
    main "$2"' _ "$SCRIPTS_DIR" "$PARAMS"
  assert_success
  expect_phases direct "stop_everything succeeded bring_up succeeded rung_interface succeeded rung_ip succeeded rung_route succeeded rung_ping succeeded rung_backend succeeded rung_full_size succeeded latency_idle failed teardown succeeded"
  run results '.protocols[0].error | "\(.phase): \(.message)"'
  assert_output --regexp '^latency_idle: unexpected error \(exit 3\) at .*: jq -n "nope\(" > /dev/null$'
}

# start_run PROTOCOLS [SETTINGS_OVERRIDES_JSON]: run.sh in the background in its own process
# group, as the control plane starts it (setsid).
start_run() {
  write_params "$PARAMS" "$1" "${2:-"{}"}"
  setsid "$SCRIPTS_DIR/run.sh" "$PARAMS" &
  RUN_PID=$!
}

_hanging() { [[ -s "$FAKE_STATE/iperf3-hang.pid" ]]; }

@test "TERM to the process group (the control plane's stop) tears down and reports the phase" {
  queue iperf3 hang
  start_run '["direct","nebula"]'
  poll_until 60000 _hanging || fail "iperf3 never started"
  kill -TERM -- "-$RUN_PID"
  wait "$RUN_PID" || true
  RUN_PID=''
  expect_phases direct "stop_everything succeeded bring_up succeeded rung_interface succeeded rung_ip succeeded rung_route succeeded rung_ping succeeded rung_backend succeeded rung_full_size succeeded latency_idle succeeded tcp_upload failed teardown succeeded"
  run webhooks 'select(.body.phase == "tcp_upload") | .body.detail'
  assert_output "run terminated by SIGTERM"
  assert_equal "$(results '[.status, .error.message, (.protocols | length)] | @tsv')" "$(printf 'failed\trun terminated by SIGTERM\t1')"
  run phase_events nebula
  assert_output ""
  is_running "$(cat "$FAKE_STATE/iperf3-hang.pid")" && fail "the hanging iperf3 survived"
  return 0
}

@test "TERM to run.sh alone still stops its iperf3, tears down and reports" {
  queue iperf3 tcp_upload hang
  start_run '["nebula"]'
  poll_until 60000 _hanging || fail "iperf3 never started"
  kill -TERM "$RUN_PID"
  wait "$RUN_PID" || true
  RUN_PID=''
  expect_phases nebula "stop_everything succeeded bring_up succeeded rung_interface succeeded rung_ip succeeded rung_route succeeded rung_ping succeeded rung_backend succeeded rung_full_size succeeded latency_idle succeeded tcp_upload succeeded tcp_download failed teardown succeeded"
  assert_equal "$(results '.protocols[0].error | [.phase, .message] | @tsv')" "$(printf 'tcp_download\trun terminated by SIGTERM')"
  poll_until 3000 _is_gone "$(cat "$FAKE_STATE/iperf3-hang.pid")" || fail "the hanging iperf3 survived"
  assert_equal "$(cat "$FAKE_STATE/net/links")" "fake0 ether 1500"
}

_pinging() { [[ "$(calls | grep -c '^ping ')" -ge 3 ]]; }

@test "TERM in the middle of the ladder reports the rungs climbed and the rung it stopped in" {
  export FAKE_PING_DEFAULT=none
  start_run '["wireguard"]' '{"ladderTimeoutSeconds": 60}'
  poll_until 60000 _pinging || fail "the ladder never reached rung ping"
  kill -TERM -- "-$RUN_PID"
  wait "$RUN_PID" || true
  RUN_PID=''
  expect_phases wireguard "stop_everything succeeded bring_up succeeded rung_interface succeeded rung_ip succeeded rung_route succeeded rung_ping failed teardown succeeded"
  run webhooks 'select(.body.phase == "rung_ping") | .body.detail'
  assert_output "run terminated by SIGTERM"
  assert_equal "$(results '.protocols[0] | [.status, .error.phase, (.ladder | map(.rung) | join(","))] | @tsv')" \
    "$(printf 'failed\trung_ping\tinterface,ip,route')"
  assert_equal "$(cat "$FAKE_STATE/net/links")" "fake0 ether 1500"
}

@test "params that are readable by others are refused before anything runs" {
  write_params "$PARAMS" '["direct"]'
  chmod 644 "$PARAMS"
  run "$SCRIPTS_DIR/run.sh" "$PARAMS"
  assert_failure
  assert_equal "$(results '.status')" failed
  run results '.error.message'
  assert_output --partial "mode 0600"
  assert_file_not_exists "$FAKE_STATE/webhooks.jsonl"
}

@test "bad settings fail the run, and the failure is reported to the callback" {
  write_params "$PARAMS" '["direct"]' '{"repeats": 0}'
  run "$SCRIPTS_DIR/run.sh" "$PARAMS"
  assert_failure
  run webhooks '[.url, .body.status, .body.error.message] | @tsv'
  assert_output "$(printf 'http://127.0.0.1:9/api/runs/%s/results\tfailed\tsettings.repeats must be a whole number of at least 1, not %s' "$RUN_ID" "'0'")"
}

@test "a missing setting fails the run naming it: the node has no defaults of its own" {
  local key
  for key in pingCount omitSeconds; do
    write_params "$PARAMS" '["direct"]'
    jq --arg k "$key" '.settings[$k] = null' "$PARAMS" >"$PARAMS.new" && mv "$PARAMS.new" "$PARAMS" && chmod 600 "$PARAMS"
    rm -f "$FAKE_STATE/webhooks.jsonl"
    run "$SCRIPTS_DIR/run.sh" "$PARAMS"
    assert_failure
    run webhooks '[.body.status, .body.error.message] | @tsv'
    assert_output "$(printf 'failed\tsettings.%s is missing: the control plane sends every setting' "$key")"
  done
}

@test "settings that are not a JSON object fail the run, naming what they are" {
  write_params "$PARAMS" '["direct"]'
  jq '.settings = [1]' "$PARAMS" >"$PARAMS.new" && mv "$PARAMS.new" "$PARAMS" && chmod 600 "$PARAMS"
  run "$SCRIPTS_DIR/run.sh" "$PARAMS"
  assert_failure
  run webhooks '[.body.status, .body.error.message] | @tsv'
  assert_output "$(printf 'failed\tsettings must be a JSON object, not array')"
}

@test "a 409 from the control plane stops the run from measuring further" {
  write_params "$PARAMS" '["direct","nebula"]'
  queue curl-webhook 202 409
  # the upload goes on until the sender has been told the run is over
  queue iperf3 held
  export FAKE_HOLD_FILE="$RUNDIR/.closed"
  run "$SCRIPTS_DIR/run.sh" "$PARAMS"
  run phase_events direct
  refute_output --partial tcp_download
  assert_output --partial "teardown succeeded"
  run phase_events nebula
  assert_output ""
  assert_equal "$(webhooks '.url' | tail -n 1)" "http://127.0.0.1:9/api/runs/$RUN_ID/results"
}

@test "a callback being retried does not stall the measurement: the sender retries it in order, same webhook-id" {
  write_params "$PARAMS" '["direct"]'
  # the first phase event is answered only once the run has measured everything, with a 503
  queue curl-webhook held
  export FAKE_HOLD_FILE="$RUNDIR/results.json" WEBHOOK_BACKOFF_FIRST_S=0
  run "$SCRIPTS_DIR/run.sh" "$PARAMS"
  assert_success
  assert_equal "$(cat "$FAKE_STATE/held")" "curl released"
  # every message delivered once, in order; the first one tried twice under one id
  assert_equal "$(webhooks 'select(.code == "202") | .body.phase // "results"' | paste -sd ' ')" "$PHASES results"
  run webhooks '[.id, .code] | @tsv'
  assert_line --index 0 "$(printf 'msg_%s_1\t503' "$RUN_ID")"
  assert_line --index 1 "$(printf 'msg_%s_1\t202' "$RUN_ID")"
  local ids phases
  read -r -a phases <<<"$PHASES"
  ids=$(webhooks '.id' | sed 1d | sed 's/.*_//' | paste -sd ' ')
  assert_equal "$ids" "$(seq -s ' ' 1 $((${#phases[@]} + 1)))"
  assert_equal "$(webhooks '.url' | tail -n 1)" "http://127.0.0.1:9/api/runs/$RUN_ID/results"
}

@test "killed outright (SIGKILL to run.sh alone), its phases, iperf3 and the tunnel go with it" {
  queue iperf3 tcp_upload hang
  start_run '["nebula"]'
  poll_until 60000 _hanging || fail "iperf3 never started"
  kill -KILL "$RUN_PID"
  wait "$RUN_PID" || true
  RUN_PID=''
  poll_until 20000 _is_gone "$(cat "$FAKE_STATE/iperf3-hang.pid")" || fail "the hanging iperf3 survived run.sh"
  _torn_down() { [[ "$(cat "$FAKE_STATE/net/links")" == "fake0 ether 1500" ]]; }
  poll_until 20000 _torn_down || fail "the tunnel stayed up: $(cat "$FAKE_STATE/net/links")"
  run grep -c 'ended without tearing down' "$RUNDIR/run.log"
  assert_output 1
}

@test "a run killed after its first protocol leaves a results.json that does not pass for finished" {
  start_run '["direct","nebula"]'
  # nebula's tunnel up: direct is done and in results.json; nebula hangs in its next iperf3
  _nebula_up() { grep -q ' tun ' "$FAKE_STATE/net/links" 2>/dev/null; }
  poll_until 60000 _nebula_up || fail "nebula never came up"
  queue iperf3 hang
  poll_until 60000 _hanging || fail "iperf3 never started"
  kill -KILL "$RUN_PID"
  wait "$RUN_PID" || true
  RUN_PID=''
  assert_equal "$(results '.status')" running
  assert_equal "$(results '[.protocols[].protocol] | join(" ")')" direct
}

@test "a second run on the node is refused while the first run.sh lives, though its process is called bash" {
  mkdir -p "$BATS_TEST_TMPDIR/other" "$VPNLENS_STATE_DIR"
  printf 'sleep 60\n' >"$BATS_TEST_TMPDIR/other/run.sh"
  bash "$BATS_TEST_TMPDIR/other/run.sh" &
  local first=$!
  printf '%s %s\n' "$first" 11111111-1111-1111-1111-111111111111 >"$VPNLENS_STATE_DIR/active-run"
  write_params "$PARAMS" '["direct"]'
  run "$SCRIPTS_DIR/run.sh" "$PARAMS"
  assert_failure
  assert_equal "$(results '.error.message')" "another run (pid $first) is in progress on this node"
  run phase_events direct
  assert_output ""
  kill "$first"
  # a live process that is not run.sh holds no claim
  sleep 60 &
  first=$!
  printf '%s x\n' "$first" >"$VPNLENS_STATE_DIR/active-run"
  run "$SCRIPTS_DIR/run.sh" "$PARAMS"
  assert_success
  kill "$first"
}
