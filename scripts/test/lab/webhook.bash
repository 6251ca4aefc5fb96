# shellcheck shell=bash
# Standard Webhooks signatures, computed independently of scripts/ with openssl:
# v1,<base64 HMAC-SHA256 over "<id>.<timestamp>.<raw body>">, keyed with the base64-
# decoded part of the secret after "whsec_" (docs/node-protocol.md, "Callbacks").

# webhook_signature SECRET ID TIMESTAMP BODY_FILE: prints v1,<base64>.
webhook_signature() {
  local secret=$1 id=$2 ts=$3 body=$4 key_hex
  key_hex=$(printf '%s' "${secret#whsec_}" | base64 -d | od -An -v -tx1 | tr -d ' \n')
  printf 'v1,%s\n' "$(
    {
      printf '%s.%s.' "$id" "$ts"
      cat -- "$body"
    } |
      openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key_hex" -binary | base64 -w0
  )"
}

# webhook_verify SECRET META_JSON BODY_FILE: the stored request's webhook-signature
# header (space-separated list) holds the expected signature, and its timestamp is
# within 5 minutes of when it was received.
webhook_verify() {
  local secret=$1 meta=$2 body=$3 id ts sigs received expected sig
  # One jq for the four fields, joined by US (0x1f): unlike a tab, not IFS white space,
  # so an empty field stays a field.
  IFS=$'\x1f' read -r id ts sigs received < <(jq -r '[.headers["webhook-id"] // "", .headers["webhook-timestamp"] // "",
    .headers["webhook-signature"] // "", (.receivedAt | floor | tostring)] | join("\u001f")' "$meta")
  [[ -n "$id" && "$ts" =~ ^[0-9]+$ && -n "$sigs" ]] || {
    echo "$meta: missing webhook headers (id='$id' ts='$ts' sig='$sigs')"
    return 1
  }
  ((ts - received <= 300 && received - ts <= 300)) || {
    echo "$meta: timestamp $ts is more than 5 minutes from $received"
    return 1
  }
  expected=$(webhook_signature "$secret" "$id" "$ts" "$body")
  for sig in $sigs; do
    [[ "$sig" == "$expected" ]] && return 0
  done
  echo "$meta: signature '$sigs' does not verify (expected $expected)"
  return 1
}
