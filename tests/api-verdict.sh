#!/bin/sh
# SPDX-License-Identifier: MIT
# The assistant's verdict (job-id), for both products: doctor creates a
# Check task limited to the container token check, polls it to its end
# (PENDING, IN_PROGRESS, FINISHED) and reports it; the verdict is kept in
# the facts, and status in every format makes a FAILED check CRITICAL
# whatever the ledger says, until a later renewal. Unknown jobs, the
# 5-a-minute limit and Retry-After; renew asks at most once a day; JCMA,
# for which no check key is known, says so and asks nothing.
# One simulator per product.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

# set_job ID: the connection's job-id is ID (replacing any): the
# configuration start_sim wrote ($conf_base) and that line.
set_job () {
  printf '%s\njob-id = %s\n' "$conf_base" "$1" >"$CONF"
}

# past_second INSTANT: wait until the clock is past INSTANT's second
# (an $EPOCHREALTIME): polled under bash, which reads the clock itself,
# else a sleep of a second.
past_second () {
  if [ -z "$1" ]; then
    sleep 1
    return
  fi
  while [ "${EPOCHREALTIME%[.,]*}" -le "${1%[.,]*}" ]; do nap; done
}

doctor () { run "$PROG" doctor -c "$CONF" --state-dir "$state"; }
status () { run "$PROG" status -c "$CONF" --state-dir "$state" "$@"; }

# A new state directory: no verdict yet. The first task creation answers
# 429 with Retry-After 1: renew waits that long, asks again, and
# remembers the FAILED verdict, which status then shows.
busy_cases () {
  p=ccma
  start_sim "$p" --job-id job-failed=FAILED --tasks-busy 1 --retry-after 1
  slurp conf_base "$CONF"
  state="$test_tmpdir/state-$p-2"
  set_job job-failed
  run "$PROG" renew -c "$CONF" --state-dir "$state"
  check "$p: renew with job-id: renewed; the FAILED verdict said, not an error" 0 \
    "prod: the assistant's token check: FAILED, it said \"Your cloud token has expired"
  [ "$(sim_stats tasks_created)" = 1 ] && ok "$p: ... one task, after the 429 and its Retry-After" ||
    not_ok "$p: tasks_created=$(sim_stats tasks_created)"
  status -o json
  check "$p: ... status CRITICAL from the remembered verdict" 2
  run "$PROG" renew -c "$CONF" --state-dir "$state"
  [ "$(sim_stats tasks_created)" = 1 ] && ok "$p: a second renew the same day asks nothing" ||
    not_ok "$p: tasks_created=$(sim_stats tasks_created)"

  # The state renew reports (and gives its hooks as CMA_STATE) is status's,
  # the verdict it read itself included.
  rm -f "$state/$NAME.facts"
  run "$PROG" renew -c "$CONF" --state-dir "$state" -o json
  check_jq "$p: renew -o json reads the verdict it just asked for: CRITICAL, as status" '
      .connections[0] | .outcome == "not-due" and .state == "CRITICAL"'

  # A verdict dated after now (a clock set back) silences nothing: asked.
  tasks=$(sim_stats tasks_created)
  sed -i 's/^\( *"at" : "\)[^"]*"/\12099-01-01T00:00:00Z"/' "$state/$NAME.facts"
  run "$PROG" renew -c "$CONF" --state-dir "$state"
  [ "$(sim_stats tasks_created)" = $((tasks + 1)) ] &&
    ok "$p: a verdict dated in the future: renew asks again" ||
    not_ok "$p: tasks_created=$(sim_stats tasks_created), was $tasks"
  stop_sim
}

# ---- JCMA: no key is known ----
jcma_cases () {
  p=jcma
  state="$test_tmpdir/state-$p"
  start_sim "$p" --job-id job-failed=FAILED
  slurp conf_base "$CONF"
  run "$PROG" renew -c "$CONF" --state-dir "$state"
  check "$p: renewed" 0
  set_job job-failed
  doctor
  check "$p: job-id, no key known: doctor still passes" 0 "^All checks passed\.\$"
  assert "$p: ... and says why it asked nothing" \
    stdout_has "^  - JCMA's verdict on the container token \(Check task of job-id\): no container-token check key is known for JCMA; the assistant's verdict is not asked\$"
  [ "$(sim_stats tasks_created)" = 0 ] && ok "$p: ... no Check task, not the whole check set either" ||
    not_ok "$p: tasks_created=$(sim_stats tasks_created)"
  status -o json
  check_jq "$p: status: OK, no verdict" '.state == "OK" and .connections[0].assistant_check == null'
  run "$PROG" renew -c "$CONF" --state-dir "$state"
  check "$p: renew with job-id says it asks nothing" 0 \
    "prod: no container-token check key is known for JCMA; the assistant's verdict is not asked"
  [ "$(sim_stats tasks_created)" = 0 ] && ok "$p: ... and creates no task" ||
    not_ok "$p: tasks_created=$(sim_stats tasks_created)"
  stop_sim
}

# Those wait a second (Retry-After), these not at all, and the cases
# below some tenths of seconds a doctor (the task's polls): side by side,
# each with its own simulator.
in_background busy busy_cases
in_background jcma jcma_cases

# ---- CCMA: ContainerTokenExpiration, the assistant's own key ----
p=ccma
state="$test_tmpdir/state-$p"
start_sim "$p" --job-id job-ok --job-id job-failed=FAILED --job-id job-warn=WARNING
slurp conf_base "$CONF"
run "$PROG" renew -c "$CONF" --state-dir "$state"
check "$p: renewed first (no job-id yet): no task" 0
[ "$(sim_stats tasks_created)" = 0 ] && ok "$p: ... no Check task without job-id" ||
  not_ok "$p: tasks_created=$(sim_stats tasks_created)"
doctor
assert "$p: doctor without job-id: no verdict line" stdout_lacks "verdict on the container token"

set_job job-ok
doctor
check "$p: job-id, check passes: doctor passes" 0 "^All checks passed\.\$"
assert "$p: ... the verdict line, with the task and the assistant's message" \
  stdout_has "^  ✓ CCMA's verdict on the container token \(Check task of job-id\): SUCCESS \(task task-1\), it said \"All Preflight checks have passed\.\"\$"
[ "$(grep -c 'GET /migrations/public/v1/jobs/job-ok/tasks/task-1/status 200' "$test_tmpdir/sim.log")" = 3 ] &&
  ok "$p: ... polled through PENDING and IN_PROGRESS to FINISHED (3 polls)" ||
  { not_ok "$p: polls"; cat "$test_tmpdir/sim.log" | sed 's/^/# /'; }
status -o json
check_jq "$p: status after SUCCESS: OK, the verdict in the connection object" '
    .state == "OK" and (.connections[0].assistant_check |
      .outcome == "SUCCESS" and .status == "FINISHED" and .task_id == "task-1" and
      .state == "OK" and (.at | test("Z$")))'

set_job job-failed
doctor
# Not before the verdict's instant (the clock read once it is recorded).
verdict_read=${EPOCHREALTIME:-}
check "$p: the assistant marked the token FAILED: doctor fails" 1 "Some checks failed"
assert "$p: ... saying what the assistant said, and the fix" \
  stdout_has "^  ✗ CCMA's verdict on the container token \(Check task of job-id\): FAILED \(task task-2\), it said \"Your cloud token has expired\. Reconnect to your cloud site and try again\.\"; renew the token \(connect to cloud again\)\$"
status -o json
check "$p: status: CRITICAL although the ledger's token is a day old" 2
check_jq "$p: ... json: state CRITICAL, the token's own dates untouched, the verdict shown" '
    .state == "CRITICAL" and (.connections[0] | .state == "CRITICAL" and .days_left > 20 and
      .assistant_check.outcome == "FAILED" and .assistant_check.state == "CRITICAL" and
      (.assistant_check.message | test("cloud token has expired")))'
status
check "$p: ... text: the assistant's message and the advice" 2 \
  "the assistant's token check: FAILED as of .*\"Your cloud token has expired\. Reconnect to your cloud site and try again\.\": the token is dead whatever the dates say; renew it now"
status -o nagios
check "$p: ... nagios: CRITICAL with the verdict" 2 \
  "^CCMA TOKEN CRITICAL - .*, the assistant's token check: FAILED as of [0-9T:-]+Z, \"Your cloud token has expired"
status -o prometheus
check "$p: ... prometheus: the verdict's gauge at 2, and when it was read" 2 \
  "cma_token_assistant_check_state\{product=\"confluence\",connection=\"prod\"[^}]*\} 2"
assert "$p: ... and its timestamp" stdout_has "^cma_token_assistant_check_timestamp_seconds\{.*\} [0-9]+\$"
run "$PROG" guide -c "$CONF" --state-dir "$state"
assert "$p: ... guide: among what makes the state worse" \
  stdout_has "^    the assistant's token check: FAILED as of .*Your cloud token has expired"

# A renewal after the verdict replaces the token it judged: one in a
# later second (instants are whole seconds).
past_second "$verdict_read"
run "$PROG" renew -c "$CONF" --state-dir "$state" --force
check "$p: renewed after the FAILED verdict" 0
status -o json
check_jq "$p: ... the older verdict is ignored: OK again" '
    .state == "OK" and .connections[0].assistant_check == null'

set_job job-warn
doctor
check "$p: a WARNING verdict: doctor warns" 2 "No check failed, but some warned"
status -o json
check "$p: ... status WARNING" 1
check_jq "$p: ... json says why" '.connections[0].assistant_check.outcome == "WARNING"'

set_job nope
doctor
check "$p: an unknown job: doctor fails, naming the job-id" 1 \
  "✗ CCMA's verdict on the container token \(Check task of job-id\): cloud https://127\.0\.0\.1:$PORT/migrations/public/v1/jobs/nope/tasks: no Migration API job nope \(HTTP 404\).*; check job-id"

# Three tasks so far in this minute; the fourth and fifth are allowed,
# the sixth not.
set_job job-ok
doctor
doctor
check "$p: the fifth task in a minute: allowed" 0
doctor
check "$p: the sixth: a warning, no failure" 2 "No check failed, but some warned"
assert "$p: ... the 5-a-minute limit and the Retry-After the API gave" \
  stdout_has "^  ! CCMA's verdict on the container token \(Check task of job-id\): cloud .*/jobs/job-ok/tasks answered HTTP 429: the Migration API creates at most 5 tasks a minute; try again in [1-6]?[0-9] s\$"
[ "$(sim_stats tasks_created)" = 5 ] && ok "$p: ... and no task was created" ||
  not_ok "$p: tasks_created=$(sim_stats tasks_created)"

# renew asks at most once a day: a verdict was read today.
tasks=$(sim_stats tasks_created)
run "$PROG" renew -c "$CONF" --state-dir "$state"
check "$p: renew with a verdict read today: not due, nothing said" 0
[ "$(sim_stats tasks_created)" = "$tasks" ] && ok "$p: ... and no Check task" ||
  not_ok "$p: tasks_created=$(sim_stats tasks_created), was $tasks"

tap_done
