#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-ics.sh: 'status -o ics' of both binaries, read back by a real
# RFC 5545 parser (python3-icalendar): one calendar, three events per
# connection with alarms, deadlines to the second, and UIDs that stay the
# same after a renewal so a subscribed calendar moves its events.

. "$(dirname "$0")/libtest.sh"

T=2026-11-01T00:00:00Z
require_past "$T"

# A Python 3 that has the icalendar module (Debian: python3-icalendar).
PY=
for py in python3 /usr/bin/python3; do
  if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import icalendar' 2>/dev/null; then
    PY=$py
    break
  fi
done
[ -n "$PY" ] || skip_all "python3-icalendar not installed"

# ics_summary FILE: one line per event, "UID|DTSTART|SUMMARY|ALARMS", after
# checking what the parser can: a single VCALENDAR with VERSION and PRODID,
# every event with UID, DTSTAMP, DTSTART, SUMMARY, DESCRIPTION and one
# VALARM that has ACTION, TRIGGER and DESCRIPTION. Fails on anything else.
ics_summary () {
  "$PY" - "$1" <<'PYEOF'
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
assert cal.name == 'VCALENDAR', cal.name
assert str(cal['VERSION']) == '2.0' and 'PRODID' in cal
assert len([c for c in cal.walk() if c.name == 'VCALENDAR']) == 1
for ev in cal.walk('VEVENT'):
    for key in ('UID', 'DTSTAMP', 'DTSTART', 'SUMMARY', 'DESCRIPTION'):
        assert key in ev, key
    alarms = ev.walk('VALARM')
    assert len(alarms) == 1
    for key in ('ACTION', 'TRIGGER', 'DESCRIPTION'):
        assert key in alarms[0], key
    start = ev['DTSTART'].dt.strftime('%Y-%m-%dT%H:%M:%SZ')
    print('%s|%s|%s|%d' % (ev['UID'], start, ev['SUMMARY'], len(alarms)))
PYEOF
}

# crlf_and_folded FILE: every line ends in CRLF and has at most 75 octets.
crlf_and_folded () {
  [ "$(grep -c "$(printf '\r')\$" "$1")" -eq "$(wc -l <"$1")" ] &&
    [ "$(tr -d '\r' <"$1" | LC_ALL=C awk 'length($0) > 75 { n++ } END { print n + 0 }')" -eq 0 ]
}

for p in $PRODUCTS; do
  use_product "$p"
  st="$test_tmpdir/$p-state"
  conf="$test_tmpdir/$p.conf"
  printf '%s\n' '[defaults]' 'cloud-url = https://acme.atlassian.net' '' \
    '[connection prod]' 'server-url = https://prod.example.com/' '' \
    '[connection staging]' 'server-url = https://staging.example.com/' \
    'cloud-url = https://acme-sandbox.atlassian.net' 'renew-within = 3.5' >"$conf"
  c="--state-dir $st -c $conf"
  ics="$test_tmpdir/$p.ics"

  # ---- nothing recorded: a valid calendar without events ----
  run "$PROG" status $c --at "$T" -o ics --output-file "$ics"
  check "$NAME: nothing recorded: exit 3" 3
  assert "$NAME: nothing recorded: a calendar without events" eval '
    ics_summary "$ics" >"$test_tmpdir/events" && [ ! -s "$test_tmpdir/events" ]'

  # ---- renewals at T (prod) and T+2d (staging) ----
  run "$PROG" record $c -C prod --at "$T"
  check "$NAME: record prod" 0
  run "$PROG" record $c -C staging --at 2026-11-03T00:00:00Z
  check "$NAME: record staging" 0
  run "$PROG" status $c --at 2026-11-10T00:00:00Z -o ics --output-file "$ics"
  check "$NAME: ics: exit 0 (OK)" 0
  assert "$NAME: CRLF line endings, lines of at most 75 octets" crlf_and_folded "$ics"
  if ics_summary "$ics" >"$test_tmpdir/events" 2>"$test_tmpdir/pyerr"; then
    ok "$NAME: python3-icalendar reads one calendar, every event with UID, DTSTAMP and an alarm"
  else
    not_ok "$NAME: python3-icalendar reads it"
    sed 's/^/# /' "$test_tmpdir/pyerr"
  fi
  assert "$NAME: six events, each with one alarm" eval '
    [ "$(wc -l <"$test_tmpdir/events")" -eq 6 ] &&
    [ "$(cut -d"|" -f4 "$test_tmpdir/events" | sort -u)" = 1 ]'
  # Due = usable until - renew-within (3.5 days for staging); warning and
  # blocked by the policy.
  expected="2026-11-15T00:00:00Z|$PRODUCT container token renewal due: prod on acme.atlassian.net, run $NAME renew -C prod
2026-11-17T00:00:00Z|$PRODUCT container token warning from: prod on acme.atlassian.net, run $NAME renew -C prod
2026-11-22T00:00:00Z|$PRODUCT container token blocked from: prod on acme.atlassian.net, run $NAME renew -C prod
2026-11-20T12:00:00Z|$PRODUCT container token renewal due: staging on acme-sandbox.atlassian.net, run $NAME renew -C staging
2026-11-19T00:00:00Z|$PRODUCT container token warning from: staging on acme-sandbox.atlassian.net, run $NAME renew -C staging
2026-11-24T00:00:00Z|$PRODUCT container token blocked from: staging on acme-sandbox.atlassian.net, run $NAME renew -C staging"
  assert "$NAME: start times to the second; summaries name product, connection, site and command" \
    eval '[ "$(cut -d"|" -f2,3 "$test_tmpdir/events")" = "$expected" ]'
  assert "$NAME: six distinct UIDs" \
    eval '[ "$(cut -d"|" -f1 "$test_tmpdir/events" | sort -u | wc -l)" -eq 6 ]'
  cut -d'|' -f1 "$test_tmpdir/events" >"$test_tmpdir/$p.uids"

  # ---- a renewal moves the events, under the same UIDs ----
  run "$PROG" record $c -C prod --at 2026-11-12T00:00:00Z
  check "$NAME: record prod again" 0
  run "$PROG" status $c --at 2026-11-12T00:00:00Z -o ics --output-file "$ics"
  check "$NAME: ics after the renewal: exit 0" 0
  ics_summary "$ics" >"$test_tmpdir/events2" || true
  assert "$NAME: after a renewal: the same UIDs" eval \
    '[ "$(cut -d"|" -f1 "$test_tmpdir/events2")" = "$(cat "$test_tmpdir/$p.uids")" ]'
  assert "$NAME: after a renewal: prod's events moved by 11 days" eval '
    [ "$(cut -d"|" -f2 "$test_tmpdir/events2" | head -n 3 | tr "\n" " ")" = "2026-11-26T00:00:00Z 2026-11-28T00:00:00Z 2026-12-03T00:00:00Z " ]'

  # ---- status fails: no calendar printed, an existing file is kept ----
  cp "$ics" "$test_tmpdir/ics.before"
  run "$PROG" status $c -c "$test_tmpdir/missing.conf" -o ics
  check "$NAME: missing config: exit 3" 3
  assert "$NAME: missing config: nothing on stdout" stdout_empty
  run "$PROG" status $c -c "$test_tmpdir/missing.conf" -o ics --output-file "$ics"
  assert "$NAME: missing config: the calendar file is kept" cmp -s "$ics" "$test_tmpdir/ics.before"
done

assert "the two products' UIDs differ" eval \
  '[ -z "$(cat "$test_tmpdir/jcma.uids" "$test_tmpdir/ccma.uids" | sort | uniq -d)" ]'

# ---- a clock at the end of the range: every format says the same ----
# 0.1.0: text said "usable until 9999-12-31T23:59:59" with 20 days left,
# and iCalendar printed an empty DTSTART after a GLib-CRITICAL.
if command -v faketime >/dev/null 2>&1 &&
   [ "$(faketime '9999-12-31 23:59:59' date -u +%Y 2>/dev/null)" = 9999 ] &&
   # A sanitizer build refuses a preloaded library before its runtime.
   faketime '9999-12-31 23:59:59' "$JCMA" --version >/dev/null 2>&1; then
  use_product jcma
  st9="$test_tmpdir/y9999"
  for fmt in text json nagios prometheus ics; do
    run env TZ=UTC faketime -f '@9999-12-31 23:59:59' "$PROG" status --state-dir "$st9" \
      --cloud-url https://acme.atlassian.net -o "$fmt"
    check "year 9999: status -o $fmt: UNKNOWN, the clock out of range" 3 \
      "^$NAME: the clock \\(9999-12-31T23:59:5[0-9]Z\\) is outside the range a token's state can be computed in, "
    assert "year 9999: status -o $fmt: no GLib message" eval '! stderr_has "CRITICAL|WARNING \\*\\*"'
  done
  run env TZ=UTC faketime -f '@9999-12-31 23:59:59' "$PROG" record --state-dir "$st9" \
    --cloud-url https://acme.atlassian.net
  check "year 9999: record refuses rather than write dates no format shows" 64 "the clock"
else
  skip "year 9999: every format says the same" "faketime not installed, or not usable with this build"
fi

tap_done
