# shellcheck shell=bash disable=SC2016
# The results body (docs/node-protocol.md, "Results body"), built on disk as the run goes:
# one JSON file per protocol under $RUN_DIR/protocols, so whatever was measured before a
# failure, an error or a signal is still there to report.
[[ -n "${_VPNLENS_RESULTS_SH:-}" ]] && return 0
_VPNLENS_RESULTS_SH=1

# A protocol's results before anything is measured, after "protocol".
readonly _RESULT_BEGIN_FIELDS='"status":"succeeded","error":null,"interface":null,"mtu":null,"pathMtu":null,
"peer":null,"versions":{},"setupMs":null,"ladder":[],"latencyIdle":null,"latencyLoaded":null,
"tcpUpload":[],"tcpDownload":[],"tcpParallel":[],"tcpBidir":[],"udp":[],"cpu":null,"recovery":null'

# result_begin INDEX PROTOCOL: start this protocol's file; RESULT_FILE points at it. Without
# a jq: PROTOCOL is a validated name ([a-z0-9_-]), which needs no escaping.
result_begin() {
  [[ -d "$RUN_DIR/protocols" ]] || install -d -m 0700 "$RUN_DIR/protocols"
  printf -v RESULT_FILE '%s/protocols/%02d-%s.json' "$RUN_DIR" "$1" "$2"
  printf '{"protocol":"%s",%s}\n' "$2" "$_RESULT_BEGIN_FIELDS" >"$RESULT_FILE"
}

# result_update JQ_FILTER [jq args...]: rewrite the protocol's file through a filter.
result_update() {
  local filter=$1
  shift
  jq -c "$@" "$filter" "$RESULT_FILE" >"$RESULT_FILE.tmp"
  mv -f "$RESULT_FILE.tmp" "$RESULT_FILE"
}

# result_set KEY JSON
result_set() { result_update '.[$k] = $v' --arg k "$1" --argjson v "$2"; }

# result_fail PHASE MESSAGE: mark the protocol failed; the first failure is the one kept.
result_fail() {
  result_update 'if .status == "failed" then . else .status = "failed"
    | .error = {phase: (if $ph == "" then null else $ph end), message: $m} end' \
    --arg ph "$1" --arg m "$2"
}

# results_write STATUS ERROR_MESSAGE: assemble $RUN_DIR/results.json (atomically).
results_write() {
  local status=$1 message=$2 out="$RUN_DIR/results.json"
  local -a files=()
  if [[ -d "$RUN_DIR/protocols" ]]; then
    mapfile -t files < <(find "$RUN_DIR/protocols" -maxdepth 1 -name '*.json' | sort)
  fi
  jq -n --arg status "$status" --arg message "$message" \
    --argjson environment "${ENVIRONMENT_JSON:-{\}}" --argjson settings "${SETTINGS_JSON:-{\}}" \
    --argjson after "$(node_load_json)" \
    '{status: $status, error: (if $message == "" then null else {message: $message} end),
      environment: ($environment + {nodeLoadAfter: $after}), settings: $settings, protocols: [inputs]}' \
    "${files[@]}" </dev/null >"$out.tmp"
  mv -f "$out.tmp" "$out"
}
