#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-status.sh: 'status' of both binaries — the 21/16/5-day boundaries to
# the second in text, JSON and Nagios form, several connections, policy
# overrides and the UNKNOWN cases a monitoring system must see.

. "$(dirname "$0")/libtest.sh"

T=2026-11-01T00:00:00Z
CLOUD=https://acme.atlassian.net
require_past "$T"
uid=$(id -u)

# One line per instant after a renewal at T:
# at | exit | state | text phrase | Nagios phrase | perfdata value | JSON days_left
put "$test_tmpdir/boundaries" <<'EOF'
2026-11-01T00:00:00Z|0|OK|21.0 days left|expires in 21.0 days|1814400s|21
2026-11-16T23:59:59Z|0|OK|5.0 days left|expires in 5.0 days|432001s|5
2026-11-17T00:00:00Z|1|WARNING|5.0 days left|expires in 5.0 days|432000s|5
2026-11-17T00:00:01Z|1|WARNING|5.0 days left|expires in 5.0 days|431999s|5
2026-11-21T23:59:59Z|1|WARNING|0.1 days left|expires in 0.1 days|1s|0.1
2026-11-22T00:00:00Z|2|CRITICAL|expired just now|expired 0.0 days ago|0s|0
2026-11-22T00:00:01Z|2|CRITICAL|expired just now|expired 0.0 days ago|-1s|0
2026-12-01T00:00:00Z|2|CRITICAL|expired 9.0 days ago|expired 9.0 days ago|-777600s|-9
EOF

ISO_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
# SERVICE STATE - summary | 'label'=value;warn;crit;min;max ...
NAGIOS_RE="^[A-Z]+ TOKEN (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+ \\| ('[^']+'=(-?[0-9]+s|U);@~:[0-9]+;@~:[0-9]+;;[0-9]+ ?)+\$"

# perf_state: $pstate, the state the first perfdata item of the Nagios
# line in $out means under the plugin guidelines' range rules
# ("[@]start:end", start "~" for minus infinity, an empty end for plus
# infinity; without "@" alert outside the range, with "@" alert inside it,
# ends included). The shell's arithmetic for integers (every line here),
# perf_state_awk for anything else.
perf_state () {
  pstate=
  case $out in *"$nl"*) ;; *) perf_state_sh ;; esac
  [ -n "$pstate" ] || pstate=$(perf_state_awk)
}

# perf_state_sh: perf_state for a line of integers; $pstate empty otherwise.
# The item as perf_state_awk's sed cuts it, its unit letters off as awk
# takes them (U too, leaving 0).
perf_state_sh () {
  _pd=${out##*| }
  _pd=${_pd%% *}
  IFS=';' read -r _pv _pw _pc _ <<EOF
${_pd#*=}
EOF
  while :; do
    case $_pv in *[a-zA-Z%]) _pv=${_pv%?} ;; *) break ;; esac
  done
  is_int "${_pv:-0}" || return 0
  for _ps in "$_pc CRITICAL" "$_pw WARNING"; do
    _pa=0
    perf_alerts "${_pv:-0}" "${_ps% *}" || _pa=$?
    case $_pa in
      0) pstate=${_ps##* }; return 0 ;;
      2) return 0 ;;
    esac
  done
  pstate=OK
}

# is_int TEXT: TEXT is an integer the shell and awk read alike.
is_int () {
  case $1 in
    0) return 0 ;;
    -[1-9]* | [1-9]*) case ${1#-} in *[!0-9]*) return 1 ;; esac ;;
    *) return 1 ;;
  esac
  [ ${#1} -le 15 ]
}

# perf_alerts V RANGE: 0 when the integer V alerts under RANGE, 1 when
# not, 2 when RANGE is not of integers.
perf_alerts () {
  _r=${2#@}
  [ -n "$_r" ] || return 1
  case $_r in *:*) ;; *) _r=0:$_r ;; esac
  _lo=${_r%%:*} _hi=${_r#*:}
  if ! { [ "$_lo" = "~" ] || is_int "$_lo"; } || ! { [ -z "$_hi" ] || is_int "$_hi"; }; then
    return 2
  fi
  case $2 in
    @*) { [ "$_lo" = "~" ] || [ "$1" -ge "$_lo" ]; } && { [ -z "$_hi" ] || [ "$1" -le "$_hi" ]; } ;;
    *) { [ "$_lo" != "~" ] && [ "$1" -lt "$_lo" ]; } || { [ -n "$_hi" ] && [ "$1" -gt "$_hi" ]; } ;;
  esac
}

perf_state_awk () {
  printf '%s\n' "$out" | sed 's/.*| //; s/ .*//; s/^[^=]*=//' | awk -F';' '
    function alerts(v, r,   inside, lo, hi, n, p) {
      inside = sub(/^@/, "", r)
      if (r == "") return 0
      if (index(r, ":") == 0) r = "0:" r
      n = split(r, p, ":"); lo = p[1]; hi = p[2]
      if (lo == "~") lo = "-inf"
      if (!inside) return (lo != "-inf" && v < lo + 0) || (hi != "" && v > hi + 0)
      return (lo == "-inf" || v >= lo + 0) && (hi == "" || v <= hi + 0)
    }
    { v = $1; sub(/[a-zA-Z%]+$/, "", v); if (v != "U") v = v + 0
      if (v == "U") print "UNKNOWN"
      else if (alerts(v, $3)) print "CRITICAL"
      else if (alerts(v, $2)) print "WARNING"
      else print "OK" }'
}

for p in $PRODUCTS; do
  use_product "$p"
  st="$test_tmpdir/$p-state"
  one="--state-dir $st --cloud-url $CLOUD"

  # ---- nothing recorded ----
  run "$PROG" status $one --at "$T"
  check "$NAME: nothing recorded, text: UNKNOWN" 3 '^default: UNKNOWN, no renewal recorded$'
  run "$PROG" status $one --at "$T" -o nagios
  check "$NAME: nothing recorded, nagios: exit 3" 3
  assert "$NAME: nothing recorded, nagios line" \
    stdout_is "$ABBREV TOKEN UNKNOWN - default has no renewal recorded | 'default_seconds_left'=U;@~:432000;@~:0;;1814400"
  run "$PROG" status $one --at "$T" -o json
  check "$NAME: nothing recorded, json: exit 3" 3
  check_jq_later "$NAME: nothing recorded, json: UNKNOWN with nulls" \
    --arg at "$T" --arg srv "$DEFAULT_SERVER" '
      .state == "UNKNOWN" and .at == $at and (.connections | length) == 1 and
      (.connections[0] | .name == "default" and .state == "UNKNOWN" and
        .server_url == $srv and .cloud_url == "https://acme.atlassian.net/" and
        .last_renewed == null and .last_method == null and
        .warning_from == null and .usable_until == null and .days_left == null)'

  # ---- one renewal at T, every boundary ----
  run "$PROG" record $one --at "$T"
  check "$NAME: record renewal at $T" 0 '^Recorded renewal of default'

  while IFS='|' read -r at code state phrase nphrase perf days <&3; do
    # 2026-11-17T00:00:01Z is shown as 2026-11-17 00:00 UTC.
    when=${at%:??Z}
    when="${when%T*} ${when#*T} UTC"
    re_quote_to phrase_re "$phrase"
    run "$PROG" status $one --at "$at"
    check "$NAME: $at text: $state (exit $code)" "$code" "^default: $state, $phrase_re\$"
    assert "$NAME: $at text: evaluation time" stdout_fixed "Container token status at $when"
    assert "$NAME: $at text: deadlines and last renewal" eval '
      stdout_has "^  warning from: +2026-11-17 00:00 UTC\$" &&
      stdout_has "^  usable until: +2026-11-22 00:00 UTC\$" &&
      stdout_has "^  last renewed: +2026-11-01 00:00 UTC \\(manual by " &&
      stdout_has "^  cloud site: +https://acme\\.atlassian\\.net/\$" &&
      stdout_has "^  server: +$DEFAULT_SERVER\$"'

    run "$PROG" status $one --at "$at" -o nagios
    check "$NAME: $at nagios: exit $code" "$code"
    assert "$NAME: $at nagios: whole line" stdout_is \
      "$ABBREV TOKEN $state - default $nphrase (2026-11-22T00:00:00Z) | 'default_seconds_left'=$perf;@~:432000;@~:0;;1814400"
    assert "$NAME: $at nagios: a single line in plugin format" eval \
      'case $out in *"$nl"*) false ;; esac && stdout_has "$NAGIOS_RE"'
    assert "$NAME: $at nagios: perfdata ranges say $state too" eval 'perf_state && [ "$pstate" = "$state" ]'

    run "$PROG" status $one --at "$at" -o json
    check "$NAME: $at json: exit $code" "$code"
    check_jq_later "$NAME: $at json: fields" \
      --arg at "$at" --arg state "$state" --argjson days "$days" --arg srv "$DEFAULT_SERVER" '
        .state == $state and .at == $at and (.connections | length) == 1 and
        (.connections[0] | .name == "default" and .state == $state and
          .server_url == $srv and .cloud_url == "https://acme.atlassian.net/" and
          .last_renewed == "2026-11-01T00:00:00Z" and .last_method == "manual" and
          .warning_from == "2026-11-17T00:00:00Z" and
          .usable_until == "2026-11-22T00:00:00Z" and .days_left == $days)'
    check_jq_later "$NAME: $at json: every instant is UTC with Z" --arg re "$ISO_RE" '
        [.at, (.connections[] | .last_renewed, .warning_from, .usable_until)] |
        all(type == "string" and test($re))'
  done 3<"$test_tmpdir/boundaries"

  # The KB's wording: the first warning comes with 5 days left.
  run "$PROG" status $one --at 2026-11-17T00:00:00Z -o nagios
  check "$NAME: first WARNING says 'expires in 5.0 days' with perfdata" 1 \
    "^$ABBREV TOKEN WARNING - default expires in 5\\.0 days .*\\| 'default_seconds_left'=432000s;@~:432000;@~:0;;1814400\$"

  # ---- JSON numbers as people read them, without binary tails ----
  # 3 days 4 h 29 min left: 3.18680... days, 3.2 in the text.
  run "$PROG" status $one --at 2026-11-18T19:31:00Z -o json
  check "$NAME: json days_left is rounded like the text" 1 '^      "days_left" : 3\.2,$'
  run "$PROG" status $one --at 2026-11-18T19:31:00Z
  check "$NAME: text days_left for the same instant" 1 '^default: WARNING, 3\.2 days left$'
  # One rounding rule for every format: time still left is never 0.0.
  run "$PROG" status $one --at 2026-11-21T23:58:00Z -o json
  check "$NAME: json: two minutes left is 0.1, not 0.0014 nor 0.0" 1 '^      "days_left" : 0\.1,$'
  run "$PROG" status $one --at 2026-11-21T23:58:00Z
  check "$NAME: text: two minutes left is 0.1, as json says" 1 '^default: WARNING, 0\.1 days left$'

  # ---- -q and bad --output ----
  run "$PROG" status $one --at 2026-11-17T00:00:00Z -q
  check "$NAME: -q text: exit still WARNING" 1
  assert "$NAME: -q text prints nothing" eval 'stdout_empty && stderr_empty'
  run "$PROG" status $one --at 2026-11-22T00:00:00Z --quiet
  check "$NAME: --quiet text: exit still CRITICAL" 2
  assert "$NAME: --quiet text prints nothing" stdout_empty
  run "$PROG" status $one --at 2026-11-17T00:00:00Z -q -o nagios
  check "$NAME: -q nagios still prints the plugin line" 1 "^$ABBREV TOKEN WARNING - "
  run "$PROG" status $one --at "$T" -o xml
  check "$NAME: --output xml: UNKNOWN" 3 "unknown output format 'xml'"
  assert "$NAME: --output xml: nothing on stdout" stdout_empty
  run "$PROG" status $one --at "$T" --output=NAGIOS
  check "$NAME: --output is case-sensitive (NAGIOS refused)" 3 "unknown output format"
  run "$PROG" status $one --at yesterday-ish -o nagios
  check "$NAME: invalid --at: UNKNOWN" 3 "invalid time 'yesterday-ish'"

  # ---- --at forms ----
  run "$PROG" status $one --at 2026-11-17T01:00:00+01:00 -o nagios
  check "$NAME: --at with offset equals T+16d: WARNING" 1 " 5\\.0 days "
  run "$PROG" status $one --at 2026-11-16T23:59 -o json
  check "$NAME: --at without seconds (local = UTC): OK" 0
  check_jq_later "$NAME: --at without seconds is read as :00" '.at == "2026-11-16T23:59:00Z"'
  run "$PROG" status $one --at 2026-11-17 -o json
  check "$NAME: --at date only is local midnight: WARNING" 1
  check_jq_later "$NAME: --at date only: at is midnight" '.at == "2026-11-17T00:00:00Z"'

  # ---- policy overrides on the command line ----
  # lifetime 30, warning 10, critical 2: usable until T+30d, warning from
  # T+20d, critical from T+28d.
  pol="--lifetime-days 30 --warning-days 10 --critical-days 2"
  run "$PROG" status $one $pol --at 2026-11-20T23:59:59Z -o nagios
  check "$NAME: overridden policy: OK just before T+20d" 0 \
    "^$ABBREV TOKEN OK - default expires in 10\\.0 days \\(2026-12-01T00:00:00Z\\) \\| 'default_seconds_left'=864001s;@~:864000;@~:172800;;2592000\$"
  run "$PROG" status $one $pol --at 2026-11-21T00:00:00Z -o nagios
  check "$NAME: overridden policy: WARNING at T+20d" 1 \
    "^$ABBREV TOKEN WARNING - default expires in 10\\.0 days .*'default_seconds_left'=864000s;@~:864000;@~:172800;;2592000\$"
  run "$PROG" status $one $pol --at 2026-11-28T23:59:59Z
  check "$NAME: overridden policy: WARNING just before T+28d" 1 '^default: WARNING, 2\.0 days left$'
  run "$PROG" status $one $pol --at 2026-11-29T00:00:00Z -o json
  check "$NAME: overridden policy: CRITICAL at T+28d" 2
  check_jq_later "$NAME: overridden policy: json deadlines" '
    .connections[0] | .state == "CRITICAL" and .days_left == 2 and
    .warning_from == "2026-11-21T00:00:00Z" and .usable_until == "2026-12-01T00:00:00Z"'
  run "$PROG" status $one --warning-days 0.5 --at 2026-11-21T11:59:59Z
  check "$NAME: fractional --warning-days 0.5: OK 12h01s before" 0 '^default: OK, 0\.5 days left$'
  run "$PROG" status $one --warning-days 0.5 --at 2026-11-21T12:00:00Z
  check "$NAME: fractional --warning-days 0.5: WARNING 12h before" 1 '^default: WARNING, 0\.5 days left$'
  run "$PROG" status $one --warning-days 25 --at "$T" -o nagios
  check "$NAME: warning >= lifetime refused: UNKNOWN" 3 'thresholds must satisfy'
  assert "$NAME: refused policy still gives a nagios UNKNOWN line" stdout_has "^$ABBREV TOKEN UNKNOWN - "
  run "$PROG" status $one --lifetime-days soon --at "$T"
  check "$NAME: --lifetime-days soon: UNKNOWN" 3 'number of days'
  run "$PROG" status $one --critical-days -1 --at "$T"
  check "$NAME: --critical-days -1: UNKNOWN" 3

  # ---- policy in the configuration's [defaults] ----
  conf="$test_tmpdir/$p-policy.conf"
  put "$conf" <<EOF
[defaults]
lifetime-days = 30
warning-days = 10
critical-days = 2

[connection main]
cloud-url = $CLOUD
EOF
  run "$PROG" status --state-dir "$st" -c "$conf" --at 2026-11-20T23:59:59Z -o nagios
  check "$NAME: [defaults] policy: OK before T+20d (renewal matched by URLs)" 0 \
    "^$ABBREV TOKEN OK - main expires in 10\\.0 days \\(2026-12-01T00:00:00Z\\) \\| 'main_seconds_left'=864001s;@~:864000;@~:172800;;2592000\$"
  run "$PROG" status --state-dir "$st" -c "$conf" --at 2026-11-21T00:00:00Z
  check "$NAME: [defaults] policy: WARNING at T+20d" 1 '^main: WARNING, 10\.0 days left$'
  run "$PROG" status --state-dir "$st" -c "$conf" --at 2026-11-29T00:00:00Z
  check "$NAME: [defaults] policy: CRITICAL at T+28d" 2 '^main: CRITICAL, 2\.0 days left$'
  run "$PROG" status --state-dir "$st" -c "$conf" --warning-days 3 --at 2026-11-21T00:00:00Z
  check "$NAME: command line beats [defaults]" 0 '^main: OK, 10\.0 days left$'

  # ---- several connections: worst wins, problems listed first ----
  # UNKNOWN comes before WARNING in the file, so WARNING must win on rank.
  st2="$test_tmpdir/$p-multi"
  conf="$test_tmpdir/$p-multi.conf"
  put "$conf" <<EOF
[connection test]
server-url = https://test.example.com/
cloud-url = https://acme-sandbox.atlassian.net/

[connection new]
server-url = https://new.example.com/
cloud-url = https://acme-new.atlassian.net/

[connection prod]
server-url = https://prod.example.com/
cloud-url = https://acme.atlassian.net/
EOF
  m="--state-dir $st2 -c $conf"
  run "$PROG" record $m -C prod --at "$T"
  check "$NAME: multi: record prod at T" 0
  run "$PROG" record $m -C test --at 2026-11-11T00:00:00Z
  check "$NAME: multi: record test at T+10d" 0
  perf="'test_seconds_left'=1296000s;@~:432000;@~:0;;1814400 'new_seconds_left'=U;@~:432000;@~:0;;1814400 'prod_seconds_left'=432000s;@~:432000;@~:0;;1814400"
  run "$PROG" status $m --at 2026-11-17T00:00:00Z -o nagios
  check "$NAME: multi: WARNING beats UNKNOWN and OK" 1
  assert "$NAME: multi: nagios lists the worst first, perfdata in file order" stdout_is \
    "$ABBREV TOKEN WARNING - prod expires in 5.0 days (2026-11-22T00:00:00Z), new has no renewal recorded, test expires in 15.0 days (2026-12-02T00:00:00Z) | $perf"
  run "$PROG" status $m --at 2026-11-17T00:00:00Z -o json
  check "$NAME: multi json: exit WARNING" 1
  check_jq_later "$NAME: multi json: every connection in file order with its state" '
    .state == "WARNING" and
    ([.connections[] | [.name, .state]] ==
      [["test", "OK"], ["new", "UNKNOWN"], ["prod", "WARNING"]]) and
    .connections[1].last_renewed == null and .connections[0].last_renewed == "2026-11-11T00:00:00Z"'
  run "$PROG" status $m --at 2026-11-17T00:00:00Z
  check "$NAME: multi text: each connection" 1
  assert "$NAME: multi text: all three states shown" eval '
    stdout_has "^test: OK, 15\\.0 days left\$" &&
    stdout_has "^prod: WARNING, 5\\.0 days left\$" &&
    stdout_has "^new: UNKNOWN, no renewal recorded\$"'
  run "$PROG" status $m --at 2026-11-22T00:00:00Z -o nagios
  check "$NAME: multi: CRITICAL beats everything, and is named first" 2 "^$ABBREV TOKEN CRITICAL - prod expired 0\\.0 days ago \\(2026-11-22T00:00:00Z\\), new has no renewal recorded"
  run "$PROG" status $m -C test -C new --at 2026-11-17T00:00:00Z -o nagios
  check "$NAME: multi: UNKNOWN beats OK" 3 \
    "^$ABBREV TOKEN UNKNOWN - new has no renewal recorded, test expires in 15\\.0 days"
  run "$PROG" status $m -C test --at 2026-11-17T00:00:00Z -o nagios
  check "$NAME: multi: -C test alone is OK" 0 \
    "^$ABBREV TOKEN OK - test expires in 15\\.0 days \\(2026-12-02T00:00:00Z\\) \\| 'test_seconds_left'=1296000s;@~:432000;@~:0;;1814400\$"

  # ---- corrupt ledger ----
  st3="$test_tmpdir/$p-corrupt"
  run "$PROG" record --state-dir "$st3" --cloud-url "$CLOUD" --at "$T"
  check "$NAME: corrupt: first record" 0
  ledger="$st3/$NAME.ledger"
  printf '{"at":"2026-11-0' >>"$ledger"
  cp "$ledger" "$test_tmpdir/ledger.before"
  # One damaged line must not make every status UNKNOWN: it is skipped,
  # with a warning naming it, and the other lines decide.
  run "$PROG" status --state-dir "$st3" --cloud-url "$CLOUD" --at "$T" -o nagios
  check "$NAME: damaged line, nagios: decided by the other lines" 0
  assert "$NAME: damaged line, nagios: OK line on stdout" stdout_has "^$ABBREV TOKEN OK - "
  assert "$NAME: damaged line, nagios: PATH:LINE on stderr" \
    stderr_has "^$NAME: warning: $ledger:2: truncated record"
  run "$PROG" status --state-dir "$st3" --cloud-url "$CLOUD" --at "$T"
  check "$NAME: damaged line, text: warns with PATH:LINE" 0 "^$NAME: warning: $ledger:2: "
  run "$PROG" status --state-dir "$st3" --cloud-url "$CLOUD" --at "$T" -o json
  check "$NAME: damaged line, json: warns with PATH:LINE" 0 "$ledger:2: "
  assert "$NAME: corrupt ledger left as it was" cmp -s "$ledger" "$test_tmpdir/ledger.before"

  # ---- no connection at all ----
  run "$PROG" status --state-dir "$st" -c /dev/null -o nagios
  check "$NAME: no connection configured: UNKNOWN" 3 \
    "^$NAME: no connection configured in /dev/null: add a \\[connection NAME\\] group .*or pass --cloud-url URL\$"
  assert "$NAME: no connection configured: nagios line" stdout_has "^$ABBREV TOKEN UNKNOWN - no connection configured"
  run "$PROG" status -v --state-dir "$st"
  after_prefix looked "$NAME: configuration: " "$err"
  re_quote_to looked_re "$looked"
  check "$NAME: no configuration file: names the file it looked for" 3 \
    "^$NAME: no connection configured: $looked_re does not exist"
  assert "$NAME: no configuration file: the default path" eval 'case $looked in */cma-token/$NAME.conf) true ;; *) false ;; esac'
  if [ "$uid" -ne 0 ]; then
    assert "$NAME: no configuration file: says where root would look" stderr_has "\\(root reads /.*/cma-token/$NAME\\.conf\\)"
  fi
  run "$PROG" record --state-dir "$st"
  check "$NAME: record without a connection: configuration error naming the file" 78 \
    "no connection configured: .*$NAME\\.conf does not exist"
done

# ---- --at in the past sees only what was recorded by then ----
for p in $PRODUCTS; do
  use_product "$p"
  one="--state-dir $test_tmpdir/$p-past --cloud-url $CLOUD"
  run "$PROG" record $one --at 2026-11-10T00:00:00Z
  check "$NAME: past: record 2026-11-10" 0
  run "$PROG" record $one --at 2026-11-20T00:00:00Z
  check "$NAME: past: record 2026-11-20" 0
  run "$PROG" status $one --at 2026-11-01T00:00:00Z
  check "$NAME: past: before the first renewal: UNKNOWN" 3 '^default: UNKNOWN, nothing recorded by then$'
  assert "$NAME: past: no 'renew now' advice for a past instant" stdout_lacks 'renew the token now'
  run "$PROG" status $one --at 2026-11-01T00:00:00Z -o nagios
  check "$NAME: past: nagios before the first renewal: UNKNOWN" 3
  assert "$NAME: past: nagios says nothing recorded by then" stdout_is \
    "$ABBREV TOKEN UNKNOWN - default has nothing recorded by then | 'default_seconds_left'=U;@~:432000;@~:0;;1814400"
  run "$PROG" status $one --at 2026-11-09T23:59:59Z -o json
  check "$NAME: past: one second before the first renewal: UNKNOWN" 3
  check_jq_later "$NAME: past: json nulls before the first renewal" \
    '.connections[0] | .state == "UNKNOWN" and .last_renewed == null and .days_left == null'
  run "$PROG" status $one --at 2026-11-10T00:00:00Z
  check "$NAME: past: at the first renewal: 21 days, not more" 0 '^default: OK, 21\.0 days left$'
  run "$PROG" status $one --at 2026-11-19T23:59:59Z
  check "$NAME: past: a second before the second renewal: 11 days" 0 '^default: OK, 11\.0 days left$'
  assert "$NAME: past: last renewed is the first one" stdout_has '^  last renewed: +2026-11-10 00:00 UTC'
  run "$PROG" status $one --at 2026-11-20T00:00:00Z
  check "$NAME: past: at the second renewal: 21 days" 0 '^default: OK, 21\.0 days left$'
done

# ---- --at relative to now, and @EPOCH ----
for p in $PRODUCTS; do
  use_product "$p"
  one="--state-dir $test_tmpdir/$p-relative --cloud-url $CLOUD"
  run "$PROG" record $one --at -2d
  check "$NAME: record --at -2d" 0 '^Recorded renewal of default'
  run "$PROG" status $one --at now
  check "$NAME: status --at now: 19 days left" 0 '^default: OK, 19\.0 days left$'
  run "$PROG" status $one --at +13d
  check "$NAME: status --at +13d: still OK in 13 days" 0 '^default: OK, 6\.0 days left$'
  run "$PROG" status $one --at +15d -o nagios
  check "$NAME: status --at +15d: WARNING in 15 days" 1 ' expires in 4\.0 days '
  run "$PROG" status $one --at +36h
  check "$NAME: status --at +36h" 0 '^default: OK, 17\.5 days left$'
  run "$PROG" status $one --at -3d
  check "$NAME: status --at -3d: before the renewal, nothing recorded by then" 3 'nothing recorded by then'
  run "$PROG" status --state-dir "$test_tmpdir/$p-state" --cloud-url $CLOUD --at @1795305600 -o json
  check "$NAME: status --at @EPOCH (2026-11-22T00:00:00Z): CRITICAL" 2 '"at" : "2026-11-22T00:00:00Z"'
  run "$PROG" status $one --at +14x
  check "$NAME: status --at +14x: refused, naming every form" 3 \
    "invalid time '\\+14x': use an ISO 8601 date .*2026-12-01T09:30:00Z; or now, an offset from now such as \\+14d, -3d or \\+36h"
  run "$PROG" record $one --at +1d
  check "$NAME: record --at +1d: the future is refused" 64
done

# ---- a decimal-comma locale: the Nagios line is parsed, so it keeps '.' ----
# A German locale built here (glibc's setlocale leaks its LOCPATH under
# LeakSanitizer, hence detect_leaks=0 for these runs only), once per build
# tree: localedef takes seconds of CPU (make clean removes it).
loc="$top_builddir/tests/locale"
build_locale () {
  [ -d "$loc/de_DE.UTF-8" ] && return 0
  _new=$(mktemp -d "$top_builddir/tests/locale.XXXXXX") || return 1
  if localedef -i de_DE -f UTF-8 "$_new/de_DE.UTF-8" >/dev/null 2>&1; then
    mkdir -p "$loc"
    # Another check running beside this one may have been quicker.
    mv -T "$_new/de_DE.UTF-8" "$loc/de_DE.UTF-8" 2>/dev/null || true
  fi
  rm -rf "$_new"
  [ -d "$loc/de_DE.UTF-8" ]
}
if build_locale; then
  de () {
    run env LOCPATH="$loc" LC_ALL=de_DE.UTF-8 \
      ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$@"
  }
  for p in $PRODUCTS; do
    use_product "$p"
    one="--state-dir $test_tmpdir/$p-state --cloud-url $CLOUD"
    pol="--warning-days 5.5 --critical-days 0.5"
    de "$PROG" status $one $pol --at 2026-11-18T03:00:00Z
    if ! stdout_has '3,9 days left'; then
      skip "$NAME: de_DE: nagios keeps a decimal point" "the locale did not take effect"
      continue
    fi
    de "$PROG" status $one $pol --at 2026-11-18T03:00:00Z -o nagios
    check "$NAME: de_DE: nagios exit 1" 1
    assert "$NAME: de_DE: nagios keeps a decimal point in summary and perfdata" stdout_is \
      "$ABBREV TOKEN WARNING - default expires in 3.9 days (2026-11-22T00:00:00Z) | 'default_seconds_left'=334800s;@~:475200;@~:43200;;1814400"
  done
else
  skip "decimal-comma locale" "localedef cannot build de_DE.UTF-8"
fi

tap_done
