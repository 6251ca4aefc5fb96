#!/usr/bin/env bats
# docs/deployment.md keeps the facts an operator needs, and agrees with the files it describes.

setup() {
  load helpers
  DOC="$REPO_DIR/docs/deployment.md"
}

@test "it names every port to open, in the cloud's firewall and in ufw" {
  local port
  for port in "TCP 80" "TCP 443" "UDP 51820" "UDP 41641" "TCP 22" "TCP and UDP 5201"; do
    grep -qF "| $port |" "$DOC" || fail "the port table lacks $port"
  done
  run grep -ciE 'security list|VCN' "$DOC"
  [[ "$output" -ge 2 ]] || fail "the cloud firewall (OCI security lists) is not explained"
  run grep -F 'sudo ufw allow 51820/udp' "$DOC"
  assert_success
}

@test "it explains MTU 1420, ip_forward, the deadline, pinning, pre-auth keys, multi-arch and backups" {
  local phrase
  for phrase in "1500 − 80 = 1420" "net.ipv4.ip_forward=1" "Runs__Deadline" "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub" \
    "preauthkeys create --user <ID> --reusable --expiration 90d" "linux/arm64" "exec format error" "docker compose stop app" \
    "node-bootstrap.sh --authorized-key-file"; do
    grep -qF -- "$phrase" "$DOC" || fail "docs/deployment.md does not mention: $phrase"
  done
}

@test "every variable of .env.example and every app setting is documented" {
  local var
  for var in $(grep -oE '^[A-Za-z_][A-Za-z0-9_]*=' "$REPO_DIR/.env.example" | tr -d =); do
    grep -qF "$var" "$DOC" || fail "$var of .env.example is not in docs/deployment.md"
  done
  for var in ConnectionStrings__App ConnectionStrings__Hangfire Api__Token App__PublicUrl Callbacks__BaseUrl \
    Runs__Deadline Runs__DeadlinePerExtraProtocol DataProtection__KeysPath Smtp__Security ForwardedHeaders__KnownProxies__0 Headscale__Url \
    Headscale__ApiKey Headscale__User Admin__Email Admin__Password; do
    grep -qF "$var" "$DOC" || fail "docs/deployment.md does not mention $var"
  done
}

@test "the addresses it gives match compose.yaml and node-bootstrap.sh" {
  local ip
  for ip in "$(yq_compose '.services.caddy.networks.vpnlens.ipv4_address')" \
    "$(yq_compose '.services.app.networks.vpnlens.ipv4_address')" 198.19.251.1; do
    grep -qF "$ip" "$DOC" || fail "docs/deployment.md does not mention $ip"
  done
  run grep -E '^readonly WG_DEFAULT_(PEER_IP|BACKEND_URL)=' "$BOOTSTRAP"
  assert_line "readonly WG_DEFAULT_PEER_IP=198.19.251.1"
  assert_line "readonly WG_DEFAULT_BACKEND_URL=http://$(yq_compose '.services.app.networks.vpnlens.ipv4_address'):8080/healthz"
}

@test "the README links here" {
  run grep -F '(docs/deployment.md)' "$REPO_DIR/README.md"
  assert_success
}
