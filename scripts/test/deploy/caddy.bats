#!/usr/bin/env bats
# The Caddyfile, through Debian's caddy: `caddy validate` and `caddy adapt` run offline (no
# certificate is requested, no port is opened); the adapted JSON is checked with jq.

setup() {
  load helpers
  command -v caddy >/dev/null || fail "caddy is not installed (apt-get install caddy)"
  export DOMAIN=vpnlens.example.test ACME_EMAIL=ops@example.test
  # caddy keeps its state under these: keep it in the test's directory
  export HOME="$BATS_TEST_TMPDIR/home" XDG_DATA_HOME="$BATS_TEST_TMPDIR/data" XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
  mkdir -p "$HOME"
}

adapted() {
  caddy adapt --adapter caddyfile --config "$REPO_DIR/Caddyfile" 2>/dev/null
}

# route_of HOST: the route serving HOST in the adapted config.
route_of() {
  adapted | jq --arg host "$1" '.apps.http.servers[].routes[] | select(.match[0].host | index($host))'
}

@test "caddy validate accepts the Caddyfile" {
  run caddy validate --adapter caddyfile --config "$REPO_DIR/Caddyfile"
  assert_success
  assert_output --partial "Valid configuration"
}

@test "the Caddyfile is formatted as caddy fmt writes it" {
  run bash -c 'caddy fmt "$1" | diff -u "$1" -' _ "$REPO_DIR/Caddyfile"
  assert_success
}

@test "four subdomains of \$DOMAIN, each proxied to its service" {
  run bash -c 'caddy adapt --adapter caddyfile --config "$1" 2>/dev/null |
    jq -r ".apps.http.servers[].routes[] | [.match[0].host[0], ([.. | objects | select(.handler == \"reverse_proxy\") | .upstreams[].dial] | unique | join(\",\"))] | join(\" \")"' _ "$REPO_DIR/Caddyfile"
  assert_success
  assert_line "dashboard.vpnlens.example.test app:8080"
  assert_line "api.vpnlens.example.test app:8080"
  assert_line "wg.vpnlens.example.test wg-easy:51821"
  assert_line "hs.vpnlens.example.test headscale:8080"
  assert_equal "${#lines[@]}" 4
}

@test "certificates are automatic, from a public ACME CA, with \$ACME_EMAIL" {
  run bash -c 'caddy adapt --adapter caddyfile --config "$1" 2>/dev/null | jq -c ".apps.tls.automation.policies"' _ "$REPO_DIR/Caddyfile"
  assert_success
  assert_output --partial '"email":"ops@example.test"'
  assert_output --partial '"module":"acme"'
  refute_output --partial '"module":"internal"'
  run adapted
  refute_output --partial '"automatic_https":{"disable"'
  run grep -nE '^[[:space:]]*(tls[[:space:]]+internal|auto_https[[:space:]]+off)' "$REPO_DIR/Caddyfile"
  assert_failure
}

@test "the API host passes only /api/* and /healthz, with a body cap above the app's 1 MiB" {
  run route_of api.vpnlens.example.test
  assert_success
  local route=$output
  run jq -c '[.. | objects | select(has("path")) | .path[]]' <<<"$route"
  assert_output '["/api/*","/healthz"]'
  run jq -c '[.. | objects | select(.handler == "request_body") | .max_size][0]' <<<"$route"
  [[ "$output" -gt 1048576 ]] || fail "request_body max_size $output is not above the app's 1 MiB cap"
  run jq -c '[.. | objects | select(.handler == "static_response") | .status_code][0]' <<<"$route"
  assert_output 404
}

@test "no proxy timeout cuts long-lived streams (SignalR circuits, the Tailscale control protocol)" {
  run bash -c 'caddy adapt --adapter caddyfile --config "$1" 2>/dev/null |
    jq -c "[.. | objects | select(.handler == \"reverse_proxy\") | (.transport // {}), (.stream_timeout // empty), (.flush_interval // empty)]"' _ "$REPO_DIR/Caddyfile"
  assert_success
  refute_output --regexp 'read_timeout|write_timeout|stream_timeout|"flush_interval"'
}

@test "Headscale sees the client's address" {
  run route_of hs.vpnlens.example.test
  assert_success
  run jq -c '[.. | objects | select(.handler == "reverse_proxy") | .headers.request.set | keys[]] | sort' <<<"$output"
  assert_output '["True-Client-Ip","X-Real-Ip"]'
}

@test "the dashboard and API hosts compress with zstd or gzip; the VPN hosts do not" {
  local host
  for host in dashboard.vpnlens.example.test api.vpnlens.example.test; do
    run jq -c '[.. | objects | select(.handler == "encode") | .prefer] | first' < <(route_of "$host")
    assert_output '["zstd","gzip"]'
  done
  # wg-easy's UI is its own; Headscale's control protocol is left exactly as it speaks it
  for host in wg.vpnlens.example.test hs.vpnlens.example.test; do
    run jq -c '[.. | objects | select(.handler == "encode")]' < <(route_of "$host")
    assert_output '[]'
  done
}

@test "the dashboard and API hosts balance the app instances with a sticky cookie, one instance by default" {
  run bash -c 'caddy adapt --adapter caddyfile --config "$1" 2>/dev/null |
    jq -c "[.apps.http.servers[].routes[] | select(.match[0].host[0] | test(\"^(dashboard|api)[.]\")) | .. | objects | select(.handler == \"reverse_proxy\") | [.load_balancing.selection_policy.policy, .load_balancing.selection_policy.name, ([.upstreams[].dial] | join(\" \"))]] | unique[]"' _ "$REPO_DIR/Caddyfile"
  assert_success
  assert_output '["cookie","vpnlens_lb","app:8080"]'
}

@test "APP_UPSTREAMS adds instances behind the same sticky policy, with failover" {
  export APP_UPSTREAMS="app:8080 app-2:8080"
  run caddy validate --adapter caddyfile --config "$REPO_DIR/Caddyfile"
  assert_success
  run bash -c 'caddy adapt --adapter caddyfile --config "$1" 2>/dev/null |
    jq -c "[.apps.http.servers[].routes[] | select(.match[0].host[0] | test(\"^(dashboard|api)[.]\")) | .. | objects | select(.handler == \"reverse_proxy\") | [.load_balancing.selection_policy.policy, ([.upstreams[].dial] | join(\" \")), .load_balancing.try_duration > 0, .health_checks.passive.fail_duration > 0]] | unique[]"' _ "$REPO_DIR/Caddyfile"
  assert_success
  assert_output '["cookie","app:8080 app-2:8080",true,true]'
}
