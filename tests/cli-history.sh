#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-history.sh: 'history' of both binaries — newest first, text and
# JSON, filtered by connection, and the whole ledger when none is configured.

. "$(dirname "$0")/libtest.sh"

require_past 2026-11-21T00:00:00Z
me=$(id -un) uid=$(id -u)
# Whether strace can trace here: asked once for both products.
can_strace=yes
strace -o /dev/null true >/dev/null 2>&1 || can_strace=no

# history_rows: $rows, "DATE CONNECTION," for each row of the last text
# history (awk 'NR > 1 { printf "%s %s,", $1, $4 }', by the shell).
history_rows () {
  rows= _first=yes
  while read -r _f1 _f2 _f3 _f4 _; do
    if [ -n "$_first" ]; then _first=; continue; fi
    rows="$rows$_f1 $_f4,"
  done <<EOF
$out
EOF
}

# aligned NEEDLE1 NEEDLE: the first line of $out has NEEDLE1 at the same
# column as each other line has NEEDLE (awk's index(), 0 when absent, one
# value for all lines); awk for a line that is not all printable ASCII.
aligned () {
  _col= _first=yes
  while IFS= read -r _l; do
    case $_l in *[!\ -~]*) aligned_awk "$@"; return ;; esac
    if [ -n "$_first" ]; then _nd=$1 _first=; else _nd=$2; fi
    _pre=${_l%%"$_nd"*}
    if [ "$_pre" = "$_l" ]; then _c=0; else _c=$((${#_pre} + 1)); fi
    [ -n "$_col" ] || _col=$_c
    [ "$_c" -eq "$_col" ] || return 1
  done <<EOF
$out
EOF
}
aligned_awk () {
  [ "$(printf "%s\n" "$out" | awk "{ print index(\$0, NR == 1 ? \"$1\" : \"$2\") }" | sort -u | wc -l)" -eq 1 ]
}

for p in $PRODUCTS; do
  use_product "$p"
  st="$test_tmpdir/$p-state"
  ledger="$st/$NAME.ledger"
  conf="$test_tmpdir/$p.conf"
  put "$conf" <<EOF
[connection prod]
server-url = https://prod.example.com/
cloud-url = https://acme.atlassian.net/

[connection test]
server-url = https://test.example.com/
cloud-url = https://acme-sandbox.atlassian.net/
EOF
  c="--state-dir $st -c $conf"

  # ---- empty ledger ----
  run "$PROG" history $c
  check "$NAME: empty ledger: success" 0
  assert "$NAME: empty ledger: nothing on stdout" stdout_empty
  assert "$NAME: empty ledger: says so on stderr, with the path" \
    stderr_has "^$NAME: no renewal recorded yet in $ledger\$"
  run "$PROG" history $c -q
  check "$NAME: empty ledger -q: success" 0
  assert "$NAME: empty ledger -q: silent" eval 'stdout_empty && stderr_empty'
  run "$PROG" history $c -o json
  check "$NAME: empty ledger json: success" 0
  check_jq_later "$NAME: empty ledger json: empty list" 'del(.schema_version, .program, .product) == {"renewals": []}'

  # ---- renewals recorded out of order ----
  run "$PROG" record $c -C prod --at 2026-11-11T00:00:00Z -m third
  check "$NAME: record prod at 11-11" 0
  run "$PROG" record $c -C test --at 2026-11-01T00:00:00Z -m first
  check "$NAME: record test at 11-01" 0
  run "$PROG" record $c -C prod --at 2026-11-06T00:00:00Z
  check "$NAME: record prod at 11-06" 0
  # A renewal of a connection no longer configured.
  run "$PROG" record --state-dir "$st" --cloud-url https://old.atlassian.net --at 2026-11-20T00:00:00Z -m gone
  check "$NAME: record an old connection at 11-20" 0

  run "$PROG" history $c
  check "$NAME: history text" 0 '^RENEWED +CONNECTION +METHOD +USER +CLOUD SITE / NOTE$'
  assert "$NAME: history text: configured connections only, newest first" \
    eval 'history_rows && [ "$rows" = "2026-11-11 prod,2026-11-06 prod,2026-11-01 test," ]'
  assert "$NAME: history text: method, user, site and note" eval '
    stdout_has "^2026-11-11 00:00 UTC  prod +manual +$me +https://acme\\.atlassian\\.net/ \"third\"\$" &&
    stdout_has "^2026-11-06 00:00 UTC  prod +manual +$me +https://acme\\.atlassian\\.net/\$" &&
    stdout_has "^2026-11-01 00:00 UTC  test +manual +$me +https://acme-sandbox\\.atlassian\\.net/ \"first\"\$"'
  assert "$NAME: history text: unconfigured connection left out" stdout_lacks 'old\.atlassian\.net'

  run "$PROG" history $c -q
  check "$NAME: history -q: success" 0
  assert "$NAME: history -q: prints nothing" eval 'stdout_empty && stderr_empty'

  run "$PROG" history $c -o json
  check "$NAME: history json" 0
  check_jq_later "$NAME: history json: newest first" '
    [.renewals[] | .at] == ["2026-11-11T00:00:00Z", "2026-11-06T00:00:00Z", "2026-11-01T00:00:00Z"]'
  check_jq_later "$NAME: history json: every field" --arg me "$me" '
    .renewals[0] == {"at": "2026-11-11T00:00:00Z", "connection": "prod",
                     "server_url": "https://prod.example.com/",
                     "cloud_url": "https://acme.atlassian.net/", "method": "manual",
                     "user": $me, "note": "third", "fingerprint": null} and
    .renewals[1].note == null and .renewals[2].connection == "test"'

  # ---- -C filter ----
  run "$PROG" history $c -C test
  check "$NAME: history -C test" 0 '^2026-11-01 00:00 UTC  test '
  # Two lines: one newline in $out.
  assert "$NAME: history -C test: only test" eval '
    case $out in *"$nl"*"$nl"*) false ;; *"$nl"*) stdout_lacks " prod " ;; *) false ;; esac'
  run "$PROG" history $c -C prod -o json
  check "$NAME: history -C prod json" 0
  check_jq_later "$NAME: history -C prod json: both prod renewals" '
    [.renewals[] | .connection] == ["prod", "prod"]'
  run "$PROG" history $c -C nope
  check "$NAME: history -C unknown name" 64 "no connection named 'nope'"

  # ---- a connection from the command line ----
  run "$PROG" history --state-dir "$st" --cloud-url https://old.atlassian.net -o json
  check "$NAME: history --cloud-url" 0
  check_jq_later "$NAME: history --cloud-url: that connection only" '
    (.renewals | length) == 1 and .renewals[0].note == "gone" and .renewals[0].connection == "default"'

  # ---- nothing configured: the whole ledger ----
  run "$PROG" history --state-dir "$st" -c /dev/null -o json
  check "$NAME: history, empty configuration" 0
  check_jq_later "$NAME: history, empty configuration: whole ledger, newest first" '
    [.renewals[] | .note] == ["gone", "third", null, "first"]'
  run "$PROG" history --state-dir "$st" -v
  check "$NAME: history without configuration" 0
  after_prefix default_conf "$NAME: configuration: " "$err"
  if [ -e "$default_conf" ]; then
    skip "$NAME: history without configuration: whole ledger" "$default_conf exists"
  else
    assert "$NAME: history without configuration: whole ledger" eval 'history_rows && [ "$rows" = \
      "2026-11-20 default,2026-11-11 prod,2026-11-06 prod,2026-11-01 test," ]'
  fi

  # ---- bad output, broken ledger ----
  run "$PROG" history $c -o nagios
  check "$NAME: history -o nagios refused" 64 "unknown output format 'nagios' \\(choose text, json\\)"
  printf 'not json\n' >>"$ledger"
  run "$PROG" history $c
  check "$NAME: history of a ledger with a bad line: the rest, and a warning with PATH:LINE" 0 \
    "^$NAME: warning: $ledger:5: not a valid record"

  # ---- the ledger is read once (issue 16: it was read again, a row at a time) ----
  if [ "$can_strace" = no ]; then
    skip "$NAME: history reads each byte of the ledger once" "strace cannot trace here"
  else
    # LeakSanitizer cannot run under ptrace (the sanitizer build): off here.
    run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
      strace -f -qq -y -e trace=read,pread64,readv,preadv,preadv2 -o "$test_tmpdir/trace" \
      "$PROG" history $c -o json
    check "$NAME: history -o json under strace" 0
    # What grep -F "$NAME.ledger>" | sed -n 's/.*= \([0-9][0-9]*\)$/\1/p'
    # | awk '{ n += $1 } END { print n + 0 }' sums, by the shell.
    read_bytes=0
    while IFS= read -r line; do
      case $line in *"$NAME.ledger>"*) ;; *) continue ;; esac
      case $line in *"= "*) ;; *) continue ;; esac
      n=${line##*= }
      case $n in '' | *[!0-9]*) ;; *) read_bytes=$((read_bytes + n)) ;; esac
    done <"$test_tmpdir/trace"
    size=$(wc -c <"$ledger")
    assert "$NAME: history reads each byte of the ledger once ($read_bytes of $size)" \
      [ "$read_bytes" -eq "$size" ]
  fi
done

# ---- long names, quotes in notes, one second, sudo ----
for p in $PRODUCTS; do
  use_product "$p"
  st="$test_tmpdir/$p-people"
  conf="$test_tmpdir/$p-people.conf"
  printf '[connection production-eu-west-1]\nserver-url = https://prod.example.com/\ncloud-url = https://acme.atlassian.net/\n\n[connection qa]\nserver-url = https://qa.example.com/\ncloud-url = https://acme-sandbox.atlassian.net/\n' >"$conf"
  c="--state-dir $st -c $conf"
  for n in 1 2 3; do
    run "$PROG" record $c -C production-eu-west-1 --at 2026-11-02T00:00:00Z -m "same second $n"
    check "$NAME: record $n at the same second" 0
  done
  run "$PROG" record $c -C qa --at 2026-11-03T00:00:00Z -m 'say "hi" \ there'
  check "$NAME: record a note with quotes and a backslash" 0
  run "$PROG" history $c
  check "$NAME: history with a long connection name" 0
  assert "$NAME: history: columns aligned for a long connection name" aligned METHOD manual
  assert "$NAME: history: quotes and backslashes in a note escaped" \
    stdout_fixed '"say \"hi\" \\ there"'
  # The digits sed -n 's/.*"same second \([0-9]\)"$/\1/p' finds, in order.
  order=
  while IFS= read -r line; do
    case $line in *'"same second '[0-9]'"') line=${line%?}; order=$order${line#"${line%?}"} ;; esac
  done <<EOF
$out
EOF
  assert "$NAME: history: newest first, later lines first within one second" [ "$order" = 321 ]
  run "$PROG" history $c -o json
  check_jq_later "$NAME: history json: same order within one second" '
    [.renewals[] | .note] == ["say \"hi\" \\ there", "same second 3", "same second 2", "same second 1"]'

  if [ "$uid" -eq 0 ]; then
    run env SUDO_USER=alice "$PROG" record $c -C qa --at 2026-11-04T00:00:00Z
    check "$NAME: record through sudo" 0
    run "$PROG" history $c -C qa -o json
    check_jq_later "$NAME: a renewal through sudo names the person and the account" --arg me "$me" '
      .renewals[0].user == "alice (sudo as \($me))"'
  else
    run env SUDO_USER=alice "$PROG" record $c -C qa --at 2026-11-04T00:00:00Z
    check "$NAME: record with SUDO_USER but not root" 0
    run "$PROG" history $c -C qa -o json
    check_jq_later "$NAME: SUDO_USER is trusted only as root" --arg me "$me" '.renewals[0].user == $me'
  fi
done

tap_done
