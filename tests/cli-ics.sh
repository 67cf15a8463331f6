#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-ics.sh: 'status -o ics' of both binaries, read back by a real
# RFC 5545 parser (python3-icalendar): one calendar, three events per
# connection with alarms, deadlines to the second, and UIDs that stay the
# same after a renewal so a subscribed calendar moves its events.

. "$(dirname "$0")/libtest.sh"

T=2026-11-01T00:00:00Z
require_past "$T"

# A Python 3 that has the icalendar module (Debian: python3-icalendar):
# the system's first, where that package puts it (a python3 earlier in
# PATH may be a pyenv shim, half a second of CPU per start).
PY=
for py in /usr/bin/python3 python3; do
  if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import icalendar' 2>/dev/null; then
    PY=$py
    break
  fi
done
[ -n "$PY" ] || skip_all "python3-icalendar not installed"

# ics_summary FILE: $events, a line per event, "UID|DTSTART|SUMMARY|ALARMS", after
# checking what the parser can: a single VCALENDAR with VERSION and PRODID,
# every event with UID, DTSTAMP, DTSTART, SUMMARY, DESCRIPTION and one
# VALARM that has ACTION, TRIGGER and DESCRIPTION. Fails on anything else,
# its traceback in $test_tmpdir/driver.err. One Python (driver_start)
# reads every file: it costs a tenth of a second of CPU to start.
ics_summary () {
  _saved_out=$out _saved_err=$err _saved_rc=$rc
  driver_ask "$1"
  events=$out _ics_rc=$rc
  out=$_saved_out err=$_saved_err rc=$_saved_rc
  return "$_ics_rc"
}

# event_fields: from $events, what cut -d'|' makes of its lines: $uids
# (-f1, the bytes cut writes), $uids_sub (the same as $(...) has it),
# $starts3 (-f2 of the first three lines, each followed by a blank),
# $starts_summaries ($(cut -f2,3)), $n_events (lines), $n_uids (distinct
# UIDs), $alarms (1 when -f4 is 1 on every line and there is one, as
# $(cut -f4 | sort -u) is then; else the -f4 values, a line each).
event_fields () {
  uids= starts3= starts_summaries= n_events=0 alarms= _other=
  while IFS= read -r _e; do
    [ -n "$events" ] || break
    n_events=$((n_events + 1))
    bar_fields "$_e"
    uids=$uids$f1$nl starts_summaries=$starts_summaries$f23$nl
    [ $n_events -gt 3 ] || starts3="$starts3$f2 "
    alarms=$alarms$f4$nl
    [ "$f4" = 1 ] || _other=yes
  done <<EOF
$events
EOF
  [ -n "$_other" ] || [ "$n_events" -eq 0 ] || alarms=1
  uids_sub=$uids
  strip_newlines uids_sub starts_summaries
  count_distinct "$uids"
  n_uids=$n_distinct
}

# strip_newlines VAR...: each VAR without its trailing newlines, as $(...).
strip_newlines () {
  for _v in "$@"; do
    eval "_x=\$$_v"
    while :; do case $_x in *"$nl") _x=${_x%"$nl"} ;; *) break ;; esac; done
    eval "$_v=\$_x"
  done
}

# count_distinct TEXT: $n_lines lines of TEXT (each ending in a newline,
# as in a file), $n_distinct of them different.
count_distinct () {
  n_lines=0 n_distinct=0 _seen=$nl
  [ -n "$1" ] || return 0
  while IFS= read -r _x; do
    n_lines=$((n_lines + 1))
    case $_seen in
      *"$nl$_x$nl"*) ;;
      *) n_distinct=$((n_distinct + 1)) _seen=$_seen$_x$nl ;;
    esac
  done <<EOF
${1%"$nl"}
EOF
}

# bar_fields LINE: cut -d'|' of LINE: $f1 $f2 $f4 (-f1 ...) and $f23
# (-f2,3); a line without a '|' is each of them whole.
bar_fields () {
  case $1 in
    *"|"*) ;;
    *) f1=$1 f2=$1 f4=$1 f23=$1; return 0 ;;
  esac
  _r=$1 f1= f2= f3= f4= _nf=0 _more=yes
  while [ -n "$_more" ]; do
    _nf=$((_nf + 1))
    case $_r in
      *"|"*) _fld=${_r%%"|"*} _r=${_r#*"|"} ;;
      *) _fld=$_r _more= ;;
    esac
    case $_nf in 1) f1=$_fld ;; 2) f2=$_fld ;; 3) f3=$_fld ;; 4) f4=$_fld ;; esac
  done
  f23=$f2
  [ $_nf -lt 3 ] || f23="$f2|$f3"
}
driver_start "$PY" -c '
import sys, traceback, icalendar
def summary(path):
    cal = icalendar.Calendar.from_ical(open(path, "rb").read())
    assert cal.name == "VCALENDAR", cal.name
    assert str(cal["VERSION"]) == "2.0" and "PRODID" in cal
    assert len([c for c in cal.walk() if c.name == "VCALENDAR"]) == 1
    for ev in cal.walk("VEVENT"):
        for key in ("UID", "DTSTAMP", "DTSTART", "SUMMARY", "DESCRIPTION"):
            assert key in ev, key
        alarms = ev.walk("VALARM")
        assert len(alarms) == 1
        for key in ("ACTION", "TRIGGER", "DESCRIPTION"):
            assert key in alarms[0], key
        start = ev["DTSTART"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        print("%s|%s|%s|%d" % (ev["UID"], start, ev["SUMMARY"], len(alarms)))
for line in sys.stdin:
    try:
        summary(line.rstrip("\n"))
        rc = 0
    except Exception:
        traceback.print_exc()
        rc = 1
    sys.stderr.flush()
    print("\036 %d" % rc)
    sys.stdout.flush()
'

# crlf_and_folded FILE: every line ends in CRLF and has at most 75 octets.
# The shell counts the lines ending in CR (grep -c) and the newlines (wc
# -l), and the length of each line without its CRs (tr -d '\r' | awk) when
# every character is printable ASCII, one octet; the commands otherwise.
crlf_and_folded () {
  _cr_lines=0 _nl_lines=0 _long=0 _done=
  while [ -z "$_done" ]; do
    IFS= read -r _l || _done=yes
    [ -z "$_done" ] || [ -n "$_l" ] || break
    [ -n "$_done" ] || _nl_lines=$((_nl_lines + 1))
    case $_l in *"$cr") _cr_lines=$((_cr_lines + 1)) ;; esac
    while :; do
      case $_l in *"$cr"*) _l=${_l%%"$cr"*}${_l#*"$cr"} ;; *) break ;; esac
    done
    case $_l in *[!\ -~]*) crlf_and_folded_cmd "$1"; return ;; esac
    [ ${#_l} -le 75 ] || _long=$((_long + 1))
  done <"$1"
  [ "$_cr_lines" -eq "$_nl_lines" ] && [ "$_long" -eq 0 ]
}
crlf_and_folded_cmd () {
  [ "$(grep -c "$cr\$" "$1")" -eq "$(wc -l <"$1")" ] &&
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
    ics_summary "$ics" && [ -z "$events" ]'

  # ---- renewals at T (prod) and T+2d (staging) ----
  run "$PROG" record $c -C prod --at "$T"
  check "$NAME: record prod" 0
  run "$PROG" record $c -C staging --at 2026-11-03T00:00:00Z
  check "$NAME: record staging" 0
  run "$PROG" status $c --at 2026-11-10T00:00:00Z -o ics --output-file "$ics"
  check "$NAME: ics: exit 0 (OK)" 0
  assert "$NAME: CRLF line endings, lines of at most 75 octets" crlf_and_folded "$ics"
  if ics_summary "$ics"; then
    ok "$NAME: python3-icalendar reads one calendar, every event with UID, DTSTAMP and an alarm"
  else
    not_ok "$NAME: python3-icalendar reads it"
    sed 's/^/# /' "$test_tmpdir/driver.err"
  fi
  event_fields
  assert "$NAME: six events, each with one alarm" eval '[ "$n_events" -eq 6 ] && [ "$alarms" = 1 ]'
  # Due = usable until - renew-within (3.5 days for staging); warning and
  # blocked by the policy.
  expected="2026-11-15T00:00:00Z|$PRODUCT container token renewal due: prod on acme.atlassian.net, run $NAME renew -C prod
2026-11-17T00:00:00Z|$PRODUCT container token warning from: prod on acme.atlassian.net, run $NAME renew -C prod
2026-11-22T00:00:00Z|$PRODUCT container token blocked from: prod on acme.atlassian.net, run $NAME renew -C prod
2026-11-20T12:00:00Z|$PRODUCT container token renewal due: staging on acme-sandbox.atlassian.net, run $NAME renew -C staging
2026-11-19T00:00:00Z|$PRODUCT container token warning from: staging on acme-sandbox.atlassian.net, run $NAME renew -C staging
2026-11-24T00:00:00Z|$PRODUCT container token blocked from: staging on acme-sandbox.atlassian.net, run $NAME renew -C staging"
  assert "$NAME: start times to the second; summaries name product, connection, site and command" \
    [ "$starts_summaries" = "$expected" ]
  assert "$NAME: six distinct UIDs" [ "$n_uids" -eq 6 ]
  eval "uids_$p=\$uids"

  # ---- a renewal moves the events, under the same UIDs ----
  run "$PROG" record $c -C prod --at 2026-11-12T00:00:00Z
  check "$NAME: record prod again" 0
  run "$PROG" status $c --at 2026-11-12T00:00:00Z -o ics --output-file "$ics"
  check "$NAME: ics after the renewal: exit 0" 0
  eval "before=\$uids_$p"
  strip_newlines before
  ics_summary "$ics" || true
  event_fields
  assert "$NAME: after a renewal: the same UIDs" [ "$uids_sub" = "$before" ]
  assert "$NAME: after a renewal: prod's events moved by 11 days" \
    [ "$starts3" = "2026-11-26T00:00:00Z 2026-11-28T00:00:00Z 2026-12-03T00:00:00Z " ]

  # ---- status fails: no calendar printed, an existing file is kept ----
  if read_all snap "$ics"; then printf '%s' "$snap" >"$test_tmpdir/ics.before"; else cp "$ics" "$test_tmpdir/ics.before"; fi
  run "$PROG" status $c -c "$test_tmpdir/missing.conf" -o ics
  check "$NAME: missing config: exit 3" 3
  assert "$NAME: missing config: nothing on stdout" stdout_empty
  run "$PROG" status $c -c "$test_tmpdir/missing.conf" -o ics --output-file "$ics"
  assert "$NAME: missing config: the calendar file is kept" same_bytes "$ics" "$test_tmpdir/ics.before"
done

# No line twice among both lists (sort | uniq -d prints nothing).
count_distinct "$uids_jcma$uids_ccma"
assert "the two products' UIDs differ" [ "$n_distinct" -eq "$n_lines" ]

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

driver_stop
tap_done
