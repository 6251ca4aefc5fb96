#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2317  # bats runs each @test in a subshell and calls functions indirectly
# The environment block of the results.

load helpers

setup() {
  setup_fakes
  load_node_libs
}

teardown() { teardown_fakes; }

@test "the environment block has every field of the contract, typed" {
  run environment_json fake0
  assert_success
  run jq -r '[(.hostname | type), (.kernel | type), (.cpuCores | type), .iperf3Version,
    (.congestionControl | type), (.tcpRmem | test("^[0-9]+ [0-9]+ [0-9]+$")), (.tcpWmem | type),
    (.rmemMax | type), (.wmemMax | type), .underlayInterface, .underlayMtu] | @tsv' <<<"$output"
  assert_output "$(printf 'string\tstring\tnumber\t3.12\tstring\ttrue\tstring\tnumber\tnumber\tfake0\t1500')"
}

@test "offloads come from ethtool -k, without [fixed]" {
  run offloads_json fake0
  assert_output '{"tso":"on","gso":"on","gro":"on","lro":"off","tx-udp-segmentation":"off","rx-udp-gro-forwarding":"off"}'
}

@test "without ethtool the offloads are an empty object" {
  mkdir -p "$BATS_TEST_TMPDIR/noethtool"
  ln -s "$(command -v jq)" "$BATS_TEST_TMPDIR/noethtool/jq"
  PATH="$BATS_TEST_TMPDIR/noethtool" run offloads_json fake0
  assert_output '{}'
}

@test "the node's load and CPU steal are read from loadavg and stat" {
  mkdir -p "$BATS_TEST_TMPDIR/proc"
  echo '0.52 0.41 0.30 1/123 4567' >"$BATS_TEST_TMPDIR/proc/loadavg"
  cp "$BATS_TEST_DIRNAME/fixtures/proc/stat.before" "$BATS_TEST_TMPDIR/proc/stat"
  # shellcheck disable=SC2016 # $1 is the inner shell's argument
  run env VPNLENS_PROC="$BATS_TEST_TMPDIR/proc" bash -c 'source "$1/lib/node.sh" && node_load_json' _ "$SCRIPTS_DIR"
  assert_success
  assert_output '{"load1":0.52,"load5":0.41,"load15":0.30,"cpuTicks":318452,"stealTicks":101}'
}

@test "an unreadable load reading is an empty object, and the environment keeps it before the run" {
  mkdir -p "$BATS_TEST_TMPDIR/noproc"
  # shellcheck disable=SC2016 # $1 is the inner shell's argument
  run env VPNLENS_PROC="$BATS_TEST_TMPDIR/noproc" bash -c 'source "$1/lib/node.sh" && node_load_json' _ "$SCRIPTS_DIR"
  assert_output '{}'
  run environment_json fake0
  run jq -r '.nodeLoadBefore | (.load1 | type), (.cpuTicks | type)' <<<"$output"
  assert_output "$(printf 'number\nnumber')"
}
