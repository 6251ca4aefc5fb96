# shellcheck shell=bash
# The "environment" block of the results: what the numbers depend on besides the VPN.
[[ -n "${_VPNLENS_ENVIRONMENT_SH:-}" ]] && return 0
_VPNLENS_ENVIRONMENT_SH=1

_read_proc() { tr -s '\t ' ' ' <"$VPNLENS_PROC/$1" 2>/dev/null || true; }

# offloads_json IFACE: {"gso": "on", ...} from ethtool -k, {} without ethtool.
offloads_json() {
  local iface=$1 out
  command -v ethtool >/dev/null 2>&1 || {
    echo '{}'
    return 0
  }
  out=$(ethtool -k "$iface" 2>/dev/null) || {
    echo '{}'
    return 0
  }
  awk -F': ' '
    BEGIN { name["generic-segmentation-offload"] = "gso"; name["generic-receive-offload"] = "gro"
            name["tcp-segmentation-offload"] = "tso"; name["rx-udp-gro-forwarding"] = "rx-udp-gro-forwarding"
            name["large-receive-offload"] = "lro"; name["tx-udp-segmentation"] = "tx-udp-segmentation" }
    ($1 in name) { split($2, v, " "); printf "%s\t%s\n", name[$1], v[1] }
  ' <<<"$out" | jq -cRn '[inputs | split("\t") | {(.[0]): .[1]}] | add // {}'
}

# environment_json UNDERLAY_IF
environment_json() {
  local iface=$1 mtu
  mtu=$(link_mtu "$iface" 2>/dev/null || true)
  jq -cn \
    --arg hostname "$(uname -n)" \
    --arg kernel "$(uname -r)" \
    --arg cpuModel "$(awk -F': ' '/^model name/ { print $2; exit }' "$VPNLENS_PROC/cpuinfo" 2>/dev/null)" \
    --arg cpuCores "$(nproc 2>/dev/null || echo 0)" \
    --arg iperf3Version "$(iperf_version)" \
    --arg cc "$(_read_proc sys/net/ipv4/tcp_congestion_control)" \
    --arg tcpRmem "$(_read_proc sys/net/ipv4/tcp_rmem)" \
    --arg tcpWmem "$(_read_proc sys/net/ipv4/tcp_wmem)" \
    --arg rmemMax "$(_read_proc sys/net/core/rmem_max)" \
    --arg wmemMax "$(_read_proc sys/net/core/wmem_max)" \
    --arg iface "$iface" --arg mtu "$mtu" \
    --argjson offloads "$(offloads_json "$iface")" '
    def num: if . == "" then null else tonumber end;
    def str: if . == "" then null else . end;
    {hostname: $hostname, kernel: $kernel, cpuModel: ($cpuModel | str),
     cpuCores: ($cpuCores | num), iperf3Version: ($iperf3Version | str),
     congestionControl: ($cc | str), tcpRmem: ($tcpRmem | str), tcpWmem: ($tcpWmem | str),
     rmemMax: ($rmemMax | num), wmemMax: ($wmemMax | num),
     underlayInterface: ($iface | str), underlayMtu: ($mtu | num), offloads: $offloads}'
}
