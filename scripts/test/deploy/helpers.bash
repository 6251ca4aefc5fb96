# shellcheck shell=bash
# Shared by the deployment tests (scripts/test/deploy/*.bats): repository paths, bats
# libraries, and a throwaway root with fake system commands for node-bootstrap.sh.
# Nothing here sends traffic anywhere; the only addresses used are the repository's own
# (198.18.0.0/15) and loopback.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load '/usr/lib/bats/bats-file/load'

DEPLOY_TEST_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$DEPLOY_TEST_DIR/../../.." && pwd)"
BOOTSTRAP="$REPO_DIR/scripts/node-bootstrap.sh"
export DEPLOY_TEST_DIR REPO_DIR BOOTSTRAP

# yaml_query FILE EXPR: a jq expression over a YAML file (PyYAML reads it, as YAML 1.1: the key
# `on` becomes true), raw output.
yaml_query() {
  python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)' "$1" | jq -r "$2"
}

# yq_compose EXPR: a jq expression over compose.yaml.
yq_compose() { yaml_query "$REPO_DIR/compose.yaml" "$1"; }

# setup_node_root: a throwaway Debian 12 root in $ROOT_DIR, fakes first on PATH.
setup_node_root() {
  export ROOT_DIR="$BATS_TEST_TMPDIR/root"
  export FAKE_STATE="$BATS_TEST_TMPDIR/fake"
  export VPNLENS_BOOTSTRAP_ROOT="$ROOT_DIR"
  [[ ":$PATH:" == *":$DEPLOY_TEST_DIR/fakes:"* ]] || export PATH="$DEPLOY_TEST_DIR/fakes:$PATH"
  rm -rf "$ROOT_DIR" "$FAKE_STATE" "$BATS_TEST_TMPDIR"/cp_key*
  mkdir -p "$FAKE_STATE" "$ROOT_DIR/etc/ssh" "$ROOT_DIR/etc/sysctl.d" "$ROOT_DIR/etc/apt/sources.list.d" \
    "$ROOT_DIR/proc/sys/net/ipv4" "$ROOT_DIR/home"
  install -d -m 0755 "$ROOT_DIR/etc/sudoers.d"
  : >"$FAKE_STATE/calls.log"
  cat >"$ROOT_DIR/etc/os-release" <<'OS'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION_CODENAME=bookworm
ID=debian
OS
  echo 'root:x:0:0:root:/root:/bin/bash' >"$ROOT_DIR/etc/passwd"
  echo 0 >"$ROOT_DIR/proc/sys/net/ipv4/ip_forward"
  ssh-keygen -q -t ed25519 -N '' -C fake-host -f "$ROOT_DIR/etc/ssh/ssh_host_ed25519_key" >/dev/null
  # the control plane's key pair
  ssh-keygen -q -t ed25519 -N '' -C vpnlens-control-plane -f "$BATS_TEST_TMPDIR/cp_key" >/dev/null
  export CP_PUB="$BATS_TEST_TMPDIR/cp_key.pub"
  # Debian's ssh.service is enabled once openssh-server is installed
  echo ssh.service >"$FAKE_STATE/enabled"
}

# kernel_has_wireguard: modinfo finds the module.
kernel_has_wireguard() { touch "$FAKE_STATE/wg-module"; }

# tailscale_repo_configured: apt already offers tailscale.
tailscale_repo_configured() { echo tailscale >>"$FAKE_STATE/available"; }

installed_packages() { cat "$FAKE_STATE/installed" 2>/dev/null || true; }

# calls_since_mark: the fake calls made after the last mark_calls.
mark_calls() { wc -l <"$FAKE_STATE/calls.log" >"$FAKE_STATE/calls.mark"; }
calls_since_mark() { tail -n +"$(($(cat "$FAKE_STATE/calls.mark") + 1))" "$FAKE_STATE/calls.log"; }

# root_manifest: every path under the fake root with its type, mode, owner and content hash.
root_manifest() {
  (cd "$ROOT_DIR" && find . -printf '%p %y %m %U:%G\n' | sort)
  (cd "$ROOT_DIR" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

# bootstrap ARGS...: node-bootstrap.sh against the fake root, with the control plane's key.
bootstrap() { "$BOOTSTRAP" --authorized-key-file "$CP_PUB" "$@"; }

# as_image_builds_it DIR: the modes a published app has in the image, whose build stage runs with
# umask 022 in a fresh container: readable by everyone, written by its owner only. A publish here
# copies the modes of this machine's NuGet cache, which whatever ran before (a umask 077 in force
# during a restore) may have left private to root.
as_image_builds_it() { chmod -R u+rwX,go+rX,go-w "$1"; }

# bench_figures CFG_JSON [NAME=FILE...]: the figures bench/lib/report.sh makes (the suite's own
# call of figures.jq) from evidence files under the names the bench writes them (push.json,
# permalink.jsonl, not-measured.jsonl, ...); every input not given is empty.
bench_figures() {
  local cfg=$1 work pair
  shift
  work=$(mktemp -d "$BATS_TEST_TMPDIR/evidence.XXXXXX")
  for pair in "$@"; do
    mkdir -p "$(dirname "$work/${pair%%=*}")"
    cp "${pair#*=}" "$work/${pair%%=*}"
  done
  bash -c 'source "$1/bench/lib/common.sh" && source "$1/bench/lib/report.sh" && BENCH_WORK=$2 && report_figures "$3"' \
    _ "$REPO_DIR" "$work" "$cfg"
}
