#!/usr/bin/env bats
# deploy/prometheus and deploy/grafana: the scrape config checked by Prometheus's own promtool (Debian's
# prometheus package, installed by the test command), the Grafana provisioning and dashboard read as data,
# and every metric the dashboard queries is one the app exports.

setup() {
  load helpers
  PROMETHEUS_CONFIG="$REPO_DIR/deploy/prometheus/prometheus.yml"
  GRAFANA_DIR="$REPO_DIR/deploy/grafana"
  DASHBOARD="$GRAFANA_DIR/dashboards/vpnlens.json"
}

# exported_metric_names: the metric names the app's /metrics code declares.
exported_metric_names() {
  grep -rhoE '"vpnlens_[a-z0-9_]+"' "$REPO_DIR/VPNLens.Web/Monitoring" | tr -d '"' | sort -u
}

@test "promtool accepts the Prometheus config (the token file stands in for the compose secret)" {
  command -v promtool >/dev/null || fail "promtool is not installed (apt-get install prometheus): it checks deploy/prometheus"
  printf 'vlt_sample\n' >"$BATS_TEST_TMPDIR/metrics_token"
  sed "s|/run/secrets/metrics_token|$BATS_TEST_TMPDIR/metrics_token|" "$PROMETHEUS_CONFIG" >"$BATS_TEST_TMPDIR/prometheus.yml"
  run promtool check config "$BATS_TEST_TMPDIR/prometheus.yml"
  assert_success
  assert_output --partial "SUCCESS"
  run grep -c /run/secrets "$BATS_TEST_TMPDIR/prometheus.yml"
  assert_output 0
}

@test "Grafana provisions the Prometheus data source under the uid every panel uses" {
  local uid
  uid=$(yaml_query "$GRAFANA_DIR/provisioning/datasources/vpnlens.yaml" '.datasources[0].uid')
  assert_equal "$(yaml_query "$GRAFANA_DIR/provisioning/datasources/vpnlens.yaml" '.datasources[0].url')" http://prometheus:9090
  run jq -r '[.panels[] | .datasource.uid, (.targets[] | .datasource.uid)] | unique | join(" ")' "$DASHBOARD"
  assert_success
  assert_output "$uid"
  assert_equal "$(yaml_query "$GRAFANA_DIR/provisioning/dashboards/vpnlens.yaml" '.providers[0].options.path')" /var/lib/grafana/dashboards
}

@test "the dashboard shows throughput, latency, loss, open alerts and the queue, from metrics the app exports" {
  run jq -r '.panels[].title' "$DASHBOARD"
  assert_line "TCP download"
  assert_line "TCP upload"
  assert_line "Idle latency p50"
  assert_line "UDP loss"
  assert_line "Open alerts"
  assert_line "Queue"
  local exported queried name
  exported=$(exported_metric_names)
  [[ -n "$exported" ]] || fail "no metric names found in VPNLens.Web/Monitoring"
  queried=$(jq -r '.panels[].targets[].expr, .templating.list[].definition' "$DASHBOARD" | grep -oE 'vpnlens_[a-z0-9_]+' | sort -u)
  for name in $queried; do
    grep -qx "$name" <<<"$exported" || fail "the dashboard queries $name, which the app does not export"
  done
  run jq -r '.uid' "$DASHBOARD"
  assert_output vpnlens-overview
}
