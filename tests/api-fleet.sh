#!/bin/sh
# SPDX-License-Identifier: MIT
# renew with many connections: renewals run side by side (--jobs), reuse
# one connection per host and worker, report in configuration order, and
# a renewal held up on one connection does not hold up the others.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

N=12

# fleet_conf N FILE: N connections to distinct cloud sites; the server on
# 127.0.0.1 and the cloud API on localhost, so two hosts in all.
fleet_conf () {
  sed '/^\[connection prod\]/,$d' "$CONF" |
    sed "s|^cloud-api-url = .*|cloud-api-url = https://localhost:$PORT/|" >"$2"
  i=1
  while [ "$i" -le "$1" ]; do
    printf '[connection c%02d]\nserver-url = %s\ncloud-url = https://site%02d.atlassian.net\n\n' \
      "$i" "$SERVER_URL" "$i" >>"$2"
    i=$((i + 1))
  done
}

# lock_file NAME: the lock file renew takes for connection cNAME's token.
lock_file () {
  sum=$(printf '%s\n%s' "$SERVER_URL" "https://site$1.atlassian.net/" | sha256sum | cut -c1-16)
  printf '%s/%s.ledger.%s.lock' "$state" "$NAME" "$sum"
}

expected_order=$(i=1; while [ $i -le $N ]; do printf 'c%02d\n' $i; i=$((i + 1)); done)

for p in $PRODUCTS; do
  use_product "$p"
  start_sim "$p" --latency-ms 20
  fleet_conf $N "$CONF.fleet"

  # ---- every connection renewed, in configuration order, connections reused ----
  state="$test_tmpdir/fleet-$p"
  c0=$(sim_stats connections) r0=$(sim_stats requests)
  run "$PROG" renew -c "$CONF.fleet" --state-dir "$state" --jobs 2
  check "$p: --jobs 2 renews all $N connections" 0 "^c$N: renewed"
  order=$(printf '%s\n' "$out" | sed -n 's/^\(c[0-9]*\): renewed.*/\1/p')
  [ "$order" = "$expected_order" ] && ok "$p: one line each, in configuration order" ||
    { not_ok "$p: order: $(echo $order)"; diag; }
  [ "$(grep -c '"method":"api"' "$state/$NAME.ledger")" = $N ] &&
    ok "$p: the ledger has $N api lines" || not_ok "$p: ledger: $(cat "$state/$NAME.ledger")"
  # Two hosts, two workers: at most four TLS connections for 36 requests
  # (one per request, as before, would be 36).
  used=$(($(sim_stats connections) - c0))
  [ "$used" -ge 2 ] && [ "$used" -le 4 ] &&
    ok "$p: $used TLS connections for $((3 * N)) requests (at most --jobs per host)" ||
    not_ok "$p: $used TLS connections for $((3 * N)) requests"
  # Three requests a renewal on the first run: the token and the save,
  # nothing before the save, and once it is recorded the server's token
  # list, never read yet for these tokens.
  [ "$(($(sim_stats requests) - r0))" = $((3 * N)) ] &&
    ok "$p: $N first renewals made $((3 * N)) requests" ||
    not_ok "$p: $N first renewals made $(($(sim_stats requests) - r0)) requests"
  # Within the day, the two documented calls alone.
  r0=$(sim_stats requests)
  run "$PROG" renew -c "$CONF.fleet" --state-dir "$state" --jobs 2 --force
  [ "$(($(sim_stats requests) - r0))" = $((2 * N)) ] &&
    ok "$p: $N renewals within the day made $((2 * N)) requests" ||
    not_ok "$p: $N renewals within the day made $(($(sim_stats requests) - r0)) requests"

  # ---- nothing due: all reported, in order ----
  run "$PROG" renew -c "$CONF.fleet" --state-dir "$state"
  order=$(printf '%s\n' "$out" | sed -n 's/^\(c[0-9]*\): not due.*/\1/p')
  rc_is 0 && [ "$order" = "$expected_order" ] && ok "$p: a second run finds all $N not due, in order" ||
    { not_ok "$p: second run"; diag; }

  # ---- a connection held by another run does not hold up the others ----
  state="$test_tmpdir/held-$p"
  mkdir -p "$state"
  flock "$(lock_file 01)" sleep 3 &
  holder=$!
  sleep 0.5
  run "$PROG" renew -c "$CONF.fleet" --state-dir "$state" --jobs 2
  wait "$holder"
  check "$p: the held connection is renewed once the other run lets go" 0 "^c01: renewed"
  first=$(sed -n '1s/.*"connection":"\([^"]*\)".*/\1/p' "$state/$NAME.ledger")
  last=$(sed -n '$s/.*"connection":"\([^"]*\)".*/\1/p' "$state/$NAME.ledger")
  [ "$first" != c01 ] && [ "$last" = c01 ] &&
    ok "$p: the others were recorded while c01 waited" ||
    not_ok "$p: ledger order: first $first, last $last"
  order=$(printf '%s\n' "$out" | sed -n 's/^\(c[0-9]*\): renewed.*/\1/p')
  [ "$order" = "$expected_order" ] && ok "$p: still reported in configuration order" ||
    { not_ok "$p: order: $(echo $order)"; diag; }

  # ---- one failure among many: the others renewed, its status wins ----
  sed -i "/^\[connection c03\]/,/^$/s|^server-url = .*|server-url = https://127.0.0.1:1/jira/|" \
    "$CONF.fleet"
  run "$PROG" renew -c "$CONF.fleet" --state-dir "$test_tmpdir/fail-$p" --jobs 4
  check "$p: a failing connection's exit status" 69 "^$NAME: c03: server https://127\.0\.0\.1:1/jira/.*cannot connect"
  [ "$(printf '%s\n' "$out" | grep -c ': renewed')" = $((N - 1)) ] &&
    ok "$p: the other $((N - 1)) renewed" || { not_ok "$p: renewed count"; diag; }

  # ---- the simulator handshakes concurrently: a stalled client does not
  # hold up the others (else it could not measure concurrent renewals) ----
  perl -MIO::Socket::INET -e '
    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or die;
    syswrite $s, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";  # a ClientHello cut short
    sleep 30;' "$PORT" &
  staller=$!
  sleep 0.3
  run "$PROG" renew -c "$CONF.fleet" --state-dir "$test_tmpdir/stall-$p" -C c02 -C c04
  kill "$staller" 2>/dev/null; wait "$staller" 2>/dev/null || true
  check "$p: renewals go on while another client's handshake stalls" 0 "^c04: renewed"

  # ---- --jobs and the jobs key take whole numbers from 1 to 64 ----
  for bad in 0 65 2.5 x; do
    run "$PROG" renew -c "$CONF.fleet" --state-dir "$test_tmpdir/bad-$p" --jobs "$bad"
    check "$p: --jobs $bad is refused" 64 "--jobs wants a whole number from 1 to 64"
  done
  for bad in 0 2.5; do
    sed "s/^\[defaults\]/[defaults]\njobs = $bad/" "$CONF.fleet" >"$CONF.bad"
    run "$PROG" renew -c "$CONF.bad" --state-dir "$test_tmpdir/bad-$p"
    check "$p: jobs = $bad is refused" 78 "jobs"
  done
  sed "s/^\[defaults\]/[defaults]\njobs = 1/" "$CONF.fleet" >"$CONF.one"
  run "$PROG" renew -c "$CONF.one" --state-dir "$test_tmpdir/one-$p" -C c01 -C c02
  check "$p: jobs = 1 is accepted" 0 "^c02: renewed"
  stop_sim
done

tap_done
