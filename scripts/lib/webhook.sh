# shellcheck shell=bash disable=SC2034
# Callbacks to the control plane, signed the Standard Webhooks way:
#   webhook-id: msg_<runId>_<sequence>   (the same on every retry of one message)
#   webhook-timestamp: <unix seconds>     (fresh on every attempt)
#   webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">
# Retries connection failures, 408, 429 and 5xx with exponential backoff (1, 2, 4 ... 30 s,
# about five minutes in all); any other answer is final.
[[ -n "${_VPNLENS_WEBHOOK_SH:-}" ]] && return 0
_VPNLENS_WEBHOOK_SH=1

WEBHOOK_BACKOFF_FIRST_S=${WEBHOOK_BACKOFF_FIRST_S:-1}
WEBHOOK_BACKOFF_MAX_S=${WEBHOOK_BACKOFF_MAX_S:-30}
WEBHOOK_BUDGET_S=${WEBHOOK_BUDGET_S:-300}
# When set (ms since the epoch), no retry starts after it, whatever the budget says.
WEBHOOK_DEADLINE_MS=${WEBHOOK_DEADLINE_MS:-}

# webhook_key_hex SECRET: the HMAC key, i.e. base64-decoded part after "whsec_", as hex.
webhook_key_hex() {
  printf '%s' "${1#whsec_}" | base64 -d | od -An -v -tx1 | tr -d ' \n'
}

# webhook_load_key SECRET: decode once per secret into _WEBHOOK_KEY_HEX (a run signs every
# phase event with the same one).
webhook_load_key() {
  [[ "${_WEBHOOK_KEY_FOR:-}" == "$1" ]] && return 0
  _WEBHOOK_KEY_HEX=$(webhook_key_hex "$1")
  _WEBHOOK_KEY_FOR=$1
}

# webhook_sign SECRET MSG_ID TIMESTAMP BODY_FILE: print "v1,<base64>".
webhook_sign() {
  local secret=$1 id=$2 ts=$3 body=$4 mac
  webhook_load_key "$secret"
  mac=$({
    printf '%s.%s.' "$id" "$ts"
    cat "$body"
  } | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$_WEBHOOK_KEY_HEX" -binary | base64 -w 0)
  printf 'v1,%s\n' "$mac"
}

# webhook_should_retry HTTP_CODE: yes for 000 (no answer), 408, 429 and 5xx.
webhook_should_retry() {
  case "$1" in
    000 | 408 | 429 | 5??) return 0 ;;
    *) return 1 ;;
  esac
}

# webhook_backoff_s ATTEMPT: 1, 2, 4, ... capped at WEBHOOK_BACKOFF_MAX_S.
webhook_backoff_s() {
  local s=$WEBHOOK_BACKOFF_FIRST_S i
  for ((i = 1; i < $1; i++)); do
    s=$((s * 2))
    ((s >= WEBHOOK_BACKOFF_MAX_S)) && {
      s=$WEBHOOK_BACKOFF_MAX_S
      break
    }
  done
  printf '%s\n' "$s"
}

backoff_sleep() { sleep "$1"; }

# webhook_post URL SECRET MSG_ID BODY_FILE
# Sets WEBHOOK_STATUS to the final HTTP code (000: never answered). Returns 0 on 2xx.
webhook_post() {
  local url=$1 secret=$2 id=$3 body=$4 attempt=0 ts code waited=0 pause
  webhook_load_key "$secret"
  while :; do
    attempt=$((attempt + 1))
    ts=$(printf '%(%s)T' -1)
    code=$(curl -sS -o /dev/null -w '%{http_code}' --noproxy '*' \
      --connect-timeout 5 --max-time 20 -X POST \
      -H 'Content-Type: application/json' \
      -H "webhook-id: $id" -H "webhook-timestamp: $ts" \
      -H "webhook-signature: $(webhook_sign "$secret" "$id" "$ts" "$body")" \
      --data-binary "@$body" "$url" 2>/dev/null) || true
    [[ "$code" =~ ^[0-9]{3}$ ]] || code=000
    WEBHOOK_STATUS=$code
    if [[ "$code" == 2?? ]]; then
      log_info "webhook $id -> $url: HTTP $code (attempt $attempt)"
      return 0
    fi
    if ! webhook_should_retry "$code"; then
      log_error "webhook $id -> $url: HTTP $code, not retrying"
      return 1
    fi
    pause=$(webhook_backoff_s "$attempt")
    if ((waited + pause > WEBHOOK_BUDGET_S)) || {
      [[ -n "$WEBHOOK_DEADLINE_MS" ]] && (($(now_ms) + pause * 1000 > WEBHOOK_DEADLINE_MS))
    }; then
      log_error "webhook $id -> $url: HTTP $code after $attempt attempts over ${waited} s, giving up"
      return 1
    fi
    log_warn "webhook $id -> $url: HTTP $code (attempt $attempt), retrying in ${pause} s"
    backoff_sleep "$pause"
    waited=$((waited + pause))
  done
}
