# shellcheck shell=bash
# What the cp endpoint serves to nodes: an HTTP backend (ladder rung 5) on port
# 8088 and one iperf3 server per node (port 5200+N, so nodes can run at the same
# time; node1 gets the default 5201). Also the `direct` protocol.env.

readonly LAB_WWW_DIR="${LAB_DIR}/cp/www"

port_listening() { # port_listening NS PORT
  ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .
}

backend_up() {
  mkdir -p "$LAB_WWW_DIR"
  printf 'vpnlens lab backend\n' >"$LAB_WWW_DIR/index.html"
  lab_spawn backend-cp "$LAB_CP_NS" "$LAB_PYTHON" -m http.server "$LAB_BACKEND_PORT" \
    --bind 0.0.0.0 --directory "$LAB_WWW_DIR"
  wait_until 10 "the HTTP backend on port $LAB_BACKEND_PORT" port_listening "$LAB_CP_NS" "$LAB_BACKEND_PORT"
}

# A test whose client vanished without a goodbye (its tunnel deleted mid-test) is given up
# within 5 s, so the next protocol does not find the server busy (as deploy/iperf3/Dockerfile).
iperf_up() {
  local n=$1 port
  port=$(node_iperf_port "$n")
  lab_spawn "iperf3-$(node_name "$n")" "$LAB_CP_NS" iperf3 -s -p "$port" --rcv-timeout 10000 --snd-timeout 10000
  wait_until 10 "iperf3 server on port $port" port_listening "$LAB_CP_NS" "$port"
}

direct_node_conf_write() {
  local n=$1 dir
  dir="$(node_dir "$n")/conf/direct"
  mkdir -p "$dir"
  protocol_env_write "$dir/protocol.env" \
    PEER_IP "$LAB_CP_IP" \
    BACKEND_URL "http://$LAB_CP_IP:$LAB_BACKEND_PORT/" \
    IPERF_PORT "$(node_iperf_port "$n")" \
    UNDERLAY_IF "$LAB_NODE_UNDERLAY_IF"
}

# The per-node directories of docs/node-protocol.md.
node_dirs_create() {
  local n=$1 dir
  dir=$(node_dir "$n")
  mkdir -p "$dir/home/runs" "$dir/conf" "$dir/state"
}
