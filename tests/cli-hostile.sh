#!/bin/sh
# Hostile local input (issue 12): configuration values, ledgers, files
# and arguments that once crashed a command, hung it, or bricked the
# ledger, each now refused or skipped with a message naming the place.
. "$(dirname "$0")/libtest.sh"

use_product jcma
st="$test_tmpdir/state"
conf="$test_tmpdir/c.conf"

# no_crash DESCRIPTION: ended by exit, no GLib or json-glib message.
no_crash () {
  if [ "$rc" -ge 128 ] || printf '%s\n' "$err" | grep -Eq 'CRITICAL|WARNING|GLib|Json-'; then
    not_ok "$1"
    diag
  else
    ok "$1"
  fi
}

# ---- 2: invalid UTF-8 and escapes in configuration values ----
printf '[connection a]\ncloud-url = https://a.example\nserver-url = \377\376\n' >"$conf"
run "$PROG" status -c "$conf" --state-dir "$st"
check "config: invalid UTF-8 is UNKNOWN with FILE:LINE" 3 \
  "^$NAME: $(re_quote "$conf"):3: server-url has an invalid value"
no_crash "config: invalid UTF-8 does not crash"
assert "config: the value is not echoed" sh -c "! grep -q \"$(printf '\377')\" '$test_tmpdir/err'"
printf '[connection a]\ncloud-url = https://a.example\ntimeout = 3\377\n' >"$conf"
run "$PROG" history -c "$conf" --state-dir "$st"
check "config: invalid UTF-8 in a number exits 78" 78 "$(re_quote "$conf"):3: timeout has an"
no_crash "config: invalid UTF-8 in a number does not crash"
printf '[connection a]\ncloud-url = https://a.example\ncloud-user = a\\q\n' >"$conf"
run "$PROG" history -c "$conf" --state-dir "$st"
check "config: an invalid escape exits 78" 78 "$(re_quote "$conf"):3: cloud-user has an"

tap_done
