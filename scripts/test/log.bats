#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # single-quoted snippets run in another shell; run --separate-stderr sets stderr and stderr_lines
# The project's one bash logger, scripts/lib/log.sh: its line format, die, the copy file, the clock,
# and that no other shell file in the tree defines a logger of its own.

setup() {
  load helpers
  REPO_DIR="$(cd "$SCRIPTS_DIR/.." && pwd)"
}

# shell_files: every shell file of the tree (tracked or new, not ignored): by name or by shebang.
shell_files() {
  local file
  git -C "$REPO_DIR" ls-files --cached --others --exclude-standard -z | while IFS= read -r -d '' file; do
    [[ -f "$REPO_DIR/$file" ]] || continue
    case "$file" in
      *.sh | *.bash | *.bats) printf '%s\n' "$file" ;;
      *.*) ;;
      *) head -n 1 "$REPO_DIR/$file" | grep -qE '^#!.*\b(ba)?sh\b' && printf '%s\n' "$file" ;;
    esac
  done
}

# definitions NAME_RE FILE...: "file:line:text" of each definition of a function named NAME_RE.
definitions() {
  local names=$1
  shift
  (cd "$REPO_DIR" && grep -nE "^[[:space:]]*(function[[:space:]]+)?($names)[[:space:]]*\(\)" "$@") || true
}

@test "no shell file but scripts/lib/log.sh defines a logger, die or run_cmd_fatal" {
  command -v git >/dev/null || skip "git is not installed"
  git -C "$REPO_DIR" rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout"
  mapfile -t files < <(shell_files)
  ((${#files[@]} > 50)) || fail "only ${#files[@]} shell files found"
  local line
  while IFS= read -r line; do
    [[ "$line" == scripts/lib/log.sh:* ]] || fail "a second logger: $line (source scripts/lib/log.sh and set VPNLENS_LOG_TAG instead)"
  done < <(definitions '_log|log|log_at|log_info|log_warn|log_error|die|run_cmd_fatal' "${files[@]}")
  run grep -cE '^(log_info|die)\(\)' "$SCRIPTS_DIR/lib/log.sh"
  assert_output 2
}

@test "the clocks and the pid-and-start-time helpers are defined once too (tests may fake them)" {
  command -v git >/dev/null || skip "git is not installed"
  git -C "$REPO_DIR" rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout"
  mapfile -t files < <(shell_files | grep -v '\.bats$')
  local line
  while IFS= read -r line; do
    [[ "$line" == scripts/lib/log.sh:* || "$line" == scripts/lib/proc.sh:* ]] || fail "a second copy: $line"
  done < <(definitions 'clock_ms|now_ms|iso_now|iso_from_ms|iso_from_ms_into|proc_starttime|proc_state|proc_is_running' "${files[@]}")
}

@test "a line is: ISO time with milliseconds, the level padded to five, the caller's tag, the message" {
  run --separate-stderr bash -c 'source "$1/lib/log.sh"; VPNLENS_LOG_TAG=bench; log_info "two  spaces"; log_warn w; log_error e' _ "$SCRIPTS_DIR"
  assert_success
  assert_output ""
  assert_equal "${#stderr_lines[@]}" 3
  assert_regex "${stderr_lines[0]}" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z INFO  \[bench\] two  spaces$'
  assert_regex "${stderr_lines[1]}" 'Z WARN  \[bench\] w$'
  assert_regex "${stderr_lines[2]}" 'Z ERROR \[bench\] e$'
}

@test "each caller logs through it under its own tag" {
  local caller tag
  for caller in dev/common.sh:vpnlens bench/lib/common.sh:bench scripts/lab/lib/common.sh:lab; do
    tag=${caller#*:}
    run --separate-stderr env VPNLENS_LAB_DIR="$BATS_TEST_TMPDIR/lab" VPNLENS_STATE="$BATS_TEST_TMPDIR/state" \
      VPNLENS_BENCH_STATE="$BATS_TEST_TMPDIR/bench" bash -c 'source "$1/$2"; log_info hello' _ "$REPO_DIR" "${caller%%:*}"
    assert_success
    assert_regex "$stderr" "^[0-9T:.-]+Z INFO  \\[$tag\\] hello\$"
  done
}

@test "the lab keeps a copy of its lines in its lab.log once the lab's folder exists" {
  local lab="$BATS_TEST_TMPDIR/lab"
  run --separate-stderr env VPNLENS_LAB_DIR="$lab" bash -c 'source "$1/lab/lib/common.sh"; log_info before' _ "$SCRIPTS_DIR"
  assert_success
  assert_file_not_exists "$lab/logs/lab.log"
  mkdir -p "$lab/logs"
  run --separate-stderr env VPNLENS_LAB_DIR="$lab" bash -c 'source "$1/lab/lib/common.sh"; log_warn after; die stop' _ "$SCRIPTS_DIR"
  assert_failure 1
  assert_equal "$(<"$lab/logs/lab.log")" "$stderr"
  assert_regex "$(sed -n 2p "$lab/logs/lab.log")" 'Z ERROR \[lab\] stop$'
}

@test "die logs, exits 1 and leaves the first reason in VPNLENS_FAILURE_FILE" {
  local failure="$BATS_TEST_TMPDIR/failure"
  printf 'the first reason\n' >"$failure"
  run --separate-stderr bash -c 'source "$1/lib/log.sh"; VPNLENS_FAILURE_FILE=$2; die "a later one"; echo not here' _ "$SCRIPTS_DIR" "$failure"
  assert_failure 1
  assert_output ""
  assert_regex "$stderr" 'Z ERROR \[vpnlens\] a later one$'
  assert_equal "$(<"$failure")" "the first reason"
  rm "$failure"
  run bash -c 'source "$1/lib/log.sh"; VPNLENS_FAILURE_FILE=$2; run_cmd_fatal false' _ "$SCRIPTS_DIR" "$failure"
  assert_failure 1
  assert_equal "$(<"$failure")" "command failed (1): false"
}

@test "clock_ms reads EPOCHREALTIME whatever the locale's decimal separator" {
  run bash -c 'source "$1/lib/log.sh"
    unset EPOCHREALTIME # a plain variable from here on
    for EPOCHREALTIME in 1764928983.012345 1764928983,012345; do clock_ms ms; echo "$ms"; done' _ "$SCRIPTS_DIR"
  assert_success
  assert_output "$(printf '%s\n' 1764928983012 1764928983012)"
}
