#!/usr/bin/env bats
# The lab itself, with the real tools: up builds hosts that answer like real ones,
# the tunnels work when brought up by hand, and down leaves nothing behind.
# Needs root. Run through scripts/test/run-lab.sh.

bats_require_minimum_version 1.5.0

load lab_helper

setup_file() {
  [[ "$(id -u)" -eq 0 ]] || return 0
  "$LAB_SH" up --nodes 2 --recreate 3>&-
}

teardown_file() {
  [[ "$(id -u)" -eq 0 ]] || return 0
  "$LAB_SH" down 3>&- || true
}

setup() {
  require_root
}

teardown() {
  # A tunnel a failed test brought up by hand must not spoil the next test.
  if [[ -n "${NEBULA_PID:-}" ]]; then kill "$NEBULA_PID" 2>/dev/null || true; fi
  if [[ -n "${OPENVPN_PID:-}" ]]; then kill "$OPENVPN_PID" 2>/dev/null || true; fi
}

# only_sshd_left_on N: nothing but the lab's sshd runs in node N's namespace.
only_sshd_left_on() {
  local pid
  for pid in $(ip netns pids "vl-node$1"); do
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == sshd ]] || return 1
  done
}

link_gone_on() { ! ip -n "vl-node$1" link show dev "$2" >/dev/null 2>&1; }

# --- hosts ---------------------------------------------------------------------------

@test "up creates the cp and node namespaces wired to the vl-br0 bridge at 198.18.0.1" {
  run ip netns list
  assert_output --regexp 'vl-cp'
  assert_output --regexp 'vl-node1'
  assert_output --regexp 'vl-node2'
  run ip -4 -o addr show dev vl-br0
  assert_output --partial '198.18.0.1/24'
  run on_node 1 ip -4 -o addr show dev eth0
  assert_output --partial '198.18.0.11/24'
  run on_node 2 ping -c 1 -W 2 198.18.0.1
  assert_success
  run on_node 1 ping -c 1 -W 2 198.18.0.12
  assert_success
}

@test "every lab address is in 198.18.0.0/15 or loopback, and no IPv6 at all" {
  local ns
  for ns in vl-cp vl-node1 vl-node2; do
    run ip -n "$ns" -o addr show
    assert_success
    refute_output --partial 'inet6'
    while read -r _ _ family addr _; do
      [[ "$family" == inet ]] || continue
      [[ "$addr" =~ ^(198\.1[89]\.|127\.0\.0\.1/) ]] || fail "$ns has $addr"
    done <<<"$output"
  done
  run ip -o addr show dev vl-br0
  refute_output --partial 'inet6'
  run ip route show 198.18.0.0/15
  assert_output --partial 'unreachable 198.18.0.0/15'
  run on_node 1 ip route show default
  assert_output ''
}

@test "the cp endpoint forwards IP and serves WireGuard, Nebula, OpenVPN, HTTP and iperf3" {
  run on_cp sysctl -n net.ipv4.ip_forward
  assert_output 1
  run on_cp ip -o link show dev vlwg-cp
  assert_output --partial 'mtu 1420'
  run on_cp ip -4 -o addr show dev vlwg-cp
  assert_output --partial '198.19.1.1/24'
  run on_cp ip -4 -o addr show dev vlneb-cp
  assert_output --partial '198.19.2.1/24'
  run on_cp wg show vlwg-cp listen-port
  assert_output 51820
  run on_cp wg show vlwg-cp allowed-ips
  assert_output --partial '198.19.1.11/32'
  assert_output --partial '198.19.1.12/32'
  run on_cp ss -Hlun 'sport = :4242'
  assert_output --partial ':4242'
  run on_cp ip -o link show dev vlovpn-cp
  assert_output --partial 'mtu 1420'
  run on_cp ip -4 -o addr show dev vlovpn-cp
  assert_output --partial '198.19.3.1/24'
  run on_cp ss -Hlun 'sport = :1194'
  assert_output --partial '198.18.0.2:1194'
  run on_node 1 curl -fsS -m 5 http://198.18.0.2:8088/
  assert_output 'vpnlens lab backend'
  run on_node 2 iperf3 -c 198.18.0.2 -p 5202 -t 1 -J
  assert_success
  assert [ "$(jq '.end.sum_received.bits_per_second | floor' <<<"$output")" -gt 0 ]
}

# --- ssh -------------------------------------------------------------------------------

@test "nodes.json lists each node with its key and the pinned host-key fingerprint" {
  assert_file_exists "$LAB_DIR/nodes.json"
  run jq -r '.nodes[0] | [.name, .host, (.port|tostring), .user, .privateKeyPath] | join(" ")' "$LAB_DIR/nodes.json"
  assert_output "node1 198.18.0.11 22 root $LAB_DIR/ssh/id_ed25519"
  run jq -r '.nodes | length' "$LAB_DIR/nodes.json"
  assert_output 2
  local n pinned served
  for n in 1 2; do
    pinned=$(jq -r ".nodes[$((n - 1))].hostKeyFingerprint" "$LAB_DIR/nodes.json")
    [[ "$pinned" =~ ^SHA256:[A-Za-z0-9+/]{43}$ ]] || fail "bad fingerprint format: $pinned"
    served=$(ssh-keyscan -T 5 -t ed25519 "198.18.0.1$n" 2>/dev/null | ssh-keygen -lf - | awk '{print $2}')
    assert_equal "$served" "$pinned"
  done
}

@test "a node's sshd takes the lab key, sets VPNLENS_* and refuses passwords" {
  local key="$LAB_DIR/ssh/id_ed25519"
  run ssh -F none -i "$key" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$LAB_DIR/ssh/known_hosts" root@198.18.0.12 \
    'echo "$(hostname) $(id -un) $VPNLENS_HOME $VPNLENS_CONF_DIR $VPNLENS_STATE_DIR"; ip -4 -o addr show dev eth0'
  assert_success
  assert_line --index 0 "node2 root $LAB_DIR/node2/home $LAB_DIR/node2/conf $LAB_DIR/node2/state"
  assert_line --index 1 --partial '198.18.0.12/24'
  run ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$LAB_DIR/ssh/known_hosts" \
    -o PreferredAuthentications=password,keyboard-interactive -o PubkeyAuthentication=no root@198.18.0.11 true
  assert_failure
  # A wrong pinned key is refused.
  printf '198.18.0.11 %s\n' "$(cut -d' ' -f1,2 "$LAB_DIR/node2/ssh/ssh_host_ed25519_key.pub")" >"$BATS_TEST_TMPDIR/wrong_hosts"
  run ssh -F none -i "$key" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$BATS_TEST_TMPDIR/wrong_hosts" root@198.18.0.11 true
  assert_failure
}

@test "a node's root home is its own and empty, as on a fresh node, and this machine's is untouched" {
  run ssh -F none -i "$LAB_DIR/ssh/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$LAB_DIR/ssh/known_hosts" root@198.18.0.11 'echo "$HOME"; ls -A "$HOME" | wc -l'
  assert_success
  assert_line --index 0 /root
  assert_line --index 1 0
  # the mount is the node's alone
  run findmnt -n /root
  refute_output --partial lab-root
}

@test "lab.sh ssh, exec and install-scripts reach a node like the control plane does" {
  # shellcheck disable=SC2016 # expanded on the node
  run "$LAB_SH" ssh node1 'printf %s "$VPNLENS_CONF_DIR"'
  assert_output "$LAB_DIR/node1/conf"
  run "$LAB_SH" exec node2 printenv VPNLENS_STATE_DIR
  assert_output "$LAB_DIR/node2/state"
  local src="$BATS_TEST_TMPDIR/scripts"
  mkdir -p "$src/drivers" "$src/lab" "$src/test"
  printf '#!/bin/sh\necho run\n' >"$src/run.sh"
  touch "$src/drivers/wireguard.sh" "$src/lab/lab.sh" "$src/test/x.bats"
  run "$LAB_SH" install-scripts --node 1 --from "$src"
  assert_success
  assert_file_exists "$LAB_DIR/node1/home/scripts/run.sh"
  assert_file_exists "$LAB_DIR/node1/home/scripts/drivers/wireguard.sh"
  assert_file_not_exists "$LAB_DIR/node1/home/scripts/lab/lab.sh"
  assert_file_not_exists "$LAB_DIR/node1/home/scripts/test/x.bats"
  assert_file_not_exists "$LAB_DIR/node2/home/scripts/run.sh"
}

# --- per-protocol configuration ----------------------------------------------------------

@test "each node has direct, wireguard, nebula, openvpn and ipsec protocol.env files as the contract says" {
  local conf="$LAB_DIR/node1/conf"
  run bash -c "set -u; source '$conf/direct/protocol.env'; echo \"\$PEER_IP \$BACKEND_URL \$IPERF_PORT \$UNDERLAY_IF\""
  assert_output '198.18.0.2 http://198.18.0.2:8088/ 5201 eth0'
  run bash -c "set -u; source '$conf/wireguard/protocol.env'; echo \"\$PEER_IP \$BACKEND_URL \$WG_INTERFACE \$WG_CONFIG\""
  assert_output "198.19.1.1 http://198.19.1.1:8088/ vlwg-n1 $conf/wireguard/vlwg-n1.conf"
  run bash -c "set -u; source '$conf/nebula/protocol.env'; echo \"\$PEER_IP \$BACKEND_URL \$NEBULA_INTERFACE \$NEBULA_CONFIG\""
  assert_output "198.19.2.1 http://198.19.2.1:8088/ vlneb-n1 $conf/nebula/config.yml"
  run cat "$conf/wireguard/vlwg-n1.conf"
  assert_line 'MTU = 1420'
  assert_line 'Address = 198.19.1.11/24'
  assert_line 'Endpoint = 198.18.0.2:51820'
  assert_line 'AllowedIPs = 198.19.1.0/24'
  assert_line --regexp '^PersistentKeepalive = [0-9]+$'
  run cat "$conf/nebula/config.yml"
  assert_line '  dev: vlneb-n1'
  assert_line '  "198.19.2.1": ["198.18.0.2:4242"]'
  run bash -c "set -u; source '$conf/openvpn/protocol.env'; echo \"\$PEER_IP \$BACKEND_URL \$OPENVPN_INTERFACE \$OPENVPN_CONFIG\""
  assert_output "198.19.3.1 http://198.19.3.1:8088/ vlovpn-n1 $conf/openvpn/client.conf"
  run cat "$conf/openvpn/client.conf"
  assert_line 'remote 198.18.0.2 1194'
  assert_line 'tun-mtu 1420'
  assert_line 'remote-cert-tls server'
  run cat "$LAB_DIR/cp/openvpn/ccd/node2"
  assert_output 'ifconfig-push 198.19.3.12 255.255.255.0'
  run bash -c "set -u; source '$conf/ipsec/protocol.env'; echo \"\$PEER_IP \$BACKEND_URL \$IPSEC_INTERFACE \$IPSEC_CONFIG\""
  assert_output "198.19.4.1 http://198.19.4.1:8088/ ipsec0 $conf/ipsec/swanctl.conf"
  run cat "$conf/ipsec/swanctl.conf"
  assert_line '    remote_addrs = 198.18.0.2'
  assert_line '        remote_ts = 198.19.4.1/32'
  assert_line '        esp_proposals = aes256gcm16'
  assert_line --regexp '^    secret = 0x[0-9a-f]{64}$'
  # each node has its own key
  refute [ "$(grep secret "$conf/ipsec/swanctl.conf")" = "$(grep secret "$LAB_DIR/node2/conf/ipsec/swanctl.conf")" ]
  run bash -c "source '$LAB_DIR/node2/conf/wireguard/protocol.env'; echo \$WG_INTERFACE \$IPERF_PORT"
  assert_output 'vlwg-n2 5202'
}

# --- tunnels by hand --------------------------------------------------------------------

@test "wireguard: wg-quick up on node1 reaches 198.19.1.1 at MTU 1420, down leaves nothing" {
  local conf="$LAB_DIR/node1/conf/wireguard/vlwg-n1.conf"
  run on_node 1 env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go wg-quick up "$conf"
  assert_success
  run on_node 1 ip -o link show dev vlwg-n1
  assert_output --partial 'mtu 1420'
  run poll 10 on_node 1 ping -c 1 -W 1 198.19.1.1
  assert_success
  # A full-size packet crosses the tunnel without fragmenting: 1420 - 28 bytes of headers.
  run on_node 1 ping -c 1 -W 2 -M "do" -s 1392 198.19.1.1
  assert_success
  run on_node 1 curl -fsS -m 5 http://198.19.1.1:8088/
  assert_output 'vpnlens lab backend'
  run on_cp wg show vlwg-cp latest-handshakes
  assert_line --regexp "^$(sed 's/[+/]/./g' "$LAB_DIR/cp/wireguard/node1.pub")"$'\t''[1-9][0-9]*$'
  run on_node 1 wg-quick down "$conf"
  assert_success
  run poll 5 only_sshd_left_on 1
  assert_success
  assert_file_not_exists /var/run/wireguard/vlwg-n1.sock
}

@test "nebula: node2 joins the lighthouse and reaches 198.19.2.1" {
  nebula_on 2
  run poll 10 on_node 2 ip -4 -o addr show dev vlneb-n2
  assert_success
  run poll 10 on_node 2 ping -c 1 -W 1 198.19.2.1
  assert_success
  run on_node 2 curl -fsS -m 5 http://198.19.2.1:8088/
  assert_output 'vpnlens lab backend'
  kill "$NEBULA_PID"
  run poll 5 link_gone_on 2 vlneb-n2
  assert_success
}

@test "openvpn: node1 connects with its certificate, gets 198.19.3.11 and reaches 198.19.3.1 at MTU 1420" {
  openvpn_on 1
  run poll 15 on_node 1 ip -4 -o addr show dev vlovpn-n1
  assert_success
  assert_output --partial '198.19.3.11/24'
  run on_node 1 ip -o link show dev vlovpn-n1
  assert_output --partial 'mtu 1420'
  run poll 10 on_node 1 ping -c 1 -W 1 198.19.3.1
  assert_success
  run on_node 1 curl -fsS -m 5 http://198.19.3.1:8088/
  assert_output 'vpnlens lab backend'
  kill "$OPENVPN_PID"
  run poll 5 link_gone_on 1 vlovpn-n1
  assert_success
  run grep -F 'Peer Connection Initiated' "$BATS_TEST_TMPDIR/openvpn.log"
  assert_success
}

@test "openvpn: a client whose certificate the lab CA did not sign is refused" {
  local dir="$BATS_TEST_TMPDIR/stranger"
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=node2 \
    -keyout "$dir/host.key" -out "$dir/host.crt" 2>/dev/null
  sed "s#^cert .*#cert $dir/host.crt#; s#^key .*#key $dir/host.key#" \
    "$LAB_DIR/node2/conf/openvpn/client.conf" >"$dir/client.conf"
  openvpn_on 2 "$dir/client.conf"
  run poll 15 grep -qE 'TLS Error|AUTH_FAILED|SIGUSR1' "$BATS_TEST_TMPDIR/openvpn.log"
  assert_success
  run on_node 2 ip -4 -o addr show dev vlovpn-n2
  refute_output --partial '198.19.3.'
  kill "$OPENVPN_PID"
}

@test "ipsec: node1 gets 198.19.4.11 over IKEv2 and reaches 198.19.4.1 through kernel-libipsec at MTU 1400" {
  ipsec_on 1
  run poll 15 on_node 1 ip -4 -o addr show dev ipsec0
  assert_success
  assert_output --partial '198.19.4.11/32'
  run on_node 1 ip -o link show dev ipsec0
  assert_output --partial 'mtu 1400'
  run poll 10 on_node 1 ping -c 1 -W 1 198.19.4.1
  assert_success
  # A full-size packet crosses without fragmenting: 1400 - 28 bytes of headers.
  run on_node 1 ping -c 1 -W 2 -M "do" -s 1372 198.19.4.1
  assert_success
  run on_node 1 curl -fsS -m 5 http://198.19.4.1:8088/
  assert_output 'vpnlens lab backend'
  run grep -E 'CHILD_SA .* established' "$BATS_TEST_TMPDIR/ipsec-n1/charon.log"
  assert_success
  run grep -F 'AES_GCM_16' "$BATS_TEST_TMPDIR/ipsec-n1/charon.log"
  assert_success
  kill "$IPSEC_PID"
  run poll 10 link_gone_on 1 ipsec0
  assert_success
}

@test "ipsec: a node with the wrong pre-shared key is refused" {
  local config="$BATS_TEST_TMPDIR/wrong-key.conf"
  sed "s/secret = 0x.*/secret = 0x$(openssl rand -hex 32)/" "$LAB_DIR/node2/conf/ipsec/swanctl.conf" >"$config"
  ipsec_on 2 "$config"
  run poll 15 grep -qE 'AUTHENTICATION_FAILED|authentication .* failed' "$BATS_TEST_TMPDIR/ipsec-n2/charon.log"
  assert_success
  run on_node 2 ip -4 -o addr show dev ipsec0
  refute_output --partial '198.19.4.'
  kill "$IPSEC_PID"
  run poll 10 link_gone_on 2 ipsec0
  assert_success
}

# --- idempotence and teardown ---------------------------------------------------------------

@test "up when already up changes nothing" {
  local before
  before=$(lab_recorded_pids)
  run "$LAB_SH" up --nodes 2
  assert_success
  assert_output --partial 'already up'
  assert_equal "$(lab_recorded_pids)" "$before"
  run "$LAB_SH" status
  assert_success
}

@test "down, twice, leaves no namespace, link, socket, route or process, even with tunnels up" {
  # Leave things running the way a failed test would: a WireGuard daemon and a
  # nebula that nobody recorded, plus a stray process.
  on_node 1 env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go \
    wg-quick up "$LAB_DIR/node1/conf/wireguard/vlwg-n1.conf" >/dev/null 2>&1
  setsid ip netns exec vl-node2 nebula -config "$LAB_DIR/node2/conf/nebula/config.yml" \
    </dev/null >/dev/null 2>&1 3>&- &
  setsid ip netns exec vl-cp sleep 300 </dev/null >/dev/null 2>&1 3>&- &
  local recorded stray
  recorded=$(lab_recorded_pids)
  stray=$(for ns in vl-cp vl-node1 vl-node2; do ip netns pids "$ns"; done | with_start_time)
  assert [ -n "$recorded" ]
  assert [ -n "$stray" ]

  run "$LAB_SH" down
  assert_success
  run "$LAB_SH" down
  assert_success

  run lab_leftovers
  assert_output ''
  run still_running <<<"$recorded"
  assert_output ''
  run still_running <<<"$stray"
  assert_output ''
  assert_dir_not_exists "$LAB_DIR"
  run "$LAB_SH" status
  assert_failure
}

@test "an up that fails half-way tears down what it built" {
  # sshd is the last thing up starts; a broken one fails up after the cp services run.
  run env VPNLENS_LAB_SSHD=/bin/false "$LAB_SH" up --nodes 1 3>&-
  assert_failure
  assert_output --partial 'up did not finish'
  run lab_leftovers
  assert_output ''
  # The failed up kept its files: every process it started is logged with its start time.
  local started
  started=$(sed -n 's/.* started .* (pid \([0-9]*\), start \([0-9]*\)) .*/\1 \2/p' "$LAB_DIR/logs/lab.log")
  assert [ -n "$started" ]
  run still_running <<<"$started"
  assert_output ''
  run "$LAB_SH" down
  assert_success
}

@test "up explains what is missing when a tool is not installed, and builds nothing" {
  local bin="$BATS_TEST_TMPDIR/bin" tool
  mkdir -p "$bin"
  for tool in bash id dirname date cat sed awk grep ip ss; do ln -s "$(command -v "$tool")" "$bin/$tool"; done
  run env PATH="$bin" "$LAB_SH" up 3>&-
  assert_failure
  assert_output --partial 'wireguard-go (wireguard-go)'
  assert_output --partial 'nebula-cert (nebula)'
  assert_output --partial 'apt-get install'
  run lab_leftovers
  assert_output ''
}

@test "up refuses to run without root" {
  run setpriv --reuid=65534 --regid=65534 --clear-groups "$LAB_SH" up 3>&-
  assert_failure
  assert_output --partial 'needs root'
}

@test "up rejects a bad node count" {
  run "$LAB_SH" up --nodes 0
  assert_failure
  assert_output --partial '--nodes must be'
  run "$LAB_SH" up --nodes x
  assert_failure
}
