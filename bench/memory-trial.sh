#!/usr/bin/env bash
# bench/memory-trial.sh: the app's resident memory with open Blazor circuits, the app as it is and
# with runtime settings to try, taken in turn (base, A, B, base, A, B ...). The harness behind the
# trials deploy/runtime.env records: no lab and no real run, so its figures sit below the suite's
# (whose first run maps SSH.NET and the script bundle's code) and compare only with each other.
#
#   bench/memory-trial.sh [--rounds N] [--ref REF] [--runs N] [--circuits N] [--intake] [NAME=VAR=value[,VAR=value] | NAME=@REF]...
#
#   --rounds N     how many times each variant is taken (default 3)
#   --ref REF      the commit to measure (default HEAD), exported clean from git
#   --runs N       stored runs seeded before the circuits open (default 2000)
#   --circuits N   headless Chromium tabs, signed in, on the live page of a running run (default 100)
#   --intake       30 s of signed callbacks from 16 senders before the circuits open
#   NAME=VAR=...   a variant: environment settings for the app, e.g. conserve=DOTNET_GCConserveMemory=5
#   NAME=@REF      a variant: the app built from another commit (with its own deploy/runtime.env), for
#                  what only a build changes, e.g. r2r=@my-branch
#
# Prints each variant's peak RSS per trial and their median; the evidence (one JSON line per trial)
# goes to the work dir it names. Its own state (.vpnlens/memory-trial): never the suite's.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
shopt -s inherit_errexit

export VPNLENS_BENCH_STATE="${VPNLENS_BENCH_STATE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.vpnlens/memory-trial}"
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/app.sh
source "$BENCH_DIR/lib/app.sh"

readonly TRIAL_PORT="${VPNLENS_TRIAL_PORT:-5190}"
readonly TRIAL_FINGERPRINT=SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
# Never dialled: the running runs are written straight into the database, never dispatched.
readonly TRIAL_NODE_HOST=198.18.0.250

usage() {
  sed -n '2,/^# shellcheck/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

# is_variant NAME=VAR=value[,VAR=value] | NAME=@REF
is_variant() {
  [[ "$1" =~ ^[A-Za-z0-9_.-]+=[A-Za-z_][A-Za-z0-9_]*=[^,]*(,[A-Za-z_][A-Za-z0-9_]*=[^,]*)*$ ||
    "$1" =~ ^[A-Za-z0-9_.-]+=@[^[:space:]]+$ ]]
}

# TRIAL_SRCS / TRIAL_APPS: each variant's exported source and published app, by index.
TRIAL_SRCS=() TRIAL_APPS=()

# prepare_variants REF SETTING...: exports and publishes the app of REF (and the bench tool), and of
# each @REF variant in its own dir; a settings variant runs REF's app.
prepare_variants() {
  local ref=$1 i base_src base_app
  shift
  local -a variants=("$@")
  bench_export_source "$ref"
  bench_publish
  base_src=$BENCH_SRC base_app=$BENCH_APP_DIR
  for i in "${!variants[@]}"; do
    TRIAL_SRCS[i]=$base_src TRIAL_APPS[i]=$base_app
    [[ "${variants[i]}" == @* ]] || continue
    bench_export_source "${variants[i]#@}" "$BENCH_STATE/variant-$i"
    bench_publish_app
    TRIAL_SRCS[i]=$BENCH_SRC TRIAL_APPS[i]=$BENCH_APP_DIR
  done
}

teardown() {
  local rc=$?
  set +e
  bench_stop_all
  return "$rc"
}

# trial_node PORT: registers the never-dialled node; prints its id.
trial_node() {
  local key="$BENCH_WORK/unused-node-key"
  : >"$key"
  app_api "$1" POST /api/nodes "$(jq -cn --arg h "$TRIAL_NODE_HOST" --arg f "$TRIAL_FINGERPRINT" --arg k "$key" \
    '{name: "memory-trial", host: $h, port: 22, user: "vpnlens", hostKeyFingerprint: $f, privateKeyPath: $k}')" | jq -r .id
}

running_run() {
  bench_tool running-run --db "$(app_db trial)" --node-id "$1" --protocols direct,wireguard
}

# trial_intake NODE_ID: 3 x 10 s of signed callbacks over 4 running runs.
trial_intake() {
  local runs='' i
  for ((i = 0; i < 4; i++)); do
    runs+="${runs:+,}$(running_run "$1" | jq -r '"\(.id):\(.secret)"')"
  done
  for ((i = 0; i < 3; i++)); do
    bench_tool intake --base "http://127.0.0.1:$TRIAL_PORT" --db "$(app_db trial)" --runs "$runs" \
      --concurrency 16 --seconds 10 >/dev/null 2>>"$BENCH_WORK/logs/tool.log" || die "callback intake failed; see $BENCH_WORK/logs/tool.log"
  done
}

# trial ROUND INDEX NAME SETTINGS: one app, seeded, maybe loaded, then the circuits; one JSON line.
trial() {
  local round=$1 index=$2 name=$3 settings=$4 node run id secret token before peak out="$BENCH_WORK/circuits-$1-$2.json"
  local -a env=()
  [[ -z "$settings" || "$settings" == @* ]] || IFS=, read -r -a env <<<"$settings"
  BENCH_SRC=${TRIAL_SRCS[index]} BENCH_APP_DIR=${TRIAL_APPS[index]}
  app_start trial "$TRIAL_PORT" "${env[@]}"
  node=$(trial_node "$TRIAL_PORT")
  bench_tool seed --db "$(app_db trial)" --runs "$TRIAL_RUNS" --template "$BENCH_DIR/fixtures/results-template.json" \
    --tokens-out "$BENCH_WORK/tokens.txt" >/dev/null || die "seeding failed"
  run=$(running_run "$node")
  IFS=$'\t' read -r id secret token < <(jq -r '[.id, .secret, .token] | @tsv' <<<"$run")
  curl -fsS -o /dev/null "http://127.0.0.1:$TRIAL_PORT/" || true
  [[ -z "$TRIAL_INTAKE" ]] || trial_intake "$node"
  sleep 3
  before=$(app_rss_mb trial)
  bench_tool circuits --base "http://127.0.0.1:$TRIAL_PORT" --path "/r/$token" --app-pid "$(app_pid trial)" \
    --email "$BENCH_ADMIN_EMAIL" --password "$BENCH_ADMIN_PASSWORD" --run-id "$id" --secret "$secret" --count "$TRIAL_CIRCUITS" --hold-seconds 20 \
    >"$out" 2>>"$BENCH_WORK/logs/tool.log" || die "the circuits failed; see $BENCH_WORK/logs/tool.log"
  app_stop trial
  rm -rf -- "$(app_data_dir trial)"
  peak=$(jq '.rssMb.samples | max' "$out")
  json_append "$BENCH_WORK/trials.jsonl" "$(jq -c --argjson round "$round" --argjson index "$index" --arg name "$name" --arg settings "$settings" \
    --argjson before "$before" --argjson peak "$peak" '{round: $round, index: $index, variant: $name, settings: $settings,
      beforeMb: $before, peakMb: $peak, connected}' "$out")"
  log_info "round $round, $name: before $before MB, peak $peak MB"
}

# summary: one line per variant, in the order given: its peaks and their median.
summary() {
  jq -rs 'group_by(.variant) | map({variant: .[0].variant, settings: .[0].settings, order: .[0].index, peaks: map(.peakMb)})
    | sort_by(.order) | .[] | (.peaks | sort) as $p
    | [.variant, (.peaks | map(tostring) | join(" ")), ($p[($p | length - 1) / 2 | floor] | tostring), .settings] | @tsv' \
    "$BENCH_WORK/trials.jsonl" | (printf 'variant\tpeak MB per trial\tmedian\tsettings\n' && cat) | column -t -s $'\t'
}

main() {
  local ref=HEAD rounds=3 round i
  local -a names=(base) settings=('')
  TRIAL_RUNS=2000 TRIAL_CIRCUITS=100 TRIAL_INTAKE=''
  while (($#)); do
    case "$1" in
      --rounds | --ref | --runs | --circuits)
        [[ $# -ge 2 ]] || die "$1 needs a value"
        case "$1" in
          --rounds) rounds=$2 ;;
          --ref) ref=$2 ;;
          --runs) TRIAL_RUNS=$2 ;;
          --circuits) TRIAL_CIRCUITS=$2 ;;
        esac
        shift 2
        ;;
      --intake)
        TRIAL_INTAKE=1
        shift
        ;;
      -h | --help)
        usage
        return 0
        ;;
      *)
        is_variant "$1" || die "a variant is NAME=VAR=value[,VAR=value] or NAME=@REF, got '$1'"
        [[ " ${names[*]} " != *" ${1%%=*} "* ]] || die "variant name '${1%%=*}' is given twice"
        names+=("${1%%=*}")
        settings+=("${1#*=}")
        shift
        ;;
    esac
  done
  validate_positive_int --rounds "$rounds"
  validate_positive_int --runs "$TRIAL_RUNS"
  validate_positive_int --circuits "$TRIAL_CIRCUITS"
  validate_tools jq curl dotnet git column openssl
  trap teardown EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  BENCH_LOOPBACK_ONLY=1
  install -d -m 0700 "$BENCH_STATE"
  bench_work_init
  BENCH_API_TOKEN=$(openssl rand -hex 24)
  # signed in: a signed-out reader of a live permalink gets the shared static page, which holds no circuit
  BENCH_ADMIN_PASSWORD="$(openssl rand -hex 16)Aa1!"
  prepare_variants "$ref" "${settings[@]}"
  for ((round = 1; round <= rounds; round++)); do
    for i in "${!names[@]}"; do
      trial "$round" "$i" "${names[i]}" "${settings[i]}"
    done
  done
  echo
  summary
  log_info "evidence: $BENCH_WORK/trials.jsonl"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
