#!/usr/bin/env bash
# Shared by the ./vpnlens subcommands: logging, root and tool checks, package installs.
# shellcheck disable=SC2034 # constants are used by the files that source this one

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_DIR
readonly STATE_DIR="${VPNLENS_STATE:-$REPO_DIR/.vpnlens}"

# What the app, the lab, the tests and the benchmark suite need from Debian (wrk: the permalink
# page under load, in the suite and its smoke; postgresql: the tests' own PostgreSQL cluster; prometheus: its promtool
# parses /metrics and checks deploy/prometheus in the tests; libstrongswan-standard-plugins: the openssl and gcm
# plugins the lab's and the ipsec driver's charon load, only a Recommends of libstrongswan). Installed only when missing.
readonly DEBIAN_PACKAGES=(
  ca-certificates curl jq openssl python3 python3-yaml iproute2 iputils-ping procps psmisc ethtool sudo
  openssh-server openssh-client iperf3 wireguard-tools wireguard-go nebula openvpn
  charon-systemd strongswan-swanctl libcharon-extra-plugins libstrongswan-standard-plugins
  caddy docker-compose shellcheck shfmt bats bats-assert bats-support bats-file chromium tini wrk
  postgresql
  prometheus
)

# A live `./vpnlens up` owns the lab (one per machine, like the lab): its pid is here while it runs.
readonly UP_PIDFILE="${VPNLENS_UP_PIDFILE:-/run/vpnlens-up.pid}"

# shellcheck source-path=SCRIPTDIR source=../scripts/lib/log.sh
source "$REPO_DIR/scripts/lib/log.sh"
VPNLENS_LOG_TAG=vpnlens

validate_root() {
  [[ "$(id -u)" -eq 0 ]] || die "run this as root (sudo ...): the lab creates network namespaces and tunnels"
}

# Commands that may come from elsewhere (a machine's own Node.js ships npm): Debian's package is installed only
# when the command is missing, so it never fights the one already there.
readonly DEBIAN_COMMANDS=(npm:npm)

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

install_missing_packages() {
  local missing=() package entry
  for package in "${DEBIAN_PACKAGES[@]}"; do
    is_installed "$package" || missing+=("$package")
  done
  for entry in "${DEBIAN_COMMANDS[@]}"; do
    command -v "${entry%%:*}" >/dev/null || missing+=("${entry#*:}")
  done
  if ((${#missing[@]} == 0)); then
    log_info "Debian packages: all present"
    return 0
  fi
  log_info "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

validate_dotnet() {
  command -v dotnet >/dev/null ||
    die "the .NET 10 SDK is not installed; install it from Microsoft's Debian packages (dotnet-sdk-10.0), then run this again"
  local major
  major=$(dotnet --version | cut -d. -f1)
  [[ "$major" -ge 10 ]] || die "the .NET SDK is $(dotnet --version); VPNLens needs 10 or later"
}

install_prerequisites() {
  validate_root
  install_missing_packages
  validate_dotnet
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  (cd "$REPO_DIR" && dotnet tool restore >/dev/null)
}

# Re-runs the calling script under tini as a child subreaper, so the daemons and detached
# scripts the lab and the tests start are reaped when they end, even where pid 1 does not reap.
run_under_reaper() {
  if [[ -n "${VPNLENS_UNDER_REAPER:-}" ]] || ! command -v tini >/dev/null; then
    return 0
  fi
  export VPNLENS_UNDER_REAPER=1
  exec tini -s -g -- "$0" "$@"
}

# live_up_pid: the pid of a running `./vpnlens up`, if one is; a stale file (a pid that ended or
# now belongs to another program) names none.
live_up_pid() {
  local pid=''
  [[ -r "$UP_PIDFILE" ]] && read -r pid <"$UP_PIDFILE"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'dev/up\.sh' || return 1
  printf '%s\n' "$pid"
}

# validate_no_live_up WHAT: refuses to go on while an `up` uses the lab, which WHAT would take down.
validate_no_live_up() {
  local pid
  pid=$(live_up_pid) || return 0
  die "./vpnlens up is running (pid $pid) and its lab is live; $1 would take that lab down: stop up (Ctrl-C) first"
}
