# shellcheck shell=bash
# shellcheck disable=SC2034 # the names below are used by the other lab modules
# Lab basics shared by every module: paths, names, addresses, logging, checks,
# and the bookkeeping of the processes the lab starts (pid + start time, so a
# reused pid is never killed by mistake).

[[ -n "${VL_COMMON_LOADED:-}" ]] && return 0
readonly VL_COMMON_LOADED=1

# Paths: the environment may override them.
readonly LAB_DIR="${VPNLENS_LAB_DIR:-/run/vpnlens-lab}"
readonly LAB_LOCK="${VPNLENS_LAB_LOCK:-${LAB_DIR}.lock}"
readonly LAB_MARKER="${LAB_DIR}/.vpnlens-lab"
readonly LAB_STATE="${LAB_DIR}/lab.env"
readonly LAB_PID_DIR="${LAB_DIR}/pids"
readonly LAB_LOG_DIR="${LAB_DIR}/logs"
readonly LAB_WG_RUN_DIR="${VPNLENS_LAB_WG_RUN_DIR:-/var/run/wireguard}"
readonly LAB_SSHD_BIN="${VPNLENS_LAB_SSHD:-/usr/sbin/sshd}"
readonly LAB_PYTHON="${VPNLENS_LAB_PYTHON:-python3}"

# Addresses and names are fixed on purpose: everything lives in 198.18.0.0/15.
readonly LAB_MAX_NODES=50
readonly LAB_MAX_ENDPOINTS=8
readonly LAB_SAFETY_NET=198.18.0.0/15
readonly LAB_BRIDGE=vl-br0
readonly LAB_GW_IP=198.18.0.1
readonly LAB_CP_NS=vl-cp
readonly LAB_CP_IP=198.18.0.2
readonly LAB_CP_VETH=vl-cp0
readonly LAB_NODE_UNDERLAY_IF=eth0
readonly LAB_WG_PORT=51820
readonly LAB_WG_MTU=1420
readonly LAB_NEB_PORT=4242
readonly LAB_NEB_MTU=1300
readonly LAB_OVPN_PORT=1194
readonly LAB_OVPN_MTU=1420
readonly LAB_IPSEC_TUN_IF=ipsec0
readonly LAB_IPSEC_MTU=1400
readonly LAB_BACKEND_PORT=8088
readonly LAB_IPERF_BASE_PORT=5200

# Patterns that recognise lab objects even when the lab dir is gone.
readonly LAB_NS_RE='^vl-(cp|ep[0-9]+|node[0-9]+)$'
readonly LAB_LINK_RE='^vl-(br0|cp0|e[0-9]+|n[0-9]+)$'
readonly LAB_WG_SOCK_RE='^vlwg-(cp|ep[0-9]+|n[0-9]+)\.sock$'

# VPN endpoints the lab has; lab.sh sets it from `up --endpoints` or the lab's state.
LAB_ENDPOINT_COUNT=1

# --- names and addresses of VPN endpoint E (endpoint 1 is vl-cp) ------------------
# Endpoint E sits at 198.18.0.(1+E) and owns the tunnel subnets 198.19.(10(E-1)+K).0/24,
# K = 1 WireGuard, 2 Nebula, 3 OpenVPN, 4 IPsec: endpoint 1 keeps 198.19.1-4.
ep_tag() { if (($1 == 1)); then printf cp; else printf 'ep%s' "$1"; fi; }
ep_ns() { printf 'vl-%s' "$(ep_tag "$1")"; }
ep_ip() { printf '198.18.0.%s' "$((1 + $1))"; }
ep_veth() { if (($1 == 1)); then printf '%s' "$LAB_CP_VETH"; else printf 'vl-e%s' "$1"; fi; }
ep_dir() { printf '%s/%s' "$LAB_DIR" "$(ep_tag "$1")"; }
ep_net() { printf '198.19.%s' "$((10 * ($1 - 1) + $2))"; }
ep_wg_net() { ep_net "$1" 1; }
ep_neb_net() { ep_net "$1" 2; }
ep_ovpn_net() { ep_net "$1" 3; }
ep_ipsec_net() { ep_net "$1" 4; }
ep_wg_if() { printf 'vlwg-%s' "$(ep_tag "$1")"; }
ep_neb_if() { printf 'vlneb-%s' "$(ep_tag "$1")"; }
ep_ovpn_if() { printf 'vlovpn-%s' "$(ep_tag "$1")"; }
# The endpoint's name for the control plane: the seed's layout calls vl-cp "control-plane".
ep_app_name() { if (($1 == 1)); then printf control-plane; else ep_ns "$1"; fi; }

# --- names and addresses of node N --------------------------------------------
node_ns() { printf 'vl-node%s' "$1"; }
node_name() { printf 'node%s' "$1"; }
node_ip() { printf '198.18.0.%s' "$((10 + $1))"; }
node_veth() { printf 'vl-n%s' "$1"; }
node_dir() { printf '%s/node%s' "$LAB_DIR" "$1"; }
node_wg_if() { printf 'vlwg-n%s' "$1"; }
# node_ep N: the endpoint node N measures against, round robin over the endpoints.
node_ep() { printf '%s' "$((($1 - 1) % LAB_ENDPOINT_COUNT + 1))"; }
node_wg_ip() { printf '%s.%s' "$(ep_wg_net "$(node_ep "$1")")" "$((10 + $1))"; }
node_neb_if() { printf 'vlneb-n%s' "$1"; }
node_neb_ip() { printf '%s.%s' "$(ep_neb_net "$(node_ep "$1")")" "$((10 + $1))"; }
node_ovpn_if() { printf 'vlovpn-n%s' "$1"; }
node_ovpn_ip() { printf '%s.%s' "$(ep_ovpn_net "$(node_ep "$1")")" "$((10 + $1))"; }
node_ipsec_ip() { printf '%s.%s' "$(ep_ipsec_net "$(node_ep "$1")")" "$((10 + $1))"; }
node_iperf_port() { printf '%s' "$((LAB_IPERF_BASE_PORT + $1))"; }

# --- logging: the project's one logger, with a copy of each line in the lab's log --
# shellcheck source-path=SCRIPTDIR source=../../lib/log.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/log.sh"
VPNLENS_LOG_TAG=lab
VPNLENS_LOG_COPY="$LAB_LOG_DIR/lab.log"

# --- checks ---------------------------------------------------------------------
is_valid_node_count() { [[ "$1" =~ ^[0-9]+$ ]] && ((10#$1 >= 1 && 10#$1 <= LAB_MAX_NODES)); }
validate_node_count() {
  is_valid_node_count "$1" || die "--nodes must be a whole number from 1 to ${LAB_MAX_NODES}, got '$1'"
}

is_valid_endpoint_count() { [[ "$1" =~ ^[0-9]+$ ]] && ((10#$1 >= 1 && 10#$1 <= LAB_MAX_ENDPOINTS)); }
validate_endpoint_count() {
  is_valid_endpoint_count "$1" || die "--endpoints must be a whole number from 1 to ${LAB_MAX_ENDPOINTS}, got '$1'"
}

is_valid_lab_dir() { [[ "$LAB_DIR" == /* && "$LAB_DIR" != / && "$LAB_DIR" =~ ^[A-Za-z0-9._/-]+$ ]]; }
validate_lab_dir() {
  is_valid_lab_dir || die "VPNLENS_LAB_DIR must be an absolute path of [A-Za-z0-9._/-] other than /, got '$LAB_DIR'"
}

validate_root() {
  [[ "$(id -u)" -eq 0 ]] || die "the lab needs root (network namespaces, veth, tun); run it with sudo"
}

# command:debian-package pairs the lab needs.
readonly LAB_TOOLS=(
  ip:iproute2 ss:iproute2 wireguard-go:wireguard-go wg:wireguard-tools wg-quick:wireguard-tools
  iperf3:iperf3 "${LAB_SSHD_BIN}":openssh-server ssh:openssh-client ssh-keygen:openssh-client
  nebula:nebula nebula-cert:nebula openvpn:openvpn openssl:openssl curl:curl jq:jq "${LAB_PYTHON}":python3
  charon-systemd:charon-systemd swanctl:strongswan-swanctl
  flock:util-linux setsid:util-linux unshare:util-linux ping:iputils-ping tar:tar
)

missing_tools() {
  local pair cmd
  for pair in "${LAB_TOOLS[@]}"; do
    cmd=${pair%:*}
    command -v "$cmd" >/dev/null 2>&1 || printf '%s (%s)\n' "$cmd" "${pair##*:}"
  done
}

validate_tools() {
  local missing
  missing=$(missing_tools)
  [[ -z "$missing" ]] && return 0
  log_error "missing tools:"
  local line
  while IFS= read -r line; do printf '  %s\n' "$line" >&2; done <<<"$missing"
  die "install them, e.g.: apt-get install -y wireguard-go wireguard-tools iperf3 openssh-server nebula openvpn charon-systemd strongswan-swanctl libcharon-extra-plugins libstrongswan-standard-plugins openssl curl jq python3 iproute2 iputils-ping"
}

# --- waiting --------------------------------------------------------------------
# wait_until SECONDS DESCRIPTION CMD...: poll CMD every 0.1 s until it succeeds.
wait_until() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log_error "timed out after ${seconds}s waiting for ${what}"
      return 1
    fi
    sleep 0.1
  done
}

# --- processes (by pid and start time: proc_starttime, proc_is_running) ------------
# shellcheck source-path=SCRIPTDIR source=../../lib/proc.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/proc.sh"

# proc_stop PID [STARTTIME]: TERM, wait up to 5 s, then KILL. Gone already is fine.
proc_stop() {
  local pid=$1 start=${2:-} deadline
  proc_is_running "$pid" "$start" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 5))
  while proc_is_running "$pid" "$start" && ((SECONDS < deadline)); do sleep 0.1; done
  if proc_is_running "$pid" "$start"; then
    log_warn "pid $pid did not stop on TERM; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  return 0
}

pidfile_of() { printf '%s/%s.pid' "$LAB_PID_DIR" "$1"; }

# lab_spawn NAME NETNS CMD...: start CMD in NETNS in its own session, detached from
# this shell (and from bats' fd 3 and the lock's fd 9), output to logs/NAME.log, and
# record "pid starttime netns" in pids/NAME.pid. CMD must stay in the foreground.
lab_spawn() {
  local name=$1 ns=$2
  shift 2
  local log pid start
  log="$LAB_LOG_DIR/$name.log"
  setsid ip netns exec "$ns" "$@" </dev/null >>"$log" 2>&1 3>&- 9>&- &
  pid=$!
  start=$(proc_starttime "$pid") || die "$name exited at once; see $log"
  printf '%s %s %s\n' "$pid" "$start" "$ns" >"$(pidfile_of "$name")"
  log_info "started $name (pid $pid, start $start) in $ns: $*"
}

# Is the process recorded under NAME running?
lab_proc_running() {
  local file pid start _ns
  file=$(pidfile_of "$1")
  [[ -r "$file" ]] || return 1
  read -r pid start _ns <"$file" || return 1
  proc_is_running "$pid" "$start"
}

lab_proc_pid() {
  local pid _rest
  read -r pid _rest <"$(pidfile_of "$1")" && printf '%s' "$pid"
}

# Stop the process recorded under NAME (by its own pid) and forget it.
lab_stop() {
  local file pid start _ns
  file=$(pidfile_of "$1")
  [[ -r "$file" ]] || return 0
  if read -r pid start _ns <"$file"; then
    proc_stop "$pid" "$start"
  fi
  rm -f -- "$file"
}

lab_stop_all() {
  local file
  [[ -d "$LAB_PID_DIR" ]] || return 0
  for file in "$LAB_PID_DIR"/*.pid; do
    [[ -e "$file" ]] || continue
    lab_stop "$(basename "$file" .pid)"
  done
}

lab_proc_names() {
  local file
  [[ -d "$LAB_PID_DIR" ]] || return 0
  for file in "$LAB_PID_DIR"/*.pid; do
    [[ -e "$file" ]] && basename "$file" .pid
  done
  return 0
}

# protocol_env_write FILE KEY VALUE [KEY VALUE...]: the shell-sourceable
# $VPNLENS_CONF_DIR/<protocol>/protocol.env of docs/node-protocol.md.
protocol_env_write() {
  local file=$1
  shift
  {
    printf '# generated by scripts/lab/lab.sh\n'
    while (($# >= 2)); do
      printf '%s=%q\n' "$1" "$2"
      shift 2
    done
  } >"$file"
}

# lab_state_value KEY DEFAULT: a number the last (or current) `up` recorded.
lab_state_value() {
  local v=""
  if [[ -r "$LAB_STATE" ]]; then
    v=$(sed -n "s/^$1=\([0-9][0-9]*\)\$/\1/p" "$LAB_STATE")
  fi
  printf '%s' "${v:-$2}"
}

# Nodes and endpoints recorded by the last (or current) `up`.
lab_node_count() { lab_state_value LAB_NODES 0; }
lab_endpoint_count() { lab_state_value LAB_ENDPOINTS 1; }

# ep_nodes E COUNT: the nodes of COUNT that measure against endpoint E.
ep_nodes() {
  local e=$1 count=$2 n
  for ((n = e; n <= count; n += LAB_ENDPOINT_COUNT)); do printf '%s\n' "$n"; done
}
