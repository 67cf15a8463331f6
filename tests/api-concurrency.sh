#!/bin/sh
# SPDX-License-Identifier: MIT
# Concurrent and multi-connection renewals, for both products: two renew
# runs started at once save one token between them; with several
# connections, one failure neither stops the others nor goes unreported.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

# ledger_scan LEDGER: $lines, its lines, $api_lines, those of renewals
# recorded through the API, and $prod_lines, those of connection prod
# (the shell's own loop, not a grep each).
ledger_scan () {
  lines=0 api_lines=0 prod_lines=0 _l=
  [ -f "$1" ] || return 0
  # As wc -l does, only whole lines count: a last line without its
  # newline (a torn record) adds to none of the counts.
  while IFS= read -r _l; do
    lines=$((lines + 1))
    case $_l in *'"method":"api"'*) api_lines=$((api_lines + 1)) ;; esac
    case $_l in *'"connection":"prod"'*) prod_lines=$((prod_lines + 1)) ;; esac
  done <"$1"
}

# count_lines PATTERN: $out's lines that match the shell PATTERN.
count_lines () {
  count=0
  while IFS= read -r _l; do
    case $_l in $1) count=$((count + 1)) ;; esac
  done <<EOT
$out
EOT
}

concurrency_cases () {
  p=$1
  use_product "$p"
  state="$test_tmpdir/state-$p"
  ledger="$state/$NAME.ledger"

  # ---- two runs at once, nothing recorded ----
  # Answers half a second late: each run holds the connection's lock
  # through two of them, so the other, started with it, finds it held.
  start_sim "$p" --latency-ms 500
  "$PROG" renew -c "$CONF" --state-dir "$state" >"$test_tmpdir/a.out" 2>&1 &
  pid_a=$!
  "$PROG" renew -c "$CONF" --state-dir "$state" >"$test_tmpdir/b.out" 2>&1 &
  pid_b=$!
  rc_a=0 rc_b=0
  wait "$pid_a" || rc_a=$?
  wait "$pid_b" || rc_b=$?
  slurp out_a "$test_tmpdir/a.out"
  slurp out_b "$test_tmpdir/b.out"
  out=$out_a$nl$out_b
  err=
  rc="$rc_a/$rc_b"
  [ "$rc" = 0/0 ] && ok "$p: both concurrent runs exit 0" || { not_ok "$p: concurrent runs exit $rc"; diag; }
  count_lines 'prod: renewed*'
  renewed=$count
  count_lines 'prod: not due (21.0 days left)*'
  not_due=$count
  [ "$renewed" = 1 ] && [ "$not_due" = 1 ] &&
    ok "$p: one renewed, the other waited and found it not due" ||
    { not_ok "$p: $renewed renewed, $not_due not due"; diag; }
  [ "$(sim_stats saved)" = 1 ] && [ "$(sim_stats posts)" = 2 ] &&
    ok "$p: the simulator saved exactly one token" ||
    not_ok "$p: saved=$(sim_stats saved) posts=$(sim_stats posts)"
  ledger_scan "$ledger"
  [ "$lines" -eq 1 ] && [ "$api_lines" = 1 ] &&
    ok "$p: the ledger has exactly one api line" || not_ok "$p: ledger: $(cat "$ledger")"

  # ---- two connections, one unreachable ----
  start_sim "$p"
  # The defaults start_sim wrote, and its connection prod.
  defaults= good=
  while IFS= read -r _l; do
    case $_l in "[connection prod]") good=$_l ;; *) [ -n "$good" ] && good=$good$nl$_l || defaults=${defaults:+$defaults$nl}$_l ;; esac
  done <"$CONF"
  # Nothing listens on port 1 of the loopback address.
  broken="[connection broken]
server-url = https://127.0.0.1:1/jira/
cloud-url = https://other.atlassian.net"
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
    ledger_scan "$s/$NAME.ledger"
    [ "$(sim_stats saved)" = $((saved + 1)) ] && [ "$api_lines" = 1 ] && [ "$prod_lines" -ge 1 ] &&
      ok "$p: $order: only the working connection is recorded" ||
      not_ok "$p: $order: saved $saved -> $(sim_stats saved); ledger: $(cat "$s/$NAME.ledger" 2>/dev/null)"
  done
  stop_sim
}

# The two products side by side: the concurrent runs wait on the
# simulator's latency most of the time.
in_background ccma concurrency_cases ccma
concurrency_cases jcma

tap_done
