# shellcheck shell=bash disable=SC2034
# One driver file per protocol in drivers/<protocol>.sh; adding a protocol is adding a file.
# A driver defines these functions (all idempotent where it makes sense):
#
#   driver_check       tools present and config valid; dies with the reason otherwise
#   driver_up          bring the tunnel up (returns when the command is done, not when
#                      traffic flows: the Verification Ladder checks that)
#   driver_down        remove everything of this kind in this network namespace, with or
#                      without a config; nothing up is success ("stop everything")
#   driver_interface   print the interface that traffic to the peer should leave by
#   driver_daemon_pid  print the pid of the userspace daemon, or nothing (kernel, direct)
#   driver_versions    print a JSON object of tool versions
#   driver_restart     restart the tunnel's daemon for the recovery phase; return
#                      $DRIVER_NOT_APPLICABLE where there is nothing to restart (direct)
#
# and may define driver_ipv6 (lib/ipversion.sh), for runs over IPv6.
#
# Settings come from $VPNLENS_CONF_DIR/<protocol>/protocol.env (KEY=value lines). Every
# protocol has PEER_IP, BACKEND_URL and IPERF_PORT, and PEER_IP6 for runs over IPv6; drivers
# read their own keys.
[[ -n "${_VPNLENS_DRIVER_SH:-}" ]] && return 0
_VPNLENS_DRIVER_SH=1

readonly DRIVER_NOT_APPLICABLE=3
readonly DRIVER_FUNCTIONS=(driver_check driver_up driver_down driver_interface
  driver_daemon_pid driver_versions driver_restart)

driver_file() { printf '%s/drivers/%s.sh\n' "$VPNLENS_SCRIPTS_DIR" "$1"; }

# known_protocols: every protocol with a driver file, direct first.
known_protocols() {
  local file name
  printf 'direct\n'
  for file in "$VPNLENS_SCRIPTS_DIR"/drivers/*.sh; do
    name=${file##*/} name=${name%.sh}
    [[ "$name" == direct ]] || printf '%s\n' "$name"
  done
}

is_known_protocol() {
  is_valid_protocol_name "$1" && [[ -f "$(driver_file "$1")" ]]
}

validate_known_protocol() {
  is_known_protocol "$1" || die "no driver for protocol '$1' (looked for $(driver_file "$1"))"
}

protocol_env_file() { printf '%s/%s/protocol.env\n' "$VPNLENS_CONF_DIR" "$1"; }

# Keys a protocol.env may not set: they would change how this shell or its tools run.
is_forbidden_env_key() {
  case "$1" in
    PATH | IFS | HOME | ENV | SHELL | SHELLOPTS | BASHOPTS | CDPATH | GLOBIGNORE | PS4 | TMPDIR | TZ | LC_* | LANG | BASH* | LD_* | VPNLENS_* | DRIVER_* | POLL_* | _*)
      return 0
      ;;
  esac
  return 1
}

# load_protocol_env PROTOCOL [required]: set the file's KEY=value pairs as shell variables
# (not exported) without executing it. Quotes around a value are removed; nothing expands.
load_protocol_env() {
  local protocol=$1 required=${2:-} file line key value n=0
  file=$(protocol_env_file "$protocol")
  if [[ ! -r "$file" ]]; then
    [[ "$required" == required ]] && die "no configuration for $protocol: $file is missing or unreadable"
    return 0
  fi
  while IFS= read -r line || [[ -n "$line" ]]; do
    n=$((n + 1))
    line=${line%$'\r'}
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    line=${line#export }
    [[ "$line" =~ ^[[:space:]]*([A-Z][A-Z0-9_]*)=(.*)$ ]] || die "$file line $n is not KEY=value: $line"
    key=${BASH_REMATCH[1]}
    value=${BASH_REMATCH[2]}
    is_forbidden_env_key "$key" && die "$file line $n: $key may not be set from protocol.env"
    if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then
      value=${BASH_REMATCH[1]}
    fi
    printf -v "$key" '%s' "$value"
  done <"$file"
}

# load_driver PROTOCOL [required]: forget the previous driver, load this one and its
# configuration, and check it defines the whole interface.
load_driver() {
  local protocol=$1 required=${2:-} fn
  validate_known_protocol "$protocol"
  unset -f "${DRIVER_FUNCTIONS[@]}" driver_ipv6 daemon_args daemon_driver_start daemon_configure daemon_driver_configure
  unset PEER_IP PEER_IP6 TUNNEL_IP6 BACKEND_URL BACKEND_URL6 IPERF_PORT DRIVER_DAEMON DRIVER_DAEMON_INTERFACE_KEY
  load_protocol_env "$protocol" "$required"
  # shellcheck source=/dev/null
  source "$(driver_file "$protocol")"
  for fn in "${DRIVER_FUNCTIONS[@]}"; do
    declare -F "$fn" >/dev/null || die "driver $protocol does not define $fn"
  done
}

# validate_common_keys PROTOCOL: the keys every protocol.env has.
validate_common_keys() {
  local file
  file=$(protocol_env_file "$1")
  [[ -n "${PEER_IP:-}" ]] || die "$file does not set PEER_IP"
  validate_ip "PEER_IP in $file" "$PEER_IP"
  [[ -n "${BACKEND_URL:-}" ]] || die "$file does not set BACKEND_URL"
  validate_http_url "BACKEND_URL in $file" "$BACKEND_URL"
  IPERF_PORT=${IPERF_PORT:-5201}
  validate_port "IPERF_PORT in $file" "$IPERF_PORT"
}

# daemon_driver NAME INTERFACE_KEY: driver_up, driver_down, driver_interface, driver_daemon_pid
# and driver_restart for a tunnel that is a daemon of our own (nebula, openvpn). NAME is its
# command and process name, and names its pidfile and log in the state dir; INTERFACE_KEY is the
# protocol.env key of the interface it makes. The driver defines daemon_args, which sets
# DAEMON_ARGS to the daemon's arguments (and may set DAEMON_ENV, NAME=value pairs for its
# environment), and its own driver_check and driver_versions. A daemon that must be given
# its tunnel after it started (strongSwan's charon) defines daemon_configure, which
# driver_up and driver_restart call once the daemon runs.
# shellcheck disable=SC2317 # the functions defined here are called through the driver interface
daemon_driver() {
  DRIVER_DAEMON=$1
  DRIVER_DAEMON_INTERFACE_KEY=$2

  daemon_driver_start() {
    local DAEMON_ARGS=() DAEMON_ENV=()
    daemon_args
    daemon_start "$DRIVER_DAEMON" "$VPNLENS_STATE_DIR/$DRIVER_DAEMON.log" \
      ${DAEMON_ENV[@]+env "${DAEMON_ENV[@]}"} "$DRIVER_DAEMON" "${DAEMON_ARGS[@]}"
  }

  daemon_driver_configure() {
    if declare -F daemon_configure >/dev/null; then daemon_configure; fi
  }

  driver_up() {
    daemon_driver_start
    wait_daemon_started "$DRIVER_DAEMON" "$DRIVER_DAEMON" "${!DRIVER_DAEMON_INTERFACE_KEY}"
    daemon_driver_configure
  }

  # Also without a config: whatever of this kind runs in this namespace goes.
  driver_down() {
    local rc=0 iface=${!DRIVER_DAEMON_INTERFACE_KEY:-}
    daemon_stop "$DRIVER_DAEMON" "$DRIVER_DAEMON" || rc=1
    sweep_my_netns "$DRIVER_DAEMON" || rc=1
    if [[ -n "$iface" ]]; then
      delete_link "$iface" || rc=1
    fi
    return "$rc"
  }

  driver_interface() { printf '%s\n' "${!DRIVER_DAEMON_INTERFACE_KEY}"; }
  driver_daemon_pid() { pid_from_pidfile "$DRIVER_DAEMON" "$DRIVER_DAEMON" || true; }

  driver_restart() {
    daemon_stop "$DRIVER_DAEMON" "$DRIVER_DAEMON" || die "could not stop $DRIVER_DAEMON for the restart"
    daemon_driver_start
    daemon_driver_configure
  }
}
