#!/bin/sh
# SPDX-License-Identifier: MIT
# api-attempts.sh: failed renewal attempts, for both products — kept beside
# the ledger (which stays byte for byte), shown by status in every format
# once the connection is due, raising it to WARNING before the
# assistant's own warning, never holding a secret, and cleared by the
# next successful renewal.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

CLOSED_URL=https://127.0.0.1:1/
now=$(date -u +%s)

for p in $PRODUCTS; do
  use_product "$p"
  state="$test_tmpdir/state-$p"
  ledger="$state/$NAME.ledger"
  attempts="$state/$NAME.attempts"
  start_sim "$p"
  good_api=$CLOUD_API_URL
  s="-c $CONF --state-dir $state"

  # Renewed 15 days ago: 6 days left, due (renew-within 7), not yet in
  # the assistant's warning window (5 days).
  run "$PROG" record $s --at "$(iso_at $((now - 15 * 86400)))"
  check "$p: a renewal 15 days ago is recorded" 0
  cp "$ledger" "$test_tmpdir/before"
  run "$PROG" status $s
  check "$p: due but not failing: OK" 0 "^prod: OK, 6\\.0 days left"

  # ---- two failed attempts ----
  set_key cloud-api-url "$CLOSED_URL"
  run "$PROG" renew $s --dry-run
  check "$p: a failing dry run" 69
  assert "$p: a dry run attempted nothing: no attempts file" eval '[ ! -e "$attempts" ]'
  start=$(date -u +%s)
  run "$PROG" renew $s
  check "$p: first attempt fails (network)" 69
  run "$PROG" renew $s
  check "$p: second attempt fails" 69
  assert "$p: ledger untouched by failures" same_bytes "$ledger" "$test_tmpdir/before"
  assert "$p: attempts file is private (0600)" eval '[ "$(stat -c %a "$attempts")" = 600 ]'
  assert "$p: no secret in the attempts file" eval \
    '! grep -qe "$CLOUD_SECRET" -e "$SERVER_SECRET" "$attempts"'

  run "$PROG" status $s
  check "$p: failing while due: WARNING with 6 days left" 1 "^prod: WARNING, 6\\.0 days left"
  assert "$p: text says since when, how often, and the last error" \
    stdout_has "^  renewal failing since [0-9-]+ [0-9:]+ UTC, 2 attempts: last error .*cloud"
  run "$PROG" status $s -o nagios
  check "$p: nagios: WARNING names the failure" 1 \
    "^$ABBREV TOKEN WARNING - prod expires in 6\\.0 days \\([^)]*\\), renewal failing since [^,]+, 2 attempts: last error [^|]+ \\| 'prod_seconds_left'=51[0-9][0-9][0-9][0-9]s;"
  run "$PROG" status $s -o json
  check "$p: json: WARNING" 1
  check_jq "$p: json: last_failure with at, since, attempts, class, message" \
    --argjson start "$start" '.state == "WARNING" and
      (.connections[0].last_failure | (.at | fromdateiso8601) >= $start and
        (.since | fromdateiso8601) >= $start and .since <= .at and .attempts == 2 and
        .class == "network" and (.message | test("cloud")) and
        keys_unsorted == ["at", "since", "attempts", "class", "message"])'
  run "$PROG" status $s -o prometheus
  check "$p: prometheus: state 1 and two consecutive failures" 1 \
    '^cma_token_consecutive_failures\{.*connection="prod".*\} 2$'
  assert "$p: prometheus: last failure timestamp" \
    stdout_has '^cma_token_last_failure_timestamp_seconds\{.*\} [0-9]{10}$'
  # Evaluated before the failures happened, they do not count.
  run "$PROG" status $s --at "$(iso_at $((start - 60)))"
  check "$p: before the first failure: OK" 0
  assert "$p: before the first failure: no failing line" stdout_lacks "renewal failing"

  # ---- a success clears it ----
  set_key cloud-api-url "$good_api"
  run "$PROG" renew $s
  check "$p: renewal succeeds" 0 "^prod: renewed"
  run "$PROG" status $s -o json
  check "$p: after success: OK" 0
  check_jq "$p: after success: last_failure is null" '.connections[0].last_failure == null'
  assert "$p: after success: the entry is gone" eval '! grep -q "\"prod\"" "$attempts"'
done

# ---- a damaged attempts file (cut short): said, and rewritten ----
# 0.1.0 skipped it with a warning: Nagios said OK after three failed
# renewals at 6 days left, and no later attempt ever repaired it.
use_product jcma
state="$test_tmpdir/damaged"
attempts="$state/$NAME.attempts"
start_sim jcma
good_api=$CLOUD_API_URL
s="-c $CONF --state-dir $state"
run "$PROG" record $s --at "$(iso_at $((now - 15 * 86400)))"
check "damaged: a renewal 15 days ago" 0
printf '{"failures":[' >"$attempts"
run "$PROG" status $s
check "damaged: status is not OK, and says why" 1 \
  "^  attempts record damaged: failed renewals may be missing \\(the next attempt rewrites it\\)\$"
assert "damaged: ... naming the file on stderr" \
  stderr_has "^$NAME: warning: $(re_quote "$attempts") is damaged: failed renewals may be missing"
run "$PROG" status $s -o nagios
check "damaged: nagios WARNING says so" 1 "^JCMA TOKEN WARNING - prod expires in 6\\.0 days \\([^)]*\\), attempts record damaged: "
run "$PROG" status $s -o json
check "damaged: json WARNING" 1
check_jq "damaged: json: last_failure of class damaged, its facts unknown" \
  '.state == "WARNING" and (.connections[0].last_failure | .class == "damaged" and
    .at == null and .attempts == null and (.message | test("damaged")))'
set_key cloud-api-url "$CLOSED_URL"
run "$PROG" renew $s
check "damaged: a failed renewal" 69
assert "damaged: ... rewrites the file whole, with its failure" \
  eval 'have_jq || exit 0; jq -e ".failures | length == 1 and .[0].attempts == 1" "$attempts" >/dev/null'
run "$PROG" status $s
check "damaged: then the failure is counted" 1 "^  renewal failing since .*, 1 attempt: last error "
assert "damaged: ... and the file no longer said damaged" eval 'stdout_lacks "damaged" && stderr_empty'
printf '{"failures":[' >"$attempts"
set_key cloud-api-url "$good_api"
run "$PROG" renew $s --force
check "damaged: a successful renewal" 0 "^prod: renewed"
run "$PROG" status $s
check "damaged: ... repairs it: OK" 0 "^prod: OK"
assert "damaged: ... nothing damaged left" eval 'stdout_lacks "damaged" && stderr_empty'

# ---- a failure noted after another run's success is no failure ----
# Run A fails and waits for the writer lock to keep its failure; run B
# renews meanwhile. Here the test holds the writer lock (as flock(1)
# would) and, as B would, records a renewal while A waits: A's attempt
# started before that renewal, so it is not kept. 0.1.0 kept it, dated
# after the success: status then said "renewal failing" for a fresh token.
if command -v flock >/dev/null 2>&1; then
  state="$test_tmpdir/race"
  attempts="$state/$NAME.attempts"
  s="-c $CONF --state-dir $state"
  run "$PROG" record $s -C prod --at "$(iso_at $((now - 15 * 86400)))"
  check "race: a renewal 15 days ago" 0
  set_key cloud-api-url "$CLOSED_URL"
  exec 9>>"$state/$NAME.lock"
  flock 9
  "$PROG" renew $s -C prod >"$test_tmpdir/a.out" 2>"$test_tmpdir/a.err" &
  a=$!
  # Its error is printed before it waits for the lock to keep it.
  i=0
  a_err=
  while ! matches -E "^$NAME: prod: " "$a_err" && [ $i -lt 1000 ]; do
    i=$((i + 1))
    nap
    if [ -s "$test_tmpdir/a.err" ]; then slurp a_err "$test_tmpdir/a.err"; fi
  done
  renewed=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  printf '{"at":"%s","connection":"prod","server_url":"%s","cloud_url":"https://acme.atlassian.net/","method":"api","user":"b"}\n' \
    "$renewed" "$SERVER_URL" >>"$state/$NAME.ledger"
  flock -u 9
  exec 9>&-
  wait $a && rc=0 || rc=$?
  out=$(cat "$test_tmpdir/a.out") err=$(cat "$test_tmpdir/a.err")
  check "race: run A failed" 69
  assert "race: A's failure, older than B's renewal, is not kept" \
    eval '[ ! -e "$attempts" ] || ! grep -q "\"prod\"" "$attempts"'
  run "$PROG" status $s -C prod
  check "race: status after B's success: OK, no failing renewal" 0 "^prod: OK, 21\\.0 days left"
  assert "race: ... no failing line" stdout_lacks "renewal failing"
  # That a later attempt's failure is kept, dated when it started, is
  # tests/test-store.c's /store/attempt-after-renewal (no clock to wait for).
else
  skip "race: a failure noted after another run's success" "no flock(1)"
fi
stop_sim

tap_done
