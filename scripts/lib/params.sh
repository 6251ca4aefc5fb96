# shellcheck shell=bash disable=SC2034
# params.json: written by the control plane over SSH, mode 0600, never passed in argv.
[[ -n "${_VPNLENS_PARAMS_SH:-}" ]] && return 0
_VPNLENS_PARAMS_SH=1

# is_private_file PATH: a regular file only its owner may read or write.
is_private_file() {
  local mode
  [[ -f "$1" ]] || return 1
  mode=$(stat -c '%a' "$1") || return 1
  (((8#$mode & 8#077) == 0))
}

validate_private_file() {
  is_private_file "$2" || die "$1 must be a file only its owner can read (mode 0600): $2"
}

# The params in one jq, as shell assignments quoted by @sh for eval: a jq costs ~10 ms of a
# run's start-up, and there are 20 values. A value is its tostring, DEFAULT when it is absent
# or null (or where settings or secrets is not an object); the protocols are the array's
# entries, each its tostring. Settings have no default here: the control plane sends every one, and
# each absent (or null) one is named in SETTINGS_MISSING.
readonly _PARAMS_JQ='
  def v(name; path; default): "\(name)=\(path // default | tostring | @sh)";
  def setting(key): (.settings | objects | .[key]) // null;
  def s(name; key): v(name; setting(key); ""), (if setting(key) == null then "SETTINGS_MISSING+=(\(key | @sh))" else empty end);
  if type != "object" then error("not an object") else
    v("RUN_ID"; .runId; ""), v("CALLBACK_URL"; .callbackUrl; ""), v("WEBHOOK_SECRET"; .secret; ""),
    "PROTOCOLS=(\([.protocols // [] | .[]? | tostring] | @sh))",
    "SETTINGS_JSON=\(.settings // {} | tojson | @sh)", "SETTINGS_TYPE=\(.settings // {} | type)", "SETTINGS_MISSING=()",
    s("S_TCP_SECONDS"; "tcpSeconds"), s("S_UDP_SECONDS"; "udpSeconds"),
    s("S_OMIT"; "omitSeconds"), s("S_REPEATS"; "repeats"),
    s("S_MAX_REPEATS"; "maxRepeats"), s("S_RSD"; "rsdThresholdPercent"),
    s("S_UDP_MBPS"; "udpTargetMbps"), s("S_PING_COUNT"; "pingCount"),
    s("S_PING_INTERVAL"; "pingIntervalSeconds"),
    s("S_LADDER_TIMEOUT"; "ladderTimeoutSeconds"),
    s("S_RECOVERY_TIMEOUT"; "recoveryTimeoutSeconds"),
    s("S_PARALLEL_STREAMS"; "parallelStreams"),
    s("S_IP_VERSION"; "ipVersion"),
    v("TAILSCALE_AUTH_KEY"; .secrets | objects | .tailscaleAuthKey; "")
  end'

# _require_settings: every setting present (0 counts; absent and null do not).
_require_settings() {
  ((${#SETTINGS_MISSING[@]} == 0)) || die "settings.${SETTINGS_MISSING[0]} is missing: the control plane sends every setting"
}

# read_callback_params FILE: set RUN_ID, CALLBACK_URL and WEBHOOK_SECRET (and the rest of
# the params, unchecked). Dies naming the first bad value.
read_callback_params() {
  local assignments
  PARAMS_FILE=$1
  validate_readable_file "params" "$PARAMS_FILE"
  validate_private_file "params" "$PARAMS_FILE"
  assignments=$(jq -r "$_PARAMS_JQ" "$PARAMS_FILE" 2>/dev/null) || die "params $PARAMS_FILE is not a JSON object"
  eval "$assignments"
  validate_uuid runId "$RUN_ID"
  CALLBACK_URL=${CALLBACK_URL%/}
  validate_http_url callbackUrl "$CALLBACK_URL"
  validate_webhook_secret secret "$WEBHOOK_SECRET"
}

# read_params FILE: set RUN_ID, CALLBACK_URL, WEBHOOK_SECRET, PROTOCOLS, SETTINGS_JSON, the
# S_* settings and TAILSCALE_AUTH_KEY. Dies naming the first bad value.
read_params() {
  local p
  read_callback_params "$1"
  # from here on a failure can be reported to the control plane
  PARAMS_CALLBACK_OK=1
  ((${#PROTOCOLS[@]} > 0)) || die "protocols is missing or empty"
  for p in "${PROTOCOLS[@]}"; do
    validate_protocol_name "protocols entry" "$p"
  done
  [[ "$SETTINGS_TYPE" == object ]] || die "settings must be a JSON object, not $SETTINGS_TYPE"
  _require_settings
  validate_positive_int settings.tcpSeconds "$S_TCP_SECONDS"
  validate_positive_int settings.udpSeconds "$S_UDP_SECONDS"
  validate_non_negative_int settings.omitSeconds "$S_OMIT"
  validate_positive_int settings.repeats "$S_REPEATS"
  validate_positive_int settings.maxRepeats "$S_MAX_REPEATS"
  validate_number settings.rsdThresholdPercent "$S_RSD"
  validate_positive_int settings.udpTargetMbps "$S_UDP_MBPS"
  validate_positive_int settings.pingCount "$S_PING_COUNT"
  validate_number settings.pingIntervalSeconds "$S_PING_INTERVAL"
  validate_positive_int settings.ladderTimeoutSeconds "$S_LADDER_TIMEOUT"
  validate_positive_int settings.recoveryTimeoutSeconds "$S_RECOVERY_TIMEOUT"
  validate_stream_count settings.parallelStreams "$S_PARALLEL_STREAMS"
  validate_ip_version settings.ipVersion "$S_IP_VERSION"
}
