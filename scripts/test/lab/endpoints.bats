#!/usr/bin/env bats
# A lab of two VPN endpoints (`lab.sh up --endpoints 2`), with the real tools: node1 measures
# against vl-cp, node2 against vl-ep2 (198.18.0.3, tunnels 198.19.11-14.x), every one of
# node2's tunnels reaches endpoint 2 and not endpoint 1, and down removes both.
# Needs root. Run through scripts/test/run-lab.sh.

bats_require_minimum_version 1.5.0

load lab_helper

setup_file() {
  [[ "$(id -u)" -eq 0 ]] || return 0
  "$LAB_SH" up --nodes 2 --endpoints 2 --recreate 3>&-
}

teardown_file() {
  [[ "$(id -u)" -eq 0 ]] || return 0
  "$LAB_SH" down 3>&- || true
}

setup() {
  require_root
}

teardown() {
  if [[ -n "${NEBULA_PID:-}" ]]; then kill "$NEBULA_PID" 2>/dev/null || true; fi
  if [[ -n "${OPENVPN_PID:-}" ]]; then kill "$OPENVPN_PID" 2>/dev/null || true; fi
  if [[ -n "${IPSEC_PID:-}" ]]; then kill "$IPSEC_PID" 2>/dev/null || true; fi
}

env_of() { bash -c "source '$LAB_DIR/node$1/conf/$2/protocol.env'; echo \$PEER_IP \$BACKEND_URL"; }

@test "node1 measures against vl-cp and node2 against vl-ep2: protocol.env, nodes.json, status" {
  run env_of 1 direct
  assert_output "198.18.0.2 http://198.18.0.2:8088/"
  run env_of 2 direct
  assert_output "198.18.0.3 http://198.18.0.3:8088/"
  run env_of 2 wireguard
  assert_output "198.19.11.1 http://198.19.11.1:8088/"
  run env_of 2 nebula
  assert_output "198.19.12.1 http://198.19.12.1:8088/"
  run env_of 2 openvpn
  assert_output "198.19.13.1 http://198.19.13.1:8088/"
  run env_of 2 ipsec
  assert_output "198.19.14.1 http://198.19.14.1:8088/"
  run grep -E '^(Endpoint|AllowedIPs|Address)' "$LAB_DIR/node2/conf/wireguard/vlwg-n2.conf"
  assert_output $'Address = 198.19.11.12/24\nEndpoint = 198.18.0.3:51820\nAllowedIPs = 198.19.11.0/24'
  run jq -r '.nodes[] | [.name, .endpoint, .endpointNetns, .endpointHost] | join(" ")' "$LAB_DIR/nodes.json"
  assert_output $'node1 control-plane vl-cp 198.18.0.2\nnode2 vl-ep2 vl-ep2 198.18.0.3'
  run "$LAB_SH" status
  assert_success
  assert_line --regexp '^endpoint +vl-cp +198\.18\.0\.2 +control-plane +serves node1$'
  assert_line --regexp '^endpoint +vl-ep2 +198\.18\.0\.3 +vl-ep2 +serves node2$'
  assert_line --regexp '^wireguard +vl-ep2 +1 peers'
}

@test "endpoint 2 serves node2's iperf3 and the backend; endpoint 1 serves neither for node2" {
  run ip netns exec vl-ep2 ss -Hltn 'sport = :5202'
  assert_output --partial ':5202'
  run ip netns exec vl-cp ss -Hltn 'sport = :5202'
  assert_output ''
  run on_node 2 curl -fsS -m 5 http://198.18.0.3:8088/
  assert_output 'vpnlens lab backend vl-ep2'
  run on_node 2 iperf3 -c 198.18.0.3 -p 5202 -t 1 -J
  assert_success
}

@test "wireguard: node2's tunnel reaches endpoint 2's 198.19.11.1 and not endpoint 1's 198.19.1.1" {
  local conf="$LAB_DIR/node2/conf/wireguard/vlwg-n2.conf"
  run on_node 2 env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go wg-quick up "$conf"
  assert_success
  run poll 10 on_node 2 ping -c 1 -W 1 198.19.11.1
  assert_success
  run on_node 2 ping -c 1 -W 2 -M "do" -s 1392 198.19.11.1
  assert_success
  run on_node 2 curl -fsS -m 5 http://198.19.11.1:8088/
  assert_output 'vpnlens lab backend vl-ep2'
  run ! on_node 2 ping -c 1 -W 1 198.19.1.1
  run "$LAB_SH" exec ep2 wg show vlwg-ep2 latest-handshakes
  assert_line --regexp "^$(sed 's/[+/]/./g' "$LAB_DIR/cp/wireguard/node2.pub")"$'\t''[1-9][0-9]*$'
  run "$LAB_SH" exec cp wg show vlwg-cp latest-handshakes
  refute_output --regexp $'\t''[1-9][0-9]*$'
  run on_node 2 wg-quick down "$conf"
  assert_success
}

@test "nebula: node2 joins endpoint 2's lighthouse at 198.19.12.1" {
  nebula_on 2
  run poll 10 on_node 2 ip -4 -o addr show dev vlneb-n2
  assert_output --partial '198.19.12.12/24'
  run poll 10 on_node 2 ping -c 1 -W 1 198.19.12.1
  assert_success
  run on_node 2 curl -fsS -m 5 http://198.19.12.1:8088/
  assert_output 'vpnlens lab backend vl-ep2'
  run ! on_node 2 ping -c 1 -W 1 198.19.2.1
}

@test "openvpn: node2 gets 198.19.13.12 from endpoint 2 and reaches 198.19.13.1" {
  openvpn_on 2
  run poll 15 on_node 2 ip -4 -o addr show dev vlovpn-n2
  assert_output --partial '198.19.13.12/24'
  run poll 10 on_node 2 ping -c 1 -W 1 198.19.13.1
  assert_success
  run on_node 2 curl -fsS -m 5 http://198.19.13.1:8088/
  assert_output 'vpnlens lab backend vl-ep2'
}

@test "ipsec: node2 gets 198.19.14.12 from endpoint 2 and reaches 198.19.14.1" {
  ipsec_on 2
  run poll 15 on_node 2 ip -4 -o addr show dev ipsec0
  assert_output --partial '198.19.14.12/32'
  run poll 10 on_node 2 ping -c 1 -W 1 198.19.14.1
  assert_success
  run on_node 2 curl -fsS -m 5 http://198.19.14.1:8088/
  assert_output 'vpnlens lab backend vl-ep2'
}

@test "down removes both endpoints: no namespace, link, socket, route or process left" {
  local pids
  pids=$(lab_recorded_pids)
  run "$LAB_SH" down
  assert_success
  run lab_leftovers
  assert_output ''
  run still_running <<<"$pids"
  assert_output ''
  run "$LAB_SH" down
  assert_success
}
