#!/bin/sh
# SPDX-License-Identifier: MIT
# renew with many connections: renewals run side by side (--jobs), reuse
# one connection per host and worker, report in configuration order, and
# a renewal held up on one connection does not hold up the others.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

N=12

# fleet_conf N FILE [BROKEN]: N connections to distinct cloud sites; the
# server on 127.0.0.1 and the cloud API on localhost, so two hosts in
# all. Connection cBROKEN's server is a closed port.
fleet_conf () {
  _fc=
  while IFS= read -r _l; do
    case $_l in
      "[connection prod]") break ;;
      "cloud-api-url = "*) _l="cloud-api-url = https://localhost:$PORT/" ;;
    esac
    _fc=$_fc$_l$nl
  done <"$CONF"
  i=1
  while [ "$i" -le "$1" ]; do
    _c=$i
    [ "$i" -ge 10 ] || _c=0$i
    _url=$SERVER_URL
    [ "$_c" != "${3:-}" ] || _url="https://127.0.0.1:1$CONTEXT_PATH/"
    _fc="$_fc[connection c$_c]${nl}server-url = $_url${nl}cloud-url = https://site$_c.atlassian.net$nl$nl"
    i=$((i + 1))
  done
  printf '%s' "$_fc" >"$2"
}

# jobs_conf VALUE FILE: the fleet's configuration with jobs = VALUE.
jobs_conf () {
  printf '[defaults]\njobs = %s\n%s\n' "$1" "${fleet#"[defaults]$nl"}" >"$2"
}

# lock_file NAME: the lock file renew takes for connection cNAME's token.
lock_file () {
  sum=$(printf '%s\n%s' "$SERVER_URL" "https://site$1.atlassian.net/" | sha256sum | cut -c1-16)
  printf '%s/%s.ledger.%s.lock' "$state" "$NAME" "$sum"
}

# reported WHAT: $order, the connections of $out's lines "cNN: WHAT...",
# one a line, and $reported, how many lines have ": WHAT" (the shell's own
# loop, not a sed and a grep per look).
reported () {
  order= reported=0
  while IFS= read -r _l; do
    case $_l in *": $1"*) reported=$((reported + 1)) ;; *) continue ;; esac
    case ${_l%%:*} in c | c*[!0-9]* | [!c]*) continue ;; esac
    case $_l in "${_l%%:*}: $1"*) order=${order:+$order$nl}${_l%%:*} ;; esac
  done <<EOT
$out
EOT
}

# ledger_scan FILE: $api_lines, its lines with "method":"api", and
# $first and $last, the connections of its first and last lines.
ledger_scan () {
  api_lines=0 first= last=
  while IFS= read -r _l; do
    case $_l in *'"method":"api"'*) api_lines=$((api_lines + 1)) ;; esac
    _c=${_l#*'"connection":"'}
    [ "$_c" != "$_l" ] && _c=${_c%%'"'*} || _c=
    [ -n "$first" ] || first=$_c
    last=$_c
  done <"$1"
}

# hold LOCK LEDGER COUNT: hold LOCK until LEDGER has COUNT lines (polled;
# given up after about a minute, failing), saying so in LOCK.held once it
# holds it.
hold () {
  exec 9>>"$1"
  flock 9
  : >"$1.held"
  _i=0
  while :; do
    _n=0
    if [ -f "$2" ]; then
      while IFS= read -r _l; do _n=$((_n + 1)); done <"$2"
    fi
    [ "$_n" -lt "$3" ] || return 0
    _i=$((_i + 1))
    [ "$_i" -le 6000 ] || return 1
    nap
  done
}

# wait_for FILE: until FILE exists (polled, for a minute at most).
wait_for () {
  _i=0
  while [ ! -e "$1" ] && [ "$_i" -le 6000 ]; do
    _i=$((_i + 1))
    nap
  done
}

expected_order=$(i=1; while [ $i -le $N ]; do printf 'c%02d\n' $i; i=$((i + 1)); done)

fleet_cases () {
  p=$1
  use_product "$p"
  start_sim "$p" --latency-ms 20
  fleet_conf $N "$CONF.fleet"
  slurp fleet "$CONF.fleet"

  # ---- every connection renewed, in configuration order, connections reused ----
  state="$test_tmpdir/fleet-$p"
  c0=$(sim_stats connections) r0=$(sim_stats requests)
  run "$PROG" renew -c "$CONF.fleet" --state-dir "$state" --jobs 2
  check "$p: --jobs 2 renews all $N connections" 0 "^c$N: renewed"
  reported renewed
  [ "$order" = "$expected_order" ] && ok "$p: one line each, in configuration order" ||
    { not_ok "$p: order: $(echo $order)"; diag; }
  ledger_scan "$state/$NAME.ledger"
  [ "$api_lines" = $N ] &&
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
  reported "not due"
  rc_is 0 && [ "$order" = "$expected_order" ] && ok "$p: a second run finds all $N not due, in order" ||
    { not_ok "$p: second run"; diag; }

  # ---- a connection held by another run does not hold up the others ----
  # The other run holds c01's lock until the other $((N - 1)) are in the
  # ledger: it lets go because they were recorded while c01 waited (or,
  # after a minute without them, fails).
  state="$test_tmpdir/held-$p"
  mkdir -p "$state"
  lock=$(lock_file 01)
  hold "$lock" "$state/$NAME.ledger" $((N - 1)) &
  holder=$!
  wait_for "$lock.held"
  run "$PROG" renew -c "$CONF.fleet" --state-dir "$state" --jobs 2
  held=0
  wait "$holder" || held=$?
  check "$p: the held connection is renewed once the other run lets go" 0 "^c01: renewed"
  ledger_scan "$state/$NAME.ledger"
  [ "$held" = 0 ] && [ "$first" != c01 ] && [ "$last" = c01 ] &&
    ok "$p: the others were recorded while c01 waited" ||
    not_ok "$p: ledger order: first $first, last $last; the holder saw $((N - 1)) others recorded: $([ "$held" = 0 ] && echo yes || echo no)"
  reported renewed
  [ "$order" = "$expected_order" ] && ok "$p: still reported in configuration order" ||
    { not_ok "$p: order: $(echo $order)"; diag; }

  # ---- one failure among many: the others renewed, its status wins ----
  fleet_conf $N "$CONF.fail" 03
  run "$PROG" renew -c "$CONF.fail" --state-dir "$test_tmpdir/fail-$p" --jobs 4
  check "$p: a failing connection's exit status" 69 "^$NAME: c03: server https://127\.0\.0\.1:1$CONTEXT_PATH/.*cannot connect"
  reported renewed
  [ "$reported" = $((N - 1)) ] &&
    ok "$p: the other $((N - 1)) renewed" || { not_ok "$p: renewed count"; diag; }

  # ---- the simulator handshakes concurrently: a stalled client does not
  # hold up the others (else it could not measure concurrent renewals) ----
  # A ClientHello cut short, sent before renew starts: under bash by the
  # shell itself (/dev/tcp), else by perl, which says when it has sent it.
  if [ -n "${BASH_VERSION:-}" ]; then
    exec 7<>"/dev/tcp/127.0.0.1/$PORT"
    printf '\026\003\001\002\000\001\000\001\374\003\003' >&7
    staller=
  else
    perl -MIO::Socket::INET -e '
      my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or die;
      syswrite $s, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";  # cut short
      open my $f, ">", $ARGV[1] or die; close $f;
      sleep 30;' "$PORT" "$test_tmpdir/stalled-$p" &
    staller=$!
    wait_for "$test_tmpdir/stalled-$p"
  fi
  run "$PROG" renew -c "$CONF.fleet" --state-dir "$test_tmpdir/stall-$p" -C c02 -C c04
  if [ -n "$staller" ]; then
    kill "$staller" 2>/dev/null; wait "$staller" 2>/dev/null || true
  else
    exec 7>&-
  fi
  check "$p: renewals go on while another client's handshake stalls" 0 "^c04: renewed"

  # ---- --jobs and the jobs key take whole numbers from 1 to 64 ----
  for bad in 0 65 2.5 x; do
    run "$PROG" renew -c "$CONF.fleet" --state-dir "$test_tmpdir/bad-$p" --jobs "$bad"
    check "$p: --jobs $bad is refused" 64 "--jobs wants a whole number from 1 to 64"
  done
  for bad in 0 2.5; do
    jobs_conf "$bad" "$CONF.bad"
    run "$PROG" renew -c "$CONF.bad" --state-dir "$test_tmpdir/bad-$p"
    check "$p: jobs = $bad is refused" 78 "jobs"
  done
  jobs_conf 1 "$CONF.one"
  run "$PROG" renew -c "$CONF.one" --state-dir "$test_tmpdir/one-$p" -C c01 -C c02
  check "$p: jobs = 1 is accepted" 0 "^c02: renewed"
  stop_sim
}

# The two products side by side: each waits on its simulator's latency
# and on the other run's lock much of the time.
in_background ccma fleet_cases ccma
fleet_cases jcma

tap_done
