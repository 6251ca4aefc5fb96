# shellcheck shell=bash
# The "environment" block of the results: what the numbers depend on besides the VPN.
# It is taken before the first phase, so it forks as little as it can: the files are read by
# bash itself, and the only programs started are nproc, iperf3, ethtool and one jq.
[[ -n "${_VPNLENS_ENVIRONMENT_SH:-}" ]] && return 0
_VPNLENS_ENVIRONMENT_SH=1

# _proc_words_into VAR FILE: the first line of $VPNLENS_PROC/FILE, its runs of blanks made one
# space ("4096 131072 6291456"); empty when unreadable.
_proc_words_into() {
  local -a _proc_words=()
  { read -r -a _proc_words <"$VPNLENS_PROC/$2"; } 2>/dev/null || true
  local IFS=' '
  printf -v "$1" '%s' "${_proc_words[*]}"
}

# _cpu_model_into VAR: the first "model name" of cpuinfo; empty where there is none (ARM).
_cpu_model_into() {
  local _cpu_line
  printf -v "$1" '%s' ''
  while IFS= read -r _cpu_line; do
    if [[ "$_cpu_line" == "model name"*:* ]]; then
      printf -v "$1" '%s' "${_cpu_line#*: }"
      return 0
    fi
  done 2>/dev/null <"$VPNLENS_PROC/cpuinfo"
}

# jq: `offloads` turns ethtool -k's text into the features the results keep, named as here:
# {"gso": "on", ...} ("[fixed]" left out), {} for no text.
# shellcheck disable=SC2016 # $names is jq's
readonly _OFFLOADS_JQ='
  def offloads:
    {"generic-segmentation-offload": "gso", "generic-receive-offload": "gro",
     "tcp-segmentation-offload": "tso", "rx-udp-gro-forwarding": "rx-udp-gro-forwarding",
     "large-receive-offload": "lro", "tx-udp-segmentation": "tx-udp-segmentation"} as $names
    | [splits("\n") | capture("^(?<name>[a-z0-9-]+): (?<value>[a-z]+)") | select($names[.name])
       | {($names[.name]): .value}] | add // {};'

# ethtool_features IFACE: what ethtool -k says; nothing without ethtool or when it fails.
ethtool_features() {
  command -v ethtool >/dev/null 2>&1 || return 0
  ethtool -k "$1" 2>/dev/null || true
}

# offloads_json IFACE: the offloads of IFACE (see _OFFLOADS_JQ).
offloads_json() {
  jq -cn --arg text "$(ethtool_features "$1")" "$_OFFLOADS_JQ"' $text | offloads'
}

# node_load_json: the load average and the cumulative CPU and steal ticks of stat's "cpu" line, so
# that a reading before and one after a run give the share the hypervisor stole between them:
# {"load1":0.5,"load5":0.4,"load15":0.3,"cpuTicks":N,"stealTicks":N}; {} when unreadable.
node_load_json() {
  local load1 load5 load15 _rest total=0 i
  local -a cpu=()
  if ! { read -r load1 load5 load15 _rest <"$VPNLENS_PROC/loadavg" && read -r -a cpu <"$VPNLENS_PROC/stat"; } 2>/dev/null ||
    [[ "${cpu[0]:-}" != cpu || ${#cpu[@]} -lt 9 ]]; then
    printf '{}\n'
    return 0
  fi
  for i in 1 2 3 4 5 6 7 8; do total=$((total + cpu[i])); done
  printf '{"load1":%s,"load5":%s,"load15":%s,"cpuTicks":%s,"stealTicks":%s}\n' \
    "$load1" "$load5" "$load15" "$total" "${cpu[8]}"
}

# environment_json UNDERLAY_IF
environment_json() {
  local iface=$1 mtu='' kernel='' cpu_model cores cc rmem wmem rmem_max wmem_max
  link_mtu_into mtu "$iface" 2>/dev/null || mtu=''
  { read -r kernel <"$VPNLENS_PROC/sys/kernel/osrelease"; } 2>/dev/null || kernel=$(uname -r)
  _cpu_model_into cpu_model
  cores=$(nproc 2>/dev/null) || cores=0
  _proc_words_into cc sys/net/ipv4/tcp_congestion_control
  _proc_words_into rmem sys/net/ipv4/tcp_rmem
  _proc_words_into wmem sys/net/ipv4/tcp_wmem
  _proc_words_into rmem_max sys/net/core/rmem_max
  _proc_words_into wmem_max sys/net/core/wmem_max
  jq -cn \
    --arg hostname "${HOSTNAME:-$(uname -n)}" --arg kernel "$kernel" --arg cpuModel "$cpu_model" \
    --arg cpuCores "$cores" --arg iperf3Version "$(iperf_version)" \
    --arg cc "$cc" --arg tcpRmem "$rmem" --arg tcpWmem "$wmem" \
    --arg rmemMax "$rmem_max" --arg wmemMax "$wmem_max" \
    --arg iface "$iface" --arg mtu "$mtu" --argjson load "$(node_load_json)" \
    --arg ethtool "$(ethtool_features "$iface")" "$_OFFLOADS_JQ"'
    def num: if . == "" then null else tonumber end;
    def str: if . == "" then null else . end;
    {hostname: $hostname, kernel: $kernel, cpuModel: ($cpuModel | str),
     cpuCores: ($cpuCores | num), iperf3Version: ($iperf3Version | str),
     congestionControl: ($cc | str), tcpRmem: ($tcpRmem | str), tcpWmem: ($tcpWmem | str),
     rmemMax: ($rmemMax | num), wmemMax: ($wmemMax | num),
     underlayInterface: ($iface | str), underlayMtu: ($mtu | num), offloads: ($ethtool | offloads),
     nodeLoadBefore: $load}'
}
