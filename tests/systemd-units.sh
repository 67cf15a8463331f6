#!/bin/sh
# SPDX-License-Identifier: MIT
# systemd-units.sh: the renewal service and timer of both products pass
# systemd-analyze verify, the service's sandbox rates at most 2.5 in
# systemd-analyze security, and the service's command line, run as systemd
# would run it (credentials in $CREDENTIALS_DIRECTORY, %E and %S resolved),
# renews a token against the simulator and exits 0 when nothing is due.

. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
command -v systemd-analyze >/dev/null 2>&1 || skip_all "systemd-analyze not installed"

# The highest exposure allowed, in tenths as --threshold counts them.
MAX_EXPOSURE=25

# Offline security reviews came with systemd 250 (Debian 12 has 252).
have_offline () {
  systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'
}

# claim DESCRIPTION CMD...: ok when CMD succeeds (no run output to show).
claim () {
  _desc=$1
  shift
  if "$@"; then ok "$_desc"; else not_ok "$_desc"; fi
}

# unit_value UNIT KEY: the values of KEY= in UNIT, one a line.
unit_value () { sed -n "s/^$2=//p" "$1"; }

# local_units DIR: this product's units in DIR, with ExecStart= pointing at
# the binary just built instead of $(bindir), which verify needs to exist.
local_units () {
  mkdir -p "$1"
  sed "s|^ExecStart=[^ ]*/$NAME |ExecStart=$PROG |" "$service" >"$1/$NAME-renew.service"
  cp "$timer" "$1/$NAME-renew.timer"
}

# ---- static checks of each product's pair of units ----
for p in $PRODUCTS; do
  use_product "$p"
  service="$top_builddir/systemd/$NAME-renew.service"
  timer="$top_builddir/systemd/$NAME-renew.timer"
  if [ ! -s "$service" ] || [ ! -s "$timer" ]; then
    not_ok "$NAME: units generated in $top_builddir/systemd"
    continue
  fi
  ok "$NAME: units generated in $top_builddir/systemd"
  dir="$test_tmpdir/units-$p"
  local_units "$dir"

  run systemd-analyze verify --man=no "$dir/$NAME-renew.service" "$dir/$NAME-renew.timer"
  check "$NAME: systemd-analyze verify exits 0" 0
  assert "$NAME: systemd-analyze verify prints nothing" test -z "$out$err"

  # verify --man=no above: the pages are not installed yet; they must be
  # the ones in man/.
  for doc in $(unit_value "$service" Documentation) $(unit_value "$timer" Documentation); do
    page=$(printf '%s\n' "$doc" | sed -n 's/^man:\([^()]*\)(\([1-8]\))$/\1.\2/p')
    claim "$NAME: Documentation=$doc is a page in man/" test -n "$page" -a -f "$top_builddir/man/$page" -o -f "$top_srcdir/man/$page"
  done

  if have_offline; then
    run systemd-analyze security --offline=yes --threshold=$MAX_EXPOSURE "$dir/$NAME-renew.service"
    level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    echo "# $NAME-renew.service: exposure $level"
    if [ "$rc" -eq 0 ] && awk -v l="$level" 'BEGIN { exit !(l != "" && l + 0 <= 2.5) }'; then
      ok "$NAME: security exposure $level is at most 2.5"
    else
      not_ok "$NAME: security exposure '$level' is at most 2.5 (exit $rc)"
      printf '%s\n' "$out" "$err" | grep -v '^✓' | sed 's/^/# /'
    fi
  else
    skip "$NAME: security exposure" "systemd-analyze security has no --offline"
  fi

  # What the units promise, stated once more, so that an edit that drops
  # it fails here and not on a customer's host.
  claim "$NAME: runs unprivileged" test "$(unit_value "$service" DynamicUser)" = yes
  claim "$NAME: both programs share one user, as they share the ledger directory" \
    test "$(unit_value "$service" User)" = cma-token
  claim "$NAME: state and configuration directories" \
    test "$(unit_value "$service" StateDirectory)$(unit_value "$service" ConfigurationDirectory)" = cma-tokencma-token
  creds=$(unit_value "$service" LoadCredential | sed 's/:.*//' | sort | tr '\n' ' ')
  claim "$NAME: credentials cloud-token and server-token ($creds)" test "$creds" = "cloud-token server-token "
  claim "$NAME: the timer is daily" test "$(unit_value "$timer" OnCalendar)" = daily
  claim "$NAME: the timer catches up missed days" test "$(unit_value "$timer" Persistent)" = true
  claim "$NAME: the timer spreads the hosts" test -n "$(unit_value "$timer" RandomizedDelaySec)"
done

# ---- the service's command line, run as systemd runs it ----
# %E and %S resolve to a scratch /etc and /var/lib, and so do
# $CONFIGURATION_DIRECTORY and $STATE_DIRECTORY; the credentials are
# files in $CREDENTIALS_DIRECTORY, as LoadCredential= leaves them; the
# configuration names no token file, as the unit's comments ask.
if [ ! -x "$SIM" ] || ! command -v certtool >/dev/null 2>&1; then
  skip "ExecStart renews through the simulator" "simulator or certtool missing"
  tap_done
  exit
fi
need_sim
for p in $PRODUCTS; do
  use_product "$p"
  start_sim "$p"
  etc="$test_tmpdir/$p-etc" var="$test_tmpdir/$p-var"
  mkdir -p "$etc/cma-token" "$var" "$test_tmpdir/$p-creds"
  grep -v -e '^cloud-token-file' -e '^server-token-file' "$CONF" >"$etc/cma-token/$NAME.conf"
  cp "$test_tmpdir/cloud.token" "$test_tmpdir/$p-creds/cloud-token"
  cp "$test_tmpdir/server.token" "$test_tmpdir/$p-creds/server-token"
  # ExecStart= as systemd would expand it: the program, then its arguments.
  cmdline=$(unit_value "$top_builddir/systemd/$NAME-renew.service" ExecStart |
    sed -e "s|%E|$etc|g" -e "s|%S|$var|g")
  set -- $cmdline
  shift
  # The environment systemd gives the service: the credentials and the
  # unit's ConfigurationDirectory= and StateDirectory=.
  set -- env CREDENTIALS_DIRECTORY="$test_tmpdir/$p-creds" \
    CONFIGURATION_DIRECTORY="$etc/$(unit_value "$top_builddir/systemd/$NAME-renew.service" ConfigurationDirectory)" \
    STATE_DIRECTORY="$var/$(unit_value "$top_builddir/systemd/$NAME-renew.service" StateDirectory)" \
    "$PROG" "$@"
  run "$@"
  check "$NAME: ExecStart renews with the credentials" 0 "^prod: renewed "
  assert "$NAME: the ledger is in StateDirectory" test -s "$var/cma-token/$NAME.ledger"
  run "$@"
  check "$NAME: ExecStart exits 0 when nothing is due" 0 "^prod: not due "
done

tap_done
