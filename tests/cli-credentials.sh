#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-credentials.sh: a cloud API token about to expire (cloud-token-expires)
# turns status WARNING 30 days ahead (credential-warning-days), CRITICAL
# once expired, to the second, in text, JSON, Nagios and Prometheus form;
# the PAT's expiry the server gave renew or doctor (PROG.facts), as of
# when, in every offline output.
. "$(dirname "$0")/libtest.sh"

T=2026-10-01T00:00:00Z
require_past 2026-11-15T00:00:00Z
CONF="$test_tmpdir/cred.conf"
put "$CONF" <<EOC
[defaults]
cloud-token-expires = 2026-11-15T00:00:00Z

[connection prod]
server-url = https://jira.example.com/
cloud-url = https://acme.atlassian.net
EOC
EXPIRES_EPOCH=1794700800

# unfold_ics: $ics, $out without its CRs and with each line break
# followed by a blank removed (RFC 5545 unfolding), as
# tr -d '\r' | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n //g' has it: a line
# that starts with a blank joins the one before, without that blank.
unfold_ics () {
  no_cr ics "$out"
  _ics= _n=0
  while IFS= read -r _l; do
    _n=$((_n + 1))
    if [ $_n -eq 1 ]; then
      _ics=$_l
    else
      case $_l in
        " "*) _ics=$_ics${_l# } ;;
        *) _ics=$_ics$nl$_l ;;
      esac
    fi
  done <<EOF
$ics
EOF
  ics=$_ics
}

# with_line FILE LINE: FILE's lines with LINE after "[connection prod]", as
# sed 's/^\[connection prod\]$/&\nLINE/' prints them.
with_line () {
  while IFS= read -r _l || [ -n "$_l" ]; do
    printf '%s\n' "$_l"
    [ "$_l" != "[connection prod]" ] || printf '%s\n' "$2"
  done <"$1"
}
# The same for every product.
with_line "$CONF" "credential-warning-days = 7" >"$CONF.7"
with_line "$CONF" "server-token-expires = 2026-11-20T12:00:00Z" >"$CONF.pat"

for p in $PRODUCTS; do
  use_product "$p"
  s="-c $CONF --state-dir $test_tmpdir/state-$p"
  run "$PROG" record $s --at "$T"
  check "$NAME: renewal recorded at $T" 0

  # The container token itself is fine (6.0 days left).
  run "$PROG" status $s --at 2026-10-15T23:59:59Z
  check "$NAME: 30 days and a second before: OK" 0 "^prod: OK, "
  assert "$NAME: ... and the expiry is shown" \
    stdout_has "^  cloud API token expires in 30\.0 days \(2026-11-15 00:00 UTC, from cloud-token-expires\)\$"

  run "$PROG" status $s --at 2026-10-16T00:00:00Z
  check "$NAME: exactly 30 days before: WARNING" 1 "^prod: WARNING, 6\.0 days left\$"
  assert "$NAME: text: the reason and the fix" \
    stdout_has "^  cloud API token expires in 30\.0 days \(2026-11-15 00:00 UTC, from cloud-token-expires\): replace it before renewals fail, and update the date\$"
  run "$PROG" status $s --at 2026-10-16T00:00:00Z -o json
  check "$NAME: json: exit 1" 1
  check_jq_later "$NAME: json: credentials with name, expires, days_left, source, as_of, state" '
    .state == "WARNING" and .connections[0].state == "WARNING" and
    .connections[0].credentials == [{"name": "cloud API token", "expires": "2026-11-15T00:00:00Z",
      "days_left": 30, "source": "cloud-token-expires", "as_of": null, "state": "WARNING"}]'
  # The one rounding rule of every format: one decimal, not 29.9931.
  run "$PROG" status $s --at 2026-10-16T00:10:00Z -o json
  check_jq_later "$NAME: json: a credential's days_left has one decimal, as the text" \
    '.connections[0].credentials[0].days_left == 30'
  run "$PROG" status $s --at 2026-11-14T23:59:59Z -o json
  check_jq_later "$NAME: json: a second before the credential expires: 0.1, as text and nagios" \
    '.connections[0].credentials[0].days_left == 0.1'
  run "$PROG" status $s --at 2026-11-14T23:59:59Z
  assert "$NAME: text: a second before the credential expires: 0.1 days" \
    stdout_has "^  cloud API token expires in 0\.1 days "
  run "$PROG" status $s --at 2026-10-16T00:00:00Z -o nagios
  check "$NAME: nagios: WARNING with the reason" 1 \
    "^$ABBREV TOKEN WARNING - prod expires in 6\.0 days \([^)]*\), cloud API token expires in 30\.0 days \(2026-11-15T00:00:00Z, from cloud-token-expires\) \| "
  run "$PROG" status $s --at 2026-10-16T00:00:00Z -o prometheus
  check "$NAME: prometheus: exit 1" 1
  assert "$NAME: prometheus: the credential's expiry as a timestamp" \
    stdout_has "^cma_token_credential_expiry_timestamp_seconds\{product=\"[a-z]+\",connection=\"prod\",.*,credential=\"cloud API token\"\} $EXPIRES_EPOCH\$"

  # credential-warning-days moves the threshold; per connection. A new
  # renewal keeps the container token itself OK from here on.
  run "$PROG" record $s --at 2026-11-01T00:00:00Z
  check "$NAME: renewal recorded on 2026-11-01" 0
  run "$PROG" status -c "$CONF.7" --state-dir "$test_tmpdir/state-$p" --at 2026-11-07T23:59:59Z
  check "$NAME: credential-warning-days = 7: 7 days and a second before: OK" 0 "^prod: OK"
  run "$PROG" status -c "$CONF.7" --state-dir "$test_tmpdir/state-$p" --at 2026-11-08T00:00:00Z
  check "$NAME: credential-warning-days = 7: exactly 7 days before: WARNING" 1 "^prod: WARNING"

  # Expired: renewals can no longer succeed.
  run "$PROG" status $s --at 2026-11-14T23:59:59Z
  check "$NAME: a second before expiry: WARNING" 1 "^prod: WARNING"
  run "$PROG" status $s --at 2026-11-15T00:00:00Z
  check "$NAME: at expiry: CRITICAL" 2 "^prod: CRITICAL, 7\.0 days left\$"
  assert "$NAME: ... saying it expired" \
    stdout_has "^  cloud API token expired 0\.0 days ago \(2026-11-15 00:00 UTC, from cloud-token-expires\)"

  # The server's personal access token too, each with its own source.
  run "$PROG" status -c "$CONF.pat" --state-dir "$test_tmpdir/state-$p" --at 2026-11-14T12:00:00Z -o json
  check "$NAME: server-token-expires: json: exit 1" 1
  check_jq_later "$NAME: server-token-expires: both credentials, each with its source" '
    [.connections[0].credentials[] | [.name, .source, .days_left, .state]] ==
      [["cloud API token", "cloud-token-expires", 0.5, "WARNING"],
       ["server personal access token", "server-token-expires", 6, "WARNING"]]'

  # The PAT's expiry as the server's token list gave it to renew or
  # doctor (PROG.facts, written here by hand): every offline output says
  # it, as of the instant it was read; server-token-expires wins.
  fst="$test_tmpdir/facts-$p"
  fs="-c $test_tmpdir/facts.conf --state-dir $fst"
  printf '[connection prod]\nserver-url = https://jira.example.com/\ncloud-url = https://acme.atlassian.net\n' \
    >"$test_tmpdir/facts.conf"
  run "$PROG" record $fs
  check "$NAME: facts: renewal recorded now" 0
  now_to now
  iso_at_to read_at $((now - 3600))
  iso_at_to pat_expires $((now + 5 * 86400 + 600))
  put "$fst/$NAME.facts" <<EOF
{"facts": [{"connection": "prod", "server_url": "https://jira.example.com/",
  "cloud_url": "https://acme.atlassian.net/",
  "server_token": {"read_at": "$read_at", "expires": true, "expires_at": "$pat_expires",
                   "name": "renewals", "match": "the only token of this user"}}]}
EOF
  # $(date -u -d "$read_at" '+%Y-%m-%d %H:%M'): its day, hour and minute.
  read_at_min=${read_at%:??Z}
  as_of="from the server's token list as of ${read_at_min%T*} ${read_at_min#*T} UTC"
  run "$PROG" status $fs
  check "$NAME: facts: text: WARNING" 1 "^prod: WARNING, 21\.0 days left\$"
  assert "$NAME: facts: text: as of when it was read" \
    stdout_has "^  server personal access token expires in 5\.0 days \(.*, $as_of\): replace it"
  run "$PROG" status $fs -o nagios
  check "$NAME: facts: nagios: WARNING with the phrase" 1 \
    "^$ABBREV TOKEN WARNING - .*server personal access token expires in 5\.0 days \($pat_expires, from the server's token list as of $read_at\) \| "
  run "$PROG" status $fs -o prometheus
  assert "$NAME: facts: prometheus: expiry and as-of" eval '
    stdout_has "^cma_token_credential_expiry_timestamp_seconds\{.*credential=\"server personal access token\"\} $((now + 5 * 86400 + 600))\$" &&
    stdout_has "^cma_token_credential_as_of_timestamp_seconds\{.*credential=\"server personal access token\"\} $((now - 3600))\$"'
  run "$PROG" status $fs -o ics
  unfold_ics
  # $(date -u -d "$pat_expires" +%Y%m%dT%H%M%SZ): its digits.
  dtstart=$pat_expires
  while :; do case $dtstart in *[-:]*) dtstart=${dtstart%%[-:]*}${dtstart#*[-:]} ;; *) break ;; esac; done
  matches -E "^SUMMARY:$PRODUCT renewals: server personal access token expires: prod on acme\.atlassian\.net\\\\, replace it\$" "$ics" &&
    matches -E "^DTSTART:$dtstart\$" "$ics" &&
    matches -E "^DESCRIPTION:.*from the server's token list as of $read_at" "$ics" &&
    ok "$NAME: facts: ics: an event when the PAT expires, as of when" ||
    { not_ok "$NAME: facts: ics"; diag; }
  run "$PROG" guide $fs
  assert "$NAME: facts: guide says WARNING and why, as of when" eval '
    stdout_has "^    state: +WARNING, 21\.0 days left\$" &&
    stdout_has "^    server personal access token expires in 5\.0 days \(.*, $as_of\)\$"'
  printf 'server-token-expires = 2099-01-01\n' >>"$test_tmpdir/facts.conf"
  run "$PROG" status $fs -o json
  check_jq_later "$NAME: facts: server-token-expires wins" '
    .state == "OK" and ([.connections[0].credentials[] | .source] == ["server-token-expires"])'

  # A date that is not one is refused with file and line.
  printf '[defaults]\ncloud-token-expires = soon\n' >"$test_tmpdir/bad.conf"
  run "$PROG" history -c "$test_tmpdir/bad.conf" --state-dir "$test_tmpdir/state-$p"
  check "$NAME: cloud-token-expires = soon: a configuration error" 78 \
    "bad\.conf:2: cloud-token-expires is not a date; write the day the token expires, such as 2027-03-01\$"
done

tap_done
