#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2030,SC2031,SC2317  # bats runs each @test in a subshell and calls functions indirectly; single-quoted snippets run in another shell
# The Verification Ladder: every rung climbed in order, each polled with a deadline, the
# times it began and passed recorded; a rung that does not pass in time fails naming itself
# and the reason, and the rungs after it are not climbed.

load helpers

setup() {
  setup_fakes
  # the checks' output goes through files there (ladder_run)
  mkdir -p "$VPNLENS_STATE_DIR"
  load_node_libs
  configure_protocols
  BACKEND=https://127.0.0.1:8088/
}

teardown() {
  [[ -n "${HTTP_PID:-}" ]] && kill "$HTTP_PID" 2>/dev/null
  teardown_fakes
}

# up_fake_tunnel: a wireguard interface with an address and the route to the peer.
up_fake_tunnel() {
  printf '[Interface]\nAddress = 127.0.0.2/32\nMTU = 1420\n' >"$BATS_TEST_TMPDIR/vlwg-t1.conf"
  wg-quick up "$BATS_TEST_TMPDIR/vlwg-t1.conf" 2>/dev/null
}

# expect_climbed "RUNG..." : exactly these rungs passed, each after it began, each begun
# after the one before passed.
expect_climbed() {
  local -a want
  read -r -a want <<<"$1"
  assert_equal "${#LADDER_PASS_MS[@]}" "${#want[@]}"
  local i
  for i in "${!want[@]}"; do
    assert_equal "${LADDER_RUNGS[i]}" "${want[i]}"
    [[ "${LADDER_START_MS[i]}" =~ ^[0-9]{13}$ && "${LADDER_PASS_MS[i]}" =~ ^[0-9]{13}$ ]] ||
      fail "rung ${want[i]}: times '${LADDER_START_MS[i]}' '${LADDER_PASS_MS[i]}'"
    ((LADDER_PASS_MS[i] >= LADDER_START_MS[i])) || fail "rung ${want[i]} passed before it began"
    ((i == 0 || LADDER_START_MS[i] >= LADDER_PASS_MS[i - 1])) || fail "rung ${want[i]} began before the one before passed"
  done
}

@test "every rung passes on a working tunnel: start and pass times, no error" {
  up_fake_tunnel
  ladder_climb vlwg-t1 127.0.0.1 "$BACKEND" 2
  assert_equal "${LADDER_RUNGS[*]}" "interface ip route ping backend full_size"
  expect_climbed "interface ip route ping backend full_size"
  assert_equal "$LADDER_FAILED$RUNG_ERROR" ""
  assert_equal "$LADDER_PATH_MTU" 1420
  assert_equal "$(ladder_passed_at ping)" "${LADDER_PASS_MS[3]}"
  run ladder_json
  assert_output --regexp '^\[\{"rung":"interface","ms":[0-9]+\},\{"rung":"ip","ms":[0-9]+\},\{"rung":"route","ms":0,"provenBy":"ip"\},\{"rung":"ping","ms":[0-9]+\},\{"rung":"backend","ms":[0-9]+\},\{"rung":"full_size","ms":0,"provenBy":"ping"\}\]$'
  assert_equal "$(jq '.[3].ms' <<<"$output")" "$((LADDER_PASS_MS[3] - LADDER_START_MS[3]))"
}

@test "a working tunnel is climbed with one ip and one ping process: each proves two rungs" {
  up_fake_tunnel
  : >"$FAKE_STATE/calls.log"
  ladder_climb vlwg-t1 127.0.0.1 "$BACKEND" 2
  expect_climbed "interface ip route ping backend full_size"
  # the interface's addresses and the route to the peer, read together (here, without a sysfs
  # of the fake network, the interface and its MTU are iproute2's too)
  assert_equal "$(grep -E '^ip .*(addr|route|batch)' "$FAKE_STATE/calls.log")" "ip -o -4 -force -batch -"
  assert_equal "$(grep -c ' dev vlwg-t1 ' "$VPNLENS_STATE_DIR/ladder.out")" 1
  # one echo of the whole MTU with DF set, a second at most, sent again every 20 ms until then
  assert_equal "$(grep '^ping ' "$FAKE_STATE/calls.log")" "ping -n -q -c 1 -w 1 -i 0.02 -M do -s 1392 127.0.0.1"
  assert_equal "${LADDER_PROVEN_BY[*]}" "ip ping"
  assert_equal "${!LADDER_PROVEN_BY[*]}" "2 5"
  assert_equal "$LADDER_PATH_MTU" 1420
  # a rung proven by another passes as it begins, after the rung before it
  assert_equal "${LADDER_PASS_MS[2]}" "${LADDER_START_MS[2]}"
  assert_equal "${LADDER_PASS_MS[5]}" "${LADDER_START_MS[5]}"
}

@test "a tunnel still settling when the full-size echo went out is not called a blackhole" {
  up_fake_tunnel
  : >"$FAKE_STATE/calls.log"
  # the full-size echo gets no reply, the small one after it does: rung full_size probes again
  queue ping none ok
  ladder_climb vlwg-t1 127.0.0.1 "$BACKEND" 2
  expect_climbed "interface ip route ping backend full_size"
  assert_equal "$LADDER_FAILED$RUNG_ERROR" ""
  assert_equal "$LADDER_PATH_MTU" 1420
  assert_equal "${!LADDER_PROVEN_BY[*]}" 2
  assert_equal "$(grep '^ping ' "$FAKE_STATE/calls.log")" "ping -n -q -c 1 -w 1 -i 0.02 -M do -s 1392 127.0.0.1
ping -n -q -c 1 -w 1 -i 0.02 127.0.0.1
ping -n -q -c 1 -w 1 -i 0.02 -M do -s 1392 127.0.0.1"
}

@test "rung 3 asks on its own when the route read with the address does not go via the interface yet" {
  printf 'vlwg-t1 wireguard 1420\n' >>"$FAKE_STATE/net/links"
  printf 'vlwg-t1 127.0.0.2/32\n' >>"$FAKE_STATE/net/addrs"
  # the route comes a moment after the address: rung route is polled with its own check
  PAUSES=()
  pause_ms() {
    PAUSES+=("$1")
    printf '127.0.0.1/32 vlwg-t1\n' >"$FAKE_STATE/net/routes"
  }
  : >"$FAKE_STATE/calls.log"
  ladder_climb vlwg-t1 127.0.0.1 "$BACKEND" 2
  expect_climbed "interface ip route ping backend full_size"
  assert_equal "${!LADDER_PROVEN_BY[*]}" 5
  assert_equal "${#PAUSES[@]}" 1
  assert_equal "$(grep -E '^ip .*(addr|route|batch)' "$FAKE_STATE/calls.log")" "ip -o -4 -force -batch -
ip -o route get 127.0.0.1
ip -o route get 127.0.0.1"
}

@test "rung 1 fails when the interface never appears, and nothing after it is climbed" {
  if ladder_climb vlwg-t1 127.0.0.1 "$BACKEND" 1; then fail "passed"; fi
  assert_equal "$LADDER_FAILED" interface
  assert_equal "$RUNG_ERROR" "rung interface: interface vlwg-t1 does not exist within 1 s"
  expect_climbed ""
  assert_equal "${#LADDER_START_MS[@]}" 1
  ((LADDER_GAVE_UP_MS - LADDER_START_MS[0] >= 1000)) || fail "gave up after $((LADDER_GAVE_UP_MS - LADDER_START_MS[0])) ms"
  run grep -cE '^(ping|curl) ' "$FAKE_STATE/calls.log"
  assert_output 0
}

@test "rung 2 fails when the interface has no address" {
  printf 'vlwg-t1 wireguard 1420\n' >>"$FAKE_STATE/net/links"
  if ladder_climb vlwg-t1 127.0.0.1 "$BACKEND" 1; then fail "passed"; fi
  assert_equal "$RUNG_ERROR" "rung ip: interface vlwg-t1 has no IPv4 address within 1 s"
  expect_climbed "interface"
}

@test "rung 3 fails when the peer is routed through the underlay instead of the tunnel" {
  printf 'vlwg-t1 wireguard 1420\n' >>"$FAKE_STATE/net/links"
  printf 'vlwg-t1 127.0.0.2/32\n' >>"$FAKE_STATE/net/addrs"
  if ladder_climb vlwg-t1 127.0.0.1 "$BACKEND" 1; then fail "passed"; fi
  assert_equal "$LADDER_FAILED" route
  assert_equal "$RUNG_ERROR" "rung route: 127.0.0.1 goes out via fake0, not via vlwg-t1 within 1 s"
  expect_climbed "interface ip"
  run grep -cE '^(ping|curl) ' "$FAKE_STATE/calls.log"
  assert_output 0
}

@test "rung 3 fails with iproute2's words when there is no route at all" {
  : >"$FAKE_STATE/net/routes"
  if ladder_climb fake0 127.0.0.1 "$BACKEND" 1; then fail "passed"; fi
  assert_equal "$RUNG_ERROR" "rung route: no route to 127.0.0.1: RTNETLINK answers: Network is unreachable within 1 s"
}

@test "rung 4 fails when no ping comes back through the tunnel" {
  up_fake_tunnel
  export FAKE_PING_DEFAULT=none
  if ladder_climb vlwg-t1 127.0.0.1 "$BACKEND" 1; then fail "passed"; fi
  assert_equal "$RUNG_ERROR" "rung ping: no reply from 127.0.0.1 within 1 s"
  expect_climbed "interface ip route"
}

@test "rung 5 fails when the backend does not answer, or answers with an error" {
  local codes
  read -r -a codes <<<"$(printf '000 %.0s' {1..40})"
  queue curl-backend "${codes[@]}"
  if ladder_climb fake0 127.0.0.1 "$BACKEND" 1; then fail "passed"; fi
  assert_equal "$RUNG_ERROR" "rung backend: https://127.0.0.1:8088/ unreachable: (7) Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server within 1 s"
  expect_climbed "interface ip route ping"
  rm -f "$FAKE_STATE/curl-backend.queue"
  read -r -a codes <<<"$(printf '503 %.0s' {1..40})"
  queue curl-backend "${codes[@]}"
  if ladder_climb fake0 127.0.0.1 "$BACKEND" 1; then fail "passed"; fi
  assert_equal "$RUNG_ERROR" "rung backend: https://127.0.0.1:8088/ answered HTTP 503 within 1 s"
}

@test "rung 6 passes with one echo of the tunnel's whole MTU, Don't Fragment set" {
  up_fake_tunnel
  ladder_climb vlwg-t1 127.0.0.1 "$BACKEND" 2
  run grep -c -- '-M do' "$FAKE_STATE/calls.log"
  assert_output 1
  run grep -c '^ping -n -q -c 1 -w 1 -i 0.02 -M do -s 1392 127.0.0.1$' "$FAKE_STATE/calls.log"
  assert_output 1
}

@test "rung 6 fails at once through an MTU blackhole, naming the largest size that crosses" {
  up_fake_tunnel
  PAUSES=()
  pause_ms() { PAUSES+=("$1"); }
  export FAKE_PATH_MTU=1372
  export PROTOCOL=wireguard
  if ladder_climb vlwg-t1 127.0.0.1 "$BACKEND" 30; then fail "passed"; fi
  assert_equal "$LADDER_FAILED" full_size
  assert_equal "$RUNG_ERROR" "rung full_size: 1420-byte packets do not cross the wireguard tunnel; the largest that does is 1372: lower the tunnel MTU to 1372 or fix the path (the seed's Docker MTU blackhole)"
  assert_equal "$LADDER_PATH_MTU" 1372
  expect_climbed "interface ip route ping backend"
  # no polling: a blackhole does not heal by waiting; a bisection, not a walk down (rung ping's
  # full-size echo, rung full_size's own, then at most 11 halvings of 84..1420)
  assert_equal "${#PAUSES[@]}" 0
  local probes
  probes=$(grep -c -- '-M do' "$FAKE_STATE/calls.log")
  ((probes <= 13)) || fail "$probes probes"
  # rung ping passed on the small echo after the full-size one got no reply
  run grep -c '^ping -n -q -c 1 -w 1 -i 0.02 127.0.0.1$' "$FAKE_STATE/calls.log"
  assert_output 1
}

@test "the search finds every path MTU between the ping rung's packet and the MTU" {
  local mtu
  for mtu in 85 1000 1399 1419; do
    FAKE_PATH_MTU=$mtu run pmtu_search 127.0.0.1 84 1420
    assert_output "$mtu"
  done
  FAKE_PATH_MTU=84 run pmtu_search 127.0.0.1 84 1420
  assert_output 84
}

@test "IPv6 peers are probed with 48 bytes of header, and the direct path is named as such" {
  FAKE_PATH_MTU=1280 run pmtu_search fd00::1 1200 1500
  assert_output 1280
  run grep -c -- '-M do -s 1232 fd00::1$' "$FAKE_STATE/calls.log"
  assert_output 1
  run pmtu_blackhole_sentence direct 1500 1460
  assert_output "1500-byte packets do not cross the direct path; the largest that does is 1460: lower the tunnel MTU to 1460 or fix the path (the seed's Docker MTU blackhole)"
}

@test "the pause between tries is an eighth of the wait so far, at least 2 ms, at most POLL_MAX_PAUSE_MS" {
  local waited want
  for waited in 0 15 16 40 800 7999 8000 60000; do
    lag_pause_ms "$waited"
    want=$((waited / 8))
    ((want >= 2)) || want=2
    ((want <= 1000)) || want=1000
    assert_equal "$waited:$LAG_PAUSE_MS" "$waited:$want"
  done
  POLL_MIN_PAUSE_MS=5 POLL_MAX_PAUSE_MS=50 lag_pause_ms 1000
  assert_equal "$LAG_PAUSE_MS" 50
  POLL_MIN_PAUSE_MS=5 lag_pause_ms 0
  assert_equal "$LAG_PAUSE_MS" 5
}

@test "a rung that passes on a later attempt is polled with short pauses, not a fixed sleep" {
  # a clock of its own, 40 ms on at each look and moved by each pause: the shape of the waits,
  # whatever the machine's load
  FAKE_NOW=1700000000000 PAUSES=()
  clock_ms() {
    FAKE_NOW=$((FAKE_NOW + 40))
    printf -v "$1" '%d' "$FAKE_NOW"
  }
  pause_ms() {
    PAUSES+=("$1")
    FAKE_NOW=$((FAKE_NOW + $1))
  }
  queue curl-backend 000 000 503 200
  ladder_climb fake0 127.0.0.1 "$BACKEND" 5
  assert_equal "${#PAUSES[@]}" 3
  local i
  for ((i = 1; i < ${#PAUSES[@]}; i++)); do
    ((PAUSES[i] > PAUSES[i - 1])) || fail "the pauses do not grow with the wait: ${PAUSES[*]}"
  done
  # each a fraction of the time waited so far: short while the wait is short
  ((PAUSES[0] < 40 && PAUSES[2] < 200)) || fail "pauses as long as the wait: ${PAUSES[*]}"
  assert_equal "$(grep -c '^curl ' "$FAKE_STATE/calls.log")" 4
  expect_climbed "interface ip route ping backend full_size"
}

@test "the pause grows with the wait, the last ends at the rung's deadline, and the rung is tried once more there" {
  PAUSES=()
  pause_ms() {
    PAUSES+=("$1")
    sleep "$(printf '%d.%03d' "$(($1 / 1000))" "$(($1 % 1000))")"
  }
  # a check that fails at once: the pauses' shape, not the fakes' speed
  check_ping() {
    CHECK_REASON="no reply from $2"
    return 1
  }
  if ladder_climb fake0 127.0.0.1 "$BACKEND" 1; then fail "passed"; fi
  local i n=${#PAUSES[@]}
  # an eighth of the wait so far, 2 ms at least: 2 unless the first failed check took 24 ms or more
  # (a loaded machine); the floor itself is lag_pause_ms's test above
  ((PAUSES[0] >= 2 && PAUSES[0] < 20)) || fail "the first pause was not short: ${PAUSES[*]}"
  for ((i = 1; i < n - 1; i++)); do
    ((PAUSES[i] >= PAUSES[i - 1])) || fail "a pause shrank: ${PAUSES[*]}"
  done
  # an eighth of at most the second the rung had
  ((PAUSES[n - 2] <= 125)) || fail "a pause longer than an eighth of the wait: ${PAUSES[*]}"
  ((n <= 80)) || fail "$n tries in a second: ${PAUSES[*]}"
  ((LADDER_GAVE_UP_MS - LADDER_START_MS[3] >= 1000)) || fail "gave up early"
}

@test "the log has one line per rung climbed, stamped with the time it passed" {
  up_fake_tunnel
  ladder_climb vlwg-t1 127.0.0.1 "$BACKEND" 2
  VPNLENS_LOG_TAG=wireguard run --separate-stderr ladder_log
  assert_output ""
  local -a lines
  # shellcheck disable=SC2154 # run --separate-stderr sets it
  mapfile -t lines <<<"$stderr"
  assert_equal "${#lines[@]}" 6
  local i proven=([2]=" (proven by rung ip)" [5]=" (proven by rung ping)")
  for i in 0 1 2 3 4 5; do
    assert_equal "${lines[i]}" "$(iso_from_ms "${LADDER_PASS_MS[i]}") INFO  [wireguard] ladder: rung ${LADDER_RUNGS[i]} passed in $((LADDER_PASS_MS[i] - LADDER_START_MS[i])) ms${proven[i]:-}"
  done
}

@test "a failed climb logs the rungs that passed, then the failure when the rung gave up" {
  printf 'vlwg-t1 wireguard 1420\n' >>"$FAKE_STATE/net/links"
  if ladder_climb vlwg-t1 127.0.0.1 "$BACKEND" 1; then fail "passed"; fi
  VPNLENS_LOG_TAG=switch run --separate-stderr ladder_log
  assert_equal "$stderr" "$(iso_from_ms "${LADDER_PASS_MS[0]}") INFO  [switch] ladder: rung interface passed in $((LADDER_PASS_MS[0] - LADDER_START_MS[0])) ms
$(iso_from_ms "$LADDER_GAVE_UP_MS") ERROR [switch] ladder: rung ip: interface vlwg-t1 has no IPv4 address within 1 s"
}

# in_namespace_view PROC SYS SCRIPT: SCRIPT in a shell with the node's libraries, /proc and
# sysfs pointed at PROC and SYS.
in_namespace_view() {
  env VPNLENS_PROC="$1" VPNLENS_SYS_NET="$2" bash -c 'source "$1/lib/node.sh"; eval "$2"' _ "$SCRIPTS_DIR" "$3"
}

@test "interfaces are looked up in sysfs, without a fork, when it shows this namespace; else iproute2" {
  local proc="$BATS_TEST_TMPDIR/view/proc" sys="$BATS_TEST_TMPDIR/view/sys"
  mkdir -p "$proc/net" "$sys/lo" "$sys/vlsys-t1"
  printf 'Inter-|   Receive  |  Transmit\n face |bytes    packets|bytes    packets\n    lo:  0 0  0 0\nvlsys-t1:  0 0  0 0\n' >"$proc/net/dev"
  printf '1380\n' >"$sys/vlsys-t1/mtu"
  : >"$sys/bonding_masters"
  run in_namespace_view "$proc" "$sys" '
    sysfs_net_is_ours && echo ours
    check_interface vlsys-t1 && echo "vlsys-t1 $(link_mtu vlsys-t1)"
    check_interface vlsys-t2 || echo "$CHECK_REASON"'
  assert_output "ours
vlsys-t1 1380
interface vlsys-t2 does not exist"
  assert_equal "$(calls | grep -c '^ip ')" 0
  # a sysfs that lists an interface /proc/net/dev does not is another namespace's
  mkdir "$sys/eth9"
  up_fake_tunnel
  run in_namespace_view "$proc" "$sys" '
    sysfs_net_is_ours || echo theirs
    check_interface vlsys-t1 || echo "$CHECK_REASON"
    check_interface vlwg-t1 && echo "vlwg-t1 $(link_mtu vlwg-t1)"'
  assert_output "theirs
interface vlsys-t1 does not exist
vlwg-t1 1420"
  assert_equal "$(calls | grep -c '^ip link show dev vlsys-t1$')" 1
}

# http_responder MODE: a real HTTP server on loopback for the http:// path (bash's
# /dev/tcp); sets HTTP_PORT. MODE: the status code to answer every request with (each
# request is appended to $BATS_TEST_TMPDIR/requests, CRLF as "|"), "silent" (accepts and
# never answers) or "close" (reads the request and hangs up).
http_responder() {
  rm -f "$BATS_TEST_TMPDIR/port"
  python3 - "$1" "$BATS_TEST_TMPDIR" 3>&- <<'PY' &
import os, socket, sys
mode, d = sys.argv[1], sys.argv[2]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
with open(os.path.join(d, "port.tmp"), "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
held = []
while True:
    c, _ = s.accept()
    if mode == "silent":
        held.append(c)
        continue
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = c.recv(4096)
        if not chunk:
            break
        request += chunk
    if mode == "close":
        c.close()
        continue
    request = request.decode(errors="replace")
    with open(os.path.join(d, "requests"), "a") as f:
        f.write(request.replace("\r\n", "|") + "\n")
    c.sendall(f"HTTP/1.0 {mode} Whatever\r\nContent-Length: 2\r\n\r\nok".encode())
    c.close()
PY
  HTTP_PID=$!
  poll_until 5000 test -s "$BATS_TEST_TMPDIR/port" || fail "the HTTP responder did not start"
  HTTP_PORT=$(<"$BATS_TEST_TMPDIR/port")
}

@test "an http backend is asked by bash itself: one GET of the path, 2xx and 3xx pass" {
  http_responder 204
  check_backend fake0 127.0.0.1 "http://127.0.0.1:$HTTP_PORT/health?x=1#top"
  assert_equal "$(cat "$BATS_TEST_TMPDIR/requests")" \
    "GET /health?x=1 HTTP/1.1|Host: 127.0.0.1:$HTTP_PORT|User-Agent: vpnlens-ladder|Connection: close||"
  kill "$HTTP_PID"
  http_responder 302
  check_backend fake0 127.0.0.1 "http://127.0.0.1:$HTTP_PORT"
  assert_equal "$(tail -n 1 "$BATS_TEST_TMPDIR/requests" | cut -d'|' -f1)" "GET / HTTP/1.1"
  assert_equal "$(calls | grep -c '^curl ')" 0
}

@test "an http backend that errs, refuses, hangs up or never answers fails with the reason" {
  http_responder 503
  if check_backend fake0 127.0.0.1 "http://127.0.0.1:$HTTP_PORT/"; then fail "passed"; fi
  assert_equal "$CHECK_REASON" "http://127.0.0.1:$HTTP_PORT/ answered HTTP 503"
  kill "$HTTP_PID"
  wait "$HTTP_PID" 2>/dev/null || true
  # the port is free now: nothing listens
  if check_backend fake0 127.0.0.1 "http://127.0.0.1:$HTTP_PORT/"; then fail "passed"; fi
  assert_equal "$CHECK_REASON" "http://127.0.0.1:$HTTP_PORT/ unreachable: Connection refused"
  http_responder close
  if check_backend fake0 127.0.0.1 "http://127.0.0.1:$HTTP_PORT/"; then fail "passed"; fi
  assert_equal "$CHECK_REASON" "http://127.0.0.1:$HTTP_PORT/ closed the connection without an HTTP status line"
  kill "$HTTP_PID"
  http_responder silent
  local start
  start=$(now_ms)
  if LADDER_HTTP_TIMEOUT_S=1 check_backend fake0 127.0.0.1 "http://127.0.0.1:$HTTP_PORT/"; then fail "passed"; fi
  assert_equal "$CHECK_REASON" "http://127.0.0.1:$HTTP_PORT/ unreachable: no answer within 1 s"
  (($(now_ms) - start < 3000)) || fail "took $(($(now_ms) - start)) ms"
}

@test "a failing http check never trips the ERR trap of the shell that climbs" {
  run bash -c '
    set -Eeuo pipefail
    source "$1/lib/node.sh"
    trap "echo ERR-TRAP >&2" ERR
    ladder_climb fake0 127.0.0.1 http://127.0.0.1:9/ 1 || echo "$RUNG_ERROR"' _ "$SCRIPTS_DIR"
  assert_success
  assert_output "rung backend: http://127.0.0.1:9/ unreachable: Connection refused within 1 s"
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
      "-o -4 -force -batch -")
        local command
        while read -r command; do
          # shellcheck disable=SC2086 # the batch's words
          ip -o -4 $command || true
        done
        ;;
      "-o -4 route get "*) ip -o "${@:3}" ;;
      "link show dev vlcwg-a") cat "$FIXTURES/ip/link_show.txt" ;;
      "-o -4 addr show dev vlcwg-a") cat "$FIXTURES/ip/addr_show.txt" ;;
      "-o route get 198.19.250.1") cat "$FIXTURES/ip/route_get.txt" ;;
      *)
        cat "$FIXTURES/ip/route_get_unreachable.txt" >&2
        return 2
        ;;
    esac
  }
  check_interface vlcwg-a
  CHECK_ALSO=''
  check_ip vlcwg-a 198.19.250.1
  assert_equal "$CHECK_ALSO" route
  CHECK_ALSO=''
  check_ip vlcwg-a 198.19.9.9
  assert_equal "$CHECK_ALSO" ''
  check_route vlcwg-a 198.19.250.1
  if check_route vlcwg-b 198.19.250.1; then fail "passed"; fi
  assert_equal "$CHECK_REASON" "198.19.250.1 goes out via vlcwg-a, not via vlcwg-b"
  if check_route vlcwg-a 198.19.9.9; then fail "passed"; fi
  assert_equal "$CHECK_REASON" "no route to 198.19.9.9: RTNETLINK answers: Network is unreachable"
}
