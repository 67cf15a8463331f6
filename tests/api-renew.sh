#!/bin/sh
# SPDX-License-Identifier: MIT
# Unattended renewal against the HTTPS simulator, for both products:
# renew, due logic, --force, --dry-run, and what status says afterwards.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

# trace_order WHAT SERVER_REQUEST: after run with -vv, the server's request
# line comes before the token's, and each request line is whole, with the
# program's prefix: the two threads' lines did not interleave.
trace_order () {
  server=$(printf '%s\n' "$err" | grep -n -E "^$NAME: > $2" | head -1 | cut -d: -f1)
  cloud=$(printf '%s\n' "$err" | grep -n -E "^$NAME: > POST /migrations/public/v1/token HTTP/1\.1\$" |
    head -1 | cut -d: -f1)
  [ -n "$server" ] && [ -n "$cloud" ] && [ "$server" -lt "$cloud" ] &&
    ok "$p: $1: the server's request is traced whole before the token's" ||
    not_ok "$p: $1: server line ${server:-none}, token line ${cloud:-none}"
}

for p in $PRODUCTS; do
  use_product "$p"
  start_sim "$p"
  state="$test_tmpdir/state-$p"

  run "$PROG" renew -c "$CONF" --state-dir "$state"
  check "$p: renew with nothing recorded renews" 0 "^prod: renewed \(token sha256:[0-9a-f]{12}\); usable until .*21\.0 days left"
  [ "$(sim_stats saved)" = 1 ] && ok "$p: the simulator saved one token" || not_ok "$p: saved=$(sim_stats saved)"

  run "$PROG" status -c "$CONF" --state-dir "$state" -o json
  check "$p: status after renewal is OK" 0 '"days_left" : 21\.0|"days_left" : 20\.99'
  printf '%s' "$out" | grep -q '"last_method" : "api"' && ok "$p: last method is api" || not_ok "$p: last method"

  line=$(tail -n 1 "$state/$NAME.ledger")
  case $line in
    *'"method":"api"'*'"fingerprint":"sha256:'*) ok "$p: ledger records method api and a fingerprint" ;;
    *) not_ok "$p: ledger line: $line" ;;
  esac

  run "$PROG" renew -c "$CONF" --state-dir "$state"
  check "$p: a second renew finds it not due and exits 0" 0 "^prod: not due \(21\.0 days left\); due from "
  [ "$(sim_stats posts)" = 2 ] && ok "$p: not due sends nothing" || not_ok "$p: posts=$(sim_stats posts)"

  # A run with nothing due writes nothing: the ledger is the only state
  # (no index beside it, as earlier releases kept), and a dry run leaves
  # even the directory alone.
  cp "$state/$NAME.ledger" "$test_tmpdir/before"
  run "$PROG" renew -c "$CONF" --state-dir "$state" --dry-run
  run "$PROG" renew -c "$CONF" --state-dir "$state"
  check "$p: not due, again" 0 "^prod: not due"
  cmp -s "$state/$NAME.ledger" "$test_tmpdir/before" && [ ! -e "$state/$NAME.index" ] &&
    ok "$p: a run with nothing due records nothing, writes no index" ||
    not_ok "$p: ledger changed or index written after a run with nothing due"

  run "$PROG" renew -c "$CONF" --state-dir "$state" --renew-within 22
  check "$p: --renew-within beyond the days left makes it due" 0 "^prod: renewed"

  run "$PROG" renew -c "$CONF" --state-dir "$state" --force
  check "$p: --force renews regardless" 0 "^prod: renewed"
  [ "$(wc -l <"$state/$NAME.ledger")" -eq 3 ] && ok "$p: three renewals recorded" || not_ok "$p: ledger lines"

  cp "$state/$NAME.ledger" "$test_tmpdir/before"
  posts=$(sim_stats posts) saved=$(sim_stats saved) issued=$(sim_stats tokens_issued)
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force --dry-run
  check "$p: --dry-run says what it did and did not do" 0 \
    "^prod: would renew: the server accepted its credentials \($ABBREV [0-9.]+\), the cloud API issued an auth token \(discarded\); nothing was saved or recorded$"
  [ "$(sim_stats posts)" = $((posts + 1)) ] && [ "$(sim_stats tokens_issued)" = $((issued + 1)) ] &&
    [ "$(sim_stats saved)" = "$saved" ] &&
    ok "$p: --dry-run: one POST, for an auth token; nothing saved" ||
    not_ok "$p: --dry-run: posts $posts -> $(sim_stats posts), saved $saved -> $(sim_stats saved)"
  cmp -s "$state/$NAME.ledger" "$test_tmpdir/before" && ok "$p: --dry-run leaves the ledger alone" || not_ok "$p: --dry-run changed the ledger"

  # The cloud's auth token is made on a thread of its own beside the
  # server's request; its trace lines come whole, after the server's.
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force --dry-run -vv
  trace_order "--dry-run" "GET .*/rest/plugins/1\.0/"
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force -vv
  trace_order "renewal" "GET .*/status HTTP"

  run "$PROG" renew -c "$CONF" --state-dir "$test_tmpdir/empty-$p" --renew-within -1
  check "$p: negative --renew-within is a usage error" 64 "renew-within"

  # A busy server can make the save wait past the auth token's lifetime:
  # here tokens live 2 s and the server asks for a 2 s pause once.
  start_sim "$p" --token-validity 2 --fault server-503 --retry-after 2 --fail-count 1
  run "$PROG" renew -c "$CONF" --state-dir "$test_tmpdir/stale-$p"
  check "$p: a token gone stale while waiting is refused (lifetime not configured)" 76 "Exception in saving token"
  [ ! -e "$test_tmpdir/stale-$p/$NAME.ledger" ] && ok "$p: the refused renewal records nothing" || not_ok "$p: ledger written"
  start_sim "$p" --token-validity 2 --fault server-503 --retry-after 2 --fail-count 1
  printf 'auth-token-lifetime = 2\n' >>"$CONF"
  run "$PROG" renew -c "$CONF" --state-dir "$test_tmpdir/fresh-$p"
  check "$p: with auth-token-lifetime, a fresh token is fetched before the retry" 0 "^prod: renewed"
  [ "$(sim_stats tokens_issued)" = 2 ] && ok "$p: two auth tokens issued" || not_ok "$p: tokens_issued=$(sim_stats tokens_issued)"
  stop_sim
done

tap_done
