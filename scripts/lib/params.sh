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

# _param JQ_PATH DEFAULT: a scalar from the params (DEFAULT when absent or null).
_param() {
  jq -r --arg d "$2" "($1) // \$d | tostring" "$PARAMS_FILE"
}

# read_params FILE: set RUN_ID, CALLBACK_URL, WEBHOOK_SECRET, PROTOCOLS, SETTINGS_JSON, the
# S_* settings and TAILSCALE_AUTH_KEY. Dies naming the first bad value.
read_params() {
  PARAMS_FILE=$1
  validate_readable_file "params" "$PARAMS_FILE"
  validate_private_file "params" "$PARAMS_FILE"
  jq -e 'type == "object"' "$PARAMS_FILE" >/dev/null 2>&1 || die "params $PARAMS_FILE is not a JSON object"
  RUN_ID=$(_param .runId "")
  validate_uuid runId "$RUN_ID"
  CALLBACK_URL=$(_param .callbackUrl "")
  CALLBACK_URL=${CALLBACK_URL%/}
  validate_http_url callbackUrl "$CALLBACK_URL"
  WEBHOOK_SECRET=$(_param .secret "")
  validate_webhook_secret secret "$WEBHOOK_SECRET"
  # from here on a failure can be reported to the control plane
  PARAMS_CALLBACK_OK=1
  mapfile -t PROTOCOLS < <(jq -r '.protocols // [] | .[] | tostring' "$PARAMS_FILE")
  ((${#PROTOCOLS[@]} > 0)) || die "protocols is missing or empty"
  local p
  for p in "${PROTOCOLS[@]}"; do
    validate_protocol_name "protocols entry" "$p"
  done
  SETTINGS_JSON=$(jq -c '.settings // {}' "$PARAMS_FILE")
  S_TCP_SECONDS=$(_param .settings.tcpSeconds 10)
  S_UDP_SECONDS=$(_param .settings.udpSeconds 10)
  S_OMIT=$(_param .settings.omitSeconds 1)
  S_REPEATS=$(_param .settings.repeats 3)
  S_MAX_REPEATS=$(_param .settings.maxRepeats 6)
  S_RSD=$(_param .settings.rsdThresholdPercent 5)
  S_UDP_MBPS=$(_param .settings.udpTargetMbps 100)
  S_PING_COUNT=$(_param .settings.pingCount 20)
  S_PING_INTERVAL=$(_param .settings.pingIntervalSeconds 0.2)
  S_LADDER_TIMEOUT=$(_param .settings.ladderTimeoutSeconds 30)
  S_RECOVERY_TIMEOUT=$(_param .settings.recoveryTimeoutSeconds 30)
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
  TAILSCALE_AUTH_KEY=$(_param .secrets.tailscaleAuthKey "")
}
