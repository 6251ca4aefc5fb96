# shellcheck shell=bash
# Hosts and wires: the root-namespace bridge, one network namespace per host, a veth
# from each host to the bridge. IPv6 is off on every lab interface so that no
# address outside 198.18.0.0/15 (link-local included) ever appears.

netns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$1"; }

# Root-namespace links that belong to the lab, present ones only.
lab_root_links() {
  ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "$LAB_LINK_RE" || true
}

lab_namespaces() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep -E "$LAB_NS_RE" || true
}

link_exists() { ip link show dev "$1" >/dev/null 2>&1; }

# netns_link_has_ip NS DEV IP: DEV in NS carries the IPv4 address IP (a VPN's tun is up).
netns_link_has_ip() { ip -n "$1" -4 -o addr show dev "$2" 2>/dev/null | grep -q " $3/"; }

disable_ipv6_on() { sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1" >/dev/null 2>&1 || true; }

# The bridge the control-plane app sits on, and a safety net: anything in
# 198.18.0.0/15 that is not on the bridge is unreachable instead of leaking out of
# the root namespace's default route.
net_bridge_up() {
  link_exists "$LAB_BRIDGE" || run_cmd_fatal ip link add "$LAB_BRIDGE" type bridge
  disable_ipv6_on "$LAB_BRIDGE"
  ip addr replace "$LAB_GW_IP/24" dev "$LAB_BRIDGE"
  run_cmd_fatal ip link set "$LAB_BRIDGE" up
  ip route replace unreachable "$LAB_SAFETY_NET"
}

# netns_create NS: a fresh namespace with lo up and IPv6 off.
netns_create() {
  local ns=$1
  run_cmd_fatal ip netns add "$ns"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
  run_cmd_fatal ip -n "$ns" link set lo up
}

# netns_wire NS HOST_IF NS_IF IP: veth from the bridge (HOST_IF) into NS (NS_IF, IP/24).
netns_wire() {
  local ns=$1 host_if=$2 ns_if=$3 ip=$4
  run_cmd_fatal ip link add "$host_if" type veth peer name "$ns_if" netns "$ns"
  disable_ipv6_on "$host_if"
  run_cmd_fatal ip link set "$host_if" master "$LAB_BRIDGE" up
  run_cmd_fatal ip -n "$ns" addr add "$ip/24" dev "$ns_if"
  run_cmd_fatal ip -n "$ns" link set "$ns_if" up
}

# net_endpoint_up E: VPN endpoint E's namespace on the bridge.
net_endpoint_up() {
  local e=$1 ns
  ns=$(ep_ns "$e")
  netns_create "$ns"
  netns_wire "$ns" "$(ep_veth "$e")" "$LAB_NODE_UNDERLAY_IF" "$(ep_ip "$e")"
  # The VPN endpoint routes between its tunnels and its other interfaces.
  ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
}

net_node_up() {
  local n=$1 ns
  ns=$(node_ns "$n")
  netns_create "$ns"
  netns_wire "$ns" "$(node_veth "$n")" "$LAB_NODE_UNDERLAY_IF" "$(node_ip "$n")"
}

# netns_kill_all NS: stop every process still inside NS (TERM, then KILL).
netns_kill_all() {
  local ns=$1 pids deadline
  pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
  [[ -n "${pids// /}" ]] || return 0
  log_info "stopping processes left in $ns: $pids"
  # shellcheck disable=SC2086 # a list of pids
  kill -TERM $pids 2>/dev/null || true
  deadline=$((SECONDS + 5))
  while [[ -n "$(ip netns pids "$ns" 2>/dev/null)" ]] && ((SECONDS < deadline)); do sleep 0.1; done
  pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
  if [[ -n "${pids// /}" ]]; then
    log_warn "killing what ignored TERM in $ns: $pids"
    # shellcheck disable=SC2086 # a list of pids
    kill -KILL $pids 2>/dev/null || true
    deadline=$((SECONDS + 5))
    while [[ -n "$(ip netns pids "$ns" 2>/dev/null)" ]] && ((SECONDS < deadline)); do sleep 0.1; done
  fi
}

# Remove every lab namespace (after emptying it), lab link, and the safety route.
net_teardown() {
  local ns link
  for ns in $(lab_namespaces); do
    netns_kill_all "$ns"
    ip netns del "$ns" 2>/dev/null || log_warn "could not delete netns $ns"
  done
  for link in $(lab_root_links); do
    ip link del "$link" 2>/dev/null || true
  done
  if ip route show type unreachable "$LAB_SAFETY_NET" 2>/dev/null | grep -q .; then
    ip route del unreachable "$LAB_SAFETY_NET" 2>/dev/null || true
  fi
}
