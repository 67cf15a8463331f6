#!/bin/sh
# SPDX-License-Identifier: MIT
# Hooks, for both products: --hook and the configuration's hook get the
# action and connection as arguments and CMA_* variables (never a secret);
# a failing hook is a warning that undoes nothing; a dry run runs none.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

# make_hook PATH STATUS: a hook that writes its arguments and CMA_*
# environment to PATH.$1 (the action) and exits with STATUS.
make_hook () {
  cat >"$1" <<EOF
#!/bin/sh
{ echo "args=\$*"; env | grep '^CMA_' | sort; } >"$1.\$1"
exit $2
EOF
  chmod +x "$1"
}

# seen FILE LINE: FILE has exactly LINE as a line.
seen () { grep -Fxq -- "$2" "$1"; }
# hook_has DESCRIPTION FILE LINES: every line of LINES is in FILE.
hook_has () {
  if [ ! -f "$2" ]; then
    not_ok "$1 (the hook did not run: no $2)"
    return 0
  fi
  _missing=
  while IFS= read -r _line; do
    [ -z "$_line" ] || seen "$2" "$_line" || _missing="$_missing '$_line'"
  done <<EOF
$3
EOF
  if [ -n "$_missing" ]; then
    not_ok "$1 (missing$_missing)"
    sed 's/^/# /' "$2"
  else
    ok "$1"
  fi
}

hook="$test_tmpdir/hook"
make_hook "$hook" 0
make_hook "$test_tmpdir/failing-hook" 3

for p in $PRODUCTS; do
  use_product "$p"
  state="$test_tmpdir/state-$p"
  ledger="$state/$NAME.ledger"
  rm -f "$hook".*
  start_sim "$p"
  common="CMA_PRODUCT=$PRODUCT
CMA_CONNECTION=prod
CMA_SERVER_URL=$SERVER_URL
CMA_CLOUD_URL=https://acme.atlassian.net/"

  # ---- renewed ----
  run env CMA_CLOUD_TOKEN="$CLOUD_SECRET" CMA_SERVER_TOKEN="$SERVER_SECRET" \
    "$PROG" renew -c "$CONF" --state-dir "$state" --hook "$hook"
  check "$p: renew with --hook renews" 0 "^prod: renewed"
  run "$PROG" status -c "$CONF" --state-dir "$state" -o json
  until=$(printf '%s\n' "$out" | sed -n 's/.*"usable_until" : "\([^"]*\)".*/\1/p')
  [ -n "$until" ] || not_ok "$p: status shows no usable_until: $out"
  hook_has "$p: renewed: action, connection and CMA_* variables" "$hook.renewed" "args=renewed prod
$common
CMA_USABLE_UNTIL=$until
CMA_DAYS_LEFT=21.0"
  assert "$p: renewed: our CMA_CLOUD_TOKEN and CMA_SERVER_TOKEN are not passed on" \
    sh -c "! grep -Eq '^CMA_(CLOUD|SERVER)_TOKEN=|$CLOUD_SECRET|$SERVER_SECRET' '$hook.renewed'"

  # ---- not due ----
  run "$PROG" renew -c "$CONF" --state-dir "$state" --hook "$hook"
  check "$p: the second renew is not due" 0 "^prod: not due"
  hook_has "$p: not-due: action and the countdown" "$hook.not-due" "args=not-due prod
$common
CMA_USABLE_UNTIL=$until
CMA_DAYS_LEFT=21.0"

  # ---- failed: a wrong server token; the countdown is still the last one ----
  (umask 077; echo wrong-token >"$test_tmpdir/wrong.token")
  sed "s|^server-token-file = .*|server-token-file = $test_tmpdir/wrong.token|" "$CONF" >"$CONF.wrong"
  run "$PROG" renew -c "$CONF.wrong" --state-dir "$state" --force --hook "$hook"
  check "$p: a refused renewal fails" 77 "did not accept"
  hook_has "$p: failed: action and the last countdown" "$hook.failed" "args=failed prod
$common
CMA_USABLE_UNTIL=$until
CMA_DAYS_LEFT=21.0"
  assert "$p: failed: CMA_MESSAGE carries the error" grep -q '^CMA_MESSAGE=server .*did not accept' "$hook.failed"

  # Nothing recorded: no countdown to pass.
  rm -f "$hook.failed"
  run "$PROG" renew -c "$CONF.wrong" --state-dir "$test_tmpdir/empty-$p" --hook "$hook"
  check "$p: a first renewal that fails" 77 ""
  assert "$p: failed with nothing recorded: no CMA_DAYS_LEFT or CMA_USABLE_UNTIL" \
    sh -c "grep -q '^args=failed prod\$' '$hook.failed' && ! grep -q '^CMA_DAYS_LEFT=\|^CMA_USABLE_UNTIL=' '$hook.failed'"

  # A failure before the ledger is read (a missing token file): the state
  # is unknown, never OK.
  rm -f "$hook.failed"
  sed "s|^server-token-file = .*|server-token-file = $test_tmpdir/missing.token|" "$CONF" >"$CONF.missing"
  run "$PROG" renew -c "$CONF.missing" --state-dir "$state" --force --hook "$hook"
  check "$p: a renewal without its token file" 78 "missing\.token"
  hook_has "$p: failed before reading the ledger: CMA_STATE=UNKNOWN" "$hook.failed" "args=failed prod
CMA_STATE=UNKNOWN"

  # ---- a failing hook: a warning; the renewal stands ----
  lines=$(cat "$ledger" 2>/dev/null | wc -l)
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force --hook "$test_tmpdir/failing-hook"
  check "$p: a hook exiting 3 leaves the exit status 0" 0 "^prod: renewed"
  assert "$p: ... and is reported on stderr as a warning" \
    stderr_has "^$NAME: warning: prod: hook .*failing-hook renewed: .*exited with code 3"
  [ -f "$test_tmpdir/failing-hook.renewed" ] && ok "$p: ... after it really ran" || not_ok "$p: the failing hook did not run"
  [ "$(wc -l <"$ledger")" -eq $((lines + 1)) ] && ok "$p: ... and the renewal stays recorded" ||
    not_ok "$p: ledger has $(wc -l <"$ledger") lines, expected $((lines + 1))"

  # ---- a dry run runs no hook ----
  rm -f "$hook".*
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force --dry-run --hook "$hook"
  check "$p: --dry-run with --hook" 0 "^prod: would renew"
  [ -z "$(ls "$hook".* 2>/dev/null)" ] && ok "$p: --dry-run runs no hook" || not_ok "$p: the hook ran: $(ls "$hook".*)"

  # ---- the configuration's hook, relative to the configuration file ----
  make_hook "$test_tmpdir/conf-hook-$p" 0
  sed "s/^\[defaults\]\$/&\nhook = conf-hook-$p/" "$CONF" >"$CONF.hook"
  run "$PROG" renew -c "$CONF.hook" --state-dir "$state" --force
  check "$p: renew with a hook in the configuration" 0 "^prod: renewed"
  hook_has "$p: the configured hook ran, found next to the configuration" \
    "$test_tmpdir/conf-hook-$p.renewed" "args=renewed prod
$common
CMA_DAYS_LEFT=21.0"
  rm -f "$test_tmpdir/conf-hook-$p".* "$hook".*
  run "$PROG" renew -c "$CONF.hook" --state-dir "$state" --hook "$hook"
  check "$p: --hook with a configured hook" 0 "^prod: not due"
  [ -f "$hook.not-due" ] && [ ! -f "$test_tmpdir/conf-hook-$p.not-due" ] &&
    ok "$p: --hook replaces the configured hook" ||
    not_ok "$p: --hook ran: $([ -f "$hook.not-due" ] && echo yes || echo no), configured ran: $([ -f "$test_tmpdir/conf-hook-$p.not-due" ] && echo yes || echo no)"
  stop_sim
done

# ---- hooks that never end (issue 20): bounded, then SIGTERM, then SIGKILL ----
# Each writes its pid first, so the test can tell it is gone afterwards.
cat >"$test_tmpdir/slow-hook" <<EOF
#!/bin/sh
echo \$\$ >"$test_tmpdir/slow-hook.pid"
exec sleep 1000
EOF
cat >"$test_tmpdir/stubborn-hook" <<EOF
#!/bin/sh
trap '' TERM
echo \$\$ >"$test_tmpdir/stubborn-hook.pid"
sleep 1000 &
echo \$! >"$test_tmpdir/stubborn-child.pid"
wait
EOF
# Kills the run that started it, as a unit's timeout would.
cat >"$test_tmpdir/killer-hook" <<'EOF'
#!/bin/sh
kill -9 "$PPID"
EOF
chmod +x "$test_tmpdir/slow-hook" "$test_tmpdir/stubborn-hook" "$test_tmpdir/killer-hook"
# gone PIDFILE: that process has ended (a zombie no reaper has collected,
# as in a container without an init, has ended too).
gone () {
  _pid=$(cat "$1")
  ! kill -0 "$_pid" 2>/dev/null || [ "$(sed 's/^.*) \(.\).*/\1/' "/proc/$_pid/stat")" = Z ]
}

use_product jcma
state="$test_tmpdir/state-timeout"
start_sim jcma
sed -i 's/^\[defaults\]$/&\nhook-timeout = 0.3/' "$CONF"
run timeout 60 "$PROG" renew -c "$CONF" --state-dir "$state" --hook "$test_tmpdir/slow-hook"
check "a hook still running at hook-timeout: the renewal stands" 0 "^prod: renewed"
assert "... and it is stopped with SIGTERM and reported" \
  stderr_has "^$NAME: warning: prod: hook .*slow-hook renewed was still running after 0\.3 s \(hook-timeout\): stopped with SIGTERM\$"
assert "... and gone" gone "$test_tmpdir/slow-hook.pid"
run timeout 60 "$PROG" renew -c "$CONF" --state-dir "$state" --hook "$test_tmpdir/stubborn-hook"
check "a hook on a run where nothing is due is bounded too" 0 "^prod: not due"
assert "... one ignoring SIGTERM is killed with SIGKILL, and reported" \
  stderr_has "^$NAME: warning: prod: hook .*stubborn-hook not-due was still running after 0\.3 s \(hook-timeout\) and 0\.3 s more after SIGTERM: killed with SIGKILL\$"
assert "... and gone" gone "$test_tmpdir/stubborn-hook.pid"
assert "... with what it started (its process group)" gone "$test_tmpdir/stubborn-child.pid"

# Our own lines are flushed before a hook starts: a run killed during its
# hook has still said what it renewed (stdout is a file here, as the
# journal's pipe is: fully buffered).
run "$PROG" renew -c "$CONF" --state-dir "$state" --force --hook "$test_tmpdir/killer-hook"
assert "a run killed during its hook was killed" rc_is 137
assert "... and its 'renewed' line is out" stdout_has "^prod: renewed"
stop_sim

tap_done
