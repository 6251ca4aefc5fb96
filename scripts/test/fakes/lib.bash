# shellcheck shell=bash
# Shared by the fake executables in fakes/cmd. They never touch the real network or real
# processes: the "network" is a set of files under $FAKE_STATE/net, the "process table"
# for pgrep/pkill is $FAKE_STATE/procs (only processes the fakes started), and every call
# is appended to $FAKE_STATE/calls.log as "<command> <args...>".
set -uo pipefail

: "${FAKE_STATE:?the fakes need FAKE_STATE (helpers.bash sets it)}"
: "${FIXTURES:?the fakes need FIXTURES (helpers.bash sets it)}"
FAKE_NET="$FAKE_STATE/net"
mkdir -p "$FAKE_NET"
touch "$FAKE_NET/links" "$FAKE_NET/addrs" "$FAKE_NET/routes" "$FAKE_NET/rules4" "$FAKE_NET/rules6" "$FAKE_NET/tables" "$FAKE_STATE/procs"
FAKE_NAME=$(basename "$0")

fake_record() { printf '%s %s\n' "$FAKE_NAME" "$*" >>"$FAKE_STATE/calls.log"; }

# fake_lock: hold $FAKE_STATE/.lock until this fake exits. The state files are read, changed
# and replaced, and fakes run at once (stop everything takes every driver down together). A
# fake started by one holding it (ip -batch) inherits the lock.
fake_lock() {
  [[ -z "${FAKE_LOCK_HELD:-}" ]] || return 0
  exec {FAKE_LOCK_FD}>>"$FAKE_STATE/.lock"
  flock "$FAKE_LOCK_FD"
  export FAKE_LOCK_HELD=1
}

# fake_locked FUNCTION [ARGS...]: FUNCTION under the lock, released after it (long-lived fakes).
fake_locked() { (fake_lock && "$@"); }

# fake_next DEFAULT: the next scenario queued for this command (one per line in
# $FAKE_STATE/<command>.queue, consumed in order), or DEFAULT when the queue is empty.
fake_next() { fake_locked _fake_next "$@"; }
_fake_next() {
  local queue="$FAKE_STATE/$FAKE_NAME.queue" first
  if [[ -s "$queue" ]]; then
    first=$(head -n 1 "$queue")
    tail -n +2 "$queue" >"$queue.tmp" && mv "$queue.tmp" "$queue"
    printf '%s\n' "$first"
  else
    printf '%s\n' "$1"
  fi
}

# fake_hold: wait (up to 60 s) until the file $FAKE_HOLD_FILE exists, recording in
# $FAKE_STATE/held whether it came ("released") or not ("timed out").
fake_hold() {
  local i
  for ((i = 0; i < 600; i++)); do
    if [[ -e "$FAKE_HOLD_FILE" ]]; then
      echo "$FAKE_NAME released" >>"$FAKE_STATE/held"
      return 0
    fi
    sleep 0.1
  done
  echo "$FAKE_NAME timed out" >>"$FAKE_STATE/held"
}

# fake_replay DIR NAME: print a captured output (NAME.stdout, NAME.stderr) and exit NAME.rc.
fake_replay() {
  local base="$FIXTURES/$1/$2"
  [[ -e "$base.stdout" ]] || {
    echo "fake $FAKE_NAME: no fixture $base" >&2
    exit 99
  }
  cat "$base.stdout"
  cat "$base.stderr" >&2
  exit "$(cat "$base.rc")"
}

# --- the simulated network ------------------------------------------------------------
# links: "name type mtu"; addrs: "name cidr"; routes: "cidr dev" (first match wins)

fake_link_exists() { awk -v n="$1" '$1 == n { f = 1 } END { exit !f }' "$FAKE_NET/links"; }

fake_link_add() { fake_locked _fake_link_add "$@"; }
_fake_link_add() {
  fake_link_exists "$1" && return 0
  printf '%s %s %s\n' "$1" "$2" "$3" >>"$FAKE_NET/links"
}

fake_link_del() { fake_locked _fake_link_del "$@"; }
_fake_link_del() {
  local n=$1 f
  for f in links addrs; do
    awk -v n="$n" '$1 != n' "$FAKE_NET/$f" >"$FAKE_NET/$f.tmp" && mv "$FAKE_NET/$f.tmp" "$FAKE_NET/$f"
  done
  awk -v n="$n" '$2 != n' "$FAKE_NET/routes" >"$FAKE_NET/routes.tmp" && mv "$FAKE_NET/routes.tmp" "$FAKE_NET/routes"
}

fake_addr_add() { fake_locked _fake_addr_add "$@"; }
_fake_addr_add() { printf '%s %s\n' "$1" "$2" >>"$FAKE_NET/addrs"; }

# fake_route_add CIDR DEV: newest first, like a more specific route would win
fake_route_add() { fake_locked _fake_route_add "$@"; }
_fake_route_add() {
  {
    printf '%s %s\n' "$1" "$2"
    cat "$FAKE_NET/routes"
  } >"$FAKE_NET/routes.tmp"
  mv "$FAKE_NET/routes.tmp" "$FAKE_NET/routes"
}

_ip_to_int() {
  local IFS=. a b c d
  read -r a b c d <<<"$1"
  echo $(((a << 24) + (b << 16) + (c << 8) + d))
}

# fake_route_dev IP: the device of the first route whose prefix holds IP (an IPv6 one: the
# first route to exactly IP, IP/128 or ::/0)
fake_route_dev() {
  local ip cidr dev net bits mask
  if [[ "$1" == *:* ]]; then
    awk -v a="$1" '$1 == a || $1 == a "/128" || $1 == "::/0" { print $2; found = 1; exit } END { exit !found }' "$FAKE_NET/routes"
    return
  fi
  ip=$(_ip_to_int "$1")
  while read -r cidr dev; do
    [[ -n "$cidr" && "$cidr" != *:* ]] || continue
    net=${cidr%/*} bits=${cidr#*/}
    [[ "$cidr" == */* ]] || bits=32
    mask=$(((0xffffffff << (32 - bits)) & 0xffffffff))
    ((bits == 0)) && mask=0
    if (((ip & mask) == ($(_ip_to_int "$net") & mask))); then
      printf '%s\n' "$dev"
      return 0
    fi
  done <"$FAKE_NET/routes"
  return 1
}

# --- fake daemons ----------------------------------------------------------------------

# fake_daemon_register COMM CMDLINE: make this process visible to the fake pgrep/pkill.
fake_daemon_register() {
  printf '%s %s %s\n' "$$" "$1" "$2" >>"$FAKE_STATE/procs"
}

# fake_daemon_loop: wait for TERM (then run fake_daemon_cleanup if defined) and exit.
fake_daemon_loop() {
  trap 'declare -F fake_daemon_cleanup >/dev/null && fake_daemon_cleanup; exit 0' TERM INT
  while :; do
    sleep 1 &
    wait $! || true
  done
}
