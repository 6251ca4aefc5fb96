# shellcheck shell=bash disable=SC2034
# The path MTU through a tunnel: the largest IP packet that crosses with Don't Fragment set
# and comes back (an echo reply is as large as its request, so one round trip proves both
# directions). A small ping passes through an MTU blackhole; only a full-size one shows it.
[[ -n "${_VPNLENS_PMTU_SH:-}" ]] && return 0
_VPNLENS_PMTU_SH=1

# The smallest packet the search starts from: the ladder's ping rung got a reply to one
# (56 bytes of payload, as ping sends by default).
readonly PMTU_FLOOR_PAYLOAD=56

# pmtu_header PEER: bytes of IP and ICMP header in front of ping's payload.
pmtu_header() {
  if [[ "$1" == *:* ]]; then echo 48; else echo 28; fi
}

# pmtu_probe PEER SIZE: an echo of SIZE bytes (IP packet) with DF set gets a reply within a
# second, an echo sent every 20 ms until then (a lost one costs 20 ms, not the verdict).
pmtu_probe() {
  local peer=$1 size=$2 header=28
  [[ "$peer" == *:* ]] && header=48
  ip_family_args "$peer"
  ping ${IP_FAMILY_ARGS[@]+"${IP_FAMILY_ARGS[@]}"} -n -q -c 1 -w 1 -i 0.02 -M "do" -s "$((size - header))" "$peer" >/dev/null 2>&1
}

# pmtu_search PEER LOW HIGH: the largest size in [LOW, HIGH) that crosses, by bisection,
# LOW known to cross and HIGH known not to. Prints it.
pmtu_search() {
  local peer=$1 low=$2 high=$3 mid
  while ((high - low > 1)); do
    mid=$(((low + high) / 2))
    if pmtu_probe "$peer" "$mid"; then low=$mid; else high=$mid; fi
  done
  printf '%s\n' "$low"
}

# pmtu_subject PROTOCOL: how the sentence names the path.
pmtu_subject() {
  if [[ "$1" == direct ]]; then echo "the direct path"; else echo "the $1 tunnel"; fi
}

# pmtu_blackhole_sentence PROTOCOL MTU LARGEST: what a person reads when full-size packets
# are lost on the way.
pmtu_blackhole_sentence() {
  printf '%s-byte packets do not cross %s; the largest that does is %s: lower the tunnel MTU to %s or fix the path (the seed'"'"'s Docker MTU blackhole)\n' \
    "$2" "$(pmtu_subject "$1")" "$3" "$3"
}
