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

# free_port: a loopback TCP port nothing listens on now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
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
  as_image_builds_it "$APP_DIR"
  app_manifest >"$WORK/app.manifest"
  APP_PORT=$(free_port)
  export APP_PORT
  # /data belongs to the app's user; the app's files do not
  export APP_USER=nobody
  [[ "$(id -u)" == 0 ]] || APP_USER=$(id -un)
  install -d -o "$APP_USER" "$DATA_DIR"
}

teardown_file() {
  stop_edge || true
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

# stop_group PIDFILE: TERM to the process group led by PIDFILE's pid, KILL after 20 s;
# succeeds when it is gone.
stop_group() {
  local pidfile=$1 pid i
  [[ -s "$pidfile" ]] || return 0
  pid=$(<"$pidfile")
  kill -TERM -- "-$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

stop_app() { stop_group "$WORK/app.pid"; }

# edge_config: the Caddyfile's snippets and its dashboard site as written, served over plain HTTP
# on $EDGE_PORT (no certificate, no admin endpoint); start_edge points APP_UPSTREAMS at the app.
edge_config() {
  printf '{\n\tadmin off\n}\n'
  awk '/^\(/,/^}/' "$REPO_DIR/Caddyfile"
  awk '/^dashboard\./,/^}/' "$REPO_DIR/Caddyfile" |
    sed -e "1s|.*|http://127.0.0.1:$EDGE_PORT {|"
}

# start_edge: Debian's caddy with edge_config, in its own process group, pid in $WORK/caddy.pid.
start_edge() {
  local i
  EDGE_PORT=$(free_port)
  export EDGE_PORT
  edge_config >"$WORK/Caddyfile.edge"
  mkdir -p "$WORK/caddy-home"
  APP_UPSTREAMS="127.0.0.1:$APP_PORT" HOME="$WORK/caddy-home" XDG_DATA_HOME="$WORK/caddy-home" XDG_CONFIG_HOME="$WORK/caddy-home" \
    setsid caddy run --adapter caddyfile --config "$WORK/Caddyfile.edge" </dev/null >>"$WORK/caddy.log" 2>&1 &
  echo $! >"$WORK/caddy.pid"
  for ((i = 0; i < 100; i++)); do
    curl -fsS --noproxy '*' -o /dev/null "http://127.0.0.1:$EDGE_PORT/healthz" 2>/dev/null && return 0
    kill -0 "$(<"$WORK/caddy.pid")" 2>/dev/null || fail "caddy exited: $(tail -n 20 "$WORK/caddy.log")"
    sleep 0.1
  done
  fail "caddy did not answer on $EDGE_PORT: $(tail -n 20 "$WORK/caddy.log")"
}

stop_edge() { stop_group "$WORK/caddy.pid"; }

# edge_curl ARGS...: curl to the edge, response headers (lower-cased names) on stdout.
edge_curl() {
  local -
  set -o pipefail
  curl -sS --noproxy '*' -D - "$@" | tr -d '\r' | sed 's/^[^:]*:/\L&/'
}

# blazor_connection: a fresh SignalR connection token for the dashboard's circuit hub.
blazor_connection() {
  curl -fsS --noproxy '*' -X POST "http://127.0.0.1:$EDGE_PORT/_blazor/negotiate?negotiateVersion=1" | jq -er .connectionToken
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

# unsealed: a page without what the app seals afresh for each request.
unsealed() {
  sed -E 's/value="[^"]*"/value/g; s/<!--Blazor-Server-Component-State:[^-]*-->//g'
}
export -f unsealed

@test "behind the Caddyfile's dashboard site, pages arrive compressed and SignalR's streams untouched" {
  # the app the tests before left running, or its own when this test runs alone
  [[ -s "$WORK/app.pid" ]] || start_app
  wait_healthy 90
  start_edge
  local page="$WORK/login.html" headers token css
  # a browser that takes zstd gets zstd, one that takes only gzip gets gzip; the page is the same
  headers=$(edge_curl --compressed -H 'Accept-Encoding: zstd, gzip' -o "$page" "http://127.0.0.1:$EDGE_PORT/account/login")
  assert_regex "$headers" $'\ncontent-encoding: zstd\n'
  assert_file_contains "$page" '</html>'
  headers=$(edge_curl -H 'Accept-Encoding: gzip' -o "$WORK/login.gz" "http://127.0.0.1:$EDGE_PORT/account/login")
  assert_regex "$headers" $'\ncontent-encoding: gzip\n'
  # the same page, bar what is sealed per request (antiforgery token, Blazor's component state)
  run bash -c 'diff <(gzip -dc "$1" | unsealed) <(unsealed <"$2")' _ "$WORK/login.gz" "$page"
  assert_success
  (($(stat -c %s "$WORK/login.gz") < $(stat -c %s "$page"))) ||
    fail "gzip: $(stat -c %s "$WORK/login.gz") of $(stat -c %s "$page") bytes"
  # the stylesheet the page names: byte for byte what the app serves, in a fraction of the bytes
  css=$(grep -o '_content/MudBlazor/MudBlazor\.min\.[a-z0-9]*\.css' "$page" | head -n 1)
  [[ -n "$css" ]] || fail "the login page names no MudBlazor stylesheet"
  curl -fsS --noproxy '*' -H 'Accept-Encoding: identity' -o "$WORK/app.css" "http://127.0.0.1:$APP_PORT/$css"
  headers=$(edge_curl -H 'Accept-Encoding: gzip' -o "$WORK/edge.css.gz" "http://127.0.0.1:$EDGE_PORT/$css")
  assert_regex "$headers" $'\ncontent-encoding: gzip\n'
  run bash -c 'gzip -dc "$1" | cmp - "$2"' _ "$WORK/edge.css.gz" "$WORK/app.css"
  assert_success
  (($(stat -c %s "$WORK/edge.css.gz") * 4 < $(stat -c %s "$WORK/app.css"))) ||
    fail "gzip: $(stat -c %s "$WORK/edge.css.gz") of $(stat -c %s "$WORK/app.css") bytes"
  # Server-Sent Events (SignalR's fallback transport): not compressed, and the first bytes the
  # hub writes reach the client at once rather than waiting in an encoder's buffer
  token=$(blazor_connection)
  run edge_curl -N --max-time 3 -H 'Accept: text/event-stream' -H 'Accept-Encoding: zstd, gzip' \
    "http://127.0.0.1:$EDGE_PORT/_blazor?id=$token"
  assert_equal "$status" 28 # curl's timeout: the stream stays open
  assert_regex "$output" $'\ncontent-type: text/event-stream'
  refute_output --regexp 'content-encoding: (zstd|gzip)'
  assert_regex "$output" $'\n\n:'
  # a WebSocket upgrade passes through
  token=$(blazor_connection)
  run edge_curl --http1.1 -N --max-time 3 -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
    -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \
    -H 'Accept-Encoding: zstd, gzip' "http://127.0.0.1:$EDGE_PORT/_blazor?id=$token"
  assert_line --regexp '^HTTP/1\.1 101 '
  refute_output --regexp 'content-encoding: (zstd|gzip)'
}
