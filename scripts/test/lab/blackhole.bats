#!/usr/bin/env bats
# The seed's Docker MTU blackhole, made by `lab.sh blackhole on`: pings and small pages still
# cross, full-size encapsulated packets vanish. The ladder's first five rungs pass, rung 6
# (full_size) fails with a sentence naming the largest size that crosses, and a run through it
# stores no 0 Mbit/s figure as a success. Needs root. Run through scripts/test/run-lab.sh.
# Artefacts (run.log, results.json) stay in $VPNLENS_LAB_TEST_OUT/blackhole.

bats_require_minimum_version 1.5.0

load lab_helper

SCRIPTS_SRC="${VPNLENS_LAB_SCRIPTS_SRC:-$REPO_DIR/scripts}"
OUT="${VPNLENS_LAB_TEST_OUT:-/tmp/vpnlens-lab-test}/blackhole"
RECEIVER_PORT="${VPNLENS_LAB_BLACKHOLE_RECEIVER_PORT:-5098}"
RUN_TIMEOUT="${VPNLENS_LAB_RUN_TIMEOUT:-600}"

WG_SENTENCE="1420-byte packets do not cross the wireguard tunnel; the largest that does is 1360: lower the tunnel MTU to 1360 or fix the path (the seed's Docker MTU blackhole)"
DIRECT_SENTENCE="1500-byte packets do not cross the direct path; the largest that does is 1432: lower the tunnel MTU to 1432 or fix the path (the seed's Docker MTU blackhole)"

receiver_listening() { ss -Hltn "sport = :$RECEIVER_PORT" | grep -q 198.18.0.1; }
results_written() { [[ -s "$LAB_DIR/node1/home/runs/$RUN_ID/results.json" ]] && run_finished; }
run_finished() { [[ -z "$(echo "$RUN_PID $RUN_START" | still_running)" ]]; }

# run.sh through the blackhole, started over ssh as the control plane starts it; a receiver
# on the bridge takes its callbacks.
setup_file() {
  [[ "$(id -u)" -eq 0 ]] || return 0
  rm -rf "$OUT"
  mkdir -p "$OUT/callbacks"
  RUN_ID=$(cat /proc/sys/kernel/random/uuid)
  export RUN_ID
  "$LAB_SH" up --nodes 1 --recreate 3>&-
  "$LAB_SH" blackhole on 3>&-
  setsid python3 "$LAB_TEST_DIR/callback_receiver.py" --bind 198.18.0.1 --port "$RECEIVER_PORT" \
    --out "$OUT/callbacks" </dev/null >"$OUT/receiver.log" 2>&1 3>&- &
  echo "$! $(proc_starttime $!)" >"$OUT/receiver.pid"
  poll 10 receiver_listening
  jq -n --arg runId "$RUN_ID" --arg secret "whsec_$(head -c 24 /dev/urandom | base64 -w0)" \
    --arg cb "http://198.18.0.1:$RECEIVER_PORT/api/runs/$RUN_ID" \
    '{runId: $runId, callbackUrl: $cb, secret: $secret, protocols: ["direct", "wireguard", "nebula"],
      settings: {tcpSeconds: 2, udpSeconds: 2, omitSeconds: 1, repeats: 1, maxRepeats: 1,
        rsdThresholdPercent: 5, udpTargetMbps: 50, pingCount: 5, pingIntervalSeconds: 0.2,
        ladderTimeoutSeconds: 10, recoveryTimeoutSeconds: 30, parallelStreams: 4, ipVersion: 4}}' >"$OUT/params.json"
  "$LAB_SH" install-scripts --node 1 --from "$SCRIPTS_SRC" 3>&-
  # shellcheck disable=SC2016 # expanded on the node
  "$LAB_SH" ssh node1 "set -e; d=\"\$VPNLENS_HOME/runs/$RUN_ID\"; install -d -m 0700 \"\$d\";
    umask 077; cat >\"\$d/params.json\"" <"$OUT/params.json" 3>&-
  # shellcheck disable=SC2016 # expanded on the node
  RUN_PID=$("$LAB_SH" ssh node1 "setsid nohup \"\$VPNLENS_HOME/scripts/run.sh\" \
    \"\$VPNLENS_HOME/runs/$RUN_ID/params.json\" </dev/null >/dev/null 2>&1 & echo \$!" 3>&-)
  RUN_START=$(proc_starttime "$RUN_PID" || true)
  poll "$RUN_TIMEOUT" results_written || echo "run.sh wrote no results within ${RUN_TIMEOUT}s" >"$OUT/setup.error"
  cp -f "$LAB_DIR/node1/home/runs/$RUN_ID/results.json" "$LAB_DIR/node1/home/runs/$RUN_ID/run.log" "$OUT/" 2>/dev/null || true
}

teardown_file() {
  [[ "$(id -u)" -eq 0 ]] || return 0
  local pid start
  if [[ -r "$OUT/receiver.pid" ]]; then
    read -r pid start <"$OUT/receiver.pid"
    [[ -n "$(echo "$pid $start" | still_running)" ]] && kill "$pid" 2>/dev/null
  fi
  "$LAB_SH" down 3>&- || true
}

setup() {
  require_root
  [[ ! -s "$OUT/setup.error" ]] || fail "$(cat "$OUT/setup.error")"
}

protocol() { jq -c --arg p "$1" '.protocols[] | select(.protocol == $p)' "$OUT/results.json"; }

@test "blackhole on lowers the endpoint's bridge port only; status says so" {
  assert_equal "$(cat /sys/class/net/vl-cp0/mtu)" 1432
  assert_equal "$(on_node 1 cat /sys/class/net/eth0/mtu)" 1500
  assert_equal "$(on_cp cat /sys/class/net/eth0/mtu)" 1500
  run "$LAB_SH" status
  assert_line "blackhole   on (MTU 1432 on vl-cp0)"
  run "$LAB_SH" blackhole on 1279
  assert_failure
  assert_output --partial "the blackhole MTU must be a whole number from 1280 to 1499, got '1279'"
}

@test "wireguard: the old five rungs pass, rung 6 fails with the sentence and the path MTU" {
  local wg
  wg=$(protocol wireguard)
  assert_equal "$(jq -r '[.ladder[].rung] | join(",")' <<<"$wg")" "interface,ip,route,ping,backend"
  assert_equal "$(jq -r '.status, .error.phase, .error.message, .pathMtu, .mtu' <<<"$wg")" \
    "$(printf 'failed\nrung_full_size\nrung full_size: %s\n1360\n1420' "$WG_SENTENCE")"
}

@test "direct: the underlay itself fails rung 6 the same way, naming 1432" {
  assert_equal "$(protocol direct | jq -r '.error.message, .pathMtu')" \
    "$(printf 'rung full_size: %s\n1432' "$DIRECT_SENTENCE")"
}

@test "nebula (MTU 1300) fits through the blackhole and is measured" {
  # the error's message last, so a failure says why
  assert_equal "$(protocol nebula | jq -r '.status, .pathMtu, (.tcpUpload | length > 0), (.error.message // "no error")')" \
    "$(printf 'succeeded\n1300\ntrue\nno error')"
}

@test "no 0 Mbit/s figure is stored as a success" {
  run jq -r '.protocols[] | select(.status == "succeeded")
    | select([.tcpUpload[], .tcpDownload[], .udp[]] | map(.bitsPerSecond) | (length == 0 or min <= 0))
    | .protocol' "$OUT/results.json"
  assert_output ""
  run jq -r '.protocols[] | select(.status == "failed") | [.tcpUpload, .tcpDownload, .udp] | map(length) | add' "$OUT/results.json"
  assert_output "$(printf '0\n0')"
}

@test "switch.sh up says the same at a shell; blackhole off lets the sixth rung pass" {
  run on_node 1 "$LAB_DIR/node1/home/scripts/switch.sh" up wireguard
  assert_failure
  assert_output --partial "wireguard: rung full_size: $WG_SENTENCE"
  "$LAB_SH" blackhole off 3>&-
  assert_equal "$(cat /sys/class/net/vl-cp0/mtu)" 1500
  run --separate-stderr on_node 1 "$LAB_DIR/node1/home/scripts/switch.sh" up wireguard
  assert_success
  assert_equal "$(jq -r '[.ladder[].rung] | join(",")' <<<"$output")" "interface,ip,route,ping,backend,full_size"
  on_node 1 "$LAB_DIR/node1/home/scripts/switch.sh" stop >/dev/null 2>&1
}
