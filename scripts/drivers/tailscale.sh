# shellcheck shell=bash
# tailscale: a tailscaled of our own (state, socket and pidfile in the state dir) joined to
# Headscale with a pre-auth key. Never interactive: the key is read from a 0600 file
# (--auth-key=file:..., so it is not in any process's argv), stdin is /dev/null, and a
# login URL in the output is a failure, not a prompt.
# Over IPv6: every tailnet node has an IPv6 address (fd7a:115c:a1e0::/48; Headscale gives one
# when its prefixes.v6 is set), PEER_IP6 the endpoint's.
# protocol.env: TS_LOGIN_SERVER, TS_HOSTNAME, TS_INTERFACE (default tailscale0), PEER_IP6
# for IPv6.
# Per run: TS_AUTH_KEY_FILE names the file holding the key (run.sh writes it from
# params.secrets.tailscaleAuthKey).

TS_UP_TIMEOUT_SECONDS=${TS_UP_TIMEOUT_SECONDS:-60}

ts_dir() { printf '%s/tailscale\n' "$VPNLENS_STATE_DIR"; }
ts_socket() { printf '%s/tailscaled.sock\n' "$(ts_dir)"; }
ts_interface() { printf '%s\n' "${TS_INTERFACE:-tailscale0}"; }

driver_check() {
  local file
  file=$(protocol_env_file tailscale)
  validate_common_keys tailscale
  validate_command tailscale tailscaled
  [[ -n "${TS_LOGIN_SERVER:-}" ]] || die "$file does not set TS_LOGIN_SERVER"
  validate_http_url TS_LOGIN_SERVER "$TS_LOGIN_SERVER"
  [[ -n "${TS_HOSTNAME:-}" ]] || die "$file does not set TS_HOSTNAME"
  [[ "$TS_HOSTNAME" =~ ^[A-Za-z0-9-]{1,63}$ ]] || die "TS_HOSTNAME is not a hostname: '$TS_HOSTNAME'"
  validate_interface TS_INTERFACE "$(ts_interface)"
  [[ -n "${TS_AUTH_KEY_FILE:-}" && -s "${TS_AUTH_KEY_FILE:-}" ]] ||
    die "no Headscale auth key: params.secrets.tailscaleAuthKey is missing or empty"
}

ts_start_daemon() {
  install -d -m 0700 "$(ts_dir)"
  rm -f "$(ts_socket)"
  daemon_start tailscaled "$(ts_dir)/tailscaled.log" tailscaled \
    --state="$(ts_dir)/tailscaled.state" --statedir="$(ts_dir)" \
    --socket="$(ts_socket)" --tun="$(ts_interface)" --port=0
}

_ts_socket_ready() { [[ -e "$(ts_socket)" ]]; }

ts_wait_daemon() {
  poll_until 15000 _ts_socket_ready || die "tailscaled did not open $(ts_socket) within 15 s"
}

# The file: form keeps the key out of argv; a CLI too old to know it gets the key in argv
# (visible in ps for the few seconds "tailscale up" runs), with a warning in the log.
ts_auth_key_arg() {
  if tailscale up --help 2>&1 | grep -q 'file:'; then
    printf -- '--auth-key=file:%s\n' "$TS_AUTH_KEY_FILE"
  else
    log_warn "tailscale: this CLI has no --auth-key=file:, the key goes in argv"
    printf -- '--authkey=%s\n' "$(<"$TS_AUTH_KEY_FILE")"
  fi
}

# _ts_up_settled OUT: "tailscale up" has ended, or is showing a login URL.
_ts_up_settled() {
  [[ -e "$1.rc" ]] || grep -qiE 'to authenticate, visit|/register/' "$1"
}

driver_up() {
  local out rc
  ts_start_daemon
  ts_wait_daemon
  out="$(ts_dir)/up.out"
  rm -f "$out" "$out.rc"
  log_info "tailscale: up --login-server=$TS_LOGIN_SERVER --hostname=$TS_HOSTNAME"
  (
    rc=0
    timeout --foreground -k 5 "$((TS_UP_TIMEOUT_SECONDS + 5))" \
      tailscale --socket="$(ts_socket)" up --reset \
      --login-server="$TS_LOGIN_SERVER" "$(ts_auth_key_arg)" \
      --hostname="$TS_HOSTNAME" --accept-dns=false --accept-routes=false \
      --timeout="${TS_UP_TIMEOUT_SECONDS}s" </dev/null >"$out" 2>&1 || rc=$?
    echo "$rc" >"$out.rc"
  ) &
  local pid=$!
  poll_until "$(((TS_UP_TIMEOUT_SECONDS + 15) * 1000))" _ts_up_settled "$out" || true
  if [[ ! -e "$out.rc" ]]; then
    # a login URL (or a hang): nobody will ever click it, so stop waiting now
    kill_tree "$pid"
    wait "$pid" 2>/dev/null || true
  fi
  cat "$out" >&2
  if grep -qiE 'to authenticate, visit|/register/' "$out"; then
    die "tailscale asked for an interactive login: Headscale did not accept the auth key"
  fi
  wait "$pid" 2>/dev/null || true
  rc=$(cat "$out.rc" 2>/dev/null || echo 124)
  ((rc == 0)) || die "tailscale up failed (exit $rc): $(grep -v '^[[:space:]]*$' "$out" | tail -n 1)"
}

driver_down() {
  local rc=0
  if pid_from_pidfile tailscaled tailscaled >/dev/null; then
    timeout --foreground -k 2 10 tailscale --socket="$(ts_socket)" down </dev/null >&2 ||
      log_warn "tailscale down failed; stopping tailscaled anyway"
  fi
  daemon_stop tailscaled tailscaled || rc=1
  sweep_my_netns tailscaled || rc=1
  ts_stop_systemd_unit || rc=1
  if command -v tailscaled >/dev/null 2>&1; then
    # removes the routes, ip rules and netfilter chains a killed tailscaled left behind
    tailscaled --cleanup --tun="$(ts_interface)" >&2 || log_warn "tailscaled --cleanup failed"
  fi
  delete_link "$(ts_interface)" || rc=1
  return "$rc"
}

# A packaged tailscaled run by systemd is stopped too, but only if it runs in this
# network namespace: on a lab machine systemd's unit belongs to the host, not to us.
ts_stop_systemd_unit() {
  local pid
  command -v systemctl >/dev/null 2>&1 || return 0
  pid=$(systemctl show -p MainPID --value tailscaled 2>/dev/null) || return 0
  [[ "$pid" =~ ^[1-9][0-9]*$ ]] || return 0
  [[ "$(readlink "$VPNLENS_PROC/$pid/ns/net")" == "$(readlink "$VPNLENS_PROC/$$/ns/net")" ]] || return 0
  log_info "tailscale: tailscale down, systemctl stop tailscaled"
  timeout --foreground -k 2 10 tailscale down </dev/null >&2 || log_warn "tailscale down failed"
  systemctl stop tailscaled
}

driver_interface() { ts_interface; }
driver_daemon_pid() { pid_from_pidfile tailscaled tailscaled || true; }

driver_versions() {
  jq -cn --arg v "$(tailscale version 2>/dev/null | head -n 1)" '{tailscale: $v}'
}

# Restart tailscaled on the same state: it logs in again without the key.
driver_restart() {
  daemon_stop tailscaled tailscaled || die "could not stop tailscaled for the restart"
  ts_start_daemon
}
