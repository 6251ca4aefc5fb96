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

# hex_escapes HEX: the bytes as printf %b escapes ("00ff" -> "\x00\xff"), without a process.
hex_escapes() {
  local i out=''
  for ((i = 0; i < ${#1}; i += 2)); do out+="\\x${1:i:2}"; done
  printf '%s' "$out"
}

# webhook_load_key SECRET: once per secret (a run signs every phase event with the same one),
# the HMAC-SHA256 key's inner and outer pads (RFC 2104) as printf escapes, in _WEBHOOK_IPAD and
# _WEBHOOK_OPAD. The key never leaves this shell except on a pipe: no other process sees it in
# its command line or environment, where any local user could read it.
webhook_load_key() {
  [[ "${_WEBHOOK_KEY_FOR:-}" == "$1" ]] && return 0
  local hex i pair byte
  hex=$(webhook_key_hex "$1")
  if ((${#hex} > 128)); then
    hex=$(printf '%b' "$(hex_escapes "$hex")" | openssl dgst -sha256 -binary | od -An -v -tx1 | tr -d ' \n')
  fi
  _WEBHOOK_IPAD='' _WEBHOOK_OPAD=''
  for ((i = 0; i < 128; i += 2)); do
    pair=${hex:i:2} # the key, then zeros to the hash's 64-byte block
    byte=$((16#${pair:-00}))
    printf -v _WEBHOOK_IPAD '%s\\x%02x' "$_WEBHOOK_IPAD" $((byte ^ 0x36))
    printf -v _WEBHOOK_OPAD '%s\\x%02x' "$_WEBHOOK_OPAD" $((byte ^ 0x5c))
  done
  _WEBHOOK_KEY_FOR=$1
}

# webhook_sign SECRET MSG_ID TIMESTAMP BODY_FILE: print "v1,<base64>", the HMAC-SHA256 of
# "<id>.<timestamp>.<body>" computed as H(opad || H(ipad || message)) with the pads on stdin.
webhook_sign() {
  local secret=$1 id=$2 ts=$3 body=$4 inner mac
  webhook_load_key "$secret"
  inner=$({
    printf '%b' "$_WEBHOOK_IPAD"
    printf '%s.%s.' "$id" "$ts"
    cat "$body"
  } | openssl dgst -sha256 -binary | od -An -v -tx1 | tr -d ' \n')
  mac=$({
    printf '%b' "$_WEBHOOK_OPAD"
    printf '%b' "$(hex_escapes "$inner")"
  } | openssl dgst -sha256 -binary | base64 -w 0)
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
    printf -v ts '%(%s)T' -1
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
