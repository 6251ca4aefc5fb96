#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2317  # bats runs each @test in a subshell and calls functions indirectly
# The Verification Ladder: each rung polled with a deadline; a rung that does not pass in
# time fails naming itself and the reason.

load helpers

setup() {
  setup_fakes
  load_node_libs
  configure_protocols
}

teardown() { teardown_fakes; }

# up_fake_tunnel: a wireguard interface with an address and the route to the peer.
up_fake_tunnel() {
  printf '[Interface]\nAddress = 127.0.0.2/32\nMTU = 1420\n' >"$BATS_TEST_TMPDIR/vlwg-t1.conf"
  wg-quick up "$BATS_TEST_TMPDIR/vlwg-t1.conf" 2>/dev/null
}

@test "every rung passes on a working tunnel and records its time" {
  up_fake_tunnel
  local rung
  for rung in "${LADDER_RUNGS[@]}"; do
    ladder_rung "$rung" vlwg-t1 127.0.0.1 http://127.0.0.1:8088/ 2
    [[ "$RUNG_MS" =~ ^[0-9]+$ ]] || fail "rung $rung: no time recorded"
  done
  assert_equal "${LADDER_RUNGS[*]}" "interface ip route ping backend"
}

@test "rung 1 fails when the interface never appears" {
  if ladder_rung interface vlwg-t1 127.0.0.1 http://127.0.0.1:8088/ 1; then fail "passed"; fi
  assert_equal "$RUNG_ERROR" "rung interface: interface vlwg-t1 does not exist within 1 s"
}

@test "rung 2 fails when the interface has no address" {
  printf 'vlwg-t1 wireguard 1420\n' >>"$FAKE_STATE/net/links"
  if ladder_rung ip vlwg-t1 127.0.0.1 http://127.0.0.1:8088/ 1; then fail "passed"; fi
  assert_equal "$RUNG_ERROR" "rung ip: interface vlwg-t1 has no IPv4 address within 1 s"
}

@test "rung 3 fails when the peer is routed through the underlay instead of the tunnel" {
  printf 'vlwg-t1 wireguard 1420\n' >>"$FAKE_STATE/net/links"
  if ladder_rung route vlwg-t1 127.0.0.1 http://127.0.0.1:8088/ 1; then fail "passed"; fi
  assert_equal "$RUNG_ERROR" "rung route: 127.0.0.1 goes out via fake0, not via vlwg-t1 within 1 s"
}

@test "rung 3 fails with iproute2's words when there is no route at all" {
  : >"$FAKE_STATE/net/routes"
  if ladder_rung route fake0 127.0.0.1 http://127.0.0.1:8088/ 1; then fail "passed"; fi
  assert_equal "$RUNG_ERROR" "rung route: no route to 127.0.0.1: RTNETLINK answers: Network is unreachable within 1 s"
}

@test "rung 4 fails when no ping comes back through the tunnel" {
  up_fake_tunnel
  export FAKE_PING_DEFAULT=none
  if ladder_rung ping vlwg-t1 127.0.0.1 http://127.0.0.1:8088/ 1; then fail "passed"; fi
  assert_equal "$RUNG_ERROR" "rung ping: no reply from 127.0.0.1 within 1 s"
}

@test "rung 5 fails when the backend does not answer, or answers with an error" {
  local codes
  read -r -a codes <<<"$(printf '000 %.0s' {1..40})"
  queue curl-backend "${codes[@]}"
  if ladder_rung backend fake0 127.0.0.1 http://127.0.0.1:8088/ 1; then fail "passed"; fi
  assert_equal "$RUNG_ERROR" "rung backend: http://127.0.0.1:8088/ unreachable: (7) Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server within 1 s"
  rm -f "$FAKE_STATE/curl-backend.queue"
  read -r -a codes <<<"$(printf '503 %.0s' {1..40})"
  queue curl-backend "${codes[@]}"
  if ladder_rung backend fake0 127.0.0.1 http://127.0.0.1:8088/ 1; then fail "passed"; fi
  assert_equal "$RUNG_ERROR" "rung backend: http://127.0.0.1:8088/ answered HTTP 503 within 1 s"
}

@test "a rung that passes on a later attempt is polled, with a growing pause, not a fixed sleep" {
  PAUSES=()
  pause_ms() { PAUSES+=("$1"); }
  queue curl-backend 000 000 503 200
  ladder_rung backend fake0 127.0.0.1 http://127.0.0.1:8088/ 5
  assert_equal "${PAUSES[*]}" "50 100 200"
  assert_equal "$(grep -c '^curl ' "$FAKE_STATE/calls.log")" 4
}

@test "poll_until gives up at its deadline" {
  local start elapsed
  start=$(now_ms)
  if poll_until 300 false; then fail "passed"; fi
  elapsed=$(($(now_ms) - start))
  ((elapsed >= 300 && elapsed < 1500)) || fail "gave up after $elapsed ms"
  ((POLL_ELAPSED_MS >= 300)) || fail "POLL_ELAPSED_MS=$POLL_ELAPSED_MS"
}

@test "the checks pass on real iproute2 outputs of a wireguard-go tunnel" {
  ip() {
    case "$*" in
      "link show dev vlcwg-a") cat "$FIXTURES/ip/link_show.txt" ;;
      "-o -4 addr show dev vlcwg-a") cat "$FIXTURES/ip/addr_show.txt" ;;
      "-o route get 198.19.250.1") cat "$FIXTURES/ip/route_get.txt" ;;
      *)
        cat "$FIXTURES/ip/route_get_unreachable.txt" >&2
        return 2
        ;;
    esac
  }
  run check_interface vlcwg-a
  assert_success
  run check_ip vlcwg-a 198.19.250.1
  assert_success
  run check_route vlcwg-a 198.19.250.1
  assert_success
  run check_route vlcwg-b 198.19.250.1
  assert_failure
  assert_output "198.19.250.1 goes out via vlcwg-a, not via vlcwg-b"
  run check_route vlcwg-a 198.19.9.9
  assert_failure
  assert_output "no route to 198.19.9.9: RTNETLINK answers: Network is unreachable"
}
