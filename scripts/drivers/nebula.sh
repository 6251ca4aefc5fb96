# shellcheck shell=bash
# nebula: "nebula -config" as a daemon of our own (daemon_driver in lib/driver.sh). The
# lighthouse runs on the control-plane side, often in another network namespace of the
# same lab machine: only the nebula in this namespace is ever stopped.
# Over IPv6: Nebula before 1.10 gives its overlay IPv4 addresses only (a v1 certificate holds
# one IPv4 network); 1.10 and later carry IPv6 when the host's certificate is a v2 one with an
# IPv6 network, which the ladder's ip rung checks on the interface.
# protocol.env: NEBULA_CONFIG (tun.dev set to NEBULA_INTERFACE), NEBULA_INTERFACE, PEER_IP6
# for IPv6.

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

nebula_version() { nebula -version 2>/dev/null | awk '/^Version:/ { print $2; exit }'; }

driver_ipv6() {
  local v major minor
  v=$(nebula_version)
  IFS=. read -r major minor _ <<<"${v#v}"
  if [[ ! "$major" =~ ^[0-9]+$ || ! "${minor:-}" =~ ^[0-9]+$ ]]; then
    ipv6_refuse nebula "nebula -version printed no version, and IPv6 in the overlay needs Nebula 1.10 or later"
  fi
  if ((major < 1 || (major == 1 && minor < 10))); then
    ipv6_refuse nebula "Nebula $v gives its overlay IPv4 addresses only; IPv6 in the overlay needs Nebula 1.10 or later and a v2 host certificate with an IPv6 network"
  fi
}

# shellcheck disable=SC2034 # daemon_driver reads DAEMON_ARGS
daemon_args() { DAEMON_ARGS=(-config "$NEBULA_CONFIG"); }

driver_versions() {
  jq -cn --arg v "$(nebula_version)" '{nebula: $v}'
}

daemon_driver nebula NEBULA_INTERFACE
