# shellcheck shell=bash
# Input checks: each is_valid_X answers yes/no quietly; validate_X dies with a message that
# names the bad value's source. Values come from params.json and protocol.env files.
[[ -n "${_VPNLENS_VALIDATE_SH:-}" ]] && return 0
_VPNLENS_VALIDATE_SH=1

is_valid_uuid() {
  [[ "$1" =~ ^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$ ]]
}

is_valid_http_url() {
  local re='^https?://([A-Za-z0-9._-]+|\[[0-9A-Fa-f:]+\])(:[0-9]{1,5})?(/[^[:space:]]*)?$'
  [[ "$1" =~ $re ]]
}

# A Standard Webhooks secret: whsec_ followed by non-empty base64.
is_valid_webhook_secret() {
  local b64=${1#whsec_}
  [[ "$1" == whsec_* && -n "$b64" && "$b64" =~ ^[A-Za-z0-9+/]+={0,2}$ ]] || return 1
  printf '%s' "$b64" | base64 -d >/dev/null 2>&1
}

is_valid_ipv4() {
  local IFS=. octet
  local -a octets
  [[ "$1" =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || return 1
  read -r -a octets <<<"$1"
  for octet in "${octets[@]}"; do
    ((10#$octet <= 255)) || return 1
  done
}

is_valid_ipv6() {
  [[ "$1" =~ ^[0-9a-fA-F:]+$ && "$1" == *:*:* ]]
}

is_valid_ip() {
  is_valid_ipv4 "$1" || is_valid_ipv6 "$1"
}

# An IPv6 address with its prefix length (2001:db8::2/64), as ip -6 addr takes it.
is_valid_ipv6_cidr() {
  [[ "$1" =~ ^[^/]+/[0-9]{1,3}$ ]] && is_valid_ipv6 "${1%/*}" && ((10#${1##*/} <= 128))
}

# settings.ipVersion: the address family a run measures over.
is_valid_ip_version() {
  [[ "$1" == 4 || "$1" == 6 ]]
}

# Linux interface names: 1-15 characters, no slash, colon or whitespace.
is_valid_interface() {
  [[ "$1" =~ ^[A-Za-z0-9_.=+-]{1,15}$ ]]
}

is_valid_port() {
  [[ "$1" =~ ^[0-9]{1,5}$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535))
}

is_valid_positive_int() {
  [[ "$1" =~ ^[0-9]+$ ]] && ((10#$1 >= 1))
}

is_valid_non_negative_int() {
  [[ "$1" =~ ^[0-9]+$ ]]
}

# iperf3 -P: parallel TCP streams.
is_valid_stream_count() {
  [[ "$1" =~ ^[0-9]{1,2}$ ]] && ((10#$1 >= 1 && 10#$1 <= 16))
}

is_valid_number() {
  [[ "$1" =~ ^[0-9]+(\.[0-9]+)?$ ]]
}

# Protocol names double as driver file names: keep them to lowercase words.
is_valid_protocol_name() {
  [[ "$1" =~ ^[a-z][a-z0-9_-]{0,31}$ ]]
}

validate_uuid() { is_valid_uuid "$2" || die "$1 is not a UUID: '$2'"; }
validate_http_url() { is_valid_http_url "$2" || die "$1 is not an http(s) URL: '$2'"; }
validate_webhook_secret() { is_valid_webhook_secret "$2" || die "$1 is not a whsec_<base64> secret"; }
validate_ip() { is_valid_ip "$2" || die "$1 is not an IP address: '$2'"; }
validate_ipv6() { is_valid_ipv6 "$2" || die "$1 is not an IPv6 address: '$2'"; }
validate_ipv6_cidr() { is_valid_ipv6_cidr "$2" || die "$1 is not an IPv6 address with a prefix length (2001:db8::2/64): '$2'"; }
validate_ip_version() { is_valid_ip_version "$2" || die "$1 must be 4 or 6, not '$2'"; }
validate_interface() { is_valid_interface "$2" || die "$1 is not a valid interface name: '$2'"; }
validate_port() { is_valid_port "$2" || die "$1 is not a port number: '$2'"; }
validate_positive_int() { is_valid_positive_int "$2" || die "$1 must be a whole number of at least 1, not '$2'"; }
validate_non_negative_int() { is_valid_non_negative_int "$2" || die "$1 must be a whole number of at least 0, not '$2'"; }
validate_number() { is_valid_number "$2" || die "$1 must be a non-negative number, not '$2'"; }
validate_stream_count() { is_valid_stream_count "$2" || die "$1 must be a whole number from 1 to 16, not '$2'"; }
validate_protocol_name() { is_valid_protocol_name "$2" || die "$1 is not a protocol name: '$2'"; }

# validate_readable_file WHAT PATH
validate_readable_file() {
  [[ -f "$2" && -r "$2" ]] || die "$1 is not a readable file: '$2'"
}

# validate_command NAME...: every tool must be on PATH.
validate_command() {
  local cmd missing=()
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
  done
  ((${#missing[@]} == 0)) || die "missing tool(s) on PATH: ${missing[*]}"
}
