# shellcheck shell=bash
# direct: the underlay itself, no VPN. The baseline every run measures first.
# protocol.env: UNDERLAY_IF (e.g. eth0); PEER_IP6, the endpoint's IPv6 address, for IPv6.

driver_check() {
  validate_common_keys direct
  [[ -n "${UNDERLAY_IF:-}" ]] || die "$(protocol_env_file direct) does not set UNDERLAY_IF"
  validate_interface UNDERLAY_IF "$UNDERLAY_IF"
}

driver_up() { log_info "direct: nothing to bring up, traffic uses $UNDERLAY_IF"; }
driver_down() { return 0; }
driver_interface() { printf '%s\n' "$UNDERLAY_IF"; }
driver_daemon_pid() { return 0; }
driver_versions() { printf '{}\n'; }
driver_restart() { return "$DRIVER_NOT_APPLICABLE"; }
