#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031  # bats runs each @test in a subshell
# The published app, started the way the image starts it: `dotnet VPNLens.Web.dll` from a
# root-owned app directory, as a user that owns nothing but the data directory, with the
# Dockerfile's own ENV (only /data and the listening address are moved: to a throwaway
# directory and a loopback port), answering /healthz through the image's bundled probe.

load helpers

# The Dockerfile's runtime ENV as NAME=VALUE lines, quotes removed.
image_env() {
  python3 - "$REPO_DIR/Dockerfile" <<'PY'
import re, shlex, sys
text = open(sys.argv[1]).read().replace("\\\n", " ")
runtime = text[text.index(" AS runtime"):]
for line in runtime.splitlines():
    if line.startswith("ENV "):
        for pair in shlex.split(line[4:]):
            print(pair)
PY
}

setup_file() {
  # bats' own temporary directories are private to root: the app's user could not reach these
  WORK=$(mktemp -d /tmp/vpnlens-image.XXXXXX)
  export WORK APP_DIR="$WORK/app" DATA_DIR="$WORK/data"
  chmod 0755 "$WORK"
  # the same two publishes as the Dockerfile's build stage (for this machine's architecture)
  dotnet publish "$REPO_DIR/VPNLens.Web/VPNLens.Web.csproj" -c Release --self-contained false \
    -p:UseAppHost=false -o "$APP_DIR" --nologo -v quiet >"$WORK/publish.log" 2>&1 ||
    {
      tail -n 30 "$WORK/publish.log" >&3
      return 1
    }
  dotnet publish "$REPO_DIR/deploy/healthcheck/VPNLens.HealthCheck.csproj" -c Release \
    -o "$APP_DIR/healthcheck" --nologo -v quiet >>"$WORK/publish.log" 2>&1
  app_manifest >"$WORK/app.manifest"
  APP_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export APP_PORT
  # /data belongs to the app's user; the app's files do not
  export APP_USER=nobody
  [[ "$(id -u)" == 0 ]] || APP_USER=$(id -un)
  install -d -o "$APP_USER" "$DATA_DIR"
}

teardown_file() {
  stop_app || true
  [[ "${WORK:-}" == /tmp/vpnlens-image.* ]] && rm -rf "$WORK"
}

# start_app: the app in its own process group, its pid in $WORK/app.pid, its output in $WORK/app.log.
start_app() {
  local -a env_args=() run_as=()
  local pair
  while IFS= read -r pair; do
    pair=${pair//\/data/$DATA_DIR}
    [[ "$pair" == ASPNETCORE_URLS=* ]] && pair="ASPNETCORE_URLS=http://127.0.0.1:$APP_PORT"
    env_args+=("$pair")
  done < <(image_env)
  [[ "$(id -u)" == 0 ]] && run_as=(setpriv --reuid="$APP_USER" --regid="$(id -g "$APP_USER")" --clear-groups)
  (
    cd "$APP_DIR" || exit
    exec setsid env -i PATH="$PATH" HOME=/nonexistent DOTNET_CLI_TELEMETRY_OPTOUT=1 \
      "${env_args[@]}" Api__Token=image-start-test-token-0123456789 \
      "${run_as[@]}" dotnet VPNLens.Web.dll
  ) </dev/null >>"$WORK/app.log" 2>&1 &
  echo $! >"$WORK/app.pid"
}

# stop_app: TERM to the app's process group, KILL after 20 s; succeeds when it is gone.
stop_app() {
  local pid i
  [[ -s "$WORK/app.pid" ]] || return 0
  pid=$(<"$WORK/app.pid")
  kill -TERM -- "-$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$WORK/app.pid"
}

# app_manifest: every file and directory of the published app with its size and time.
app_manifest() { find "$APP_DIR" -printf '%P %s %T@\n' | sort; }

probe() { dotnet "$APP_DIR/healthcheck/VPNLens.HealthCheck.dll" "http://127.0.0.1:$APP_PORT/healthz"; }

# wait_healthy SECONDS: the bundled probe until it passes, while the app still runs.
wait_healthy() {
  local deadline=$((SECONDS + $1)) pid
  pid=$(<"$WORK/app.pid")
  until probe 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || fail "the app exited: $(tail -n 20 "$WORK/app.log")"
    ((SECONDS < deadline)) || fail "not healthy within $1 s: $(
      probe 2>&1
      tail -n 20 "$WORK/app.log"
    )"
    sleep 0.5
  done
}

@test "the bundled probe says why when nothing answers" {
  run probe
  assert_failure 1
  assert_output --partial "http://127.0.0.1:$APP_PORT/healthz unreachable:"
}

@test "started as the image starts it, the app answers /healthz through the image's probe" {
  start_app
  wait_healthy 90
  run bash -c "curl -sS --noproxy '*' http://127.0.0.1:$APP_PORT/healthz | jq -r '[.status, .checks.database.status, .checks.hangfire.status] | join(\" \")'"
  assert_success
  assert_output "Healthy Healthy Healthy"
}

@test "everything it writes is under /data, owned by the app's user; the app's files stay as published" {
  assert_file_exists "$DATA_DIR/vpnlens.db"
  assert_file_exists "$DATA_DIR/hangfire.db"
  assert_dir_exists "$DATA_DIR/keys"
  run find "$DATA_DIR" -mindepth 1 ! -user "$APP_USER"
  assert_output ""
  run diff "$WORK/app.manifest" <(app_manifest)
  assert_success
}

@test "it stops on TERM and comes back healthy on the same data, with its sign-in keys kept" {
  local keys
  keys=$(ls "$DATA_DIR/keys")
  [[ -n "$keys" ]] || fail "no Data Protection key in $DATA_DIR/keys"
  stop_app
  run grep -c 'Application is shutting down' "$WORK/app.log"
  assert_output 1
  start_app
  wait_healthy 90
  assert_equal "$(ls "$DATA_DIR/keys")" "$keys"
}
