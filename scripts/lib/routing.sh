# shellcheck shell=bash
# Policy routing that VPN tools leave behind: wg-quick's table 51820 (fwmark rule and
# "lookup main suppress_prefixlength 0"), tailscaled's table 52 and its fwmark rules, strongSwan
# charon's table 220 (its routes into the IPsec tunnel).
[[ -n "${_VPNLENS_ROUTING_SH:-}" ]] && return 0
_VPNLENS_ROUTING_SH=1

VPN_ROUTE_TABLES=${VPN_ROUTE_TABLES:-"51820 52 220"}

# is_vpn_rule "PRIORITY:<tab>SELECTOR ACTION": a rule some VPN tool installed.
is_vpn_rule() {
  local rule=$1 table
  for table in $VPN_ROUTE_TABLES; do
    [[ " $rule " == *" lookup $table "* ]] && return 0
  done
  [[ "$rule" == *"lookup main suppress_prefixlength 0"* ]] && return 0
  # tailscaled marks its own packets with 0x80000/0xff0000 to bypass its table
  [[ "$rule" == *"fwmark 0x80000/0xff0000"* ]] && return 0
  return 1
}

# vpn_rule_priorities FAMILY: priorities of the VPN rules in this namespace.
vpn_rule_priorities() {
  local family=$1 line
  while IFS= read -r line; do
    is_vpn_rule "$line" && printf '%s\n' "${line%%:*}"
  done < <(ip "$family" rule show 2>/dev/null)
  return 0
}

# remove_vpn_policy_routing: delete those rules and flush those tables, for IPv4 and IPv6.
# Idempotent: with nothing left it changes nothing and succeeds.
remove_vpn_policy_routing() {
  local family prio table rc=0 rounds
  for family in -4 -6; do
    # one rule per round: priorities may repeat, so re-read after each delete
    for ((rounds = 0; rounds < 64; rounds++)); do
      prio=$(vpn_rule_priorities "$family" | head -n 1)
      [[ -n "$prio" ]] || break
      log_info "removing ip $family rule $(ip "$family" rule show priority "$prio" 2>/dev/null | head -n 1)"
      ip "$family" rule del priority "$prio" || {
        rc=1
        break
      }
    done
    for table in $VPN_ROUTE_TABLES; do
      if [[ -n "$(ip "$family" route show table "$table" 2>/dev/null)" ]]; then
        log_info "flushing ip $family route table $table"
        ip "$family" route flush table "$table" || rc=1
      fi
    done
  done
  [[ -z "$(vpn_rule_priorities -4)$(vpn_rule_priorities -6)" ]] || rc=1
  return "$rc"
}

# sysfs_net_is_ours: whether $VPNLENS_SYS_NET shows this network namespace. sysfs shows
# the namespace it was mounted in (ip netns exec mounts the namespace's own; a shell that
# entered one some other way still sees the old one), /proc/net always the reader's: it is
# ours when it lists exactly the interfaces /proc/net/dev does. Decided once per process,
# without a fork.
SYSFS_NET_IS_OURS=''
sysfs_net_is_ours() {
  if [[ -z "$SYSFS_NET_IS_OURS" ]]; then
    SYSFS_NET_IS_OURS=no
    local line name n=0
    local -a lines=()
    local -A listed=()
    { mapfile -t lines <"$VPNLENS_PROC/net/dev"; } 2>/dev/null || true
    for line in "${lines[@]}"; do
      [[ "$line" == *:* ]] || continue
      name=${line%%:*}
      listed[${name##* }]=1
    done
    for name in "$VPNLENS_SYS_NET"/*; do
      [[ -d "$name" ]] || continue
      [[ -n "${listed[${name##*/}]:-}" ]] || return 1
      n=$((n + 1))
    done
    ((n > 0 && n == ${#listed[@]})) || return 1
    SYSFS_NET_IS_OURS=yes
  fi
  [[ "$SYSFS_NET_IS_OURS" == yes ]]
}

# link_exists IFACE: from sysfs without a fork when it is this namespace's, else iproute2.
link_exists() {
  if sysfs_net_is_ours; then
    [[ -e "$VPNLENS_SYS_NET/$1" ]]
  else
    ip link show dev "$1" >/dev/null 2>&1
  fi
}

# delete_link IFACE: remove an interface of this namespace if it is there.
delete_link() {
  link_exists "$1" || return 0
  log_info "deleting interface $1"
  ip link delete dev "$1"
}

# link_mtu_into VAR IFACE: set VAR to IFACE's MTU; from sysfs without a fork when it is
# this namespace's (the bring-up waits on it), else from iproute2.
link_mtu_into() {
  local _mtu_out
  if sysfs_net_is_ours && { read -r _mtu_out <"$VPNLENS_SYS_NET/$2/mtu"; } 2>/dev/null &&
    [[ "$_mtu_out" =~ ^[0-9]+$ ]]; then
    printf -v "$1" '%s' "$_mtu_out"
    return 0
  fi
  _mtu_out=$(ip -o link show dev "$2" 2>/dev/null) || return 1
  [[ "$_mtu_out" =~ \ mtu\ ([0-9]+) ]] || return 1
  printf -v "$1" '%s' "${BASH_REMATCH[1]}"
}

link_mtu() {
  local mtu
  link_mtu_into mtu "$1" || return 1
  printf '%s\n' "$mtu"
}
