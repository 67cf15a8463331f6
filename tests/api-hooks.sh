#!/bin/sh
# SPDX-License-Identifier: MIT
# Hooks, for both products: --hook and the configuration's hook get the
# action and connection as arguments and CMA_* variables (never a secret);
# a failing hook is a warning that undoes nothing; a dry run runs none.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

# make_hook PATH STATUS: a hook that writes its arguments and its whole
# environment (so a secret under any name would show) to PATH.$1 (the
# action) and exits with STATUS.
make_hook () {
  printf '#!/bin/sh\n{ echo "args=$*"; env; } >"%s.$1"\nexit %s\n' "$1" "$2" >"$1"
  chmod +x "$1"
}

# hook_has DESCRIPTION FILE LINES: every line of LINES is a line of FILE
# (the shell's own comparison, not a grep a line).
hook_has () {
  if [ ! -f "$2" ]; then
    not_ok "$1 (the hook did not run: no $2)"
    return 0
  fi
  slurp _seen "$2"
  _seen=$nl$_seen$nl
  _missing=
  while IFS= read -r _line; do
    case $_line in "") continue ;; esac
    case $_seen in *"$nl$_line$nl"*) ;; *) _missing="$_missing '$_line'" ;; esac
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

# hook_file FILE: $out, what the hook wrote (for stdout_has and the like),
# or nothing when it did not run.
hook_file () {
  out=
  if [ -f "$1" ]; then slurp out "$1"; fi
}

# conf_set KEY VALUE FILE: $CONF with KEY's line (in [defaults]) set to
# VALUE, added last in [defaults] when it has none, written to FILE.
conf_set () {
  _conf= _done=
  while IFS= read -r _l; do
    case $_l in
      "$1 = "*) _l="$1 = $2" _done=1 ;;
      "[connection "*) [ -n "$_done" ] || _l="$1 = $2$nl$nl$_l" _done=1 ;;
    esac
    _conf=$_conf$_l$nl
  done <"$CONF"
  printf '%s' "$_conf" >"$3"
}

# ledger_lines LEDGER: $lines, how many it has (0 when there is none).
ledger_lines () {
  lines=0
  [ -f "$1" ] || return 0
  while IFS= read -r _l; do lines=$((lines + 1)); done <"$1"
}

# no_file_like PREFIX: no file's name starts with PREFIX.
no_file_like () {
  for _f in "$1"*; do
    [ ! -e "$_f" ] || return 1
  done
}

# ---- hooks that never end (issue 20): bounded, then SIGTERM, then SIGKILL ----
# Each writes its pid first, so the test can tell it is gone afterwards.
printf '#!/bin/sh\necho $$ >"%s"\nexec sleep 1000\n' "$test_tmpdir/slow-hook.pid" \
  >"$test_tmpdir/slow-hook"
printf '#!/bin/sh\ntrap "" TERM\necho $$ >"%s"\nsleep 1000 &\necho $! >"%s"\nwait\n' \
  "$test_tmpdir/stubborn-hook.pid" "$test_tmpdir/stubborn-child.pid" >"$test_tmpdir/stubborn-hook"
# Kills the run that started it, as a unit's timeout would.
printf '#!/bin/sh\nkill -9 "$PPID"\n' >"$test_tmpdir/killer-hook"
chmod +x "$test_tmpdir/slow-hook" "$test_tmpdir/stubborn-hook" "$test_tmpdir/killer-hook"
# gone PIDFILE: that process has ended (a zombie no reaper has collected,
# as in a container without an init, has ended too).
# A process SIGKILLed a moment ago may still be on its way out: looked
# at for up to 5 s before it counts as alive.
gone () {
  _pid=
  read -r _pid <"$1" || [ -n "$_pid" ] || { echo "# $1: the hook never wrote its pid"; return 1; }
  _gone_n=0
  while [ $_gone_n -lt 500 ]; do
    kill -0 "$_pid" 2>/dev/null || return 0
    read -r _stat <"/proc/$_pid/stat" || return 0
    _stat=${_stat##*) }
    [ "${_stat%% *}" != Z ] || return 0
    _gone_n=$((_gone_n + 1))
    nap
  done
  return 1
}

# timeout_cases DIR: with the hooks in DIR. They wait for hook-timeout:
# beside the other cases (in_background).
timeout_cases () {
  hooks=$1
  use_product jcma
  state="$test_tmpdir/state-timeout"
  start_sim jcma
  conf_set hook-timeout 0.3 "$CONF.timeout"
  run timeout 60 "$PROG" renew -c "$CONF.timeout" --state-dir "$state" --hook "$hooks/slow-hook"
  check "a hook still running at hook-timeout: the renewal stands" 0 "^prod: renewed"
  assert "... and it is stopped with SIGTERM and reported" \
    stderr_has "^$NAME: warning: prod: hook .*slow-hook renewed was still running after 0\.3 s \(hook-timeout\): stopped with SIGTERM\$"
  assert "... and gone" gone "$hooks/slow-hook.pid"
  run timeout 60 "$PROG" renew -c "$CONF.timeout" --state-dir "$state" --hook "$hooks/stubborn-hook"
  check "a hook on a run where nothing is due is bounded too" 0 "^prod: not due"
  assert "... one ignoring SIGTERM is killed with SIGKILL, and reported" \
    stderr_has "^$NAME: warning: prod: hook .*stubborn-hook not-due was still running after 0\.3 s \(hook-timeout\) and 0\.3 s more after SIGTERM: killed with SIGKILL\$"
  assert "... and gone" gone "$hooks/stubborn-hook.pid"
  assert "... with what it started (its process group)" gone "$hooks/stubborn-child.pid"

  # Our own lines are flushed before a hook starts: a run killed during its
  # hook has still said what it renewed (stdout is a file here, as the
  # journal's pipe is: fully buffered).
  # (bash's own "Killed" line, in a subshell, into a file: no TAP line.)
  { run "$PROG" renew -c "$CONF.timeout" --state-dir "$state" --force --hook "$hooks/killer-hook"; } \
    2>"$test_tmpdir/shell.err"
  assert "a run killed during its hook was killed" rc_is 137
  assert "... and its 'renewed' line is out" stdout_has "^prod: renewed"
  stop_sim
}
in_background timeout timeout_cases "$test_tmpdir"

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
  until=
  case $out in *'"usable_until" : "'*)
    until=${out#*'"usable_until" : "'}
    until=${until%%'"'*} ;;
  esac
  [ -n "$until" ] || not_ok "$p: status shows no usable_until: $out"
  hook_has "$p: renewed: action, connection and CMA_* variables" "$hook.renewed" "args=renewed prod
$common
CMA_USABLE_UNTIL=$until
CMA_DAYS_LEFT=21.0"
  hook_file "$hook.renewed"
  assert "$p: renewed: our CMA_CLOUD_TOKEN and CMA_SERVER_TOKEN are not passed on" \
    eval '[ -n "$out" ] && stdout_lacks "^CMA_(CLOUD|SERVER)_TOKEN=|$CLOUD_SECRET|$SERVER_SECRET"'

  # ---- not due ----
  run "$PROG" renew -c "$CONF" --state-dir "$state" --hook "$hook"
  check "$p: the second renew is not due" 0 "^prod: not due"
  hook_has "$p: not-due: action and the countdown" "$hook.not-due" "args=not-due prod
$common
CMA_USABLE_UNTIL=$until
CMA_DAYS_LEFT=21.0"

  # ---- failed: a wrong server token; the countdown is still the last one ----
  (umask 077; echo wrong-token >"$test_tmpdir/wrong.token")
  conf_set server-token-file "$test_tmpdir/wrong.token" "$CONF.wrong"
  run "$PROG" renew -c "$CONF.wrong" --state-dir "$state" --force --hook "$hook"
  check "$p: a refused renewal fails" 77 "did not accept"
  hook_has "$p: failed: action and the last countdown" "$hook.failed" "args=failed prod
$common
CMA_USABLE_UNTIL=$until
CMA_DAYS_LEFT=21.0"
  hook_file "$hook.failed"
  assert "$p: failed: CMA_MESSAGE carries the error" stdout_has '^CMA_MESSAGE=server .*did not accept'

  # Nothing recorded: no countdown to pass.
  rm -f "$hook.failed"
  run "$PROG" renew -c "$CONF.wrong" --state-dir "$test_tmpdir/empty-$p" --hook "$hook"
  check "$p: a first renewal that fails" 77 ""
  hook_file "$hook.failed"
  assert "$p: failed with nothing recorded: no CMA_DAYS_LEFT or CMA_USABLE_UNTIL" \
    eval 'stdout_has "^args=failed prod\$" && stdout_lacks "^CMA_DAYS_LEFT=|^CMA_USABLE_UNTIL="'

  # A failure before the ledger is read (a missing token file): the state
  # is unknown, never OK.
  rm -f "$hook.failed"
  conf_set server-token-file "$test_tmpdir/missing.token" "$CONF.missing"
  run "$PROG" renew -c "$CONF.missing" --state-dir "$state" --force --hook "$hook"
  check "$p: a renewal without its token file" 78 "missing\.token"
  hook_has "$p: failed before reading the ledger: CMA_STATE=UNKNOWN" "$hook.failed" "args=failed prod
CMA_STATE=UNKNOWN"

  # ---- a failing hook: a warning; the renewal stands ----
  ledger_lines "$ledger"
  before=$lines
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force --hook "$test_tmpdir/failing-hook"
  check "$p: a hook exiting 3 leaves the exit status 0" 0 "^prod: renewed"
  assert "$p: ... and is reported on stderr as a warning" \
    stderr_has "^$NAME: warning: prod: hook .*failing-hook renewed: .*exited with code 3"
  [ -f "$test_tmpdir/failing-hook.renewed" ] && ok "$p: ... after it really ran" || not_ok "$p: the failing hook did not run"
  ledger_lines "$ledger"
  [ "$lines" -eq $((before + 1)) ] && ok "$p: ... and the renewal stays recorded" ||
    not_ok "$p: ledger has $lines lines, expected $((before + 1))"

  # ---- a dry run runs no hook ----
  rm -f "$hook".*
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force --dry-run --hook "$hook"
  check "$p: --dry-run with --hook" 0 "^prod: would renew"
  no_file_like "$hook." && ok "$p: --dry-run runs no hook" || not_ok "$p: the hook ran: $(ls "$hook".*)"

  # ---- the configuration's hook, relative to the configuration file ----
  make_hook "$test_tmpdir/conf-hook-$p" 0
  conf_set hook "conf-hook-$p" "$CONF.hook"
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

tap_done
