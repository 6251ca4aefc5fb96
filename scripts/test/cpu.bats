#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2317  # bats runs each @test in a subshell and calls functions indirectly
# CPU cost: the daemon's utime+stime and the machine's busy time, from /proc snapshots
# (captured from a real busy process, see fixtures/README.md) taken around each test.

load helpers

setup() {
  setup_fakes
  export VPNLENS_PROC="$BATS_TEST_TMPDIR/proc"
  mkdir -p "$VPNLENS_PROC/4242"
  echo wireguard-go >"$VPNLENS_PROC/4242/comm"
  load_node_libs
  HZ=$(getconf CLK_TCK)
}

teardown() { teardown_fakes; }

snapshot() {
  cp "$FIXTURES/proc/stat.$1" "$VPNLENS_PROC/stat"
  cp "$FIXTURES/proc/daemon_stat.$1" "$VPNLENS_PROC/4242/stat"
}

@test "a process's CPU ticks are utime + stime" {
  snapshot before
  run process_cpu_ticks 4242
  assert_output 28
  snapshot after
  run process_cpu_ticks 4242
  assert_output 129
}

@test "busy ticks are user+nice+system+irq+softirq+steal, not idle or iowait" {
  snapshot before
  run system_busy_ticks
  assert_output $((53042 + 0 + 20367 + 0 + 1932 + 101))
}

@test "the cpu block adds up the windows around the tests" {
  cpu_reset
  snapshot before
  cpu_window_begin 4242
  snapshot after
  cpu_window_end 1000000
  snapshot before
  cpu_window_begin 4242
  snapshot after
  cpu_window_end 500000.0
  run cpu_report
  assert_output "$(jq -cn --argjson hz "$HZ" '{daemon: "wireguard-go", daemonCpuSeconds: (202 / $hz),
    systemCpuSeconds: (208 / $hz), bytesMoved: 1500000}')"
}

@test "a kernel VPN (no daemon) reports daemon null and still the system CPU" {
  cpu_reset
  snapshot before
  cpu_window_begin ""
  snapshot after
  cpu_window_end 10
  run jq -c '[.daemon, .daemonCpuSeconds, .systemCpuSeconds > 0, .bytesMoved]' <<<"$(cpu_report)"
  assert_output '[null,null,true,10]'
}

@test "a daemon that vanishes mid-test does not break the report" {
  cpu_reset
  snapshot before
  cpu_window_begin 4242
  rm -rf "$VPNLENS_PROC/4242"
  cp "$FIXTURES/proc/stat.after" "$VPNLENS_PROC/stat"
  cpu_window_end 10
  run jq -c '[.daemon, .systemCpuSeconds > 0]' <<<"$(cpu_report)"
  assert_output '[null,true]'
}
