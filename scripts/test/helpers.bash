# shellcheck shell=bash
# Shared setup for the node scripts' bats tests: fakes first on PATH, every VPNLens path
# inside the test's own temp dir, and small helpers to arrange and inspect the fakes.
# Tests send nothing anywhere: the fakes simulate the network, and every address in the
# test configs is on loopback (127.0.0.1).

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load '/usr/lib/bats/bats-file/load'

bats_require_minimum_version 1.5.0

TEST_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPTS_DIR="$(cd "$TEST_DIR/.." && pwd)"
export FIXTURES="$TEST_DIR/fixtures"
readonly RUN_ID=0f8fad5b-d9cb-469f-a165-70867728950e
readonly SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw

# setup_fakes: call from setup().
setup_fakes() {
  export FAKE_STATE="$BATS_TEST_TMPDIR/fake"
  mkdir -p "$FAKE_STATE/net"
  export PATH="$TEST_DIR/fakes/cmd:$PATH"
  export VPNLENS_HOME="$BATS_TEST_TMPDIR/home"
  export VPNLENS_STATE_DIR="$BATS_TEST_TMPDIR/state"
  export VPNLENS_CONF_DIR="$BATS_TEST_TMPDIR/conf"
  # an empty sysfs: it does not show the fake network, so interfaces are asked of (fake) ip
  export VPNLENS_SYS_NET="$BATS_TEST_TMPDIR/sys/class/net"
  mkdir -p "$VPNLENS_HOME" "$VPNLENS_CONF_DIR" "$VPNLENS_SYS_NET"
  # the underlay: a link with a route to the loopback "peer"
  printf 'fake0 ether 1500\n' >"$FAKE_STATE/net/links"
  printf 'fake0 127.0.0.1/8\n' >"$FAKE_STATE/net/addrs"
  printf '127.0.0.1/32 fake0\n' >"$FAKE_STATE/net/routes"
}

# teardown_fakes: call from teardown(); stops every fake daemon a test left running.
teardown_fakes() {
  local pid _
  [[ -r "${FAKE_STATE:-}/procs" ]] || return 0
  while read -r pid _; do
    kill -TERM "$pid" 2>/dev/null || true
  done <"$FAKE_STATE/procs"
}

# load_node_libs: source every library, as run.sh and switch.sh do.
load_node_libs() {
  # shellcheck source-path=SCRIPTDIR source=../lib/node.sh
  source "$SCRIPTS_DIR/lib/node.sh"
}

# queue COMMAND SCENARIO...: the next calls of a fake play these scenarios, in order.
queue() {
  local cmd=$1
  shift
  printf '%s\n' "$@" >>"$FAKE_STATE/$cmd.queue"
}

calls() { cat "$FAKE_STATE/calls.log" 2>/dev/null || true; }

# write_env PROTOCOL KEY=VALUE...: its protocol.env, with PEER_IP/BACKEND_URL on loopback.
# The backend is an https:// URL so that the ladder asks (fake) curl for it; an http:// one
# is asked by bash's /dev/tcp, which ladder.bats tests against a real loopback server.
write_env() {
  local protocol=$1
  shift
  mkdir -p "$VPNLENS_CONF_DIR/$protocol"
  {
    echo "PEER_IP=127.0.0.1"
    echo "BACKEND_URL=https://127.0.0.1:8088/"
    echo "IPERF_PORT=5201"
    printf '%s\n' "$@"
  } >"$VPNLENS_CONF_DIR/$protocol/protocol.env"
}

# configure_protocols: a working protocol.env (and config) for every driver.
configure_protocols() {
  local c="$VPNLENS_CONF_DIR"
  write_env direct UNDERLAY_IF=fake0
  mkdir -p "$c/wireguard" "$c/nebula" "$c/openvpn" "$c/ipsec"
  printf '[Interface]\nPrivateKey = fake\nAddress = 127.0.0.2/32\nMTU = 1500\n\n[Peer]\nPublicKey = fake\nAllowedIPs = 127.0.0.1/32\n' >"$c/wireguard/wg.conf"
  write_env wireguard WG_INTERFACE=vlwg-t1 "WG_CONFIG=$c/wireguard/wg.conf" WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go
  printf 'pki:\n  ca: /dev/null\ntun:\n  dev: vlneb-t1\n' >"$c/nebula/config.yml"
  write_env nebula "NEBULA_CONFIG=$c/nebula/config.yml" NEBULA_INTERFACE=vlneb-t1
  write_env tailscale TS_LOGIN_SERVER=http://127.0.0.1:8080 TS_HOSTNAME=node1 TS_INTERFACE=vlts-t1
  printf 'client\nremote 127.0.0.1 1194\n' >"$c/openvpn/client.conf"
  write_env openvpn "OPENVPN_CONFIG=$c/openvpn/client.conf" OPENVPN_INTERFACE=vlovpn-t1
  printf 'connections {\n  lab {\n    remote_addrs = 127.0.0.1\n  }\n}\n' >"$c/ipsec/swanctl.conf"
  write_env ipsec "IPSEC_CONFIG=$c/ipsec/swanctl.conf" IPSEC_INTERFACE=ipsec0
}

# write_params FILE PROTOCOLS_JSON [SETTINGS_OVERRIDES_JSON]: a 0600 params.json.
write_params() {
  local file=$1 protocols=$2 overrides=${3:-'{}'}
  mkdir -p "$(dirname "$file")"
  jq -n --arg id "$RUN_ID" --arg secret "$SECRET" --argjson p "$protocols" --argjson o "$overrides" '{
    runId: $id, callbackUrl: ("http://127.0.0.1:9/api/runs/" + $id), secret: $secret,
    protocols: $p,
    settings: ({tcpSeconds: 1, udpSeconds: 1, omitSeconds: 0, repeats: 1, maxRepeats: 2,
      rsdThresholdPercent: 5, udpTargetMbps: 10, pingCount: 3, pingIntervalSeconds: 0.2,
      ladderTimeoutSeconds: 2, recoveryTimeoutSeconds: 2, parallelStreams: 4, ipVersion: 4} + $o),
    secrets: {tailscaleAuthKey: "hskey-auth-TESTKEY-do-not-leak"}}' >"$file"
  chmod 600 "$file"
}

# webhooks [JQ_FILTER]: the recorded callbacks, one JSON object per line, body parsed.
webhooks() {
  jq -rc "${1:-.}" <(jq -c '.body |= fromjson' "$FAKE_STATE/webhooks.jsonl" 2>/dev/null)
}

# phase_events PROTOCOL: "phase status" lines for one protocol, in posting order.
phase_events() {
  webhooks "select(.url | endswith(\"/phases\")) | .body | select(.protocol == \"$1\") | \"\\(.phase) \\(.status)\""
}

# iso_ms ISO: epoch milliseconds of an ISO-8601 UTC time with milliseconds.
iso_ms() { date -u -d "$1" +%s%3N; }

# log_line_ms FILE TEXT: epoch ms of the first log line in FILE that contains TEXT.
log_line_ms() {
  local line
  line=$(grep -F -m 1 -- "$2" "$1") || return 1
  iso_ms "${line%% *}"
}
