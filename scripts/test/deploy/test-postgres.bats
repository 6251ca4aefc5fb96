#!/usr/bin/env bats
# scripts/test/postgres.sh: the tests' own PostgreSQL cluster, with Debian's real binaries, on loopback.

setup() {
  load helpers
  SCRIPT="$REPO_DIR/scripts/test/postgres.sh"
  # Not under BATS_TEST_TMPDIR: as root the cluster runs as the postgres user, who must reach its folder.
  export VPNLENS_TEST_POSTGRES_DIR="/tmp/vpnlens-bats-postgres-$$-$BATS_TEST_NUMBER"
}

teardown() {
  "$SCRIPT" stop >/dev/null 2>&1 || true
}

# psql_url: the running cluster as a libpq URL, for psql.
psql_url() {
  local cs port password
  cs=$("$SCRIPT" connection-string)
  port=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$cs")
  password=$(sed -E 's/.*Password=([^;]+).*/\1/' <<<"$cs")
  printf 'postgresql://vpnlens:%s@127.0.0.1:%s/postgres\n' "$password" "$port"
}

@test "start runs a cluster on a loopback port that answers with the printed credentials" {
  run "$SCRIPT" start
  assert_success
  run "$SCRIPT" connection-string
  assert_success
  assert_output --regexp '^Host=127\.0\.0\.1;Port=[0-9]+;Username=vpnlens;Password=[0-9a-f]{48};Database=postgres$'
  run psql "$(psql_url)" -tAc "SELECT current_setting('listen_addresses')"
  assert_success
  assert_output "127.0.0.1"
}

@test "the server runs as an unprivileged user" {
  "$SCRIPT" start
  pid=$(head -n 1 "$VPNLENS_TEST_POSTGRES_DIR/data/postmaster.pid")
  run ps -o user= -p "$pid"
  assert_success
  refute_output "root"
}

@test "a wrong password is refused" {
  "$SCRIPT" start
  port=$(cat "$VPNLENS_TEST_POSTGRES_DIR/port")
  run psql "postgresql://vpnlens:wrong@127.0.0.1:$port/postgres" -tAc 'SELECT 1'
  assert_failure
  assert_output --partial "password authentication failed"
}

@test "start twice keeps the one server" {
  "$SCRIPT" start
  first=$(head -n 1 "$VPNLENS_TEST_POSTGRES_DIR/data/postmaster.pid")
  run "$SCRIPT" start
  assert_success
  assert_output --partial "already running"
  assert_equal "$(head -n 1 "$VPNLENS_TEST_POSTGRES_DIR/data/postmaster.pid")" "$first"
}

@test "stop ends the server by its pid and removes its folder; a second stop is a no-op" {
  "$SCRIPT" start
  pid=$(head -n 1 "$VPNLENS_TEST_POSTGRES_DIR/data/postmaster.pid")
  run "$SCRIPT" stop
  assert_success
  assert_output --partial "stopped PostgreSQL (pid $pid)"
  run kill -0 "$pid"
  assert_failure
  assert_not_exist "$VPNLENS_TEST_POSTGRES_DIR"
  run "$SCRIPT" stop
  assert_success
  assert_output ""
}

@test "stop after the server was killed still cleans up" {
  "$SCRIPT" start
  pid=$(head -n 1 "$VPNLENS_TEST_POSTGRES_DIR/data/postmaster.pid")
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  run "$SCRIPT" stop
  assert_success
  assert_not_exist "$VPNLENS_TEST_POSTGRES_DIR"
}

@test "connection-string without a running server says how to start one" {
  run "$SCRIPT" connection-string
  assert_failure
  assert_output --partial "scripts/test/postgres.sh start"
}

@test "missing PostgreSQL binaries name the Debian package" {
  VPNLENS_PG_BIN="$BATS_TEST_TMPDIR/nowhere" run "$SCRIPT" start
  assert_failure
  assert_output --partial "apt-get install postgresql"
}
