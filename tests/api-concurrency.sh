#!/bin/sh
# SPDX-License-Identifier: MIT
# Concurrent and multi-connection renewals, for both products: two renew
# runs started at once save one token between them; with several
# connections, one failure neither stops the others nor goes unreported.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

# api_lines LEDGER: renewals recorded through the API.
api_lines () { grep -c '"method":"api"' "$1" || true; }

for p in $PRODUCTS; do
  use_product "$p"
  state="$test_tmpdir/state-$p"
  ledger="$state/$NAME.ledger"

  # ---- two runs at once, nothing recorded ----
  start_sim "$p" --latency-ms 500
  "$PROG" renew -c "$CONF" --state-dir "$state" >"$test_tmpdir/a.out" 2>&1 &
  pid_a=$!
  "$PROG" renew -c "$CONF" --state-dir "$state" >"$test_tmpdir/b.out" 2>&1 &
  pid_b=$!
  rc_a=0 rc_b=0
  wait "$pid_a" || rc_a=$?
  wait "$pid_b" || rc_b=$?
  out=$(cat "$test_tmpdir/a.out" "$test_tmpdir/b.out")
  err=
  rc="$rc_a/$rc_b"
  [ "$rc" = 0/0 ] && ok "$p: both concurrent runs exit 0" || { not_ok "$p: concurrent runs exit $rc"; diag; }
  renewed=$(printf '%s\n' "$out" | grep -c '^prod: renewed' || true)
  not_due=$(printf '%s\n' "$out" | grep -c '^prod: not due (21\.0 days left)' || true)
  [ "$renewed" = 1 ] && [ "$not_due" = 1 ] &&
    ok "$p: one renewed, the other waited and found it not due" ||
    { not_ok "$p: $renewed renewed, $not_due not due"; diag; }
  [ "$(sim_stats saved)" = 1 ] && [ "$(sim_stats posts)" = 2 ] &&
    ok "$p: the simulator saved exactly one token" ||
    not_ok "$p: saved=$(sim_stats saved) posts=$(sim_stats posts)"
  [ "$(wc -l <"$ledger")" -eq 1 ] && [ "$(api_lines "$ledger")" = 1 ] &&
    ok "$p: the ledger has exactly one api line" || not_ok "$p: ledger: $(cat "$ledger")"

  # ---- two connections, one unreachable ----
  start_sim "$p"
  good=$(sed -n '/^\[connection prod\]/,$p' "$CONF")
  # Nothing listens on port 1 of the loopback address.
  broken="[connection broken]
server-url = https://127.0.0.1:1/jira/
cloud-url = https://other.atlassian.net"
  defaults=$(sed '/^\[connection prod\]/,$d' "$CONF")
  for order in broken-first broken-last; do
    s="$test_tmpdir/state-$p-$order"
    case $order in
      broken-first) printf '%s\n%s\n\n%s\n' "$defaults" "$broken" "$good" >"$CONF.two" ;;
      broken-last) printf '%s\n%s\n\n%s\n' "$defaults" "$good" "$broken" >"$CONF.two" ;;
    esac
    saved=$(sim_stats saved)
    run "$PROG" renew -c "$CONF.two" --state-dir "$s"
    check "$p: $order: exit status is the failure's" 69 "^$NAME: broken: server https://127\.0\.0\.1:1/jira/.*cannot connect"
    assert "$p: $order: the other connection still renews" stdout_has "^prod: renewed"
    [ "$(sim_stats saved)" = $((saved + 1)) ] && [ "$(api_lines "$s/$NAME.ledger")" = 1 ] &&
      grep -q '"connection":"prod"' "$s/$NAME.ledger" &&
      ok "$p: $order: only the working connection is recorded" ||
      not_ok "$p: $order: saved $saved -> $(sim_stats saved); ledger: $(cat "$s/$NAME.ledger" 2>/dev/null)"
  done
  stop_sim
done

tap_done
