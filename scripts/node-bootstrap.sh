#!/usr/bin/env bash
# node-bootstrap.sh: prepare a fresh Debian or Ubuntu machine as a VPNLens Benchmark Node.
#
#   sudo ./node-bootstrap.sh --authorized-key-file control-plane.pub [options]
#
#   --authorized-key-file FILE  the control plane's SSH public key (one line, e.g. id_ed25519.pub)
#   --authorized-key 'KEY'      the same, given inline ("ssh-ed25519 AAAA... comment")
#   --user NAME                 the SSH user the control plane logs in as (default: vpnlens)
#   --wg-config FILE            a wg-quick client config (e.g. from wg-easy) to install as
#                               /etc/vpnlens/wireguard/wg0.conf, with MTU 1420 and no DNS line
#   --add-tailscale-repo        add Tailscale's apt repository (pkgs.tailscale.com) when tailscale
#                               is not installable from the repositories already configured
#   --skip-packages             change no packages (users, keys, sysctl and /etc/vpnlens only)
#   -h, --help                  this text
#
# What it does, each step only when needed (a second run changes nothing and succeeds):
#   packages   iperf3 wireguard-tools nebula curl jq openssl openssh-server sudo and the tools the
#              node scripts call; wireguard-go when the kernel has no WireGuard module; tailscale
#              when an apt repository offers it (never adds one unless --add-tailscale-repo)
#   sysctl     net.ipv4.ip_forward=1 in /etc/sysctl.d/99-vpnlens.conf, applied with sysctl --system
#   user       the SSH user, key-only login, the control plane's key in ~/.ssh/authorized_keys, and
#              passwordless sudo for exactly the commands the control plane runs (/etc/sudoers.d)
#   config     /etc/vpnlens/ with a README of the protocol.env keys (docs/node-protocol.md)
#   host key   prints the SHA-256 fingerprint of the ed25519 host key, for the node form
#
# Exit status: 0 done, 1 a step failed (the message says which), 2 bad arguments or no lib/log.sh
# beside it (scripts/lib/log.sh, the logger it shares with the node scripts).
# VPNLENS_BOOTSTRAP_ROOT (default /) relocates every file this script reads or writes, for tests;
# the commands it runs (apt-get, useradd, sysctl, systemctl) still act on the running system, so
# the tests put fakes of them first on PATH.
set -Eeuo pipefail

ROOT=${VPNLENS_BOOTSTRAP_ROOT:-/}
ROOT=${ROOT%/}
readonly ROOT
# Paths as the node sees them (written into files) ...
readonly CONF_DIR=/etc/vpnlens
readonly SYSCTL_FILE=/etc/sysctl.d/99-vpnlens.conf
readonly SUDOERS_FILE=/etc/sudoers.d/vpnlens
readonly HOST_KEY=/etc/ssh/ssh_host_ed25519_key.pub
readonly TS_KEYRING=/usr/share/keyrings/tailscale-archive-keyring.gpg
readonly TS_LIST=/etc/apt/sources.list.d/tailscale.list
# ... and what the control plane's SSH commands use (RemoteCommands.cs: ${VPNLENS_HOME:-$HOME/vpnlens}).
readonly NODE_HOME_DIR=vpnlens

readonly WG_MTU=1420
readonly WG_INTERFACE=wg0
# compose.yaml: wg-easy's tunnel server address and the app on the control plane's network.
readonly WG_DEFAULT_PEER_IP=198.19.251.1
readonly WG_DEFAULT_BACKEND_URL=http://198.19.250.20:8080/healthz

# What the node scripts run (scripts/run.sh RUN_TOOLS, drivers, environment.sh) and what SSH needs.
readonly BASE_PACKAGES=(
  ca-certificates curl jq openssl iperf3 iproute2 iputils-ping procps ethtool
  wireguard-tools nebula openssh-server sudo
)

SSH_USER=vpnlens
AUTHORIZED_KEY=''
WG_CONFIG_SOURCE=''
ADD_TAILSCALE_REPO=0
SKIP_PACKAGES=0
CHANGES=0
APT_UPDATED=0
TMP_DIR=''

# The project's one logger travels with this script as lib/log.sh, the layout of scripts/ (copy
# both: docs/deployment.md, "Adding a Benchmark Node").
LOG_LIB="$(dirname "${BASH_SOURCE[0]}")/lib/log.sh"
if [[ ! -r "$LOG_LIB" ]]; then
  printf 'node-bootstrap.sh: %s is missing: copy scripts/lib/log.sh with it, as lib/log.sh beside it\n' "$LOG_LIB" >&2
  exit 2
fi
# shellcheck source-path=SCRIPTDIR source=lib/log.sh
source "$LOG_LIB"
VPNLENS_LOG_TAG=node-bootstrap

usage() {
  sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

usage_error() {
  log_error "$*"
  log_error "see: $(basename "${BASH_SOURCE[0]}") --help"
  exit 2
}

# changed WHAT: every change is logged and counted, so a run that changed nothing can say so.
changed() {
  CHANGES=$((CHANGES + 1))
  log_info "changed: $*"
}

# at PATH: where a node path lives under $ROOT.
at() { printf '%s%s\n' "$ROOT" "$1"; }

# run_step_fatal DESCRIPTION CMD...: a step that must succeed, named in the error.
run_step_fatal() {
  local what=$1
  shift
  "$@" || die "$what failed: $*"
}

on_err() {
  log_error "unexpected failure at line $1: $2"
}

cleanup() {
  [[ -n "$TMP_DIR" && -d "$TMP_DIR" ]] && rm -rf "$TMP_DIR"
  return 0
}

# --- checks -------------------------------------------------------------------------------------

# Local user names as useradd accepts them by default.
is_valid_user_name() {
  [[ "$1" =~ ^[a-z_][a-z0-9_-]{0,31}$ && "$1" != root ]]
}

validate_user_name() {
  is_valid_user_name "$1" || usage_error "--user '$1' is not a valid user name (lowercase letters, digits, _ and -; not root)"
}

# One OpenSSH public key line: a known type, base64 key material, an optional comment.
is_valid_ssh_public_key() {
  local re='^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^[:cntrl:]]*)?$'
  [[ "$1" =~ $re ]] || return 1
  # ssh-keygen decodes it, when it is here (it is, once openssh-server is installed)
  if command -v ssh-keygen >/dev/null 2>&1; then
    ssh-keygen -l -f /dev/stdin <<<"$1" >/dev/null 2>&1 || return 1
  fi
}

refuse_private_key() {
  usage_error "$1 is a PRIVATE key: give the control plane's public key (the .pub file); the private one stays on the control plane"
}

validate_ssh_public_key() {
  local key=$1 source=$2
  [[ "$key" != *"PRIVATE KEY"* ]] || refuse_private_key "$source"
  is_valid_ssh_public_key "$key" ||
    usage_error "$source is not one OpenSSH public key line (expected e.g. 'ssh-ed25519 AAAA... comment')"
}

validate_root() {
  [[ "$(id -u)" -eq 0 ]] || die "run this as root (sudo $0 ...): it installs packages and creates a user"
}

is_supported_os() {
  local id=$1 like=$2
  [[ "$id" == debian || "$id" == ubuntu || " $like " == *" debian "* ]]
}

# Reads ID, ID_LIKE and VERSION_CODENAME from os-release into OS_ID, OS_LIKE, OS_CODENAME.
read_os_release() {
  local file key value
  file=$(at /etc/os-release)
  [[ -r "$file" ]] || die "no $file: this script supports Debian and Ubuntu"
  OS_ID='' OS_LIKE='' OS_CODENAME=''
  while IFS='=' read -r key value; do
    value=${value#\"} value=${value%\"}
    case "$key" in
      ID) OS_ID=$value ;;
      ID_LIKE) OS_LIKE=$value ;;
      VERSION_CODENAME) OS_CODENAME=$value ;;
    esac
  done <"$file"
  is_supported_os "$OS_ID" "$OS_LIKE" || die "unsupported system '$OS_ID' ($file): this script supports Debian and Ubuntu"
}

# --- files ----------------------------------------------------------------------------------------

# write_file NODE_PATH MODE CONTENT: writes only when content or mode differ; returns 0 if it wrote.
# A missing parent directory is created 0755; an existing one is left as it is.
write_file() {
  local path=$1 mode=$2 content=$3 target tmp
  target=$(at "$path")
  if [[ -f "$target" && "$(cat "$target")" == "$content" && "$(stat -c %a "$target")" == "${mode#0}" ]]; then
    return 1
  fi
  [[ -d "$(dirname "$target")" ]] || install -d -m 0755 "$(dirname "$target")"
  tmp=$(mktemp "$target.XXXXXX")
  printf '%s\n' "$content" >"$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$target"
  changed "$path"
}

# ensure_dir NODE_PATH MODE
ensure_dir() {
  local path=$1 mode=$2 target
  target=$(at "$path")
  if [[ -d "$target" && "$(stat -c %a "$target")" == "${mode#0}" ]]; then
    return 0
  fi
  install -d -m "$mode" "$target"
  changed "$path/"
}

# ensure_owner NODE_PATH UID:GID
ensure_owner() {
  local path=$1 owner=$2 target
  target=$(at "$path")
  [[ "$(stat -c %u:%g "$target")" == "$owner" ]] && return 0
  run_step_fatal "setting the owner of $path" chown "$owner" "$target"
  changed "owner of $path is $owner"
}

# --- packages -------------------------------------------------------------------------------------

is_package_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# Has an apt repository a candidate for this package?
is_package_available() {
  local candidate
  candidate=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2; exit }')
  [[ -n "$candidate" && "$candidate" != "(none)" ]]
}

apt_update() {
  ((APT_UPDATED)) && return 0
  log_info "apt-get update"
  run_step_fatal "apt-get update" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  APT_UPDATED=1
}

# apt_install PACKAGE...: installs the ones missing, nothing else.
apt_install() {
  local package missing=()
  for package in "$@"; do
    is_package_installed "$package" || missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  apt_update
  log_info "installing ${missing[*]}"
  run_step_fatal "installing ${missing[*]}" \
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  changed "installed ${missing[*]}"
}

has_wireguard_module() {
  [[ -d "$(at /sys/module/wireguard)" ]] || modinfo wireguard >/dev/null 2>&1
}

install_wireguard_go_if_needed() {
  if has_wireguard_module; then
    log_info "the kernel has WireGuard: wg-quick uses it, no wireguard-go needed"
    return 0
  fi
  log_info "the kernel ($(uname -r)) has no WireGuard module: wg-quick needs wireguard-go (userspace)"
  apt_install wireguard-go
}

tailscale_repo_line() {
  printf 'deb [signed-by=%s] https://pkgs.tailscale.com/stable/%s %s main\n' "$TS_KEYRING" "$OS_ID" "$OS_CODENAME"
}

# Tailscale's own repository, added only on --add-tailscale-repo: its signing key from
# pkgs.tailscale.com, and a sources line pinned to that key (written here, not downloaded).
add_tailscale_repo() {
  local keyring key_url
  keyring=$(at "$TS_KEYRING")
  [[ -n "$OS_CODENAME" ]] || die "$(at /etc/os-release) has no VERSION_CODENAME: cannot pick Tailscale's repository"
  [[ "$OS_CODENAME" =~ ^[a-z]+$ ]] || die "unexpected VERSION_CODENAME '$OS_CODENAME'"
  if [[ ! -s "$keyring" ]]; then
    key_url="https://pkgs.tailscale.com/stable/$OS_ID/$OS_CODENAME.noarmor.gpg"
    log_info "fetching Tailscale's apt signing key from $key_url"
    install -d -m 0755 "$(dirname "$keyring")"
    run_step_fatal "downloading $key_url" curl -fsSL --proto '=https' --tlsv1.2 -o "$TMP_DIR/tailscale.gpg" "$key_url"
    install -m 0644 "$TMP_DIR/tailscale.gpg" "$keyring"
    changed "$TS_KEYRING"
  fi
  if write_file "$TS_LIST" 0644 "$(tailscale_repo_line)"; then
    APT_UPDATED=0
  fi
}

# The drivers run their own tailscaled (own state and socket); a packaged one would fight it
# over routes, so the service stays off.
disable_tailscaled_service() {
  command -v systemctl >/dev/null 2>&1 || return 0
  if systemctl is-enabled --quiet tailscaled 2>/dev/null || systemctl is-active --quiet tailscaled 2>/dev/null; then
    run_step_fatal "disabling tailscaled.service" systemctl disable --now tailscaled
    changed "tailscaled.service disabled (the tailscale driver runs its own tailscaled)"
  fi
}

install_tailscale() {
  if is_package_installed tailscale; then
    disable_tailscaled_service
    return 0
  fi
  if ((ADD_TAILSCALE_REPO)); then
    add_tailscale_repo
    apt_update
  fi
  if is_package_available tailscale; then
    apt_install tailscale
    disable_tailscaled_service
    return 0
  fi
  log_warn "tailscale is not installable from this machine's apt repositories; tailscale runs need it."
  log_warn "  Run this again with --add-tailscale-repo to add Tailscale's repository, or add it by hand:"
  log_warn "    curl -fsSL -o $TS_KEYRING https://pkgs.tailscale.com/stable/${OS_ID:-debian}/${OS_CODENAME:-CODENAME}.noarmor.gpg"
  log_warn "    echo '$(tailscale_repo_line)' > $TS_LIST"
  log_warn "    apt-get update && apt-get install tailscale && systemctl disable --now tailscaled"
}

install_packages() {
  if ((SKIP_PACKAGES)); then
    log_info "--skip-packages: no package changes"
    return 0
  fi
  apt_install "${BASE_PACKAGES[@]}"
  install_wireguard_go_if_needed
  install_tailscale
}

# --- sysctl ---------------------------------------------------------------------------------------

sysctl_content() {
  cat <<'EOF'
# Managed by VPNLens node-bootstrap.sh.
# A VPN endpoint routes between its tunnel and its link; Linux forwards nothing by default.
# (IPv6 forwarding stays as it was: turning it on stops the kernel from accepting router
# advertisements, which cuts off IPv6 on many clouds.)
net.ipv4.ip_forward = 1
EOF
}

configure_ip_forward() {
  local live
  if write_file "$SYSCTL_FILE" 0644 "$(sysctl_content)"; then
    run_step_fatal "applying $SYSCTL_FILE" sysctl --system >/dev/null
    return 0
  fi
  live=$(cat "$(at /proc/sys/net/ipv4/ip_forward)" 2>/dev/null || echo unknown)
  if [[ "$live" != 1 ]]; then
    run_step_fatal "applying $SYSCTL_FILE" sysctl --system >/dev/null
    changed "net.ipv4.ip_forward applied (was $live)"
  fi
}

# --- the SSH user ---------------------------------------------------------------------------------

# passwd_field USER FIELD: a field of the user's line in $ROOT/etc/passwd (3 uid, 4 gid, 6 home).
passwd_field() {
  awk -F: -v user="$1" -v field="$2" '$1 == user { print $field; found = 1; exit } END { exit !found }' "$(at /etc/passwd)"
}

ensure_user() {
  if passwd_field "$SSH_USER" 1 >/dev/null 2>&1; then
    return 0
  fi
  run_step_fatal "creating the user $SSH_USER" \
    useradd --create-home --shell /bin/bash --user-group --comment "VPNLens control plane" "$SSH_USER"
  changed "user $SSH_USER created (no password: key login only)"
}

# The commands RemoteCommands.cs runs with `sudo -n` when the SSH user is not root, and nothing else.
sudoers_content() {
  local scripts="$1/$NODE_HOME_DIR/scripts"
  cat <<EOF
# Managed by VPNLens node-bootstrap.sh: what the control plane runs as root (RemoteCommands.cs).
# The control plane uploads these scripts as $SSH_USER itself, so this rules out mistakes, not a
# stolen key: whoever holds the control plane's private key is root on this node.
Cmnd_Alias VPNLENS_RUN = /usr/bin/setsid nohup $scripts/run.sh *
Cmnd_Alias VPNLENS_STOP = $scripts/switch.sh stop
Cmnd_Alias VPNLENS_KILL = /usr/bin/kill -TERM *, /usr/bin/kill -KILL *, /bin/kill -TERM *, /bin/kill -KILL *
$SSH_USER ALL=(root) NOPASSWD: VPNLENS_RUN, VPNLENS_STOP, VPNLENS_KILL
EOF
}

configure_sudo() {
  local content candidate target
  content=$(sudoers_content "$1")
  target=$(at "$SUDOERS_FILE")
  if [[ ! -f "$target" || "$(cat "$target")" != "$content" ]]; then
    # a broken file in /etc/sudoers.d breaks sudo for everyone: check it before it goes there
    candidate="$TMP_DIR/sudoers"
    printf '%s\n' "$content" >"$candidate"
    visudo -c -s -q -f "$candidate" >/dev/null || die "the generated sudoers rules do not pass visudo -cs; nothing installed"
  fi
  write_file "$SUDOERS_FILE" 0440 "$content" || true
}

key_material() { awk '{ print $1 " " $2 }' <<<"$1"; }

install_authorized_key() {
  local home=$1 owner=$2 file="$1/.ssh/authorized_keys" existing=''
  ensure_dir "$home/.ssh" 0700
  ensure_owner "$home/.ssh" "$owner"
  [[ -f "$(at "$file")" ]] && existing=$(cat "$(at "$file")")
  if grep -qxF "$(key_material "$AUTHORIZED_KEY")" < <(awk '{ print $1 " " $2 }' <<<"$existing"); then
    write_file "$file" 0600 "$existing" || true
  else
    write_file "$file" 0600 "${existing:+$existing$'\n'}$AUTHORIZED_KEY" || true
  fi
  ensure_owner "$file" "$owner"
}

# sshd starts at boot: ssh.service (Debian) or ssh.socket (Ubuntu 24.04 and later).
ensure_ssh_enabled() {
  command -v systemctl >/dev/null 2>&1 || return 0
  systemctl is-enabled --quiet ssh.service 2>/dev/null && return 0
  systemctl is-enabled --quiet ssh.socket 2>/dev/null && return 0
  run_step_fatal "enabling ssh.service" systemctl enable --now ssh
  changed "ssh.service enabled"
}

configure_user() {
  local home uid gid
  ensure_user
  home=$(passwd_field "$SSH_USER" 6) || die "$SSH_USER has no home directory in /etc/passwd"
  uid=$(passwd_field "$SSH_USER" 3)
  gid=$(passwd_field "$SSH_USER" 4)
  [[ "$home" == /* ]] || die "$SSH_USER's home '$home' is not an absolute path"
  [[ -d "$(at "$home")" ]] || ensure_dir "$home" 0750
  ensure_owner "$home" "$uid:$gid"
  install_authorized_key "$home" "$uid:$gid"
  configure_sudo "$home"
  ensure_ssh_enabled
}

# --- /etc/vpnlens -----------------------------------------------------------------------------------

readme_content() {
  cat <<EOF
VPNLens Benchmark Node configuration (written by node-bootstrap.sh; the contract is
docs/node-protocol.md in the VPNLens repository).

One directory per protocol, each with a protocol.env of KEY=value lines (read as data:
# comments and quotes are fine, nothing is expanded or executed):

  $CONF_DIR/direct/protocol.env      $CONF_DIR/wireguard/protocol.env
  $CONF_DIR/tailscale/protocol.env   $CONF_DIR/nebula/protocol.env
  $CONF_DIR/openvpn/protocol.env      $CONF_DIR/ipsec/protocol.env

Keys every protocol has:
  PEER_IP      the control-plane endpoint's address through this protocol (ping, iperf3 target)
  BACKEND_URL  an HTTP URL on the control-plane endpoint, reached through the tunnel (ladder rung 5)
  IPERF_PORT   iperf3 server port on the peer (default 5201)

Keys for runs over IPv6 (settings.ipVersion 6; without them such a run fails saying why):
  PEER_IP6     the peer's IPv6 address through this protocol (for direct: the endpoint's on the underlay)
  TUNNEL_IP6   this node's IPv6 address inside the tunnel, with its prefix length, for drivers that set it
               (wireguard, openvpn)
  BACKEND_URL6 the backend URL over IPv6 (ladder rung 5); without it rung 5 asks BACKEND_URL

Driver keys:
  direct     UNDERLAY_IF (e.g. eth0)
  wireguard  WG_INTERFACE (e.g. $WG_INTERFACE), WG_CONFIG (a wg-quick config with MTU = $WG_MTU);
             WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go where the kernel has no WireGuard
  tailscale  TS_LOGIN_SERVER (the Headscale URL), TS_HOSTNAME, TS_INTERFACE (default tailscale0);
             the pre-auth key comes with each run, never from a file here
  nebula     NEBULA_CONFIG (nebula YAML with tun.dev = NEBULA_INTERFACE), NEBULA_INTERFACE
  openvpn    OPENVPN_CONFIG (a client config), OPENVPN_INTERFACE (its tun device); this script
             does not install openvpn: apt-get install openvpn where you want that driver
  ipsec      IPSEC_CONFIG (a swanctl.conf: connections and secrets, a child with
             start_action = start), IPSEC_INTERFACE (ipsec0: the TUN of strongSwan's
             kernel-libipsec, MTU 1400); apt-get install charon-systemd strongswan-swanctl
             libcharon-extra-plugins libstrongswan-standard-plugins where you want that driver

With the compose.yaml deployment (docs/deployment.md):

  direct/protocol.env      PEER_IP=<the control plane's public IP>
                           BACKEND_URL=https://api.<DOMAIN>/healthz
                           IPERF_PORT=5201
                           UNDERLAY_IF=eth0
  wireguard/protocol.env   PEER_IP=$WG_DEFAULT_PEER_IP
                           BACKEND_URL=$WG_DEFAULT_BACKEND_URL
                           IPERF_PORT=5201
                           WG_INTERFACE=$WG_INTERFACE
                           WG_CONFIG=$CONF_DIR/wireguard/$WG_INTERFACE.conf
                           (node-bootstrap.sh --wg-config FILE writes both, MTU $WG_MTU enforced)
  tailscale/protocol.env   PEER_IP=<vpnlens-endpoint's address: headscale nodes list>
                           BACKEND_URL=http://<that address>:8088/
                           IPERF_PORT=5201
                           TS_LOGIN_SERVER=https://hs.<DOMAIN>
                           TS_HOSTNAME=<this node's name>

WireGuard MTU is $WG_MTU everywhere: WireGuard adds up to 80 bytes to each packet, and
1420 + 80 = 1500, the link MTU; larger packets are dropped silently (ping works, iperf3 stalls).
EOF
}

configure_conf_dir() {
  local protocol
  ensure_dir "$CONF_DIR" 0755
  for protocol in direct wireguard tailscale nebula openvpn ipsec; do
    ensure_dir "$CONF_DIR/$protocol" 0750
  done
  write_file "$CONF_DIR/README" 0644 "$(readme_content)" || true
}

# --- a WireGuard client config --------------------------------------------------------------------

# Full-tunnel AllowedIPs would route the node's SSH and callbacks through the tunnel under test.
is_full_tunnel() {
  grep -Eiq '^[[:space:]]*AllowedIPs[[:space:]]*=.*(0\.0\.0\.0/0|::/0)' "$1"
}

# normalize_wg_config FILE: prints it with MTU = 1420 in [Interface] and no DNS line.
normalize_wg_config() {
  awk -v mtu="$WG_MTU" '
    function flush_mtu() { if (in_iface && !mtu_done) { print "MTU = " mtu; mtu_done = 1 } }
    /^[[:space:]]*\[/ { flush_mtu(); in_iface = ($0 ~ /^[[:space:]]*\[Interface\]/) }
    in_iface && /^[[:space:]]*MTU[[:space:]]*=/ { if (!mtu_done) { print "MTU = " mtu; mtu_done = 1 } next }
    in_iface && /^[[:space:]]*DNS[[:space:]]*=/ { next }
    { print }
    END { flush_mtu() }
  ' "$1"
}

wg_protocol_env() {
  local userspace=''
  has_wireguard_module || userspace=$'\nWG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go'
  cat <<EOF
# Written by node-bootstrap.sh for the compose.yaml control plane (docs/deployment.md); edit freely,
# it is not rewritten while it exists.
PEER_IP=$WG_DEFAULT_PEER_IP
BACKEND_URL=$WG_DEFAULT_BACKEND_URL
IPERF_PORT=5201
WG_INTERFACE=$WG_INTERFACE
WG_CONFIG=$CONF_DIR/wireguard/$WG_INTERFACE.conf$userspace
EOF
}

install_wg_config() {
  local source=$WG_CONFIG_SOURCE config
  [[ -n "$source" ]] || return 0
  if ! grep -q '^[[:space:]]*\[Interface\]' "$source" || ! grep -q '^[[:space:]]*\[Peer\]' "$source"; then
    die "$source is not a wg-quick config (it needs an [Interface] and a [Peer] section)"
  fi
  is_full_tunnel "$source" &&
    die "$source routes everything through the tunnel (AllowedIPs 0.0.0.0/0 or ::/0): the node's SSH and callbacks would ride the link under test. In wg-easy, set this client's Allowed IPs to 198.19.251.0/24, 198.19.250.0/24."
  grep -Eiq '^[[:space:]]*MTU[[:space:]]*=[[:space:]]*'"$WG_MTU"'[[:space:]]*$' "$source" ||
    log_warn "$source: setting MTU = $WG_MTU (WireGuard's 80 bytes of overhead inside a 1500-byte link)"
  grep -Eiq '^[[:space:]]*DNS[[:space:]]*=' "$source" &&
    log_warn "$source: dropping its DNS line (a benchmark must not change the node's resolver)"
  config=$(normalize_wg_config "$source")
  write_file "$CONF_DIR/wireguard/$WG_INTERFACE.conf" 0600 "$config" || true
  if [[ ! -e "$(at "$CONF_DIR/wireguard/protocol.env")" ]]; then
    write_file "$CONF_DIR/wireguard/protocol.env" 0640 "$(wg_protocol_env)" || true
  fi
}

# --- host key -------------------------------------------------------------------------------------

# Installing openssh-server makes the host keys; this covers an image that shipped without them.
ensure_host_key() {
  [[ -f "$(at "$HOST_KEY")" ]] && return 0
  if [[ -z "$ROOT" ]]; then
    run_step_fatal "generating SSH host keys" ssh-keygen -A
  else
    run_step_fatal "generating SSH host keys" ssh-keygen -A -f "$ROOT"
  fi
  changed "SSH host keys generated"
}

host_key_fingerprint() {
  ssh-keygen -l -E sha256 -f "$(at "$HOST_KEY")" | awk '{ print $2 }'
}

# --- main -----------------------------------------------------------------------------------------

parse_args() {
  local key_file=''
  while (($#)); do
    case "$1" in
      --authorized-key-file)
        (($# >= 2)) || usage_error "$1 needs a file"
        key_file=$2
        shift 2
        ;;
      --authorized-key)
        (($# >= 2)) || usage_error "$1 needs a key"
        AUTHORIZED_KEY=$2
        shift 2
        ;;
      --user)
        (($# >= 2)) || usage_error "$1 needs a name"
        SSH_USER=$2
        shift 2
        ;;
      --wg-config)
        (($# >= 2)) || usage_error "$1 needs a file"
        WG_CONFIG_SOURCE=$2
        shift 2
        ;;
      --add-tailscale-repo)
        ADD_TAILSCALE_REPO=1
        shift
        ;;
      --skip-packages)
        SKIP_PACKAGES=1
        shift
        ;;
      -h | --help)
        usage
        exit 0
        ;;
      *) usage_error "unknown argument '$1'" ;;
    esac
  done
  if [[ -n "$key_file" ]]; then
    [[ -z "$AUTHORIZED_KEY" ]] || usage_error "give --authorized-key-file or --authorized-key, not both"
    [[ -r "$key_file" ]] || usage_error "cannot read --authorized-key-file $key_file"
    ! grep -q 'PRIVATE KEY' "$key_file" || refuse_private_key "$key_file"
    AUTHORIZED_KEY=$(grep -v '^[[:space:]]*\(#\|$\)' "$key_file" || true)
    [[ "$AUTHORIZED_KEY" != *$'\n'* ]] || usage_error "$key_file holds more than one key: give the control plane's one key"
    validate_ssh_public_key "$AUTHORIZED_KEY" "$key_file"
  else
    [[ -n "$AUTHORIZED_KEY" ]] || usage_error "the control plane's public key is required: --authorized-key-file FILE or --authorized-key 'KEY'"
    validate_ssh_public_key "$AUTHORIZED_KEY" "--authorized-key"
  fi
  validate_user_name "$SSH_USER"
  if [[ -n "$WG_CONFIG_SOURCE" && ! -r "$WG_CONFIG_SOURCE" ]]; then
    usage_error "cannot read --wg-config $WG_CONFIG_SOURCE"
  fi
  return 0
}

print_summary() {
  local fingerprint=$1
  if ((CHANGES == 0)); then
    log_info "nothing to change: this node was already bootstrapped"
  else
    log_info "done: $CHANGES change(s)"
  fi
  cat <<EOF
Benchmark Node ready.
  SSH user:              $SSH_USER (key login; sudo for run.sh, switch.sh stop and kill only)
  Host key fingerprint:  $fingerprint
Paste the fingerprint into the node form (or "hostKeyFingerprint" in POST /api/nodes): the control
plane refuses to connect when the node presents any other host key.
EOF
}

main() {
  trap 'on_err "$LINENO" "$BASH_COMMAND"' ERR
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  parse_args "$@"
  validate_root
  read_os_release
  TMP_DIR=$(mktemp -d)
  install_packages
  configure_ip_forward
  configure_user
  configure_conf_dir
  install_wg_config
  ensure_host_key
  local fingerprint
  fingerprint=$(host_key_fingerprint)
  print_summary "$fingerprint"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
