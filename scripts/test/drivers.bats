#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2317  # bats runs each @test in a subshell and calls functions indirectly
# The protocol drivers behind their one small interface, and their configuration files.

load helpers

setup() {
  setup_fakes
  configure_protocols
  load_node_libs
  mkdir -p "$VPNLENS_STATE_DIR"
}

teardown() { teardown_fakes; }

@test "every driver file is a protocol, direct first" {
  run known_protocols
  assert_output "$(printf 'direct\nipsec\nnebula\nopenvpn\ntailscale\nwireguard')"
  local p
  for p in direct ipsec nebula openvpn tailscale wireguard; do
    (load_driver "$p") || fail "driver $p does not load"
  done
}

@test "an unknown protocol has no driver" {
  run load_driver bogus
  assert_failure
  assert_output --partial "no driver for protocol 'bogus'"
  run load_driver '../lib/log'
  assert_failure
}

@test "a driver that lacks part of the interface is refused, naming the function" {
  cp -r "$SCRIPTS_DIR" "$BATS_TEST_TMPDIR/scripts"
  printf 'driver_check() { :; }\n' >"$BATS_TEST_TMPDIR/scripts/drivers/half.sh"
  run bash -c 'source "$1/lib/node.sh"; load_driver half' _ "$BATS_TEST_TMPDIR/scripts"
  assert_failure
  assert_output --partial "driver half does not define driver_up"
}

@test "protocol.env is read as data: quotes stripped, comments skipped, nothing executed" {
  mkdir -p "$VPNLENS_CONF_DIR/demo"
  cat >"$VPNLENS_CONF_DIR/demo/protocol.env" <<ENV
# a comment
PEER_IP="127.0.0.1"
export BACKEND_URL='http://127.0.0.1:8088/'

DEMO_CMD=\$(touch $BATS_TEST_TMPDIR/pwned)
ENV
  load_protocol_env demo
  assert_equal "$PEER_IP" 127.0.0.1
  assert_equal "$BACKEND_URL" http://127.0.0.1:8088/
  assert_equal "$DEMO_CMD" "\$(touch $BATS_TEST_TMPDIR/pwned)"
  assert_file_not_exists "$BATS_TEST_TMPDIR/pwned"
}

@test "protocol.env may not set PATH, LD_* or VPNLENS_*, and bad lines are named" {
  mkdir -p "$VPNLENS_CONF_DIR/demo"
  printf 'PATH=/tmp/evil\n' >"$VPNLENS_CONF_DIR/demo/protocol.env"
  run load_protocol_env demo
  assert_failure
  assert_output --partial "line 1: PATH may not be set from protocol.env"
  printf 'PEER_IP=127.0.0.1\nLD_PRELOAD=/tmp/x.so\n' >"$VPNLENS_CONF_DIR/demo/protocol.env"
  run load_protocol_env demo
  assert_output --partial "line 2: LD_PRELOAD may not be set"
  printf 'PEER_IP=127.0.0.1\nthis is not a setting\n' >"$VPNLENS_CONF_DIR/demo/protocol.env"
  run load_protocol_env demo
  assert_output --partial "line 2 is not KEY=value"
  run load_protocol_env missing required
  assert_failure
  assert_output --partial "no configuration for missing"
}

@test "the common keys are checked: PEER_IP an address, BACKEND_URL a URL, IPERF_PORT a port" {
  write_env direct UNDERLAY_IF=fake0 IPERF_PORT=70000
  load_driver direct
  run driver_check
  assert_failure
  assert_output --partial "IPERF_PORT"
  write_env direct UNDERLAY_IF=fake0 PEER_IP=not-an-ip
  load_driver direct
  run driver_check
  assert_output --partial "PEER_IP"
}

@test "direct brings nothing up and has nothing to restart" {
  load_driver direct required
  driver_check
  driver_up
  assert_equal "$(driver_interface)" fake0
  assert_equal "$(driver_daemon_pid)" ""
  assert_equal "$(driver_versions)" "{}"
  run driver_restart
  assert_equal "$status" "$DRIVER_NOT_APPLICABLE"
}

@test "wireguard: wg-quick reads a copy of the config with MTU 1420, whatever the original says" {
  load_driver wireguard required
  driver_check
  driver_up
  local copy="$VPNLENS_STATE_DIR/wireguard/vlwg-t1.conf"
  assert_file_exists "$copy"
  assert_equal "$(grep -ci '^mtu' "$copy")" 1
  assert_equal "$(grep -i '^mtu' "$copy")" "MTU = 1420"
  assert_equal "$(stat -c %a "$copy")" 600
  assert_equal "$(link_mtu vlwg-t1)" 1420
  run calls
  assert_output --partial "wg-quick up $copy"
  assert_output --partial "env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go"
}

@test "wireguard: a config without MTU gets one" {
  printf '[Interface]\nAddress = 127.0.0.2/32\n\n[Peer]\nAllowedIPs = 127.0.0.1/32\n' >"$VPNLENS_CONF_DIR/wireguard/wg.conf"
  load_driver wireguard required
  driver_up
  run awk '/^\[Interface\]/ { i = 1; next } /^\[/ { i = 0 } i && /^MTU/' "$VPNLENS_STATE_DIR/wireguard/vlwg-t1.conf"
  assert_output "MTU = 1420"
}

@test "wireguard: an interface that still came up with another MTU is forced to 1420" {
  export FAKE_WG_IGNORE_MTU=1
  load_driver wireguard required
  driver_up
  assert_equal "$(link_mtu vlwg-t1)" 1420
  run calls
  assert_output --partial "ip link set dev vlwg-t1 mtu 1420"
}

@test "wireguard: a failing wg-quick up is a failure with a reason" {
  queue wg-quick fail
  load_driver wireguard required
  run driver_up
  assert_failure
  assert_output --partial "wg-quick up vlwg-t1 failed"
}

@test "wireguard: a restart whose wg-quick up fails tries once more, and a second failure is a failure" {
  load_driver wireguard required
  driver_up
  queue wg-quick fail
  run driver_restart
  assert_success
  assert_output --partial "once more when the old one has gone"
  assert_equal "$(link_mtu vlwg-t1)" 1420
  queue wg-quick fail fail
  run driver_restart
  assert_failure
  assert_output --partial "wg-quick up vlwg-t1 failed during restart, twice"
}

@test "wireguard: versions name the tools, and the kernel when no wireguard-go runs" {
  load_driver wireguard required
  run driver_versions
  assert_output "$(jq -cn --arg k "$(uname -r)" '{"wireguard-tools": "v1.0.20210914", kernel: $k}')"
}

@test "tailscale: up is headless, the key goes by file and never into argv" {
  local key=hskey-auth-TESTKEY-do-not-leak
  (umask 077 && printf '%s\n' "$key" >"$BATS_TEST_TMPDIR/authkey")
  export TS_AUTH_KEY_FILE="$BATS_TEST_TMPDIR/authkey"
  load_driver tailscale required
  driver_check
  driver_up
  run calls
  refute_output --partial "$key"
  assert_output --partial "--auth-key=file:$BATS_TEST_TMPDIR/authkey"
  assert_output --partial "--login-server=http://127.0.0.1:8080"
  assert_output --partial "--hostname=node1"
  assert_output --partial "--accept-dns=false"
  assert_output --regexp "--timeout=[0-9]+s"
  assert_output --partial "tailscale authkey-from-file $(printf '%s\n' "$key" | sha256sum | cut -c1-16)"
  refute_output --partial "tailscale login"
  assert [ -n "$(driver_daemon_pid)" ]
  assert_equal "$(driver_interface)" vlts-t1
}

@test "tailscale: a login prompt fails the bring-up at once instead of waiting for a human" {
  printf 'hskey\n' >"$BATS_TEST_TMPDIR/authkey"
  export TS_AUTH_KEY_FILE="$BATS_TEST_TMPDIR/authkey" TS_UP_TIMEOUT_SECONDS=120
  queue tailscale interactive
  load_driver tailscale required
  local start
  start=$(now_ms)
  run driver_up
  assert_failure
  assert_output --partial "tailscale asked for an interactive login"
  # it gave up on seeing the prompt, not at the bring-up's timeout (a bound no busy machine comes near)
  (($(now_ms) - start < 60000)) || fail "driver_up waited $(($(now_ms) - start)) ms for a human"
  # and the waiting tailscale was stopped, not left behind
  assert_file_exists "$FAKE_STATE/tailscale-waiting.pid"
  poll_until 20000 _is_gone "$(cat "$FAKE_STATE/tailscale-waiting.pid")" || fail "the waiting tailscale up still runs"
}

@test "tailscale: a rejected key fails with tailscale's message" {
  printf 'hskey\n' >"$BATS_TEST_TMPDIR/authkey"
  export TS_AUTH_KEY_FILE="$BATS_TEST_TMPDIR/authkey"
  queue tailscale fail
  load_driver tailscale required
  run driver_up
  assert_failure
  assert_output --partial "tailscale up failed (exit 1): backend error: invalid key"
}

@test "tailscale: no key, no bring-up" {
  load_driver tailscale required
  run driver_check
  assert_failure
  assert_output --partial "no Headscale auth key"
}

@test "tailscale: a CLI without file: support gets the key in argv, with a warning" {
  printf 'hskey-old\n' >"$BATS_TEST_TMPDIR/authkey"
  export TS_AUTH_KEY_FILE="$BATS_TEST_TMPDIR/authkey" FAKE_TS_NO_FILE_AUTHKEY=1
  load_driver tailscale required
  run driver_up
  assert_success
  assert_output --partial "this CLI has no --auth-key=file:"
}

@test "tailscale: down runs tailscale down, stops tailscaled and cleans up" {
  printf 'hskey\n' >"$BATS_TEST_TMPDIR/authkey"
  export TS_AUTH_KEY_FILE="$BATS_TEST_TMPDIR/authkey"
  load_driver tailscale required
  driver_up
  local pid
  pid=$(driver_daemon_pid)
  driver_down
  is_running "$pid" && fail "tailscaled still runs"
  assert_file_not_exists "$VPNLENS_STATE_DIR/tailscaled.pid"
  run calls
  assert_output --partial "down"
  assert_output --partial "tailscaled --cleanup"
  run link_exists vlts-t1
  assert_failure
}

@test "tailscale: restart starts a new tailscaled on the same state" {
  printf 'hskey\n' >"$BATS_TEST_TMPDIR/authkey"
  export TS_AUTH_KEY_FILE="$BATS_TEST_TMPDIR/authkey"
  load_driver tailscale required
  driver_up
  local before
  before=$(driver_daemon_pid)
  driver_restart
  poll_until 3000 test -n "$(driver_daemon_pid)"
  refute [ "$(driver_daemon_pid)" = "$before" ]
  run grep -c '^tailscale .* up ' "$FAKE_STATE/calls.log"
  assert_output 1
}

@test "a daemon's start is waited for until its interface exists, polled with short pauses and no sleep" {
  daemon_start fakevpn "$VPNLENS_STATE_DIR/fakevpn.log" sleep 30
  link_exists() { [[ -e "$BATS_TEST_TMPDIR/link-$1" ]]; }
  PAUSES=()
  pause_ms() {
    PAUSES+=("$1")
    ((${#PAUSES[@]} < 4)) || touch "$BATS_TEST_TMPDIR/link-vlfake0"
  }
  wait_daemon_started fakevpn sleep vlfake0
  assert_equal "${#PAUSES[@]}" 4
  local pause
  for pause in "${PAUSES[@]}"; do
    ((pause >= 2 && pause < 20)) || fail "pauses: ${PAUSES[*]}"
  done
  assert [ -n "$(pid_from_pidfile fakevpn sleep)" ]
  daemon_stop fakevpn sleep
}

@test "a daemon not yet exec'd (still called bash) is waited for, not taken for one that exited" {
  daemon_start fakevpn "$VPNLENS_STATE_DIR/fakevpn.log" bash -c 'sleep 0.3; exec sleep 30'
  link_exists() { [[ -e "$BATS_TEST_TMPDIR/link-$1" ]]; }
  (
    sleep 0.5
    touch "$BATS_TEST_TMPDIR/link-vlfake0"
  ) &
  run wait_daemon_started fakevpn sleep vlfake0
  assert_success
  refute_output --partial "exited at once"
  assert [ -n "$(pid_from_pidfile fakevpn sleep)" ]
  daemon_stop fakevpn sleep
}

@test "a daemon that exits at once fails its bring-up with the end of its log" {
  daemon_start fakevpn "$VPNLENS_STATE_DIR/fakevpn.log" bash -c 'echo "fatal: no such key file"; exit 1'
  link_exists() { return 1; }
  run wait_daemon_started fakevpn bash vlfake0
  assert_failure
  assert_output --partial "fakevpn exited at once: fatal: no such key file"
}

@test "nebula: the config must set tun.dev to NEBULA_INTERFACE and pass nebula -test" {
  load_driver nebula required
  driver_check
  printf 'tun:\n  dev: other0\n' >"$VPNLENS_CONF_DIR/nebula/config.yml"
  run driver_check
  assert_failure
  assert_output --partial "does not set tun.dev to vlneb-t1"
  printf 'tun:\n  dev: vlneb-t1\n' >"$VPNLENS_CONF_DIR/nebula/config.yml"
  queue nebula fail
  run driver_check
  assert_failure
  assert_output --partial 'nebula rejects'
  assert_output --partial 'no pki.ca path'
}

@test "nebula: up starts a daemon with a pidfile; restart replaces it; down stops it" {
  load_driver nebula required
  driver_up
  local first
  first=$(driver_daemon_pid)
  assert [ -n "$first" ]
  assert_file_exists "$VPNLENS_STATE_DIR/nebula.pid"
  run link_exists vlneb-t1
  assert_success
  driver_restart
  wait_daemon_started nebula nebula vlneb-t1
  refute [ "$(driver_daemon_pid)" = "$first" ]
  is_running "$first" && fail "the old nebula still runs"
  driver_down
  assert_equal "$(driver_daemon_pid)" ""
  run link_exists vlneb-t1
  assert_failure
  run jq -r .nebula <<<"$(driver_versions)"
  assert_output 1.6.1
}

@test "openvpn: up and down by pidfile, with the configured tun" {
  load_driver openvpn required
  driver_check
  driver_up
  run link_exists vlovpn-t1
  assert_success
  assert [ -n "$(driver_daemon_pid)" ]
  driver_down
  run link_exists vlovpn-t1
  assert_failure
  run jq -r .openvpn <<<"$(driver_versions)"
  assert_output 2.6.14
}

@test "ipsec: up starts charon-systemd with the driver's own strongswan.conf and loads the connections over its socket" {
  load_driver ipsec required
  driver_check
  driver_up
  local pid conf
  pid=$(driver_daemon_pid)
  assert [ -n "$pid" ]
  assert_file_exists "$VPNLENS_STATE_DIR/charon-systemd.pid"
  conf="$VPNLENS_STATE_DIR/ipsec/strongswan.conf"
  run grep -c 'kernel-libipsec' "$conf"
  assert_output 1
  run grep -F "socket = unix://$VPNLENS_STATE_DIR/ipsec/charon.vici" "$conf"
  assert_success
  run grep -F "swanctl --load-all --file $VPNLENS_CONF_DIR/ipsec/swanctl.conf --uri unix://$VPNLENS_STATE_DIR/ipsec/charon.vici" "$FAKE_STATE/calls.log"
  assert_success
  assert_equal "$(link_mtu ipsec0)" 1400
  assert_equal "$(driver_interface)" ipsec0
  run jq -r .strongswan <<<"$(driver_versions)"
  assert_output 5.9.8
  driver_down
  is_running "$pid" && fail "charon-systemd still runs after down"
  run link_exists ipsec0
  assert_failure
}

@test "ipsec: a config swanctl refuses fails the bring-up with swanctl's reason" {
  load_driver ipsec required
  queue swanctl fail
  run driver_up
  assert_failure
  assert_output --partial "swanctl could not load $VPNLENS_CONF_DIR/ipsec/swanctl.conf: loading connection 'lab' failed: invalid value for: remote_addrs"
  driver_down
}

@test "ipsec: the interface must be a kernel-libipsec TUN and the config must have connections" {
  write_env ipsec "IPSEC_CONFIG=$VPNLENS_CONF_DIR/ipsec/swanctl.conf" IPSEC_INTERFACE=vlipsec-n1
  load_driver ipsec required
  run driver_check
  assert_failure
  assert_output --partial "IPSEC_INTERFACE in $VPNLENS_CONF_DIR/ipsec/protocol.env must be a TUN kernel-libipsec makes (ipsec0, ipsec1, ...), not 'vlipsec-n1'"
  write_env ipsec "IPSEC_CONFIG=$VPNLENS_CONF_DIR/ipsec/swanctl.conf" IPSEC_INTERFACE=ipsec0
  printf 'secrets { }\n' >"$VPNLENS_CONF_DIR/ipsec/swanctl.conf"
  load_driver ipsec required
  run driver_check
  assert_failure
  assert_output --partial "has no connections { } section"
}

@test "ipsec: restart replaces charon and loads the connections again; down without a protocol.env still stops it" {
  load_driver ipsec required
  driver_up
  local first second
  first=$(driver_daemon_pid)
  driver_restart
  second=$(driver_daemon_pid)
  assert [ -n "$second" ]
  refute [ "$second" = "$first" ]
  is_running "$first" && fail "the old charon-systemd still runs"
  run grep -c -- '--load-all' "$FAKE_STATE/calls.log"
  assert_output 2
  rm "$(protocol_env_file ipsec)"
  load_driver ipsec
  run driver_down
  assert_success
  run is_running "$second"
  assert_failure
}

@test "openvpn: restart replaces the daemon, down without a protocol.env still stops it, the next driver inherits nothing" {
  load_driver openvpn required
  driver_up
  local first
  first=$(driver_daemon_pid)
  assert [ -n "$first" ]
  driver_restart
  wait_daemon_started openvpn openvpn vlovpn-t1
  refute [ "$(driver_daemon_pid)" = "$first" ]
  is_running "$first" && fail "the old openvpn still runs"
  local second
  second=$(driver_daemon_pid)
  rm "$(protocol_env_file openvpn)"
  load_driver openvpn
  run driver_down
  assert_success
  is_running "$second" && fail "openvpn still runs after down"
  load_driver wireguard required
  run declare -F daemon_args daemon_driver_start
  assert_failure
  assert_output ""
}
