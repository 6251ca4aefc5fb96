#!/usr/bin/env bats
# The lab's VPN endpoints without root or network: `up --endpoints` argument checks, the
# addresses and names of endpoint E and which endpoint node N measures against, and what
# `status` says of a two-endpoint lab. Fake `id` says root, fake `ip` knows no object.

load helpers

LAB_SH="$SCRIPTS_DIR/lab/lab.sh"

setup() {
  BIN="$BATS_TEST_TMPDIR/bin"
  export VPNLENS_LAB_DIR="$BATS_TEST_TMPDIR/lab"
  export FAKE_CALLS="$BATS_TEST_TMPDIR/calls"
  mkdir -p "$BIN" "$VPNLENS_LAB_DIR/logs"
  printf '#!/bin/bash\necho 0\n' >"$BIN/id"
  cat >"$BIN/ip" <<'FAKE'
#!/bin/bash
echo "ip $*" >>"$FAKE_CALLS"
exit 1
FAKE
  chmod +x "$BIN"/*
  export PATH="$BIN:$PATH"
}

# lab_fn E_COUNT FN ARGS...: a lab function with LAB_ENDPOINT_COUNT=E_COUNT.
lab_fn() {
  local count=$1
  shift
  # shellcheck disable=SC2016 # expanded by the inner bash
  bash -c 'source "$1"; LAB_ENDPOINT_COUNT=$2; shift 2; "$@"' _ "$LAB_SH" "$count" "$@"
}

@test "endpoint 1 is vl-cp at 198.18.0.2 with the tunnel subnets 198.19.1-4, as in a one-endpoint lab" {
  assert_equal "$(lab_fn 1 ep_ns 1) $(lab_fn 1 ep_ip 1) $(lab_fn 1 ep_veth 1) $(lab_fn 1 ep_app_name 1)" \
    "vl-cp 198.18.0.2 vl-cp0 control-plane"
  assert_equal "$(lab_fn 1 ep_wg_net 1) $(lab_fn 1 ep_neb_net 1) $(lab_fn 1 ep_ovpn_net 1) $(lab_fn 1 ep_ipsec_net 1)" \
    "198.19.1 198.19.2 198.19.3 198.19.4"
  assert_equal "$(lab_fn 1 ep_wg_if 1) $(lab_fn 1 ep_neb_if 1) $(lab_fn 1 ep_ovpn_if 1)" "vlwg-cp vlneb-cp vlovpn-cp"
  assert_equal "$(lab_fn 1 node_wg_ip 3) $(lab_fn 1 node_ipsec_ip 3)" "198.19.1.13 198.19.4.13"
}

@test "endpoint E>=2 has its own namespace, underlay address below the nodes' and tunnel subnets" {
  assert_equal "$(lab_fn 2 ep_ns 2) $(lab_fn 2 ep_ip 2) $(lab_fn 2 ep_veth 2) $(lab_fn 2 ep_app_name 2)" \
    "vl-ep2 198.18.0.3 vl-e2 vl-ep2"
  assert_equal "$(lab_fn 8 ep_ip 8)" "198.18.0.9"
  assert_equal "$(lab_fn 8 ep_wg_net 2) $(lab_fn 8 ep_ipsec_net 2) $(lab_fn 8 ep_wg_net 8) $(lab_fn 8 ep_ipsec_net 8)" \
    "198.19.11 198.19.14 198.19.71 198.19.74"
  assert_equal "$(lab_fn 2 ep_wg_if 2) $(lab_fn 2 ep_neb_if 2) $(lab_fn 2 ep_ovpn_if 2)" "vlwg-ep2 vlneb-ep2 vlovpn-ep2"
}

@test "node N measures against endpoint ((N-1) % E) + 1, in that endpoint's subnets" {
  assert_equal "$(lab_fn 1 node_ep 1) $(lab_fn 1 node_ep 2) $(lab_fn 1 node_ep 50)" "1 1 1"
  assert_equal "$(lab_fn 2 node_ep 1) $(lab_fn 2 node_ep 2) $(lab_fn 2 node_ep 3) $(lab_fn 2 node_ep 4)" "1 2 1 2"
  assert_equal "$(lab_fn 3 node_ep 3) $(lab_fn 3 node_ep 4)" "3 1"
  assert_equal "$(lab_fn 2 node_wg_ip 2) $(lab_fn 2 node_neb_ip 2) $(lab_fn 2 node_ovpn_ip 2) $(lab_fn 2 node_ipsec_ip 2)" \
    "198.19.11.12 198.19.12.12 198.19.13.12 198.19.14.12"
  assert_equal "$(lab_fn 2 ep_nodes 1 5 | tr '\n' ' ')" "1 3 5 "
  assert_equal "$(lab_fn 2 ep_nodes 2 5 | tr '\n' ' ')" "2 4 "
}

@test "every endpoint address stays clear of the nodes' and the gateway's" {
  # shellcheck disable=SC2016 # expanded in the lab's shell
  run lab_fn 8 eval 'for ((e = 1; e <= LAB_MAX_ENDPOINTS; e++)); do ep_ip "$e"; echo; done
    for ((n = 1; n <= LAB_MAX_NODES; n++)); do node_ip "$n"; echo; done; echo "$LAB_GW_IP"'
  assert_success
  assert_equal "${#lines[@]}" 59
  assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" 59
}

@test "up rejects an endpoint count that is not 1 to 8, naming --endpoints, and builds nothing" {
  local bad
  for bad in 0 9 x ""; do
    run "$LAB_SH" up --nodes 2 --endpoints "$bad"
    assert_failure
    assert_output --partial "--endpoints must be a whole number from 1 to 8, got '$bad'"
  done
  run "$LAB_SH" up --endpoints=9
  assert_failure
  assert_output --partial "--endpoints must be a whole number from 1 to 8, got '9'"
  run "$LAB_SH" up --endpoints
  assert_failure
  assert_output --partial "--endpoints needs a number"
  assert_file_not_exists "$FAKE_CALLS"
}

@test "status names each endpoint, its address, its name for the control plane and the nodes it serves" {
  printf 'LAB_NODES=3\nLAB_ENDPOINTS=2\n' >"$VPNLENS_LAB_DIR/lab.env"
  run "$LAB_SH" status
  assert_failure # the fake ip knows no namespace
  assert_line "endpoints   2"
  assert_line --regexp '^endpoint +vl-cp +198\.18\.0\.2 +control-plane +serves node1 node3$'
  assert_line --regexp '^endpoint +vl-ep2 +198\.18\.0\.3 +vl-ep2 +serves node2$'
  assert_line --regexp '^netns +vl-ep2 +missing$'
}

@test "a lab without LAB_ENDPOINTS in its state (built before endpoints) has one endpoint" {
  printf 'LAB_NODES=2\n' >"$VPNLENS_LAB_DIR/lab.env"
  run "$LAB_SH" status
  assert_line "endpoints   1"
  assert_line --regexp '^endpoint +vl-cp +198\.18\.0\.2 +control-plane +serves node1 node2$'
}
