#!/bin/sh
# Hostile answers (issue 12): a server or cloud API that sends deeply
# nested or empty JSON, control characters, huge values or tricky tokens
# gets a clear error or a clean result, never a crash, a leaked token, raw
# control characters on the terminal, or a hook that cannot run.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

ESC=$(printf '\033')
state="$test_tmpdir/state"

# renew_with FAULT [ARGS...]: a fresh simulator with FAULT, then renew.
renew_with () {
  fault=$1
  shift
  start_sim jcma --fault "$fault"
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force "$@"
}

# no_crash DESCRIPTION: the last run ended by exit (not a signal) and
# printed no GLib or json-glib warning or critical.
no_crash () {
  if [ "$rc" -ge 128 ] || stderr_has 'CRITICAL|WARNING|GLib|Json-'; then
    not_ok "$1"
    diag
  else
    ok "$1"
  fi
}

# no_escape DESCRIPTION: nothing on stdout or stderr holds an ESC or CR.
no_escape () {
  if printf '%s%s' "$out" "$err" | grep -q "$ESC" ||
     printf '%s%s' "$out" "$err" | tr '\r' '@' | grep -q '@'; then
    not_ok "$1"
    diag
  else
    ok "$1"
  fi
}

# ---- 1: deep nesting ----
for fault in cloud-deep-json save-deep-json; do
  renew_with "$fault"
  check "$fault: refused with a clear error" 76 "nested deeper than"
  no_crash "$fault: no crash"
done
start_sim jcma --fault plugin-deep-json
run "$PROG" doctor -c "$CONF" --state-dir "$state"
no_crash "plugin-deep-json: doctor does not crash"
assert "plugin-deep-json: doctor names the problem" stdout_has "nested deeper than"

# ---- 8: empty or comment-only answers ----
renew_with cloud-empty-json -q
check "cloud-empty-json: refused" 76 "empty document"
no_crash "cloud-empty-json: no Json-CRITICAL"

tap_done
