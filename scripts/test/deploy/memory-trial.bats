#!/usr/bin/env bats
# bench/memory-trial.sh's command line: which variants it takes, and what it refuses before it
# publishes or starts anything (--rounds 0 as well, so a check that let one through still stops
# before any work).

setup() {
  load helpers
  TRIAL="$REPO_DIR/bench/memory-trial.sh"
}

@test "a variant is NAME=VAR=value[,VAR=value] or NAME=@REF" {
  run bash -c 'source "$1" && shift && for v in "$@"; do is_variant "$v" || exit 1; done' _ "$TRIAL" \
    gen0=DOTNET_GCgen0size=0x800000 two=A=1,B_2=x r2r=@main ref=@HEAD~3 empty=A=
  assert_success
}

@test "anything else is not a variant" {
  local v
  for v in 'a=' 'a=@' 'a=X' 'a b=@x' 'a=@x y' '=@x' 'a=1X=2' 'a=X=1,' 'a=X=1,2'; do
    run bash -c 'source "$1"; is_variant "$2"' _ "$TRIAL" "$v"
    assert_failure
  done
}

@test "a malformed variant is refused with the forms it takes" {
  run "$TRIAL" --rounds 0 'gen0=0x800000'
  assert_failure
  assert_output --partial "a variant is NAME=VAR=value[,VAR=value] or NAME=@REF, got 'gen0=0x800000'"
}

@test "a variant name given twice is refused" {
  run "$TRIAL" --rounds 0 a=@HEAD a=X=1
  assert_failure
  assert_output --partial "variant name 'a' is given twice"
}

@test "--help shows both forms of a variant" {
  run "$TRIAL" --help
  assert_success
  assert_output --partial 'NAME=@REF'
  assert_output --partial 'NAME=VAR=...'
}
