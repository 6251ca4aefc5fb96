#!/usr/bin/env bats
# .github/workflows/images.yml cannot run here; these read it as data and hold the parts that
# matter: both architectures, Buildx with QEMU, GHCR login, metadata tags, cache, and a healthy
# container before anything is pushed.
# shellcheck disable=SC2016 # expected strings hold literal ${...} and $NAME

setup() {
  load helpers
  WORKFLOW="$REPO_DIR/.github/workflows/images.yml"
}

wf() { yaml_query "$WORKFLOW" "$1"; }

# step_index USES_PREFIX: the index of the first step using that action.
step_index() {
  wf "[.jobs.image.steps[] | (.uses // \"\")] | map(startswith(\"$1\")) | index(true)"
}

@test "it parses and runs on pushes to main, version tags and pull requests" {
  # PyYAML reads the key `on` as the boolean true
  run wf '(.on // .true) | keys[]'
  assert_success
  assert_line push
  assert_line pull_request
  run wf '(.on // .true).push.branches[], (.on // .true).push.tags[]'
  assert_line main
  assert_line 'v*'
}

@test "QEMU, Buildx, GHCR login, metadata and build-push, each pinned to a major version" {
  run wf '.jobs.image.steps[] | .uses // empty'
  assert_success
  local action
  for action in actions/checkout docker/setup-qemu-action docker/setup-buildx-action docker/login-action \
    docker/metadata-action docker/build-push-action; do
    assert_line --regexp "^$action@v[0-9]+$"
  done
}

@test "the image is built and pushed for linux/amd64 and linux/arm64 to ghcr.io, with the GHA cache" {
  local push
  push=$(wf '[.jobs.image.steps[] | select(.uses // "" | startswith("docker/build-push-action")) | select(.with.push)][0].with')
  assert_equal "$(jq -r .platforms <<<"$push")" "linux/amd64,linux/arm64"
  assert_equal "$(jq -r .push <<<"$push")" "\${{ github.event_name != 'pull_request' }}"
  assert_equal "$(jq -r .tags <<<"$push")" "\${{ steps.meta.outputs.tags }}"
  assert_equal "$(jq -r '."cache-from"' <<<"$push")" "type=gha,scope=vpnlens"
  assert_equal "$(jq -r '."cache-to"' <<<"$push")" "type=gha,scope=vpnlens,mode=max"
  run wf '.jobs.image.steps[] | select(.uses // "" | startswith("docker/metadata-action")) | .with.images'
  assert_output '${{ env.REGISTRY }}/${{ github.repository }}'
  assert_equal "$(wf .env.REGISTRY)" ghcr.io
}

@test "it logs in to GHCR with the job's token, not on pull requests, and may write packages" {
  run wf '.jobs.image.steps[] | select(.uses // "" | startswith("docker/login-action"))'
  assert_equal "$(jq -r .with.registry <<<"$output")" '${{ env.REGISTRY }}'
  assert_equal "$(jq -r .with.password <<<"$output")" '${{ secrets.GITHUB_TOKEN }}'
  assert_equal "$(jq -r .if <<<"$output")" "github.event_name != 'pull_request'"
  assert_equal "$(wf .permissions.packages)" write
}

@test "a container of the amd64 image must turn healthy before the push" {
  local smoke push
  smoke=$(wf '[.jobs.image.steps[] | (.name // "") | startswith("Smoke test")] | index(true)')
  push=$(wf '[.jobs.image.steps[] | (.with.push // null) != null] | index(true)')
  [[ "$smoke" =~ ^[0-9]+$ ]] || fail "no smoke test step"
  [[ "$push" =~ ^[0-9]+$ ]] || fail "no step pushes"
  ((smoke < push)) || fail "the smoke test (step $smoke) comes after the push (step $push)"
  run wf ".jobs.image.steps[$smoke].run"
  assert_output --partial '{{.State.Health.Status}}'
  assert_output --partial 'healthy'
  assert_output --partial "runs as root"
  run wf '.jobs.image.steps[] | select(.with.load) | .with.platforms'
  assert_output linux/amd64
  [[ "$(step_index docker/setup-qemu-action)" -lt "$(step_index docker/build-push-action)" ]] || fail "QEMU is set up after the build"
}
