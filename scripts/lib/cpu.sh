# shellcheck shell=bash disable=SC2034
# CPU cost of moving bytes: the VPN daemon's own CPU seconds (/proc/<pid>/stat utime +
# stime, all threads) and the whole machine's busy CPU seconds (/proc/stat), counted only
# while a TCP test runs. Kernel VPNs do their work in softirq, which the system figure sees.
[[ -n "${_VPNLENS_CPU_SH:-}" ]] && return 0
_VPNLENS_CPU_SH=1

clock_ticks_per_second() {
  getconf CLK_TCK 2>/dev/null || echo 100
}

# process_cpu_ticks PID: utime + stime of the process, or nothing if it is gone.
process_cpu_ticks() {
  local stat fields
  stat=$(cat "$VPNLENS_PROC/$1/stat" 2>/dev/null) || return 0
  # fields after "pid (comm) ": state is field 3, utime 14, stime 15
  read -r -a fields <<<"${stat##*) }"
  printf '%s\n' "$((fields[11] + fields[12]))"
}

# system_busy_ticks: user + nice + system + irq + softirq + steal from the "cpu" line
# (guest time is already inside user; idle and iowait are not busy).
system_busy_ticks() {
  local label user nice system idle iowait irq softirq steal rest
  read -r label user nice system idle iowait irq softirq steal rest <"$VPNLENS_PROC/stat"
  [[ "$label" == cpu ]] || return 1
  printf '%s\n' "$((user + nice + system + irq + softirq + steal))"
}

cpu_reset() {
  CPU_DAEMON_TICKS=0 CPU_SYSTEM_TICKS=0 CPU_BYTES=0 CPU_DAEMON_SEEN=''
}

# cpu_window_begin DAEMON_PID / cpu_window_end BYTES: add one test's CPU time and bytes.
cpu_window_begin() {
  CPU_WINDOW_PID=$1
  CPU_WINDOW_DAEMON=''
  if [[ -n "$1" ]]; then
    CPU_WINDOW_DAEMON=$(process_cpu_ticks "$1")
  fi
  CPU_WINDOW_SYSTEM=$(system_busy_ticks)
}

cpu_window_end() {
  local bytes=$1 daemon_now system_now
  system_now=$(system_busy_ticks)
  CPU_SYSTEM_TICKS=$((CPU_SYSTEM_TICKS + system_now - CPU_WINDOW_SYSTEM))
  if [[ -n "$CPU_WINDOW_PID" && -n "$CPU_WINDOW_DAEMON" ]]; then
    daemon_now=$(process_cpu_ticks "$CPU_WINDOW_PID")
    if [[ -n "$daemon_now" ]]; then
      CPU_DAEMON_TICKS=$((CPU_DAEMON_TICKS + daemon_now - CPU_WINDOW_DAEMON))
      CPU_DAEMON_SEEN=$(process_comm "$CPU_WINDOW_PID")
    else
      log_warn "cpu: daemon pid $CPU_WINDOW_PID vanished during the test"
    fi
  fi
  CPU_BYTES=$((CPU_BYTES + ${bytes%.*}))
}

# cpu_report: the results' "cpu" object from what the windows added up.
cpu_report() {
  local hz
  hz=$(clock_ticks_per_second)
  jq -cn --arg daemon "$CPU_DAEMON_SEEN" --argjson dt "$CPU_DAEMON_TICKS" \
    --argjson st "$CPU_SYSTEM_TICKS" --argjson hz "$hz" --argjson bytes "$CPU_BYTES" '{
      daemon: (if $daemon == "" then null else $daemon end),
      daemonCpuSeconds: (if $daemon == "" then null else $dt / $hz end),
      systemCpuSeconds: ($st / $hz),
      bytesMoved: $bytes
    }'
}
