#!/usr/bin/env bats
# node-bootstrap.sh against a throwaway root ($ROOT_DIR) with fake apt-get, apt-cache,
# dpkg-query, useradd, systemctl, sysctl, modinfo, id, curl first on PATH (fakes/), and the
# real ssh-keygen, chown and visudo (logged). Nothing on this machine outside $BATS_TEST_TMPDIR
# changes, and nothing is downloaded.

setup() {
  load helpers
  setup_node_root
}

# --- arguments and checks ---------------------------------------------------------------------

@test "--help prints the usage and succeeds" {
  run "$BOOTSTRAP" --help
  assert_success
  assert_output --partial "--authorized-key-file FILE"
  assert_output --partial "--add-tailscale-repo"
  refute_output --partial "set -Eeuo"
}

@test "without the control plane's key it stops with exit 2 and says what is missing" {
  run "$BOOTSTRAP"
  assert_failure 2
  assert_output --partial "the control plane's public key is required"
  assert_equal "$(cat "$FAKE_STATE/calls.log")" ""
}

@test "a private key is refused: only the public key belongs on a node" {
  run "$BOOTSTRAP" --authorized-key-file "$BATS_TEST_TMPDIR/cp_key"
  assert_failure 2
  assert_output --partial "is a PRIVATE key"
}

@test "a file that is not one public key is refused" {
  printf 'ssh-ed25519 not-base64!! x\n' >"$BATS_TEST_TMPDIR/bad.pub"
  run "$BOOTSTRAP" --authorized-key-file "$BATS_TEST_TMPDIR/bad.pub"
  assert_failure 2
  assert_output --partial "is not one OpenSSH public key line"
  cat "$CP_PUB" "$CP_PUB" >"$BATS_TEST_TMPDIR/two.pub"
  run "$BOOTSTRAP" --authorized-key-file "$BATS_TEST_TMPDIR/two.pub"
  assert_failure 2
  assert_output --partial "more than one key"
}

@test "an invalid user name or an unknown argument is refused with exit 2" {
  run bootstrap --user 'Bad User'
  assert_failure 2
  assert_output --partial "is not a valid user name"
  run bootstrap --user root
  assert_failure 2
  run bootstrap --frobnicate
  assert_failure 2
  assert_output --partial "unknown argument '--frobnicate'"
}

@test "it must run as root" {
  FAKE_NOT_ROOT=1 run bootstrap
  assert_failure 1
  assert_output --partial "run this as root"
  refute [ -s "$FAKE_STATE/calls.log" ]
}

@test "it refuses a system that is not Debian or Ubuntu" {
  printf 'ID=fedora\nVERSION_CODENAME=\n' >"$ROOT_DIR/etc/os-release"
  run bootstrap
  assert_failure 1
  assert_output --partial "unsupported system 'fedora'"
}

@test "sourcing it defines the functions without running anything" {
  run bash -c 'source "$1" && declare -F main is_valid_user_name validate_user_name is_valid_ssh_public_key >/dev/null && echo sourced' _ "$BOOTSTRAP"
  assert_success
  assert_output sourced
  assert_equal "$(cat "$FAKE_STATE/calls.log")" ""
}

@test "copied with lib/log.sh as docs/deployment.md says, it runs anywhere; without it, it says what to copy" {
  local copy="$BATS_TEST_TMPDIR/copy"
  mkdir -p "$copy"
  tar -cf - -C "$REPO_DIR/scripts" node-bootstrap.sh lib/log.sh | tar -C "$copy" -xf -
  run grep -cF 'node-bootstrap.sh lib/log.sh' "$REPO_DIR/docs/deployment.md"
  assert_output 1
  run "$copy/node-bootstrap.sh" --authorized-key-file "$CP_PUB"
  assert_success
  assert_output --regexp 'Z INFO  \[node-bootstrap\] '
  rm "$copy/lib/log.sh"
  run "$copy/node-bootstrap.sh" --authorized-key-file "$CP_PUB"
  assert_failure 2
  assert_output "node-bootstrap.sh: $copy/lib/log.sh is missing: copy scripts/lib/log.sh with it, as lib/log.sh beside it"
}

@test "is_valid_user_name and is_valid_ssh_public_key accept and reject what they should" {
  local key
  key=$(cat "$CP_PUB")
  run bash -c '
    source "$1"
    for name in vpnlens bench_1 _svc a-b; do is_valid_user_name "$name" || echo "rejected $name"; done
    for name in root Vpnlens 1abc "a b" "" "$(printf "x%.0s" {1..40})"; do is_valid_user_name "$name" && echo "accepted $name"; done
    is_valid_ssh_public_key "$2" || echo "rejected the real key"
    is_valid_ssh_public_key "${2% *}" || echo "rejected the key without comment"
    is_valid_ssh_public_key "ssh-dss AAAAB3NzaC1kc3M= old" && echo "accepted dss"
    is_valid_ssh_public_key "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBADBADBAD" && echo "accepted a truncated key"
    true' _ "$BOOTSTRAP" "$key"
  assert_success
  assert_output ""
}

# --- packages ------------------------------------------------------------------------------------

@test "it installs the node's tools, and wireguard-go when the kernel has no WireGuard" {
  run bootstrap
  assert_success
  local package
  for package in iperf3 wireguard-tools nebula curl jq openssl openssh-server sudo iproute2 iputils-ping ethtool wireguard-go; do
    installed_packages | grep -qxF "$package" || fail "$package was not installed"
  done
  assert_output --partial "has no WireGuard module"
  run grep -c '^apt-get update' "$FAKE_STATE/calls.log"
  assert_output 1
  run grep -E '^apt-get install -y -qq --no-install-recommends ' "$FAKE_STATE/calls.log"
  assert_success
}

@test "with the kernel module there is no wireguard-go" {
  kernel_has_wireguard
  run bootstrap
  assert_success
  run installed_packages
  refute_line wireguard-go
  assert_line wireguard-tools
}

@test "tailscale: without a repository offering it, nothing is added and the way to get it is printed" {
  run bootstrap
  assert_success
  assert_output --partial "tailscale is not installable"
  assert_output --partial "--add-tailscale-repo"
  assert_output --partial "https://pkgs.tailscale.com/stable/debian/bookworm.noarmor.gpg"
  assert_file_not_exists "$ROOT_DIR/etc/apt/sources.list.d/tailscale.list"
  assert_file_not_exists "$ROOT_DIR/usr/share/keyrings/tailscale-archive-keyring.gpg"
  run grep -E '^curl ' "$FAKE_STATE/calls.log"
  assert_failure
  run installed_packages
  refute_line tailscale
}

@test "tailscale: from an already configured repository, installed with its packaged service off" {
  tailscale_repo_configured
  run bootstrap
  assert_success
  run installed_packages
  assert_line tailscale
  run grep -xF 'systemctl disable --now tailscaled' "$FAKE_STATE/calls.log"
  assert_success
  assert_file_not_exists "$ROOT_DIR/etc/apt/sources.list.d/tailscale.list"
}

@test "tailscale: --add-tailscale-repo adds Tailscale's repository pinned to its key, then installs" {
  run bootstrap --add-tailscale-repo
  assert_success
  assert_file_exists "$ROOT_DIR/usr/share/keyrings/tailscale-archive-keyring.gpg"
  run cat "$ROOT_DIR/etc/apt/sources.list.d/tailscale.list"
  assert_output "deb [signed-by=/usr/share/keyrings/tailscale-archive-keyring.gpg] https://pkgs.tailscale.com/stable/debian bookworm main"
  run grep -E '^curl .*https://pkgs\.tailscale\.com/stable/debian/bookworm\.noarmor\.gpg$' "$FAKE_STATE/calls.log"
  assert_success
  run installed_packages
  assert_line tailscale
  run grep -xF 'systemctl disable --now tailscaled' "$FAKE_STATE/calls.log"
  assert_success
}

@test "--skip-packages changes no package" {
  run bootstrap --skip-packages
  assert_success
  run grep -E '^(apt-get|apt-cache)' "$FAKE_STATE/calls.log"
  assert_failure
  assert_file_exists "$ROOT_DIR/etc/sudoers.d/vpnlens"
}

@test "a failing apt-get stops the run with the step named" {
  FAKE_APT_FAIL=1 run bootstrap
  assert_failure 1
  assert_output --partial "apt-get update failed"
  assert_file_not_exists "$ROOT_DIR/etc/sudoers.d/vpnlens"
}

# --- ip_forward ---------------------------------------------------------------------------------

@test "ip_forward is on, persistently, in /etc/sysctl.d/99-vpnlens.conf" {
  run bootstrap
  assert_success
  run grep -E '^net\.ipv4\.ip_forward = 1$' "$ROOT_DIR/etc/sysctl.d/99-vpnlens.conf"
  assert_success
  assert_equal "$(stat -c %a "$ROOT_DIR/etc/sysctl.d/99-vpnlens.conf")" 644
  assert_equal "$(cat "$ROOT_DIR/proc/sys/net/ipv4/ip_forward")" 1
  run grep -c '^sysctl --system$' "$FAKE_STATE/calls.log"
  assert_output 1
}

@test "ip_forward switched off behind its back is applied again on the next run" {
  bootstrap >/dev/null 2>&1
  echo 0 >"$ROOT_DIR/proc/sys/net/ipv4/ip_forward"
  mark_calls
  run bootstrap
  assert_success
  assert_output --partial "net.ipv4.ip_forward applied (was 0)"
  run calls_since_mark
  assert_line 'sysctl --system'
  assert_equal "$(cat "$ROOT_DIR/proc/sys/net/ipv4/ip_forward")" 1
}

# --- the SSH user ---------------------------------------------------------------------------------

@test "the SSH user exists and the control plane's key is its only authorized key, private to it" {
  run bootstrap
  assert_success
  run grep '^vpnlens:' "$ROOT_DIR/etc/passwd"
  assert_success
  local home="$ROOT_DIR/home/vpnlens" owner
  owner=$(awk -F: '$1 == "vpnlens" { print $3 ":" $4 }' "$ROOT_DIR/etc/passwd")
  assert_equal "$(cat "$home/.ssh/authorized_keys")" "$(cat "$CP_PUB")"
  assert_equal "$(stat -c %a "$home/.ssh")" 700
  assert_equal "$(stat -c %a "$home/.ssh/authorized_keys")" 600
  assert_equal "$(stat -c %u:%g "$home/.ssh")" "$owner"
  assert_equal "$(stat -c %u:%g "$home/.ssh/authorized_keys")" "$owner"
}

@test "keys already authorized stay, and the same key with another comment is not added twice" {
  bootstrap >/dev/null 2>&1
  local file="$ROOT_DIR/home/vpnlens/.ssh/authorized_keys"
  ssh-keygen -q -t ed25519 -N '' -C someone-else -f "$BATS_TEST_TMPDIR/other" >/dev/null
  cat "$BATS_TEST_TMPDIR/other.pub" >>"$file"
  awk '{ print $1, $2, "renamed-comment" }' "$CP_PUB" >"$BATS_TEST_TMPDIR/renamed.pub"
  run "$BOOTSTRAP" --authorized-key-file "$BATS_TEST_TMPDIR/renamed.pub"
  assert_success
  run wc -l <"$file"
  assert_output 2
  run grep -cF "$(cut -d' ' -f2 "$BATS_TEST_TMPDIR/other.pub")" "$file"
  assert_output 1
}

@test "--authorized-key takes the key inline and --user names the account" {
  run "$BOOTSTRAP" --authorized-key "$(cat "$CP_PUB")" --user bench
  assert_success
  assert_file_exists "$ROOT_DIR/home/bench/.ssh/authorized_keys"
  run grep -F '/home/bench/vpnlens/scripts/run.sh' "$ROOT_DIR/etc/sudoers.d/vpnlens"
  assert_success
  run grep -E '^bench ALL=\(root\) NOPASSWD: ' "$ROOT_DIR/etc/sudoers.d/vpnlens"
  assert_success
}

@test "sudo: exactly the control plane's commands, without a password, in a file visudo accepts" {
  run bootstrap
  assert_success
  local file="$ROOT_DIR/etc/sudoers.d/vpnlens"
  assert_equal "$(stat -c %a "$file")" 440
  run grep -v '^#' "$file"
  assert_line 'Cmnd_Alias VPNLENS_RUN = /usr/bin/setsid nohup /home/vpnlens/vpnlens/scripts/run.sh *'
  assert_line 'Cmnd_Alias VPNLENS_STOP = /home/vpnlens/vpnlens/scripts/switch.sh stop'
  assert_line --partial 'Cmnd_Alias VPNLENS_KILL = /usr/bin/kill -TERM *, /usr/bin/kill -KILL *'
  assert_line 'vpnlens ALL=(root) NOPASSWD: VPNLENS_RUN, VPNLENS_STOP, VPNLENS_KILL'
  refute_output --regexp 'NOPASSWD: *ALL'
  [[ -x /usr/sbin/visudo ]] || fail "visudo is missing: apt-get install sudo (the test checks the file with the real one)"
  run /usr/sbin/visudo -c -s -f "$file"
  assert_success
}

@test "sudo rules that visudo rejects are never installed" {
  FAKE_VISUDO_FAIL=1 run bootstrap
  assert_failure 1
  assert_output --partial "do not pass visudo"
  assert_file_not_exists "$ROOT_DIR/etc/sudoers.d/vpnlens"
}

@test "sshd is enabled unless ssh.service or ssh.socket (Ubuntu 24.04) already is" {
  : >"$FAKE_STATE/enabled"
  run bootstrap
  assert_success
  run grep -xF 'systemctl enable --now ssh' "$FAKE_STATE/calls.log"
  assert_success

  setup_node_root
  echo ssh.socket >"$FAKE_STATE/enabled"
  run bootstrap
  assert_success
  run grep -E '^systemctl enable' "$FAKE_STATE/calls.log"
  assert_failure
}

# --- /etc/vpnlens and the host key ------------------------------------------------------------------

@test "/etc/vpnlens has a README naming every protocol.env key of docs/node-protocol.md" {
  run bootstrap
  assert_success
  local readme="$ROOT_DIR/etc/vpnlens/README" key keys
  assert_file_exists "$readme"
  for dir in direct wireguard tailscale nebula openvpn ipsec; do
    assert_dir_exists "$ROOT_DIR/etc/vpnlens/$dir"
  done
  # the keys in the contract's protocol.env section: `KEY` in its tables' rows
  # shellcheck disable=SC2016 # the backticks are literal
  keys=$(sed -n '/^## Per-protocol configuration/,/^## Phases/p' "$REPO_DIR/docs/node-protocol.md" |
    grep '^|' | grep -oE '`[A-Z][A-Z0-9_]+`' | tr -d '`' | sort -u)
  [[ $(wc -w <<<"$keys") -ge 10 ]] || fail "found only these keys in docs/node-protocol.md: $keys"
  for key in $keys; do
    grep -qw "$key" "$readme" || fail "README does not mention $key"
  done
  run grep -F 'MTU = 1420' "$readme"
  assert_success
}

@test "it prints the ed25519 host key's SHA-256 fingerprint for the node form" {
  run bootstrap
  assert_success
  local expected
  expected=$(ssh-keygen -lf "$ROOT_DIR/etc/ssh/ssh_host_ed25519_key.pub" | awk '{ print $2 }')
  [[ "$expected" == SHA256:* ]] || fail "unexpected ssh-keygen output: $expected"
  assert_output --partial "Host key fingerprint:  $expected"
}

@test "missing host keys are generated, then fingerprinted" {
  rm -f "$ROOT_DIR"/etc/ssh/ssh_host_*
  run bootstrap --skip-packages
  assert_success
  assert_file_exists "$ROOT_DIR/etc/ssh/ssh_host_ed25519_key.pub"
  assert_output --regexp 'Host key fingerprint:  SHA256:[A-Za-z0-9+/]{43}'
}

# --- a WireGuard client config ----------------------------------------------------------------------

write_wg_config() {
  cat >"$BATS_TEST_TMPDIR/client.conf" <<EOF
[Interface]
PrivateKey = aGVsbG8taGVsbG8taGVsbG8taGVsbG8taGVsbG8taGU=
Address = 198.19.251.2/24
DNS = 198.18.0.53
$1

[Peer]
PublicKey = d29ybGQtd29ybGQtd29ybGQtd29ybGQtd29ybGQtd28=
AllowedIPs = ${2:-198.19.251.0/24, 198.19.250.0/24}
Endpoint = 127.0.0.1:51820
EOF
}

@test "--wg-config installs the client config with MTU 1420 and no DNS line, readable by root only" {
  write_wg_config "MTU = 1280"
  run bootstrap --wg-config "$BATS_TEST_TMPDIR/client.conf"
  assert_success
  assert_output --partial "setting MTU = 1420"
  local conf="$ROOT_DIR/etc/vpnlens/wireguard/wg0.conf"
  assert_equal "$(stat -c %a "$conf")" 600
  run grep -Ei '^[[:space:]]*MTU' "$conf"
  assert_output "MTU = 1420"
  run grep -Ei '^[[:space:]]*DNS' "$conf"
  assert_failure
  run grep -F 'AllowedIPs = 198.19.251.0/24, 198.19.250.0/24' "$conf"
  assert_success
}

@test "--wg-config adds MTU 1420 where the config has none, inside [Interface]" {
  write_wg_config ""
  run bootstrap --wg-config "$BATS_TEST_TMPDIR/client.conf"
  assert_success
  run awk '/^\[Peer\]/ { exit } /^MTU = 1420$/ { found = 1 } END { exit !found }' "$ROOT_DIR/etc/vpnlens/wireguard/wg0.conf"
  assert_success
  run grep -c '^MTU' "$ROOT_DIR/etc/vpnlens/wireguard/wg0.conf"
  assert_output 1
}

@test "--wg-config writes wireguard/protocol.env for the compose deployment, once" {
  write_wg_config "MTU = 1420"
  run bootstrap --wg-config "$BATS_TEST_TMPDIR/client.conf"
  assert_success
  local env="$ROOT_DIR/etc/vpnlens/wireguard/protocol.env"
  run grep -v '^#' "$env"
  assert_line PEER_IP=198.19.251.1
  assert_line BACKEND_URL=http://198.19.250.20:8080/healthz
  assert_line IPERF_PORT=5201
  assert_line WG_INTERFACE=wg0
  assert_line WG_CONFIG=/etc/vpnlens/wireguard/wg0.conf
  assert_line WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go
  echo 'PEER_IP=198.19.251.9' >"$env"
  run bootstrap --wg-config "$BATS_TEST_TMPDIR/client.conf"
  assert_success
  assert_equal "$(cat "$env")" "PEER_IP=198.19.251.9"
}

@test "--wg-config refuses a full-tunnel config: SSH and callbacks must not ride the tunnel" {
  write_wg_config "MTU = 1420" "0.0.0.0/0, ::/0"
  run bootstrap --wg-config "$BATS_TEST_TMPDIR/client.conf"
  assert_failure 1
  assert_output --partial "routes everything through the tunnel"
  assert_file_not_exists "$ROOT_DIR/etc/vpnlens/wireguard/wg0.conf"
}

@test "--wg-config refuses a file that is not a wg-quick config" {
  echo "not a config" >"$BATS_TEST_TMPDIR/client.conf"
  run bootstrap --wg-config "$BATS_TEST_TMPDIR/client.conf"
  assert_failure 1
  assert_output --partial "is not a wg-quick config"
}

# --- idempotence ------------------------------------------------------------------------------------

@test "a second run changes nothing and succeeds" {
  write_wg_config "MTU = 1280"
  tailscale_repo_configured
  run bootstrap --wg-config "$BATS_TEST_TMPDIR/client.conf"
  assert_success
  assert_output --partial "change(s)"
  local before
  before=$(root_manifest)
  mark_calls

  run bootstrap --wg-config "$BATS_TEST_TMPDIR/client.conf"
  assert_success
  assert_output --partial "nothing to change"
  refute_output --partial "changed:"
  assert_equal "$(root_manifest)" "$before"
  run calls_since_mark
  refute_output --regexp '^(apt-get|useradd|chown|curl|visudo|sysctl --system|systemctl (enable|disable))'
}

@test "a second run with --add-tailscale-repo downloads nothing again" {
  bootstrap --add-tailscale-repo >/dev/null 2>&1
  local before
  before=$(root_manifest)
  mark_calls
  run bootstrap --add-tailscale-repo
  assert_success
  assert_output --partial "nothing to change"
  assert_equal "$(root_manifest)" "$before"
  run calls_since_mark
  refute_output --regexp '^(apt-get|curl)'
}
