#!/usr/bin/env bats
# The deployment's shell code passes ShellCheck and is formatted as shfmt writes it (the
# project's style: two-space indent, indented case branches).
# shellcheck disable=SC2016 # expected strings hold literal ${...} and $NAME

setup() {
  load helpers
}

deploy_shell_files() {
  printf '%s\n' "$BOOTSTRAP" "$REPO_DIR/scripts/test/run-deploy.sh" "$DEPLOY_TEST_DIR/helpers.bash" \
    "$DEPLOY_TEST_DIR"/fakes/* "$DEPLOY_TEST_DIR"/*.bats
}

@test "ShellCheck finds nothing in node-bootstrap.sh, run-deploy.sh and the deployment tests" {
  command -v shellcheck >/dev/null || fail "shellcheck is not installed (apt-get install shellcheck)"
  mapfile -t files < <(deploy_shell_files)
  run shellcheck -x "${files[@]}"
  assert_success
  assert_output ""
}

@test "shfmt -i 2 -ci leaves them as they are" {
  command -v shfmt >/dev/null || fail "shfmt is not installed (apt-get install shfmt)"
  mapfile -t files < <(deploy_shell_files | grep -v '\.bats$')
  run shfmt -d -i 2 -ci "${files[@]}"
  assert_success
  assert_output ""
}

# The tooling around the product: the README's ./vpnlens, dev/ (up, test, bench) and the benchmarks.
tooling_shell_files() {
  printf '%s\n' "$REPO_DIR/vpnlens" "$REPO_DIR"/dev/*.sh "$REPO_DIR"/bench/*.sh "$REPO_DIR"/bench/lib/*.sh
}

@test "ShellCheck finds nothing in ./vpnlens, dev/ and bench/" {
  command -v shellcheck >/dev/null || fail "shellcheck is not installed (apt-get install shellcheck)"
  mapfile -t files < <(tooling_shell_files)
  ((${#files[@]} > 10)) || fail "only ${#files[@]} tooling files found"
  run shellcheck -x "${files[@]}"
  assert_success
  assert_output ""
}

@test "shfmt -i 2 -ci leaves ./vpnlens, dev/ and bench/ as they are" {
  command -v shfmt >/dev/null || fail "shfmt is not installed (apt-get install shfmt)"
  mapfile -t files < <(tooling_shell_files)
  run shfmt -d -i 2 -ci "${files[@]}"
  assert_success
  assert_output ""
}

@test "node-bootstrap.sh is executable, strict, and runs main only when executed" {
  assert_file_executable "$BOOTSTRAP"
  assert_file_executable "$REPO_DIR/scripts/test/run-deploy.sh"
  run grep -xF 'set -Eeuo pipefail' "$BOOTSTRAP"
  assert_success
  run tail -n 3 "$BOOTSTRAP"
  assert_output "$(printf '%s\n' 'if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then' '  main "$@"' 'fi')"
}

@test "the deployment sends traffic only to loopback or 198.18.0.0/15 in its tests" {
  # every IPv4 literal in the test code and fakes
  run bash -c 'grep -rhoE "\b([0-9]{1,3}\.){3}[0-9]{1,3}\b" "$1" | sort -u' _ "$DEPLOY_TEST_DIR"
  local ip
  for ip in "${lines[@]}"; do
    [[ "$ip" =~ ^(127\.|198\.1[89]\.|0\.0\.0\.0$) ]] || fail "$ip in the deployment tests is neither loopback nor 198.18.0.0/15"
  done
}
