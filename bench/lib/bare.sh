# shellcheck shell=bash
# The bare side of fidelity: the same lab tunnel brought up by hand (wg-quick, nebula, openvpn,
# strongSwan's charon-systemd and swanctl), then iperf3
# and ping by hand with the same durations the app's runs use. Nothing of VPNLens's runs here.
[[ -n "${_BENCH_BARE_SH:-}" ]] && return 0
_BENCH_BARE_SH=1

_node_ping_ok() { "${NODE_EXEC[@]}" ping -n -c 1 -W 1 "$1"; }
_node_link_gone() { ! "${NODE_EXEC[@]}" ip link show dev "$1"; }

# charon-systemd by hand: the plugins and routes the driver asks for, its socket and log here.
_bare_ipsec_dir() { printf '%s/bare-ipsec\n' "$BENCH_WORK"; }
_bare_swanctl() {
  local dir
  dir=$(_bare_ipsec_dir)
  "${NODE_EXEC[@]}" env STRONGSWAN_CONF="$dir/strongswan.conf" swanctl "$@" --uri "unix://$dir/charon.vici"
}
_bare_ipsec_spawn() {
  local dir log=$1
  dir=$(_bare_ipsec_dir)
  install -d -m 0700 "$dir"
  rm -f -- "$dir/charon.vici"
  printf 'charon-systemd {\n  load = %s\n  install_routes = yes\n  install_virtual_ip = yes\n  plugins {\n    vici {\n      socket = unix://%s/charon.vici\n    }\n  }\n  journal {\n    default = -1\n  }\n  filelog {\n    charon {\n      path = %s\n      append = yes\n      default = 1\n    }\n  }\n}\n' \
    "random nonce openssl aes sha2 hmac gcm kdf vici kernel-libipsec kernel-netlink socket-default" "$dir" "$log" >"$dir/strongswan.conf"
  bench_spawn bare-ipsec "$log" setsid "${NODE_EXEC[@]}" env STRONGSWAN_CONF="$dir/strongswan.conf" charon-systemd
  poll_until 10 _bare_swanctl --stats || return 1
  _bare_swanctl --load-all --file "$(node_conf ipsec IPSEC_CONFIG)" </dev/null >>"$log" 2>&1
}

# bare_up PROTOCOL: the lab's tunnel by hand; returns once a ping crosses it (30 s at most).
bare_up() {
  local proto=$1 log="$BENCH_WORK/logs/bare.log"
  case "$proto" in
    wireguard)
      without_lock setsid -w "${NODE_EXEC[@]}" env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go \
        wg-quick up "$(node_conf wireguard WG_CONFIG)" </dev/null >>"$log" 2>&1 || return 1
      ;;
    nebula)
      bench_spawn bare-nebula "$log" setsid "${NODE_EXEC[@]}" nebula -config "$(node_conf nebula NEBULA_CONFIG)"
      ;;
    openvpn)
      # the driver's own command line: the client config, then the device it names
      bench_spawn bare-openvpn "$log" setsid "${NODE_EXEC[@]}" openvpn --config "$(node_conf openvpn OPENVPN_CONFIG)" \
        --dev "$(node_conf openvpn OPENVPN_INTERFACE)" --dev-type tun --verb 3
      ;;
    ipsec) _bare_ipsec_spawn "$log" || return 1 ;;
    *) die "bare_up: no way to bring $proto up by hand" ;;
  esac
  poll_until 30 _node_ping_ok "$(node_conf "$proto" PEER_IP)"
}

bare_down() {
  local proto=$1 log="$BENCH_WORK/logs/bare.log" iface
  case "$proto" in
    wireguard)
      iface=$(node_conf wireguard WG_INTERFACE)
      "${NODE_EXEC[@]}" wg-quick down "$(node_conf wireguard WG_CONFIG)" </dev/null >>"$log" 2>&1 || true
      ;;
    nebula)
      iface=$(node_conf nebula NEBULA_INTERFACE)
      bench_stop bare-nebula 10
      ;;
    openvpn)
      iface=$(node_conf openvpn OPENVPN_INTERFACE)
      bench_stop bare-openvpn 10
      ;;
    ipsec)
      iface=$(node_conf ipsec IPSEC_INTERFACE)
      bench_stop bare-ipsec 10
      ;;
  esac
  poll_until 10 _node_link_gone "$iface" || log_warn "bare: $iface still exists after taking $proto down"
}

# bare_iperf OUT_JSON ARGS...: one iperf3 client run from the node, JSON on OUT_JSON.
bare_iperf() {
  local out=$1
  shift
  timeout -k 5 $((BENCH_TCP_SECONDS + BENCH_OMIT_SECONDS + 60)) "${NODE_EXEC[@]}" iperf3 -J "$@" >"$out" 2>>"$BENCH_WORK/logs/bare.log" || true
}

# bare_tests PREFIX NAME ARGS...: BENCH_REPEATS iperf3 runs back to back, as a run repeats a test;
# their JSON in PREFIX-NAME-1.json, PREFIX-NAME-2.json, ...
bare_tests() {
  local prefix=$1 name=$2 n
  shift 2
  for ((n = 1; n <= BENCH_REPEATS; n++)); do
    bare_iperf "$prefix-$name-$n.json" "$@"
  done
}

# bare_samples PREFIX NAME: the repeats' JSON as one array ({} for a run that printed none).
bare_samples() {
  local n
  for ((n = 1; n <= BENCH_REPEATS; n++)); do
    jq -c . "$1-$2-$n.json" 2>/dev/null || echo '{}'
  done | jq -sc .
}

# measure_bare PAIR PROTOCOL: the tests in the order and number a run takes them (each test
# BENCH_REPEATS times); evidence in bare/bare-PAIR-PROTOCOL.json, each test's samples shaped as a
# run's results keep them, so figures.jq takes the same median of both sides.
measure_bare() {
  local pair=$1 proto=$2 peer port dir="$BENCH_WORK/bare" prefix rtts error='' cpu0 cpu=null
  local -a common
  node_exec_argv
  peer=$(node_conf "$proto" PEER_IP)
  port=$(node_conf "$proto" IPERF_PORT)
  prefix="$dir/bare-$pair-$proto"
  common=(-c "$peer" -p "$port" -O "$BENCH_OMIT_SECONDS" --connect-timeout 5000)
  if bare_up "$proto"; then
    cpu0=$(cpu_snapshot "$(app_pid main)")
    # the run's order: idle ping, TCP upload, TCP download, UDP
    "${NODE_EXEC[@]}" ping -n -c "$BENCH_PING_COUNT" -i "$BENCH_PING_INTERVAL" -W 2 "$peer" >"$prefix-ping.txt" 2>&1 || true
    bare_tests "$prefix" up "${common[@]}" -t "$BENCH_TCP_SECONDS"
    bare_tests "$prefix" down "${common[@]}" -t "$BENCH_TCP_SECONDS" -R
    bare_tests "$prefix" udp "${common[@]}" -t "$BENCH_UDP_SECONDS" -u -b "${BENCH_UDP_MBPS}M"
    cpu=$(cpu_share_json "$cpu0" "$(cpu_snapshot "$(app_pid main)")")
  else
    error="$proto did not carry a ping within 30 s of coming up by hand"
    log_error "pair $pair: bare $error"
  fi
  bare_down "$proto"
  rtts=$(grep -v 'DUP!' "$prefix-ping.txt" 2>/dev/null | grep -oE 'time=[0-9.]+' | cut -d= -f2 | jq -sc .) || true
  [[ -n "$rtts" ]] || rtts='[]'
  jq -cn --argjson pair "$pair" --arg p "$proto" --arg error "$error" --argjson rtts "$rtts" --argjson cpu "$cpu" \
    --argjson up "$(bare_samples "$prefix" up)" --argjson down "$(bare_samples "$prefix" down)" \
    --argjson udp "$(bare_samples "$prefix" udp)" '
    def tcp: map({bitsPerSecond: .end.sum_received.bits_per_second});
    {pair: $pair, protocol: $p, error: (if $error == "" then null else $error end),
     tcpUpload: ($up | tcp), tcpDownload: ($down | tcp),
     udp: ($udp | map({bitsPerSecond: ((.end.sum_received // .end.sum // {}).bits_per_second),
                       jitterMs: .end.sum.jitter_ms, lostPercent: .end.sum.lost_percent})),
     rttMs: $rtts, cpuDuringTests: $cpu,
     errors: ([$up[], $down[], $udp[]] | map(.error // empty))}' >"$prefix.json"
  log_info "pair $pair: bare $proto: $(jq -r 'def mbit: map((.bitsPerSecond // 0) / 1e6 | floor | tostring) | join("/");
    "up \(.tcpUpload | mbit), down \(.tcpDownload | mbit) Mbit/s"' "$prefix.json")"
}
