#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# VPNLens lab: E VPN endpoint hosts (the first is the control plane's, vl-cp) and N
# Benchmark Nodes as network namespaces on this machine, joined by veth to a bridge in
# the root namespace, all in 198.18.0.0/15. Node N measures against endpoint
# ((N-1) % E) + 1. See docs/lab.md.
#
#   lab.sh up [--nodes N] [--endpoints E] [--recreate]
#                                        build it (default 1 node, 1 endpoint; a healthy
#                                        lab of N nodes and E endpoints is left as is)
#   lab.sh down [--keep-files]           remove everything; safe to repeat
#   lab.sh status                        what is up; exit 1 when something is missing
#   lab.sh blackhole on [MTU] | off      an MTU blackhole on the VPN endpoint's bridge port
#                                        (default 1432): full-size tunnel packets vanish
#   lab.sh throttle <RATE> | unthrottle  a tc tbf of RATE (e.g. 200mbit) each way on the VPN
#                                        endpoint's underlay veth; unthrottle removes it
#   lab.sh exec <host> <cmd...>          run a command on root | cp | ep<E> | node<N>
#   lab.sh ssh <node> [cmd...]           ssh to a node as the control plane does
#   lab.sh install-scripts [--node N] [--from DIR]
#                                        copy scripts/ (without lab/, test/) to
#                                        $VPNLENS_HOME/scripts on the node(s), over ssh
set -Eeuo pipefail

LAB_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly LAB_SCRIPT_DIR
readonly LAB_SCRIPTS_SRC="${VPNLENS_LAB_SCRIPTS_SRC:-$(dirname "$LAB_SCRIPT_DIR")}"

# shellcheck source=lib/common.sh
source "$LAB_SCRIPT_DIR/lib/common.sh"
# shellcheck source=lib/netns.sh
source "$LAB_SCRIPT_DIR/lib/netns.sh"
# shellcheck source=lib/sshd.sh
source "$LAB_SCRIPT_DIR/lib/sshd.sh"
# shellcheck source=lib/wireguard.sh
source "$LAB_SCRIPT_DIR/lib/wireguard.sh"
# shellcheck source=lib/nebula.sh
source "$LAB_SCRIPT_DIR/lib/nebula.sh"
# shellcheck source=lib/openvpn.sh
source "$LAB_SCRIPT_DIR/lib/openvpn.sh"
# shellcheck source=lib/ipsec.sh
source "$LAB_SCRIPT_DIR/lib/ipsec.sh"
# shellcheck source=lib/services.sh
source "$LAB_SCRIPT_DIR/lib/services.sh"
# shellcheck source=lib/blackhole.sh
source "$LAB_SCRIPT_DIR/lib/blackhole.sh"
# shellcheck source=lib/throttle.sh
source "$LAB_SCRIPT_DIR/lib/throttle.sh"

UP_IN_PROGRESS=0

usage() {
  sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

# One lab at a time: up, down and install-scripts hold this lock.
lab_lock() {
  exec 9>"$LAB_LOCK"
  flock -w 120 9 || die "another lab.sh holds $LAB_LOCK"
}

# --- up -------------------------------------------------------------------------
lab_is_healthy() {
  local want=$1 endpoints=$2 n e name
  [[ -f "$LAB_MARKER" && "$(lab_node_count)" == "$want" && "$(lab_endpoint_count)" == "$endpoints" ]] || return 1
  for ((e = 1; e <= endpoints; e++)); do netns_exists "$(ep_ns "$e")" || return 1; done
  for ((n = 1; n <= want; n++)); do netns_exists "$(node_ns "$n")" || return 1; done
  for name in $(lab_proc_names); do lab_proc_running "$name" || return 1; done
  return 0
}

lab_dirs_create() {
  install -d -m 0755 "$LAB_DIR"
  : >"$LAB_MARKER"
  install -d -m 0700 "$LAB_PID_DIR"
  install -d -m 0755 "$LAB_LOG_DIR"
}

lab_build_network() {
  local count=$1 n e
  net_bridge_up
  for ((e = 1; e <= LAB_ENDPOINT_COUNT; e++)); do net_endpoint_up "$e"; done
  for ((n = 1; n <= count; n++)); do net_node_up "$n"; done
}

lab_build_keys() {
  local count=$1
  ssh_client_key_create
  wg_keys_create "$count"
  neb_ca_create
  ovpn_ca_create
  ipsec_keys_create "$count"
}

# lab_build_endpoint E COUNT: what endpoint E serves its nodes of COUNT.
lab_build_endpoint() {
  local e=$1 count=$2 n
  wg_server_up "$e" "$count"
  neb_lighthouse_up "$e"
  ovpn_server_up "$e"
  ipsec_server_up "$e" "$count"
  backend_up "$e"
  for n in $(ep_nodes "$e" "$count"); do iperf_up "$n"; done
}

lab_build_node() {
  local n=$1
  node_dirs_create "$n"
  direct_node_conf_write "$n"
  wg_node_conf_write "$n"
  neb_node_conf_write "$n"
  ovpn_node_conf_write "$n"
  ipsec_node_conf_write "$n"
  sshd_node_up "$n"
}

underlay_reachable() { ip netns exec "$(node_ns "$1")" ping -c 1 -W 1 "$(ep_ip "$(node_ep "$1")")"; }

lab_check_nodes() {
  local count=$1 n
  for ((n = 1; n <= count; n++)); do
    sshd_node_wait "$n"
    wait_until 5 "$(node_name "$n") to reach its endpoint $(ep_ip "$(node_ep "$n")")" underlay_reachable "$n"
  done
}

lab_up() {
  local count=1 endpoints=1 recreate=0 n e
  while (($#)); do
    case $1 in
      --endpoints)
        endpoints=${2:-}
        shift 2 || die "--endpoints needs a number"
        ;;
      --endpoints=*)
        endpoints=${1#*=}
        shift
        ;;
      --nodes)
        count=${2:-}
        shift 2 || die "--nodes needs a number"
        ;;
      --nodes=*)
        count=${1#*=}
        shift
        ;;
      --recreate)
        recreate=1
        shift
        ;;
      *) die "up: unknown option '$1'" ;;
    esac
  done
  validate_node_count "$count"
  count=$((10#$count))
  validate_endpoint_count "$endpoints"
  endpoints=$((10#$endpoints))
  validate_root
  validate_lab_dir
  validate_tools
  lab_lock
  if ((!recreate)) && lab_is_healthy "$count" "$endpoints"; then
    log_info "lab already up with $count node(s) and $endpoints endpoint(s); nothing to do (--recreate builds a fresh one)"
    return 0
  fi
  lab_teardown 0
  UP_IN_PROGRESS=1
  LAB_ENDPOINT_COUNT=$endpoints
  lab_dirs_create
  log_info "building the lab in $LAB_DIR with $count node(s) and $endpoints VPN endpoint(s)"
  sshd_privsep_dir
  lab_build_network "$count"
  lab_build_keys "$count"
  for ((e = 1; e <= endpoints; e++)); do lab_build_endpoint "$e" "$count"; done
  for ((n = 1; n <= count; n++)); do lab_build_node "$n"; done
  lab_check_nodes "$count"
  ssh_write_nodes_json "$count"
  printf 'LAB_NODES=%s\nLAB_ENDPOINTS=%s\n' "$count" "$endpoints" >"$LAB_STATE"
  UP_IN_PROGRESS=0
  log_info "lab up: control plane at $LAB_GW_IP (bridge $LAB_BRIDGE), VPN endpoint(s) $(lab_endpoints_line), nodes in $LAB_NODES_JSON"
}

# "vl-cp 198.18.0.2 (node1 node3), vl-ep2 198.18.0.3 (node2)"
lab_endpoints_line() {
  local count e n names line=""
  count=$(lab_node_count)
  ((count > 0)) || count=$(jq -r '.nodes | length' "$LAB_NODES_JSON" 2>/dev/null || echo 0)
  for ((e = 1; e <= LAB_ENDPOINT_COUNT; e++)); do
    names=""
    for n in $(ep_nodes "$e" "$count"); do names+="${names:+ }$(node_name "$n")"; done
    line+="${line:+, }$(ep_ns "$e") $(ep_ip "$e") (${names:-no node})"
  done
  printf '%s' "$line"
}

# --- down -------------------------------------------------------------------------
# lab_teardown KEEP_FILES: stop what the lab started, empty and delete its
# namespaces, links and sockets. Never fails because something is already gone.
lab_teardown() {
  local keep=${1:-0}
  lab_stop_all
  net_teardown
  wg_stale_sockets_remove
  if ((keep)) || [[ ! -d "$LAB_DIR" ]]; then return 0; fi
  if [[ -f "$LAB_MARKER" ]]; then
    rm -rf -- "$LAB_DIR"
  else
    log_warn "$LAB_DIR has no $(basename "$LAB_MARKER") marker; not removing it"
  fi
}

lab_down() {
  local keep=0
  while (($#)); do
    case $1 in
      --keep-files)
        keep=1
        shift
        ;;
      *) die "down: unknown option '$1'" ;;
    esac
  done
  validate_root
  validate_lab_dir
  lab_lock
  lab_teardown "$keep"
  log_info "lab down"
}

# --- status -----------------------------------------------------------------------
lab_status() {
  local ok=0 count n e name ns state
  count=$(lab_node_count)
  printf 'lab dir     %s (%s)\n' "$LAB_DIR" "$([[ -f "$LAB_MARKER" ]] && echo present || echo absent)"
  printf 'nodes       %s\n' "$count"
  printf 'endpoints   %s\n' "$LAB_ENDPOINT_COUNT"
  for ((e = 1; e <= LAB_ENDPOINT_COUNT; e++)); do
    printf 'endpoint    %-10s %-12s %-14s serves' "$(ep_ns "$e")" "$(ep_ip "$e")" "$(ep_app_name "$e")"
    for n in $(ep_nodes "$e" "$count"); do printf ' %s' "$(node_name "$n")"; done
    printf '\n'
  done
  if link_exists "$LAB_BRIDGE"; then
    printf 'bridge      %s %s\n' "$LAB_BRIDGE" "$(ip -4 -o addr show dev "$LAB_BRIDGE" | awk '{print $4}' | head -n1)"
  else
    printf 'bridge      %s missing\n' "$LAB_BRIDGE"
    ok=1
  fi
  local namespaces=()
  for ((e = 1; e <= LAB_ENDPOINT_COUNT; e++)); do namespaces+=("$(ep_ns "$e")"); done
  for ((n = 1; n <= count; n++)); do namespaces+=("$(node_ns "$n")"); done
  for ns in "${namespaces[@]}"; do
    if netns_exists "$ns"; then state=present; else
      state=missing
      ok=1
    fi
    printf 'netns       %-10s %s\n' "$ns" "$state"
  done
  for name in $(lab_proc_names); do
    if lab_proc_running "$name"; then state="running (pid $(lab_proc_pid "$name"))"; else
      state=dead
      ok=1
    fi
    printf 'process     %-16s %s\n' "$name" "$state"
  done
  for ((e = 1; e <= LAB_ENDPOINT_COUNT; e++)); do
    ns=$(ep_ns "$e")
    netns_exists "$ns" || continue
    printf 'wireguard   %-10s %s peers, %s with a handshake\n' "$ns" \
      "$(ip netns exec "$ns" wg show "$(ep_wg_if "$e")" peers 2>/dev/null | wc -l)" \
      "$(ip netns exec "$ns" wg show "$(ep_wg_if "$e")" latest-handshakes 2>/dev/null | awk '$2 > 0' | wc -l)"
  done
  link_exists "$LAB_CP_VETH" && printf 'blackhole   %s\n' "$(blackhole_state)"
  link_exists "$LAB_CP_VETH" && printf 'throttle    %s\n' "$(throttle_state)"
  [[ -f "$LAB_NODES_JSON" ]] && printf 'nodes.json  %s\n' "$LAB_NODES_JSON"
  ((count > 0)) || ok=1
  return "$ok"
}

# --- blackhole -------------------------------------------------------------------------
lab_blackhole() {
  local what=${1:-}
  validate_root
  case $what in
    on) blackhole_on "${@:2}" ;;
    off) blackhole_off ;;
    *) die "usage: lab.sh blackhole on [MTU] | off" ;;
  esac
}

# --- throttle -------------------------------------------------------------------------
lab_throttle() {
  (($# == 1)) || die "usage: lab.sh throttle <RATE>, e.g. lab.sh throttle 200mbit"
  validate_root
  throttle_on "$1"
}

lab_unthrottle() {
  (($# == 0)) || die "usage: lab.sh unthrottle"
  validate_root
  throttle_off
}

# --- exec, ssh, install-scripts ------------------------------------------------------
# host_node_number HOST: N for node<N> or vl-node<N>.
host_node_number() {
  [[ "$1" =~ ^(vl-)?node([0-9]+)$ ]] || return 1
  printf '%s' "$((10#${BASH_REMATCH[2]}))"
}

validate_node_exists() {
  netns_exists "$(node_ns "$1")" || die "$(node_name "$1") is not up (lab.sh up --nodes $1)"
}

lab_exec() {
  local host=${1:-} n
  (($# >= 2)) || die "usage: lab.sh exec <root|cp|ep<E>|node<N>> <cmd...>"
  shift
  validate_root
  case $host in
    root) exec "$@" ;;
    cp | "$LAB_CP_NS") exec ip netns exec "$LAB_CP_NS" "$@" ;;
  esac
  if [[ "$host" =~ ^(vl-)?ep([0-9]+)$ ]]; then
    n=$((10#${BASH_REMATCH[2]}))
    ((n >= 1 && n <= LAB_ENDPOINT_COUNT)) || die "endpoint $host is not up (the lab has $LAB_ENDPOINT_COUNT)"
    exec ip netns exec "$(ep_ns "$n")" "$@"
  fi
  n=$(host_node_number "$host") || die "unknown host '$host' (root, cp, ep<E>, node<N>)"
  validate_node_exists "$n"
  exec ip netns exec "$(node_ns "$n")" env \
    "VPNLENS_HOME=$(node_dir "$n")/home" "VPNLENS_CONF_DIR=$(node_dir "$n")/conf" \
    "VPNLENS_STATE_DIR=$(node_dir "$n")/state" "$@"
}

lab_ssh_cmd() {
  local n
  (($# >= 1)) || die "usage: lab.sh ssh <node<N>> [cmd...]"
  n=$(host_node_number "$1") || die "unknown node '$1'"
  shift
  validate_node_exists "$n"
  lab_ssh "$n" "$@"
}

# Copy the node-side scripts the way the control plane ships them: over ssh into
# $VPNLENS_HOME/scripts, replacing the previous copy in one move.
install_scripts_node() {
  local n=$1 src=$2 remote
  # shellcheck disable=SC2016 # expanded on the node, where sshd set VPNLENS_HOME
  remote='set -e; d="$VPNLENS_HOME/scripts"; rm -rf "$d.new"; mkdir -p "$d.new"
    tar -C "$d.new" -xf -; rm -rf "$d"; mv "$d.new" "$d"'
  log_info "installing $src (without lab/, test/) on $(node_name "$n")"
  tar -C "$src" --exclude=./lab --exclude=./test -cf - . | lab_ssh "$n" "$remote"
}

lab_install_scripts() {
  local only="" src="$LAB_SCRIPTS_SRC" count n
  while (($#)); do
    case $1 in
      --node)
        only=$(host_node_number "node${2:-}") || die "--node needs a number"
        shift 2
        ;;
      --from)
        src=${2:-}
        shift 2 || die "--from needs a directory"
        ;;
      *) die "install-scripts: unknown option '$1'" ;;
    esac
  done
  validate_root
  [[ -d "$src" ]] || die "no scripts directory at '$src'"
  count=$(lab_node_count)
  ((count > 0)) || die "the lab is not up"
  for ((n = 1; n <= count; n++)); do
    [[ -z "$only" || "$only" == "$n" ]] || continue
    install_scripts_node "$n" "$src"
  done
}

# --- traps and dispatch ---------------------------------------------------------------
on_exit() {
  local rc=$?
  trap - ERR
  trap '' INT TERM
  set +e
  if ((UP_IN_PROGRESS)); then
    log_error "up did not finish (exit $rc); tearing the half-built lab down (files kept in $LAB_DIR)"
    UP_IN_PROGRESS=0
    lab_teardown 1
  fi
  return "$rc"
}

ERR_REPORTED=0
on_err() {
  ((ERR_REPORTED)) && return 0
  ERR_REPORTED=1
  log_error "failed at line $1: $2"
}

main() {
  trap on_exit EXIT
  trap 'on_err "$LINENO" "$BASH_COMMAND"' ERR
  trap 'exit 130' INT
  trap 'exit 143' TERM
  local cmd=${1:-help}
  (($#)) && shift
  LAB_ENDPOINT_COUNT=$(lab_endpoint_count)
  case $cmd in
    up) lab_up "$@" ;;
    down) lab_down "$@" ;;
    status) lab_status "$@" || exit 1 ;;
    exec) lab_exec "$@" ;;
    ssh) lab_ssh_cmd "$@" ;;
    install-scripts) lab_install_scripts "$@" ;;
    blackhole) lab_blackhole "$@" ;;
    throttle) lab_throttle "$@" ;;
    unthrottle) lab_unthrottle "$@" ;;
    help | -h | --help) usage ;;
    *)
      usage >&2
      die "unknown command '$cmd'"
      ;;
  esac
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
