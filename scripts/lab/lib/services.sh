# shellcheck shell=bash
# What each VPN endpoint serves to its nodes: an HTTP backend (ladder rung 5) on port
# 8088 and one iperf3 server per node (port 5200+N, so nodes can run at the same
# time; node1 gets the default 5201). Also the `direct` protocol.env.

port_listening() { # port_listening NS PORT
  ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .
}

# backend_up E: endpoint E's page names the endpoint, so a test can tell which one answered.
backend_up() {
  local e=$1 www ns
  www="$(ep_dir "$e")/www"
  ns=$(ep_ns "$e")
  mkdir -p "$www"
  if ((e == 1)); then
    printf 'vpnlens lab backend\n' >"$www/index.html"
  else
    printf 'vpnlens lab backend %s\n' "$ns" >"$www/index.html"
  fi
  lab_spawn "backend-$(ep_tag "$e")" "$ns" "$LAB_PYTHON" -m http.server "$LAB_BACKEND_PORT" \
    --bind 0.0.0.0 --directory "$www"
  wait_until 10 "the HTTP backend on port $LAB_BACKEND_PORT in $ns" port_listening "$ns" "$LAB_BACKEND_PORT"
}

# A test whose client vanished without a goodbye (its tunnel deleted mid-test) is given up
# within 5 s, so the next protocol does not find the server busy (as deploy/iperf3/Dockerfile).
# iperf_up N: node N's iperf3 server, on its endpoint.
iperf_up() {
  local n=$1 port ns
  port=$(node_iperf_port "$n")
  ns=$(ep_ns "$(node_ep "$n")")
  lab_spawn "iperf3-$(node_name "$n")" "$ns" iperf3 -s -p "$port" --rcv-timeout 10000 --snd-timeout 10000
  wait_until 10 "iperf3 server on port $port in $ns" port_listening "$ns" "$port"
}

direct_node_conf_write() {
  local n=$1 dir peer
  dir="$(node_dir "$n")/conf/direct"
  peer=$(ep_ip "$(node_ep "$n")")
  mkdir -p "$dir"
  protocol_env_write "$dir/protocol.env" \
    PEER_IP "$peer" \
    BACKEND_URL "http://$peer:$LAB_BACKEND_PORT/" \
    IPERF_PORT "$(node_iperf_port "$n")" \
    UNDERLAY_IF "$LAB_NODE_UNDERLAY_IF"
}

# The per-node directories of docs/node-protocol.md.
node_dirs_create() {
  local n=$1 dir
  dir=$(node_dir "$n")
  mkdir -p "$dir/home/runs" "$dir/conf" "$dir/state"
}
