#!/usr/bin/env bash
# ./vpnlens up: the app on SQLite plus a local lab node, ready to benchmark.
# Runs in the foreground; Ctrl-C stops the app and takes the lab down.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

readonly APP_DIR="$STATE_DIR/app"
readonly DATA_DIR="$STATE_DIR/data"
readonly CONFIG_FILE="$STATE_DIR/config.env"
readonly PORT="${VPNLENS_PORT:-5080}"
readonly LAB_GATEWAY=198.18.0.1
readonly LAB_SH="$REPO_DIR/scripts/lab/lab.sh"
APP_PID=""

teardown() {
  set +e
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then
    log_info "stopping the app (pid $APP_PID)"
    kill -TERM "$APP_PID"
    wait "$APP_PID" 2>/dev/null
  fi
  APP_PID=""
  "$LAB_SH" down >/dev/null 2>&1 || log_error "lab.sh down failed; run: sudo $LAB_SH down"
  [[ "$(live_up_pid)" != "$$" ]] || rm -f "$UP_PIDFILE"
}

# The API token is made once and kept, so automation keeps working across restarts.
ensure_config() {
  install -d -m 0700 "$STATE_DIR" "$DATA_DIR"
  if [[ ! -s "$CONFIG_FILE" ]]; then
    # the umask of a subshell, so it ends with the file it protects: left in force it reaches
    # dotnet publish, and NuGet extracts packages that a non-root app cannot read
    (
      umask 077
      printf 'Api__Token=%s\n' "$(openssl rand -hex 24)" >"$CONFIG_FILE"
    )
  fi
  # shellcheck disable=SC1090
  source "$CONFIG_FILE"
}

publish_app() {
  log_info "building the app"
  dotnet publish "$REPO_DIR/VPNLens.Web" -c Release -o "$APP_DIR" --nologo -v quiet >/dev/null
}

start_app() {
  log_info "starting the app on http://127.0.0.1:$PORT and http://$LAB_GATEWAY:$PORT"
  (
    cd "$APP_DIR"
    set -a
    # shellcheck source=deploy/runtime.env
    source "$REPO_DIR/deploy/runtime.env"
    set +a
    export ASPNETCORE_URLS="http://127.0.0.1:$PORT;http://$LAB_GATEWAY:$PORT"
    export ConnectionStrings__App="Data Source=$DATA_DIR/vpnlens.db"
    export ConnectionStrings__Hangfire="$DATA_DIR/hangfire.db"
    export DataProtection__KeysPath="$DATA_DIR/keys"
    export App__PublicUrl="http://127.0.0.1:$PORT/"
    export Callbacks__BaseUrl="http://$LAB_GATEWAY:$PORT/"
    export Api__Token
    exec dotnet VPNLens.Web.dll
  ) &
  APP_PID=$!
  local deadline=$((SECONDS + 60))
  until curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
    kill -0 "$APP_PID" 2>/dev/null || die "the app exited during start; see its output above"
    ((SECONDS < deadline)) || die "the app did not answer /healthz within 60 s"
    sleep 0.5
  done
}

# Adds the lab node, or updates its host key and address after the lab was re-created.
register_lab_nodes() {
  local labdir="${VPNLENS_LAB_DIR:-/run/vpnlens-lab}" node name existing
  jq -c '.nodes[] | {name, host, port, user, hostKeyFingerprint, privateKeyPath}' "$labdir/nodes.json" | while read -r node; do
    name=$(jq -r .name <<<"$node")
    existing=$(api GET /api/nodes | jq -r --arg n "$name" '.[] | select(.name == $n) | .id')
    if [[ -n "$existing" ]]; then
      api PUT "/api/nodes/$existing" "$node" >/dev/null
    else
      api POST /api/nodes "$node" >/dev/null
    fi
    log_info "lab node $name registered"
  done
}

api() {
  local method=$1 path=$2 body=${3:-}
  curl -fsS -X "$method" "http://127.0.0.1:$PORT$path" -H "Authorization: Bearer $Api__Token" \
    -H 'Content-Type: application/json' ${body:+--data "$body"}
}

print_welcome() {
  cat <<TXT

  VPNLens is running.
    Dashboard:  http://127.0.0.1:$PORT/
    API token:  $Api__Token
    (the first admin's password is printed above on the very first start only)

  Queue a benchmark on the lab node:
    curl -X POST http://127.0.0.1:$PORT/api/runs -H "Authorization: Bearer $Api__Token" \\
      -H 'Content-Type: application/json' \\
      -d '{"nodeId":"$(api GET /api/nodes | jq -r '.[0].id')","protocols":["wireguard","nebula","openvpn"],"email":"you@example.com"}'

  Ctrl-C stops the app and takes the lab down.

TXT
}

main() {
  validate_no_live_up "a second ./vpnlens up"
  install_prerequisites
  run_under_reaper "$@"
  trap teardown EXIT
  printf '%s\n' "$$" >"$UP_PIDFILE"
  trap 'exit 130' INT TERM
  ensure_config
  publish_app
  "$LAB_SH" up --nodes "${VPNLENS_LAB_NODES:-1}"
  start_app
  register_lab_nodes
  print_welcome
  wait "$APP_PID"
}

[[ "${BASH_SOURCE[0]}" == "$0" ]] && main "$@"
