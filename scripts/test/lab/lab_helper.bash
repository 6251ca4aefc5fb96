# shellcheck shell=bash
# Shared by the lab bats tests: paths, a root check, and the probes that say what a
# lab left behind. These tests use the real tools and take over the machine's one
# lab (namespaces vl-*, bridge vl-br0): a lab that is up when they start is rebuilt.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load '/usr/lib/bats/bats-file/load'

LAB_TEST_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$LAB_TEST_DIR/../../.." && pwd)"
LAB_SH="$REPO_DIR/scripts/lab/lab.sh"
export VPNLENS_LAB_DIR="${VPNLENS_LAB_DIR:-/run/vpnlens-lab}"
LAB_DIR="$VPNLENS_LAB_DIR"

require_root() {
  [[ "$(id -u)" -eq 0 ]] || skip "lab tests need root"
}

lab() { "$LAB_SH" "$@"; }

# Run CMD in node N's namespace with its VPNLENS_* environment, closing bats' fd 3
# so daemons started there cannot hold the test open.
on_node() {
  local n=$1
  shift
  "$LAB_SH" exec "node$n" "$@" 3>&-
}

on_cp() { "$LAB_SH" exec cp "$@" 3>&-; }

# What a lab can leave behind, one line per object; empty when clean. Matches the
# lab's own names only (vl-*, vlwg-*, vlneb-*): other engineers' tests on this machine
# may use similar prefixes of their own.
lab_leftovers() {
  ip netns list | awk '{print $1}' | grep -E '^vl-' | sed 's/^/netns /' || true
  ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^(vl-|vlwg-|vlneb-|vlovpn-)' | sed 's/^/link /' || true
  if [[ -d /var/run/wireguard ]]; then
    find /var/run/wireguard -maxdepth 1 -name 'vlwg-*' | sed 's/^/socket /'
  fi
  ip route show | grep -E '^(unreachable )?198\.1[89]\.' | sed 's/^/route /' || true
}

# Pids recorded by the lab (pid and start time), to check after `down`.
lab_recorded_pids() {
  local f
  for f in "$LAB_DIR"/pids/*.pid; do
    [[ -e "$f" ]] && cut -d' ' -f1,2 "$f"
  done
  return 0
}

# shellcheck source-path=SCRIPTDIR source=../../lib/proc.sh
source "$REPO_DIR/scripts/lib/proc.sh"
# shellcheck source-path=SCRIPTDIR source=../../lib/strongswan.sh
source "$REPO_DIR/scripts/lib/strongswan.sh"

# Pids on stdin become "pid starttime" lines.
with_start_time() {
  local pid
  while read -r pid; do
    printf '%s %s\n' "$pid" "$(proc_starttime "$pid")"
  done
}

# Of "pid starttime" lines on stdin, print those still running (zombies excluded).
still_running() {
  local pid start
  while read -r pid start; do
    [[ -n "$start" ]] && proc_is_running "$pid" "$start" && echo "$pid"
  done
  return 0
}

# poll SECONDS CMD...: run CMD every 0.2 s until it succeeds or time runs out.
poll() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# --- tunnels by hand, as the drivers bring them up ---------------------------------------

# nebula_on NODE: the node's nebula in the background of its namespace (NEBULA_PID).
nebula_on() {
  setsid ip netns exec "vl-node$1" nebula -config "$LAB_DIR/node$1/conf/nebula/config.yml" \
    </dev/null >"$BATS_TEST_TMPDIR/nebula.log" 2>&1 3>&- &
  # shellcheck disable=SC2034 # the tests kill it
  NEBULA_PID=$!
}

# openvpn_on NODE [CONFIG]: the node's client (or CONFIG) in the foreground of its namespace, as the driver runs it.
openvpn_on() {
  local n=$1 config=${2:-$LAB_DIR/node$1/conf/openvpn/client.conf}
  setsid ip netns exec "vl-node$n" openvpn --config "$config" --dev "vlovpn-n$n" --dev-type tun --verb 3 \
    </dev/null >"$BATS_TEST_TMPDIR/openvpn.log" 2>&1 3>&- &
  # shellcheck disable=SC2034 # the tests kill it
  OPENVPN_PID=$!
}

# ipsec_on NODE [CONFIG]: charon-systemd in the node's namespace as the driver starts it, then
# its connections loaded; the child comes up on its own (start_action = start).
ipsec_on() {
  local n=$1 config=${2:-$LAB_DIR/node$1/conf/ipsec/swanctl.conf} dir="$BATS_TEST_TMPDIR/ipsec-n$1"
  mkdir -p "$dir"
  strongswan_conf "random nonce openssl aes sha2 hmac gcm kdf vici kernel-libipsec kernel-netlink socket-default" \
    "$dir/charon.vici" "$dir/charon.log" "openssl random nonce" >"$dir/strongswan.conf"
  setsid ip netns exec "vl-node$n" env STRONGSWAN_CONF="$dir/strongswan.conf" charon-systemd \
    </dev/null >"$dir/out.log" 2>&1 3>&- &
  # shellcheck disable=SC2034 # the tests kill it
  IPSEC_PID=$!
  poll 10 on_node "$n" env STRONGSWAN_CONF="$dir/strongswan.conf" swanctl --stats --uri "unix://$dir/charon.vici"
  on_node "$n" env STRONGSWAN_CONF="$dir/strongswan.conf" swanctl --load-all --file "$config" --uri "unix://$dir/charon.vici" >/dev/null 2>&1
}
