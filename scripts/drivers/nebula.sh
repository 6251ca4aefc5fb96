# shellcheck shell=bash
# nebula: "nebula -config" as a daemon of our own (daemon_driver in lib/driver.sh). The
# lighthouse runs on the control-plane side, often in another network namespace of the
# same lab machine: only the nebula in this namespace is ever stopped.
# protocol.env: NEBULA_CONFIG (tun.dev set to NEBULA_INTERFACE), NEBULA_INTERFACE.

driver_check() {
  local file
  file=$(protocol_env_file nebula)
  validate_common_keys nebula
  validate_command nebula
  [[ -n "${NEBULA_INTERFACE:-}" ]] || die "$file does not set NEBULA_INTERFACE"
  validate_interface NEBULA_INTERFACE "$NEBULA_INTERFACE"
  [[ -n "${NEBULA_CONFIG:-}" ]] || die "$file does not set NEBULA_CONFIG"
  validate_readable_file NEBULA_CONFIG "$NEBULA_CONFIG"
  grep -Eq "^[[:space:]]+dev:[[:space:]]*[\"']?${NEBULA_INTERFACE}[\"']?[[:space:]]*(#.*)?$" "$NEBULA_CONFIG" ||
    die "NEBULA_CONFIG $NEBULA_CONFIG does not set tun.dev to $NEBULA_INTERFACE"
  local out
  out=$(nebula -test -config "$NEBULA_CONFIG" 2>&1) || die "nebula rejects $NEBULA_CONFIG: $(tail -n 1 <<<"$out")"
}

# shellcheck disable=SC2034 # daemon_driver reads DAEMON_ARGS
daemon_args() { DAEMON_ARGS=(-config "$NEBULA_CONFIG"); }

driver_versions() {
  jq -cn --arg v "$(nebula -version 2>/dev/null | awk '/^Version:/ { print $2; exit }')" '{nebula: $v}'
}

daemon_driver nebula NEBULA_INTERFACE
