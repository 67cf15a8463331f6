#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-record.sh: 'record' of both binaries — what lands in the ledger, and
# every refusal leaving the ledger exactly as it was.

. "$(dirname "$0")/libtest.sh"

T=2026-11-01T00:00:00Z
CLOUD=https://acme.atlassian.net
require_past "$T"
me=$(id -un) uid=$(id -u)

# last_record LEDGER: its last line, as $out for check_jq; $(tail -n 1).
last_record () {
  out=
  while IFS= read -r _l || [ -n "$_l" ]; do out=$_l; done <"$1"
}

# line_of N FILE: $line, line N of FILE, as $(sed -n Np FILE) has it.
line_of () {
  line= _i=0
  while IFS= read -r _l || [ -n "$_l" ]; do
    _i=$((_i + 1))
    if [ $_i -eq "$1" ]; then line=$_l; break; fi
  done <"$2"
}

# unchanged DESCRIPTION: the ledger is byte for byte what it was before.
unchanged () {
  if [ -e "$ledger" ]; then
    assert "$1" same_bytes "$ledger" "$test_tmpdir/before"
  else
    assert "$1" [ ! -s "$test_tmpdir/before" ]
  fi
}
# snapshot: the ledger as it is now, in $test_tmpdir/before; printf of
# its bytes when the shell can hold them, else cp.
snapshot () {
  if [ ! -e "$ledger" ]; then
    : >"$test_tmpdir/before"
  elif read_all snap "$ledger"; then
    printf '%s' "$snap" >"$test_tmpdir/before"
  else
    cp "$ledger" "$test_tmpdir/before"
  fi
}

# repeat VAR CHAR N: VAR is CHAR N times ($(head -c N /dev/zero | tr '\0' CHAR)).
repeat () {
  _rp= _rc=$2 _rn=$3
  while [ "$_rn" -gt 0 ]; do
    [ $((_rn % 2)) -eq 0 ] || _rp=$_rp$_rc
    _rc=$_rc$_rc _rn=$((_rn / 2))
  done
  eval "$1=\$_rp"
}

for p in $PRODUCTS; do
  use_product "$p"
  st="$test_tmpdir/$p/state/nested"
  one="--state-dir $st --cloud-url $CLOUD"
  ledger="$st/$NAME.ledger"

  # ---- default time is now ----
  now_to before
  run "$PROG" record $one
  now_to after
  check "$NAME: record without --at" 0 \
    "^Recorded renewal of default \\(https://acme\\.atlassian\\.net/\\); usable until [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC\\.\$"
  assert "$NAME: ledger created as $NAME.ledger" [ -f "$ledger" ]
  # One stat for both modes.
  modes=$(stat -c %a "$ledger" "$st" 2>/dev/null || true)
  assert "$NAME: ledger mode 0600" [ "${modes%%"$nl"*}" = 600 ]
  assert "$NAME: state directory created with mode 0700" [ "${modes#*"$nl"}" = 700 ]
  line_count lines "$ledger"
  assert "$NAME: one line per renewal" [ "$lines" -eq 1 ]
  last_record "$ledger"
  check_jq_later "$NAME: default --at is now" --argjson lo "$before" --argjson hi "$after" '
    (.at | fromdateiso8601) as $t | $t >= $lo and $t <= $hi'
  check_jq_later "$NAME: recorded fields" --arg srv "$DEFAULT_SERVER" --arg me "$me" '
    .connection == "default" and .server_url == $srv and
    .cloud_url == "https://acme.atlassian.net/" and .method == "manual" and
    .user == $me and .note == null and .fingerprint == null and
    (.at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"))'

  # ---- --at and --note ----
  run "$PROG" record $one --at "$T" --note "CHG-1234 clicked by Ann"
  check "$NAME: record --at T --note" 0 \
    '^Recorded renewal of default \(https://acme\.atlassian\.net/\); usable until 2026-11-22 00:00 UTC\.$'
  last_record "$ledger"
  check_jq_later "$NAME: --at and --note stored" '
    .at == "2026-11-01T00:00:00Z" and .note == "CHG-1234 clicked by Ann" and .method == "manual"'
  run "$PROG" record $one --at 2026-11-02T09:30+02:00 -m 'quote " and back\slash'
  check "$NAME: record with an offset and an awkward note" 0
  last_record "$ledger"
  check_jq_later "$NAME: offset converted to UTC, note kept verbatim" \
    '.at == "2026-11-02T07:30:00Z" and .note == "quote \" and back\\slash"'
  run "$PROG" record $one --at 2026-11-03
  check "$NAME: record a date only" 0
  last_record "$ledger"
  check_jq_later "$NAME: date only is local (UTC) midnight" '.at == "2026-11-03T00:00:00Z"'
  # As many JSON objects as lines: jq -s reads the ledger as its array.
  slurp out "$ledger"
  line_count lines "$ledger"
  check_jq_later "$NAME: every ledger line is one JSON object" -s --argjson n "$lines" \
    'map(select(type == "object")) | length == $n'
  assert "$NAME: ledger still 0600 after appending" [ "$(stat -c %a "$ledger")" = 600 ]
  run "$PROG" record $one --at "$T" -q
  check "$NAME: record -q succeeds" 0
  assert "$NAME: record -q prints nothing" eval 'stdout_empty && stderr_empty'

  # ---- refusals, ledger untouched ----
  snapshot
  run "$PROG" record $one --at 2099-01-01T00:00:00Z
  check "$NAME: renewal in the future refused" 64 "^$NAME: refusing to record a renewal in the future"
  unchanged "$NAME: future renewal left the ledger as it was"
  now_to now
  iso_at_to soon $((now + 900))
  run "$PROG" record $one --at "$soon"
  check "$NAME: 15 minutes ahead is refused" 64 'in the future'
  unchanged "$NAME: 15 minutes ahead left the ledger as it was"
  for bad in garbage 2026-13-01 2026-11-31 2026-11-01T25:00 2026-W45-1 1793491200 ''; do
    run "$PROG" record $one --at "$bad"
    check "$NAME: invalid TIME '$bad' refused" 64 "invalid time '$bad'"
  done
  unchanged "$NAME: invalid times left the ledger as it was"
  run "$PROG" record $one --note "$(printf 'line one\nline two')"
  check "$NAME: multi-line note refused" 64 'single line'
  unchanged "$NAME: multi-line note left the ledger as it was"
  run "$PROG" record $one stray
  check "$NAME: stray argument refused" 64 "unexpected argument 'stray'"
  unchanged "$NAME: stray argument left the ledger as it was"

  # Within the five minutes allowed for clock skew between two hosts.
  now_to now
  iso_at_to near $((now + 120))
  run "$PROG" record $one --at "$near"
  check "$NAME: two minutes ahead (clock skew) accepted" 0
  last_record "$ledger"
  check_jq_later "$NAME: skewed time stored as given" --arg at "$near" '.at == $at'

  # ---- several connections ----
  conf="$test_tmpdir/$p.conf"
  put "$conf" <<EOF
[defaults]
server-url = https://wiki.example.com/context

[connection prod]
cloud-url = https://acme.atlassian.net/

[connection test]
cloud-url = https://acme-sandbox.atlassian.net/
EOF
  st="$test_tmpdir/$p/multi"
  ledger="$st/$NAME.ledger"
  snapshot
  run "$PROG" record --state-dir "$st" -c "$conf" --at "$T"
  check "$NAME: two connections without -C refused" 64 "2 connections are configured; name the one you renewed with -C NAME"
  unchanged "$NAME: refused record wrote nothing"
  run "$PROG" record --state-dir "$st" -c "$conf" -C prod -C test --at "$T"
  check "$NAME: two connections named with -C refused too" 64 '-C NAME'
  unchanged "$NAME: refused -C prod -C test wrote nothing"
  run "$PROG" record --state-dir "$st" -c "$conf" -C test --at "$T" -m sandbox
  check "$NAME: -C test records" 0 '^Recorded renewal of test \(https://acme-sandbox\.atlassian\.net/\)'
  line_count lines "$ledger"
  assert "$NAME: exactly one line recorded" [ "$lines" -eq 1 ]
  last_record "$ledger"
  check_jq_later "$NAME: -C test: its name and URLs recorded" '
    .connection == "test" and .server_url == "https://wiki.example.com/context/" and
    .cloud_url == "https://acme-sandbox.atlassian.net/" and .note == "sandbox"'
  run "$PROG" record --state-dir "$st" -c "$conf" -C nope --at "$T"
  check "$NAME: -C unknown name refused" 64 "no connection named 'nope'"

  # ---- a damaged line: kept as evidence, and no obstacle ----
  printf '{"at":"2026-11-0' >>"$ledger"
  run "$PROG" record --state-dir "$st" -c "$conf" -C prod --at "$T"
  check "$NAME: record onto a ledger with a damaged line succeeds" 0
  line_of 2 "$ledger"
  assert "$NAME: the damaged line is kept byte for byte" [ "$line" = '{"at":"2026-11-0' ]
  line_of 3 "$ledger"
  assert "$NAME: the new record has a line of its own" \
    eval 'case $line in "{\"at\":\"2026-11-01T00:00:00Z\""*) true ;; *) false ;; esac'
  run "$PROG" history --state-dir "$st" -c "$conf"
  check "$NAME: history warns about the damaged line" 0 \
    "^$NAME: warning: $ledger:2: not a valid record .*; line ignored"

  # ---- unwritable state directory ----
  if [ "$uid" -ne 0 ]; then
    ro="$test_tmpdir/$p/readonly"
    mkdir -p "$ro" && chmod 500 "$ro"
    run "$PROG" record --state-dir "$ro/sub" --cloud-url "$CLOUD"
    check "$NAME: uncreatable state directory: state error" 74 "$ro/sub"
    chmod 700 "$ro"
  else
    skip "$NAME: uncreatable state directory: state error" "root ignores directory modes"
  fi
done

# ---- --state-group: monitoring reads the ledger without sudo ----
group=$(id -gn)
for p in $PRODUCTS; do
  use_product "$p"
  st="$test_tmpdir/$p-private"
  run "$PROG" record --state-dir "$st" --cloud-url https://acme.atlassian.net --at "$T"
  check "$NAME: record without --state-group" 0
  assert "$NAME: by default the state stays private (700, 600)" eval \
    '[ "$(stat -c %a "$st" "$st/$NAME.ledger")" = "700${nl}600" ]'
  st="$test_tmpdir/$p-shared"
  run "$PROG" record --state-group "$group" --state-dir "$st" --cloud-url https://acme.atlassian.net --at "$T"
  check "$NAME: record --state-group $group" 0
  # One stat for both: the directory's mode and group, then the ledger's.
  modes=$(stat -c '%a %G' "$st" "$st/$NAME.ledger" 2>/dev/null || true)
  assert "$NAME: --state-group: directory setgid and group-readable (2750)" \
    [ "${modes%%"$nl"*}" = "2750 $group" ]
  assert "$NAME: --state-group: ledger group-readable (640)" [ "${modes#*"$nl"}" = "640 $group" ]
  run "$PROG" record --state-dir "$st" --cloud-url https://acme.atlassian.net --at 2026-11-02T00:00:00Z
  check "$NAME: a later record without --state-group" 0
  assert "$NAME: a later write keeps the ledger group-readable" \
    eval '[ "$(stat -c %a "$st/$NAME.ledger")" = 640 ]'
  run "$PROG" record --state-group no-such-group-here --state-dir "$st" --cloud-url https://acme.atlassian.net
  check "$NAME: --state-group with an unknown group: usage error" 64 "no group named 'no-such-group-here'"

  # README.Debian: root recording by hand into the service's directory
  # keeps the ledger's and the writer lock's owner (it appends, never
  # rewrites); a file root creates there is the directory owner's too
  # (tests/api-state-group.sh).
  if [ "$uid" -eq 0 ]; then
    svc="$test_tmpdir/$p-service"
    mkdir -m 700 "$svc" && chown 65534:65534 "$svc" && chmod 711 "$test_tmpdir"
    run setpriv --reuid=65534 --regid=65534 --clear-groups -- env XDG_CONFIG_HOME="$svc/none" \
      "$PROG" record --state-dir "$svc" --cloud-url https://acme.atlassian.net --at "$T"
    check "$NAME: the service's user records first" 0
    run "$PROG" record --state-dir "$svc" --cloud-url https://acme.atlassian.net --at 2026-11-05T00:00:00Z
    check "$NAME: root records into the service's ledger" 0
    # What sort -u makes of the owners is 65534:65534: each line is.
    assert "$NAME: ... which keeps its owner, as README.Debian says" eval \
      'owners=$(stat -c %u:%g "$svc/$NAME.ledger" "$svc/$NAME.lock") || true
       [ -n "$owners" ] && ! matches -vx 65534:65534 "$owners"'
    assert "$NAME: README.Debian does not say root's record makes the ledger root's" \
      eval '! grep -q "rewrites the ledger as root'"'"'s file" "$top_srcdir/packaging/debian/README.Debian"'
  fi
done

# ---- what the writer accepts, every reader reads ----
# A 70,000-byte note (or SUDO_USER) made a line longer than the readers'
# 65536 bytes: "Recorded ...", exit 0, and then every reader skipped it.
use_product jcma
st="$test_tmpdir/limits"
one="--state-dir $st --cloud-url $CLOUD"
ledger="$st/$NAME.ledger"
run "$PROG" record $one --at "$T"
check "limits: a first record" 0
snapshot
repeat note n 70000
run "$PROG" record $one -m "$note"
check "limits: a 70,000-byte note is refused" 64 "^$NAME: --note is 70000 bytes long; it may hold at most 4096\$"
unchanged "limits: ... and nothing recorded"
repeat path u 70000
run "$PROG" record --state-dir "$st" --cloud-url "$CLOUD/$path"
check "limits: a record longer than a ledger line is refused" 64 \
  "^$NAME: the record of default would be [0-9]+ bytes, longer than the 65536 bytes a ledger line may hold; nothing was recorded\$"
unchanged "limits: ... and nothing recorded"
repeat note n 4096
run "$PROG" record $one -m "$note"
check "limits: a 4096-byte note is recorded" 0 "^Recorded renewal"
run "$PROG" status $one
check "limits: ... and status reads it, without a warning" 0 "^default: OK, "
assert "limits: ... no line skipped" stderr_empty
if [ "$uid" -eq 0 ]; then
  repeat user s 70000
  run env SUDO_USER="$user" "$PROG" record $one
  check "limits: root under a 70,000-byte SUDO_USER records" 0 "^Recorded renewal"
  run "$PROG" history $one -o json
  check "limits: ... and history reads it" 0
  assert "limits: ... no line skipped" stderr_empty
  check_jq_later "limits: ... SUDO_USER cut to 256 bytes" \
    '.renewals[0].user == ("s" * 256) + " (sudo as root)" and (.renewals | length) == 3'
else
  skip "limits: a long SUDO_USER" "needs root"
fi

tap_done
