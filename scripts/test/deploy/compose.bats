#!/usr/bin/env bats
# compose.yaml, read as data (PyYAML in, jq expressions out) and checked against the
# Compose schema by docker-compose 1.29 (Debian's; no Docker engine is needed or contacted).
# The lessons of v1 are checked here: WireGuard MTU 1420, ip_forward, restart policies, state
# on named volumes, healthchecks, secrets only from .env.
# shellcheck disable=SC2016 # expected strings hold literal ${...} and $NAME

setup() {
  load helpers
}

# env_of SERVICE: the service's environment as a JSON object, whichever form it is written in.
env_of() {
  yq_compose ".services[\"$1\"].environment // {} | if type == \"array\" then map(split(\"=\") | {(.[0]): (.[1:] | join(\"=\"))}) | add else . end"
}

# sysctls_of SERVICE: the same for sysctls.
sysctls_of() {
  yq_compose ".services[\"$1\"].sysctls // {} | if type == \"array\" then map(split(\"=\") | {(.[0]): .[1]}) | add else . end"
}

# compose_v1_config ENV_FILE: docker-compose 1.29's validated, interpolated view (it predates
# the top-level `name:` key, so that one line is left out).
compose_v1_config() {
  command -v docker-compose >/dev/null || fail "docker-compose is not installed (apt-get install docker-compose): it validates compose.yaml against the Compose schema"
  sed '/^name:/d' "$REPO_DIR/compose.yaml" >"$BATS_TEST_TMPDIR/compose.v1.yaml"
  docker-compose --project-directory "$REPO_DIR" -f "$BATS_TEST_TMPDIR/compose.v1.yaml" --env-file "$1" config
}

sample_env() {
  cat >"$BATS_TEST_TMPDIR/sample.env" <<'EOF'
DOMAIN=vpnlens.example.test
ACME_EMAIL=ops@example.test
Api__Token=sample-token-0123456789abcdef
WG_EASY_PASSWORD=sample-password
SSH_PRIVATE_KEY_FILE=/etc/vpnlens/control-plane/id_ed25519
EOF
  printf '%s\n' "$BATS_TEST_TMPDIR/sample.env"
}

@test "compose.yaml parses and has the app, Caddy, wg-easy and Headscale" {
  run yq_compose '.services | keys[]'
  assert_success
  assert_line app
  assert_line caddy
  assert_line wg-easy
  assert_line headscale
  assert_equal "$(yq_compose .name)" vpnlens
}

@test "the Compose schema accepts it and the values from .env are interpolated" {
  run compose_v1_config "$(sample_env)"
  assert_success
  assert_output --partial "App__PublicUrl: https://dashboard.vpnlens.example.test/"
  assert_output --partial "Callbacks__BaseUrl: https://api.vpnlens.example.test/"
  assert_output --partial "HEADSCALE_SERVER_URL: https://hs.vpnlens.example.test"
  assert_output --partial "INIT_HOST: wg.vpnlens.example.test"
}

@test "it refuses to start without each required secret or setting" {
  local env var
  env=$(sample_env)
  for var in DOMAIN ACME_EMAIL Api__Token WG_EASY_PASSWORD SSH_PRIVATE_KEY_FILE; do
    grep -v "^$var=" "$env" >"$BATS_TEST_TMPDIR/missing.env"
    run compose_v1_config "$BATS_TEST_TMPDIR/missing.env"
    assert_failure
    assert_output --partial "set $var in .env"
  done
}

@test "every service restarts by itself" {
  run yq_compose '.services | to_entries[] | select(.value.restart != "unless-stopped" and .value.restart != "always") | .key'
  assert_success
  assert_output ""
}

@test "every WireGuard MTU is 1420, and wg-easy's healthcheck fails on any other" {
  # every MTU-like setting of every service
  run yq_compose '.services[] | .environment // {} | to_entries[] | select(.key | test("MTU"; "i")) | "\(.key)=\(.value)"'
  assert_success
  assert_line WG_MTU=1420
  assert_line WG_DEFAULT_MTU=1420
  run yq_compose '[.services[] | .environment // {} | to_entries[] | select(.key | test("MTU"; "i")) | .value] | unique | join(" ")'
  assert_output 1420
  run yq_compose '.services["wg-easy"].healthcheck.test | join(" ")'
  assert_output --partial "/sys/class/net/wg0/mtu"
  assert_output --partial "= 1420"
  # and every MTU value the deployment files set or document (MTU = N, MTU: "N", WG_MTU=N, ...)
  run bash -c 'grep -rhoiE "MTU\"?[[:space:]]*[:=][[:space:]]*\"?[0-9]+" "$@" | grep -oE "[0-9]+$" | sort -u' _ \
    "$REPO_DIR/compose.yaml" "$REPO_DIR/.env.example" "$REPO_DIR/scripts/node-bootstrap.sh" \
    "$REPO_DIR/docs/deployment.md" "$REPO_DIR/deploy"
  assert_success
  assert_output 1420
}

@test "wg-easy: IP forwarding, NET_ADMIN and SYS_MODULE, UDP 51820, split-tunnel client configs" {
  run sysctls_of wg-easy
  assert_success
  assert_equal "$(jq -r '."net.ipv4.ip_forward"' <<<"$output")" 1
  run yq_compose '.services["wg-easy"].cap_add[]'
  assert_line NET_ADMIN
  assert_line SYS_MODULE
  run yq_compose '.services["wg-easy"].ports[]'
  assert_output "51820:51820/udp"
  run env_of wg-easy
  assert_equal "$(jq -r .INIT_ALLOWED_IPS <<<"$output")" "198.19.251.0/24,198.19.250.0/24"
  assert_equal "$(jq -r .INIT_IPV4_CIDR <<<"$output")" "198.19.251.0/24"
  refute_output --partial "0.0.0.0/0"
}

@test "a service that forwards IPv6 also has IPv4 forwarding; none turns forwarding off" {
  run yq_compose '.services | keys[]'
  local service
  for service in "${lines[@]}"; do
    run sysctls_of "$service"
    if [[ "$(jq -r '."net.ipv6.conf.all.forwarding" // empty' <<<"$output")" == 1 ]]; then
      assert_equal "$(jq -r '."net.ipv4.ip_forward"' <<<"$output")" 1
    fi
    refute_output --regexp 'forward[^"]*": "0"'
  done
}

@test "everything that must survive a restart is on a named volume" {
  local service target volume
  while read -r service target; do
    volume=$(yq_compose ".services[\"$service\"].volumes[] | select(type == \"string\") | select(endswith(\":$target\")) | split(\":\")[0]")
    [[ -n "$volume" ]] || fail "$service has no volume at $target"
    [[ "$volume" != /* && "$volume" != .* ]] || fail "$service:$target is a bind mount ($volume), not a named volume"
    run yq_compose ".volumes | has(\"$volume\")"
    assert_output true
  done <<'EOF'
app /data
caddy /data
caddy /config
wg-easy /etc/wireguard
headscale /var/lib/headscale
postgres /var/lib/postgresql/data
prometheus /prometheus
grafana /var/lib/grafana
EOF
}

@test "bind mounts are read-only configuration only" {
  run yq_compose '.services[] | .volumes // [] | .[] | select(type == "string") | select(startswith("/") or startswith(".")) | select(endswith(":ro") | not)'
  assert_success
  assert_output ""
}

@test "the app, Caddy, wg-easy and Headscale have healthchecks" {
  local service
  for service in app caddy wg-easy headscale; do
    run yq_compose ".services[\"$service\"].healthcheck.test | length"
    [[ "$output" -gt 0 ]] || fail "$service has no healthcheck"
  done
  run yq_compose '.services.app.healthcheck.test | join(" ")'
  assert_output --partial "/healthz"
  run yq_compose '.services.headscale.healthcheck.test | join(" ")'
  assert_output "CMD headscale health"
}

@test "no secret is written inline: each is \${...} from .env" {
  run yq_compose '.services[] | .environment // {} | to_entries[]
    | select(.key | test("PASSWORD|TOKEN|SECRET|APIKEY|API_KEY|AUTHKEY|PREAUTHKEY"; "i"))
    | select(.value | test("^\\$\\{[A-Za-z_][A-Za-z0-9_]*(:?[-?][^}]*)?\\}$") | not) | "\(.key)=\(.value)"'
  assert_success
  assert_output ""
  # nor anything that looks like a key or a token anywhere in the file
  run grep -nE '(tskey-|whsec_|hskey-|[A-Za-z0-9+/]{40,}|[0-9a-f]{32,})' "$REPO_DIR/compose.yaml"
  assert_failure
  # and a required secret has no default to fall back on
  run grep -nE '\$\{(Api__Token|WG_EASY_PASSWORD):-' "$REPO_DIR/compose.yaml"
  assert_failure
}

@test "the app gets every configuration key VPNLens reads, and only the app gets them" {
  run env_of app
  local key
  for key in Database__Provider ConnectionStrings__App ConnectionStrings__Hangfire Api__Token App__PublicUrl Callbacks__BaseUrl \
    Runs__Deadline Runs__DeadlinePerExtraProtocol DataProtection__KeysPath Smtp__Host Smtp__Port Smtp__Security Smtp__User Smtp__Password \
    Smtp__From ForwardedHeaders__KnownProxies__0 Headscale__Url Headscale__ApiKey Headscale__User \
    Admin__Email Admin__Password; do
    [[ "$(jq --arg k "$key" 'has($k)' <<<"$output")" == true ]] || fail "the app's environment lacks $key"
  done
  assert_equal "$(jq -r '.Database__Provider' <<<"$output")" '${Database__Provider:-Sqlite}'
  assert_equal "$(jq -r '.ConnectionStrings__App' <<<"$output")" '${ConnectionStrings__App:-Data Source=/data/vpnlens.db}'
  assert_equal "$(jq -r '.DataProtection__KeysPath' <<<"$output")" "/data/keys"
  # the deadlines pass through from .env, or stay unset for the app's own default: written once, in RunOptions.cs
  assert_equal "$(jq -c '[.Runs__Deadline, .Runs__DeadlinePerExtraProtocol]' <<<"$output")" '[null,null]'
  run yq_compose '.services | to_entries[] | select(.key != "app" and .key != "app-2") | .value.environment // {} | keys[] | select(test("__"))'
  assert_output ""
}

@test "forwarded headers are trusted from Caddy's fixed address only, in the benchmarking range" {
  local caddy_ip subnet
  caddy_ip=$(yq_compose '.services.caddy.networks.vpnlens.ipv4_address')
  subnet=$(yq_compose '.networks.vpnlens.ipam.config[0].subnet')
  assert_equal "$subnet" 198.19.250.0/24
  run env_of app
  assert_equal "$(jq -r '.ForwardedHeaders__KnownProxies__0' <<<"$output")" "$caddy_ip"
  run yaml_query "$REPO_DIR/deploy/headscale/config.yaml" '.trusted_proxies[]'
  assert_output "$caddy_ip/32"
  run yq_compose '.services[] | .networks.vpnlens.ipv4_address // empty'
  local ip
  for ip in "${lines[@]}"; do
    [[ "$ip" == 198.19.250.* ]] || fail "$ip is outside $subnet"
  done
}

@test "only Caddy publishes HTTP(S); the app, Headscale and the wg-easy UI are reached through it" {
  run yq_compose '.services.caddy.ports[]'
  assert_line "80:80/tcp"
  assert_line "443:443/tcp"
  run yq_compose '.services | to_entries[] | select(.key != "caddy") | .value.ports // [] | .[] | select(test("^(80|443|8080|51821):"))'
  assert_output ""
  run yq_compose '.services.app.ports // [] | length'
  assert_output 0
  run yq_compose '.services.headscale.ports // [] | length'
  assert_output 0
}

@test "the Caddyfile's upstreams are the services' real ports" {
  run grep -oE 'reverse_proxy [^ ]+' "$REPO_DIR/Caddyfile"
  assert_line 'reverse_proxy {$APP_UPSTREAMS:app:8080}'
  run env_of caddy
  assert_equal "$(jq -r .APP_UPSTREAMS <<<"$output")" '${APP_UPSTREAMS:-app:8080}'
  run grep -oE 'reverse_proxy [a-z-]+:[0-9]+' "$REPO_DIR/Caddyfile"
  assert_line "reverse_proxy wg-easy:51821"
  assert_line "reverse_proxy headscale:8080"
  run env_of wg-easy
  assert_equal "$(jq -r .PORT <<<"$output")" 51821
  assert_equal "$(yaml_query "$REPO_DIR/deploy/headscale/config.yaml" .listen_addr)" 0.0.0.0:8080
  run grep -E '^EXPOSE 8080$' "$REPO_DIR/Dockerfile"
  assert_success
}

@test "Headscale: server_url from the environment, state on its volume, no DNS pushed to nodes" {
  local config="$REPO_DIR/deploy/headscale/config.yaml"
  run env_of headscale
  assert_equal "$(jq -r .HEADSCALE_SERVER_URL <<<"$output")" 'https://hs.${DOMAIN:?set DOMAIN in .env}'
  run yaml_query "$config" '.database.type, .database.sqlite.path, .noise.private_key_path, .dns.override_local_dns, .dns.magic_dns, .derp.server.enabled'
  assert_output "$(printf '%s\n' sqlite /var/lib/headscale/db.sqlite /var/lib/headscale/noise_private.key false false false)"
  run yq_compose '.services.headscale.volumes[]'
  assert_line "./deploy/headscale/config.yaml:/etc/headscale/config.yaml:ro"
}

@test "iperf3 peers: direct on the host's stack, wireguard in wg-easy's namespace, tailscale in the endpoint's" {
  assert_equal "$(yq_compose '.services["iperf3-direct"].network_mode')" host
  assert_equal "$(yq_compose '.services["iperf3-wireguard"].network_mode')" "service:wg-easy"
  assert_equal "$(yq_compose '.services["iperf3-tailscale"].network_mode')" "service:tailscale-endpoint"
  assert_equal "$(yq_compose '.services["backend-tailscale"].network_mode')" "service:tailscale-endpoint"
  run yq_compose '.services | to_entries[] | select(.key | test("tailscale")) | "\(.key) \(.value.profiles | join(","))"'
  assert_line "tailscale-endpoint tailscale"
  assert_line "iperf3-tailscale tailscale"
  assert_line "backend-tailscale tailscale"
  run env_of tailscale-endpoint
  assert_equal "$(jq -r .TS_AUTHKEY <<<"$output")" '${TS_ENDPOINT_AUTHKEY:-}'
  assert_equal "$(jq -r .TS_USERSPACE <<<"$output")" false
  assert_equal "$(jq -r .TS_EXTRA_ARGS <<<"$output")" '--login-server=https://hs.${DOMAIN:?set DOMAIN in .env}'
  run yq_compose '.services["tailscale-endpoint"].extra_hosts[]'
  assert_output "hs.\${DOMAIN:?set DOMAIN in .env}:$(yq_compose '.services.caddy.networks.vpnlens.ipv4_address')"
  run grep -E '^USER ' "$REPO_DIR/deploy/iperf3/Dockerfile"
  assert_output "USER nobody"
}

@test ".env.example names every variable compose.yaml reads, with the secrets left empty" {
  local example="$REPO_DIR/.env.example" var
  run grep -oE '\$\{[A-Za-z_][A-Za-z0-9_]*' "$REPO_DIR/compose.yaml"
  for var in $(printf '%s\n' "${lines[@]}" | sed 's/^\${//' | sort -u); do
    grep -qE "^$var=" "$example" || fail ".env.example does not name $var"
  done
  for var in Api__Token Smtp__Password Admin__Password Headscale__PreAuthKey Headscale__ApiKey \
    TS_ENDPOINT_AUTHKEY WG_EASY_PASSWORD GRAFANA_ADMIN_PASSWORD; do
    run grep -E "^$var=" "$example"
    assert_output "$var="
  done
}

@test ".env stays out of images and out of git" {
  run grep -xF .env "$REPO_DIR/.dockerignore"
  assert_success
  run git -c safe.directory="$REPO_DIR" -C "$REPO_DIR" check-ignore -q .env
  assert_success "git does not ignore .env: add the line '.env' to .gitignore"
}

@test "profile postgres: PostgreSQL on its volume with a healthcheck, and a second app instance on it" {
  run yq_compose '.services | to_entries[] | select(.value.profiles // [] | index("postgres")) | .key'
  assert_line postgres
  assert_line app-2
  assert_equal "${#lines[@]}" 2
  run env_of postgres
  assert_equal "$(jq -r .POSTGRES_PASSWORD <<<"$output")" '${POSTGRES_PASSWORD:-}'
  run yq_compose '.services.postgres.healthcheck.test | join(" ")'
  assert_output --partial "pg_isready"
  run yq_compose '.services.postgres.ports // [] | length'
  assert_output 0
  # app-2 is the app (same image, secrets, healthcheck) on PostgreSQL, started once the database is healthy
  run env_of app-2
  assert_equal "$(jq -r .Database__Provider <<<"$output")" Postgres
  assert_equal "$(jq -r .ConnectionStrings__App <<<"$output")" '${ConnectionStrings__App:-Data Source=/data/vpnlens.db}'
  assert_equal "$(yq_compose '.services["app-2"].image')" "$(yq_compose .services.app.image)"
  assert_equal "$(yq_compose '.services["app-2"].secrets')" "$(yq_compose .services.app.secrets)"
  assert_equal "$(yq_compose '.services["app-2"].healthcheck')" "$(yq_compose .services.app.healthcheck)"
  assert_equal "$(yq_compose '.services["app-2"].depends_on.postgres.condition')" service_healthy
  [[ "$(yq_compose '.services["app-2"].networks.vpnlens.ipv4_address')" != "$(yq_compose .services.app.networks.vpnlens.ipv4_address)" ]] ||
    fail "app-2 needs an address of its own"
}

@test "profile postgres: the Compose schema accepts it and the app instances are configured for PostgreSQL" {
  local env
  env=$(sample_env)
  cat >>"$env" <<'EOF'
Database__Provider=Postgres
ConnectionStrings__App=Host=postgres;Database=vpnlens;Username=vpnlens;Password=sample-db-password
POSTGRES_PASSWORD=sample-db-password
APP_UPSTREAMS=app:8080 app-2:8080
EOF
  run compose_v1_config "$env"
  assert_success
  assert_output --partial "Database__Provider: Postgres"
  assert_output --partial "ConnectionStrings__App: Host=postgres;Database=vpnlens;Username=vpnlens;Password=sample-db-password"
  assert_output --partial "APP_UPSTREAMS: app:8080 app-2:8080"
}

@test "profile monitoring: Prometheus and Grafana, pinned multi-arch images, state on volumes, nothing public" {
  run yq_compose '.services | to_entries[] | select(.value.profiles // [] | index("monitoring")) | .key'
  assert_line prometheus
  assert_line grafana
  assert_equal "${#lines[@]}" 2
  # a version tag each (prom/prometheus and grafana/grafana publish amd64, arm64 and arm/v7 under every tag)
  assert_equal "$(yq_compose .services.prometheus.image)" docker.io/prom/prometheus:v3.5.0
  assert_equal "$(yq_compose .services.grafana.image)" docker.io/grafana/grafana:12.2.1
  run yq_compose '.services.prometheus.volumes[]'
  assert_line ./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro
  assert_line prometheus-data:/prometheus
  run yq_compose '.services.grafana.volumes[]'
  assert_line ./deploy/grafana/provisioning:/etc/grafana/provisioning:ro
  assert_line ./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro
  assert_line grafana-data:/var/lib/grafana
  run yq_compose '.services.prometheus.ports // [] | length'
  assert_output 0
  run yq_compose '.services.grafana.ports[]'
  assert_output "127.0.0.1:3000:3000/tcp"
  # Prometheus reads the token from the compose secret its scrape config names
  assert_equal "$(yq_compose '.services.prometheus.secrets[0]')" metrics_token
  assert_equal "$(yaml_query "$REPO_DIR/deploy/prometheus/prometheus.yml" '.scrape_configs[0].authorization.credentials_file')" /run/secrets/metrics_token
  assert_equal "$(yq_compose .secrets.metrics_token.file)" '${METRICS_TOKEN_FILE:-./deploy/prometheus/metrics-token}'
  run git -c safe.directory="$REPO_DIR" -C "$REPO_DIR" check-ignore -q deploy/prometheus/metrics-token
  assert_success
}

@test "profile monitoring: the Compose schema accepts it and Prometheus scrapes the app's port" {
  run compose_v1_config "$(sample_env)"
  assert_success
  assert_output --partial "image: docker.io/prom/prometheus:v3.5.0"
  assert_output --partial "$REPO_DIR/deploy/prometheus/metrics-token"
  run yaml_query "$REPO_DIR/deploy/prometheus/prometheus.yml" '.scrape_configs[0] | "\(.metrics_path) \(.static_configs[0].targets[0])"'
  assert_output "/metrics app:8080"
}
