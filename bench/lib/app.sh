# shellcheck shell=bash
# shellcheck disable=SC2034 # LAB_SH, BENCH_REF_NAME are read by lab.sh and report.sh
# The app under test, started as the README starts it (dev/up.sh): the measured commit published in
# Release, run as "dotnet VPNLens.Web.dll" with the same environment, on its own port and data dir.
[[ -n "${_BENCH_APP_SH:-}" ]] && return 0
_BENCH_APP_SH=1

BENCH_SRC=''
BENCH_APP_DIR=''
BENCH_API_TOKEN=''
# The first admin of each app, for the measurements that sign in as a browser does (dashboard-push).
readonly BENCH_ADMIN_EMAIL=admin@vpnlens.local
BENCH_ADMIN_PASSWORD=''
BENCH_COMMIT=''
BENCH_REF_NAME=''
readonly BENCH_GATEWAY=198.18.0.1
# Set by a script that starts apps without the lab: they listen on loopback only.
BENCH_LOOPBACK_ONLY=''

# bench_export_source REF [DIR]: the commit to measure, exported clean into DIR/src (default the
# state dir) with its app to go in DIR/app: other people's uncommitted work in the tree is never what
# the figures describe.
bench_export_source() {
  local ref=$1 dir=${2:-$BENCH_STATE}
  BENCH_REF_NAME=$ref
  BENCH_COMMIT=$(repo_git rev-parse --verify "$ref^{commit}") || die "no commit '$ref' in $REPO_DIR"
  BENCH_SRC="$dir/src"
  rm -rf "$BENCH_SRC"
  install -d -m 0700 "$BENCH_SRC"
  repo_git archive "$BENCH_COMMIT" | tar -x -C "$BENCH_SRC"
  LAB_SH="$BENCH_SRC/scripts/lab/lab.sh"
  BENCH_APP_DIR="$dir/app"
  log_info "measuring $ref = $(repo_git log -1 --format='%h %s' "$BENCH_COMMIT")"
}

# bench_publish_app: the exported commit's app, published in Release to BENCH_APP_DIR.
bench_publish_app() {
  local log
  log="$BENCH_WORK/logs/publish-app-$(repo_git rev-parse --short "$BENCH_COMMIT").log"
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  log_info "publishing the app (Release) from $BENCH_COMMIT"
  rm -rf "$BENCH_APP_DIR"
  dotnet publish "$BENCH_SRC/VPNLens.Web" -c Release -o "$BENCH_APP_DIR" --nologo -v quiet \
    >"$log" 2>&1 || die "publishing the app failed; see $log"
}

# bench_publish: the app and the bench tool.
bench_publish() {
  bench_publish_app
  log_info "building the bench tool"
  dotnet publish "$BENCH_DIR/VPNLens.Bench" -c Release -o "$BENCH_TOOL_DIR" --nologo -v quiet \
    >"$BENCH_WORK/logs/publish-tool.log" 2>&1 || die "building bench/VPNLens.Bench failed; see $BENCH_WORK/logs/publish-tool.log"
}

app_data_dir() { printf '%s/data-%s\n' "$BENCH_WORK" "$1"; }
app_log() { printf '%s/logs/app-%s.log\n' "$BENCH_WORK" "$1"; }
app_db() { printf '%s/vpnlens.db\n' "$(app_data_dir "$1")"; }

# _app_ready PORT: the app says it is ready (/readyz answers 2xx: database, Hangfire, and the stored
# days of history checked against the runs, which the app does in the background after it starts
# serving); a measured commit without /readyz (it answers 404) is ready once /healthz answers.
_app_ready() {
  local url="http://127.0.0.1:$1" code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/readyz") || return 1
  [[ "$code" == 2?? ]] && return 0
  [[ "$code" == 404 ]] && curl -fsS --max-time 2 "$url/healthz" >/dev/null 2>&1
}

# app_start NAME PORT [extra VAR=value ...]: an instance with its own empty data dir; returns once it
# is ready (_app_ready), within BENCH_APP_READY_SECONDS (default 120). The measurement settings go in
# as Runs__Settings__* like any configuration.
app_start() {
  local name=$1 port=$2 data pid deadline urls callbacks limit=${BENCH_APP_READY_SECONDS:-120}
  shift 2
  urls="http://127.0.0.1:$port" callbacks="http://127.0.0.1:$port/"
  data=$(app_data_dir "$name")
  install -d -m 0700 "$data"
  # the lab's nodes call back on its gateway; memory-trial.sh has no lab and no nodes calling
  if [[ -z "$BENCH_LOOPBACK_ONLY" ]]; then
    urls+=";http://$BENCH_GATEWAY:$port" callbacks="http://$BENCH_GATEWAY:$port/"
  fi
  log_info "starting app '$name' on ${urls//http:\/\//}"
  (
    cd "$BENCH_APP_DIR" || exit 1
    [[ -z "${BENCH_LOCK_FD:-}" ]] || exec {BENCH_LOCK_FD}>&-
    # the runtime tuning up.sh applies, where the measured commit has it
    if [[ -f "$BENCH_SRC/deploy/runtime.env" ]]; then
      set -a
      # shellcheck source=deploy/runtime.env
      source "$BENCH_SRC/deploy/runtime.env"
      set +a
    fi
    export ASPNETCORE_URLS="$urls"
    export ConnectionStrings__App="Data Source=$data/vpnlens.db"
    export ConnectionStrings__Hangfire="$data/hangfire.db"
    export DataProtection__KeysPath="$data/keys"
    export App__PublicUrl="http://127.0.0.1:$port/"
    export Callbacks__BaseUrl="$callbacks"
    export Api__Token="$BENCH_API_TOKEN"
    [[ -z "$BENCH_ADMIN_PASSWORD" ]] || export Admin__Email="$BENCH_ADMIN_EMAIL" Admin__Password="$BENCH_ADMIN_PASSWORD"
    local setting
    for setting in "$@"; do export "${setting?}"; done
    exec dotnet VPNLens.Web.dll
  ) </dev/null >>"$(app_log "$name")" 2>&1 &
  pid=$!
  bench_record "app-$name" "$pid"
  deadline=$((SECONDS + limit))
  until _app_ready "$port"; do
    bench_running "app-$name" || die "app '$name' exited during start; see $(app_log "$name")"
    ((SECONDS < deadline)) || die "app '$name' was not ready within $limit s: GET /readyz (/healthz where the commit has none) never answered 2xx; last /readyz: $(curl -s --max-time 2 "http://127.0.0.1:$port/readyz" || true); see $(app_log "$name")"
    sleep 0.2
  done
}

app_stop() { bench_stop "app-$1" 20; }

app_pid() { bench_pid "app-$1"; }

# app_api PORT METHOD PATH [BODY]
app_api() {
  local port=$1 method=$2 path=$3 body=${4:-}
  curl -fsS --max-time 30 -X "$method" "http://127.0.0.1:$port$path" -H "Authorization: Bearer $BENCH_API_TOKEN" \
    -H 'Content-Type: application/json' ${body:+--data "$body"}
}

# app_register_lab_node PORT [INDEX]: a lab node (the first by default) as dev/up.sh registers it, with
# the VPN endpoint it measures against where the lab names one; prints its id.
app_register_lab_node() {
  local port=$1 node
  node=$(jq -c --argjson i "${2:-0}" '.nodes[$i] | {name, host, port, user, hostKeyFingerprint, privateKeyPath}
    + (if .endpoint then {endpoint} else {} end)' "$BENCH_LAB_DIR/nodes.json")
  app_api "$port" POST /api/nodes "$node" | jq -r .id
}

# app_rss_mb NAME: resident memory of the app process in MB.
app_rss_mb() {
  local pid
  pid=$(app_pid "$1") || return 1
  awk '/^VmRSS:/ { printf "%.1f\n", $2 / 1024 }' "/proc/$pid/status"
}

# app_rss_samples NAME COUNT INTERVAL_S: a JSON array of RSS samples.
app_rss_samples() {
  local name=$1 count=$2 interval=$3 i samples=()
  for ((i = 0; i < count; i++)); do
    samples+=("$(app_rss_mb "$name")")
    sleep "$interval"
  done
  printf '%s\n' "${samples[@]}" | jq -sc .
}

# app_has_hub PORT: the SignalR run hub exists (it answers negotiate).
app_has_hub() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST -H "Authorization: Bearer $BENCH_API_TOKEN" \
    "http://127.0.0.1:$1/hubs/runs/negotiate?negotiateVersion=1") || true
  [[ "$code" == 200 ]]
}

# app_has_page PORT PATH: the page answers 200.
app_has_page() {
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$1$2")" == 200 ]]
}
