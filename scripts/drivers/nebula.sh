# shellcheck shell=bash
# nebula: "nebula -config" as a daemon of our own (pidfile in the state dir). The
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

nebula_start() {
  daemon_start nebula "$VPNLENS_STATE_DIR/nebula.log" nebula -config "$NEBULA_CONFIG"
}

driver_up() {
  nebula_start
  wait_daemon_started nebula nebula "$NEBULA_INTERFACE"
}

driver_down() {
  local rc=0
  daemon_stop nebula nebula || rc=1
  sweep_my_netns nebula || rc=1
  if [[ -n "${NEBULA_INTERFACE:-}" ]]; then
    delete_link "$NEBULA_INTERFACE" || rc=1
  fi
  return "$rc"
}

driver_interface() { printf '%s\n' "$NEBULA_INTERFACE"; }
driver_daemon_pid() { pid_from_pidfile nebula nebula || true; }

driver_versions() {
  jq -cn --arg v "$(nebula -version 2>/dev/null | awk '/^Version:/ { print $2; exit }')" '{nebula: $v}'
}

driver_restart() {
  daemon_stop nebula nebula || die "could not stop nebula for the restart"
  nebula_start
}
