#!/bin/sh
# SPDX-License-Identifier: MIT
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
printf '[connection a]\ncloud-url = https://a.example\ncloud-user = a\\c\\\n' >"$conf"
run "$PROG" history -c "$conf" --state-dir "$st"
check "config: an invalid escape, then a backslash ending the line, exits 78" 78 \
  "$(re_quote "$conf"):3: cloud-user has an"
no_crash "config: an invalid escape and a trailing backslash print no GLib message"

# ---- 4: dates outside the range the tool can write and read back ----
CLOUD=https://acme.atlassian.net
for at in 0999-01-01 9999-12-31T23:59:59-14:00 1969-12-31T23:00:00Z; do
  run "$PROG" record --state-dir "$st" --cloud-url "$CLOUD" --at "$at"
  check "time: record --at $at is a usage error" 64 \
    "outside the supported range 1970-01-01T00:00:00Z \.\. 9999-12-31T23:59:59Z"
  no_crash "time: record --at $at prints no GLib message"
done
assert "time: nothing recorded" [ ! -e "$st/$NAME.ledger" ]

# A row from the far future, or one no reader can use, is skipped with a
# warning: status, record and history keep working.
mkdir -p "$st" && chmod 700 "$st"
ledger="$st/$NAME.ledger"
run "$PROG" record --state-dir "$st" --cloud-url "$CLOUD" --at "$(iso_at $(($(date +%s) - 86400)))"
check "ledger: a renewal yesterday is recorded" 0
printf '{"at":"9999-12-31T23:59:59Z","connection":"default","server_url":"http://localhost:8080/","cloud_url":"https://acme.atlassian.net/","method":"manual"}\n' >>"$ledger"
printf '{"at":"999-01-01T00:00:00Z","connection":"default","server_url":"http://localhost:8080/","cloud_url":"https://acme.atlassian.net/","method":"manual"}\n' >>"$ledger"
run "$PROG" status --state-dir "$st" --cloud-url "$CLOUD" -o nagios
check "ledger: status is decided by the usable rows" 0 "^$ABBREV TOKEN OK - default expires in 20\.[0-9] days"
assert "ledger: the future row is named" \
  stderr_has "warning: $(re_quote "$ledger"):2: renewal dated in the future \(9999-12-31T23:59:59Z\); line ignored"
assert "ledger: the unreadable date is named" \
  stderr_has "warning: $(re_quote "$ledger"):3: record has an invalid time in \"at\"; line ignored"
no_crash "ledger: no GLib message"
assert "ledger: no (null) printed" sh -c "! grep -q '(null)' '$test_tmpdir/out' '$test_tmpdir/err'"
run "$PROG" record --state-dir "$st" --cloud-url "$CLOUD"
check "ledger: record still works" 0
run "$PROG" status --state-dir "$st" --cloud-url "$CLOUD" -o nagios
check "ledger: the new renewal counts despite the future row" 0 "expires in 2[01]\.[0-9] days"

# ---- 9: the ledger is a regular file, read without hanging ----
rm -f "$ledger"
ln -s /dev/zero "$ledger"
run timeout 10 "$PROG" status --state-dir "$st" --cloud-url "$CLOUD" -o nagios
check "read: a ledger that is /dev/zero is refused at once" 3 "$(re_quote "$ledger") is not a regular file"
rm -f "$ledger"
mkfifo "$ledger"
run timeout 10 "$PROG" history --state-dir "$st" --cloud-url "$CLOUD"
check "read: a FIFO as ledger does not hang" 74 "$(re_quote "$ledger") is not a regular file"
rm -f "$ledger"

# ---- 9: the configuration too, with a cap enforced while reading ----
run timeout 10 "$PROG" status -c /dev/zero --state-dir "$st"
check "read: -c /dev/zero is refused at once" 3 "/dev/zero is not a regular file"
mkfifo "$test_tmpdir/fifo.conf"
run timeout 10 "$PROG" history -c "$test_tmpdir/fifo.conf" --state-dir "$st"
check "read: a FIFO as configuration does not hang" 78 "fifo.conf is not a regular file"
head -c 2000000 /dev/zero | tr '\0' '#' >"$test_tmpdir/big.conf"
run "$PROG" history -c "$test_tmpdir/big.conf" --state-dir "$st"
check "read: a configuration over 1 MiB is refused" 78 "big.conf is larger than 1048576 bytes"
run "$PROG" history -c /dev/null --state-dir "$st"
check "read: -c /dev/null still means no configuration" 0

# ---- 10: a state directory others may write is refused ----
chmod 777 "$st"
run "$PROG" record --state-dir "$st" --cloud-url "$CLOUD"
check "state: record refuses a world-writable state directory" 74 \
  "state directory $(re_quote "$st") is writable by group or others \(mode 0777\)"
run "$PROG" doctor --state-dir "$st" --cloud-url "$CLOUD" --server-url https://127.0.0.1:1/ --no-cloud
check "state: doctor fails the check" 1 "writable by group or others"
chmod 700 "$st"

# ---- 12: arguments ----
run env LC_ALL=C "$PROG" record --state-dir "$st" --cloud-url "$CLOUD" --note "$(printf 'caf\351')"
check "args: a non-UTF-8 value is a usage error naming the option" 64 \
  "the value of --note is not valid text"
run env LC_ALL=C "$PROG" record --state-dir "$st" --cloud-url "$CLOUD" "--note=$(printf '\377')"
check "args: the same in --option=value form" 64 "the value of --note is not valid text"
for days in 0x10 inf nan 1e3 -1 1.2.3 .; do
  run "$PROG" status --state-dir "$st" --cloud-url "$CLOUD" --lifetime-days "$days" -o json
  check "args: --lifetime-days $days refused" 3 "--lifetime-days needs a number of days"
done
run "$PROG" status --state-dir "$st" --cloud-url "$CLOUD" --lifetime-days 16.5 -o nagios
check "args: --lifetime-days 16.5 accepted" 3 "=U;@~:432000;@~:0;;1425600\$"
for note in "$(printf 'a\rb')" "$(printf 'a\033[2Jb')" "$(printf 'a\tb')"; do
  run "$PROG" record --state-dir "$st" --cloud-url "$CLOUD" --note "$note"
  check "args: --note with a control character refused" 64 "without control characters"
done
printf '{"at":"2026-11-01T00:00:00Z","connection":"x","server_url":"http://localhost:8080/","cloud_url":"https://acme.atlassian.net/","method":"manual","note":"a\\u001b[2J\\rb"}\n' >>"$ledger"
run "$PROG" history --state-dir "$st" --cloud-url "$CLOUD"
check "args: history shows a hand-written control character escaped" 0 'a\\x1B\[2J\\x0Db'
assert "args: no ESC or CR in history" sh -c "! grep -q \"\$(printf '\033\r')\" '$test_tmpdir/out'"

tap_done
