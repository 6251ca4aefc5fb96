#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, from Debian's package (postgresql): its own data
# directory under a temporary folder, listening on a free loopback port only, password-protected,
# run by an unprivileged user (postgres refuses root). Sends nothing beyond loopback.
#
#   scripts/test/postgres.sh start               start it (no-op when it is already running)
#   scripts/test/postgres.sh connection-string   print its Npgsql connection string (superuser, database postgres)
#   scripts/test/postgres.sh stop                stop it by its own pid and delete its folder (no-op when gone)
#
# Environment: VPNLENS_TEST_POSTGRES_DIR (its folder), VPNLENS_TEST_POSTGRES_USER (the OS user that
# runs it when started as root, default postgres), VPNLENS_PG_BIN (initdb, pg_ctl; default: the
# newest /usr/lib/postgresql/*/bin).
set -Eeuo pipefail

readonly CLUSTER_DIR="${VPNLENS_TEST_POSTGRES_DIR:-${TMPDIR:-/tmp}/vpnlens-test-postgres-$(id -u)}"
readonly RUN_AS="${VPNLENS_TEST_POSTGRES_USER:-postgres}"
readonly DATA_DIR="$CLUSTER_DIR/data"
readonly DB_USER=vpnlens

# shellcheck source-path=SCRIPTDIR source=../lib/log.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/log.sh"
VPNLENS_LOG_TAG=test-postgres

pg_bin_dir() {
  if [[ -n "${VPNLENS_PG_BIN:-}" ]]; then
    printf '%s\n' "$VPNLENS_PG_BIN"
    return
  fi
  find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1
}

validate_pg_bin() {
  local bin=$1
  [[ -n "$bin" && -x "$bin/initdb" && -x "$bin/pg_ctl" ]] ||
    die "PostgreSQL's initdb and pg_ctl were not found${bin:+ in $bin}; install Debian's postgresql package (apt-get install postgresql)"
}

# as_owner CMD...: runs a command as the cluster's owner (the unprivileged user when we are root).
as_owner() {
  if [[ "$(id -u)" -eq 0 ]]; then
    runuser -u "$RUN_AS" -- "$@"
  else
    "$@"
  fi
}

free_loopback_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The postmaster's pid, from its pid file, when that process is alive.
server_pid() {
  local pid
  [[ -r "$DATA_DIR/postmaster.pid" ]] || return 1
  pid=$(head -n 1 "$DATA_DIR/postmaster.pid")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && printf '%s\n' "$pid"
}

is_running() { server_pid >/dev/null; }

start_cluster() {
  local bin port
  if is_running; then
    log_info "already running on port $(cat "$CLUSTER_DIR/port")"
    return 0
  fi
  bin=$(pg_bin_dir)
  validate_pg_bin "$bin"
  rm -rf "$CLUSTER_DIR"
  install -d -m 0700 "$CLUSTER_DIR"
  if [[ "$(id -u)" -eq 0 ]]; then
    id "$RUN_AS" >/dev/null 2>&1 || die "user $RUN_AS does not exist; set VPNLENS_TEST_POSTGRES_USER to an unprivileged user"
    chown "$RUN_AS:" "$CLUSTER_DIR"
  fi
  (umask 077 && openssl rand -hex 24 >"$CLUSTER_DIR/password")
  [[ "$(id -u)" -ne 0 ]] || chown "$RUN_AS:" "$CLUSTER_DIR/password"
  as_owner "$bin/initdb" -D "$DATA_DIR" -U "$DB_USER" --pwfile="$CLUSTER_DIR/password" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$CLUSTER_DIR/initdb.log" 2>&1 ||
    die "initdb failed: $(tail -n 5 "$CLUSTER_DIR/initdb.log")"
  port=$(free_loopback_port)
  printf '%s\n' "$port" >"$CLUSTER_DIR/port"
  as_owner "$bin/pg_ctl" start -D "$DATA_DIR" -w -t 60 -l "$CLUSTER_DIR/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $CLUSTER_DIR -c max_connections=300 -c fsync=off" >/dev/null ||
    die "PostgreSQL did not start: $(tail -n 5 "$CLUSTER_DIR/server.log")"
  log_info "PostgreSQL $(basename "$(dirname "$bin")") running on 127.0.0.1:$port (pid $(server_pid)), folder $CLUSTER_DIR"
}

print_connection_string() {
  is_running || die "the test PostgreSQL is not running; run scripts/test/postgres.sh start"
  printf 'Host=127.0.0.1;Port=%s;Username=%s;Password=%s;Database=postgres\n' \
    "$(cat "$CLUSTER_DIR/port")" "$DB_USER" "$(cat "$CLUSTER_DIR/password")"
}

# Stops the server by its own pid: a fast shutdown, then SIGKILL if it lingers; then removes the folder.
stop_cluster() {
  local pid i
  if pid=$(server_pid); then
    kill -INT "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log_error "PostgreSQL (pid $pid) did not stop in 10 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log_info "stopped PostgreSQL (pid $pid)"
  fi
  if [[ -d "$CLUSTER_DIR" ]]; then
    rm -rf "$CLUSTER_DIR"
  fi
}

usage() {
  sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

main() {
  case "${1:-}" in
    start) start_cluster ;;
    connection-string) print_connection_string ;;
    stop) stop_cluster ;;
    -h | --help | help | "") usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

[[ "${BASH_SOURCE[0]}" == "$0" ]] && main "$@"
