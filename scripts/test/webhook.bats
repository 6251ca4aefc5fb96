#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2030,SC2031,SC2034,SC2153,SC2317  # bats runs each @test in a subshell and calls functions indirectly; the libraries read the globals set here; single-quoted snippets run in another shell
# Signed callbacks: the Standard Webhooks signature and the retry policy.

load helpers

setup() {
  setup_fakes
  load_node_libs
  SLEPT=()
  backoff_sleep() { SLEPT+=("$1"); }
  BODY="$BATS_TEST_TMPDIR/body.json"
  printf '{"phase":"udp"}' >"$BODY"
}

teardown() { teardown_fakes; }

@test "the signature matches the Standard Webhooks test vector in the contract" {
  printf '%s' '{"test": 2432232314}' >"$BATS_TEST_TMPDIR/vector.json"
  run webhook_sign whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw msg_p5jXN8AQM9LWM0D4loKWxJek 1614265330 "$BATS_TEST_TMPDIR/vector.json"
  assert_success
  assert_output 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
}

@test "the signatures match every vector the app's signer is tested on" {
  local secret id ts body sig n=0
  while IFS=$'\t' read -r secret id ts body sig; do
    [[ "$secret" == '#'* ]] && continue
    base64 -d <<<"$body" >"$BATS_TEST_TMPDIR/body.bin"
    assert_equal "$(webhook_sign "$secret" "$id" "$ts" "$BATS_TEST_TMPDIR/body.bin")" "$sig"
    n=$((n + 1))
  done <"$FIXTURES/webhook/vectors.tsv"
  assert_equal "$n" 3
}

@test "the key is in no other process's command line or environment" {
  # openssl, od and the rest, wrapped: each records what it was started with
  local tool
  mkdir -p "$BATS_TEST_TMPDIR/spy"
  for tool in openssl od tr base64 cat; do
    printf '#!/bin/sh\n{ printf "%%s\\n" "$0 $*"; env; } >>"%s/spied"\nexec %s "$@"\n' \
      "$BATS_TEST_TMPDIR" "$(command -v "$tool")" >"$BATS_TEST_TMPDIR/spy/$tool"
  done
  chmod +x "$BATS_TEST_TMPDIR"/spy/*
  local key
  key=$(webhook_key_hex "$SECRET")
  PATH="$BATS_TEST_TMPDIR/spy:$PATH" run webhook_sign "$SECRET" msg_x_1 1700000000 "$BODY"
  assert_success
  run grep -c '/spy/openssl ' "$BATS_TEST_TMPDIR/spied"
  assert_output 2
  run grep -icF -e "$key" -e "${SECRET#whsec_}" "$BATS_TEST_TMPDIR/spied"
  assert_output 0
}

@test "a different body, id or timestamp gives a different signature" {
  printf '%s' '{"test": 2432232315}' >"$BATS_TEST_TMPDIR/other.json"
  run webhook_sign "$SECRET" msg_p5jXN8AQM9LWM0D4loKWxJek 1614265330 "$BATS_TEST_TMPDIR/other.json"
  refute_output 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
  printf '%s' '{"test": 2432232314}' >"$BATS_TEST_TMPDIR/vector.json"
  run webhook_sign "$SECRET" msg_p5jXN8AQM9LWM0D4loKWxJek 1614265331 "$BATS_TEST_TMPDIR/vector.json"
  refute_output 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
}

@test "the HMAC key is the base64-decoded part after whsec_" {
  run webhook_key_hex whsec_AAECAw==
  assert_output 00010203
}

@test "a delivered callback is one POST with the three webhook headers and the body" {
  webhook_post http://127.0.0.1:9/api/runs/x/phases "$SECRET" msg_x_1 "$BODY"
  assert_equal "$WEBHOOK_STATUS" 202
  run webhooks '[.id, .body.phase, (.sig | startswith("v1,")), (.ts | test("^[0-9]+$"))] | @tsv'
  assert_output "$(printf 'msg_x_1\tudp\ttrue\ttrue')"
}

@test "an unreachable control plane is retried with backoff 1, 2, 4 s, same webhook-id, fresh signature" {
  queue curl-webhook 000 503 502 200
  webhook_post http://127.0.0.1:9/api/runs/x/results "$SECRET" msg_x_7 "$BODY"
  assert_equal "$WEBHOOK_STATUS" 200
  assert_equal "${SLEPT[*]}" "1 2 4"
  run webhooks '.id'
  assert_output "$(printf 'msg_x_7\n%.0s' 1 2 3 4)"
  # every attempt is signed for its own timestamp
  while IFS=$'\t' read -r id ts sig; do
    assert_equal "$sig" "$(webhook_sign "$SECRET" "$id" "$ts" "$BODY")"
  done < <(jq -r '[.id, .ts, .sig] | @tsv' "$FAKE_STATE/webhooks.jsonl")
}

@test "408 and 429 are retried" {
  queue curl-webhook 408 429 204
  webhook_post http://127.0.0.1:9/api/runs/x/phases "$SECRET" msg_x_2 "$BODY"
  assert_equal "$WEBHOOK_STATUS" 204
  assert_equal "$(wc -l <"$FAKE_STATE/webhooks.jsonl")" 3
}

@test "other 4xx answers are final: no retry" {
  local code
  for code in 400 401 404 409 413; do
    rm -f "$FAKE_STATE/webhooks.jsonl"
    queue curl-webhook "$code" 202
    run webhook_post http://127.0.0.1:9/api/runs/x/phases "$SECRET" msg_x_3 "$BODY"
    assert_failure
    assert_equal "$(wc -l <"$FAKE_STATE/webhooks.jsonl")" 1
    rm -f "$FAKE_STATE/curl-webhook.queue"
  done
}

@test "the backoff doubles up to 30 s and gives up after about five minutes" {
  run webhook_backoff_s 1
  assert_output 1
  run webhook_backoff_s 5
  assert_output 16
  run webhook_backoff_s 6
  assert_output 30
  run webhook_backoff_s 20
  assert_output 30
  local codes
  read -r -a codes <<<"$(printf '503 %.0s' {1..30})"
  queue curl-webhook "${codes[@]}"
  run webhook_post http://127.0.0.1:9/api/runs/x/phases "$SECRET" msg_x_4 "$BODY"
  assert_failure
  local attempts
  attempts=$(wc -l <"$FAKE_STATE/webhooks.jsonl")
  # 1+2+4+8+16 then 30 s pauses: 14 attempts fit in 300 s
  assert_equal "$attempts" 14
}

@test "after a signal, retries stop at the shared deadline" {
  # a clock of its own, moved only by the pauses
  FAKE_NOW=1700000000000
  now_ms() { printf '%s\n' "$FAKE_NOW"; }
  backoff_sleep() { FAKE_NOW=$((FAKE_NOW + $1 * 1000)); }
  WEBHOOK_DEADLINE_MS=$((FAKE_NOW + 1500))
  queue curl-webhook 503 503 503 503 503
  run webhook_post http://127.0.0.1:9/api/runs/x/phases "$SECRET" msg_x_5 "$BODY"
  assert_failure
  # the 1 s pause ends before the deadline, the 2 s one would not: it is not taken
  assert_equal "$(wc -l <"$FAKE_STATE/webhooks.jsonl")" 2
}

@test "message ids count up through the run in spool order, and a 409 closes the run" {
  RUN_DIR="$BATS_TEST_TMPDIR/run"
  mkdir -p "$RUN_DIR"
  export CALLBACK_URL=http://127.0.0.1:9/api/runs/$RUN_ID WEBHOOK_SECRET=$SECRET
  cp "$BODY" "$BATS_TEST_TMPDIR/event.json"
  spool_callback phases "$BATS_TEST_TMPDIR/event.json"
  spool_callback results "$BODY"
  run ls "$RUN_DIR/.spool"
  assert_output "$(printf '000001.phases.json\n000002.results.json')"
  post_spooled "$RUN_DIR/.spool/000001.phases.json"
  queue curl-webhook 409
  run post_spooled "$RUN_DIR/.spool/000002.results.json"
  assert_failure
  run webhooks '[.id, (.url | sub(".*/"; ""))] | @tsv'
  assert_output "$(printf 'msg_%s_1\tphases\nmsg_%s_2\tresults' "$RUN_ID" "$RUN_ID")"
  run run_is_closed
  assert_success
}
