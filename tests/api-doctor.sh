#!/bin/sh
# SPDX-License-Identifier: MIT
# doctor, for both products: a healthy setup passes every check; each
# broken piece is named by its own ✗ line and exit status 1 (or ! line
# and exit status 2, a warning alone); the hosts of Atlassian's migration
# allowlist and the Marketplace answered by the simulator (CMA_CONNECT_TO);
# --no-cloud leaves the cloud alone.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

# bad_lines: $bad, the last run's failed (✗) and warning (!) check
# lines, and $bad_n, how many; count_lines PREFIX: $lines_n, how many
# lines of the last run's stdout start with PREFIX. The shell's own
# loops, not a grep each: every doctor run here is looked at so.
bad_lines () {
  bad= bad_n=0
  lines_begin
  for _l in $out; do
    case $_l in
      "  ✗ "* | "  ! "*) bad=${bad:+$bad$nl}$_l bad_n=$((bad_n + 1)) ;;
    esac
  done
  lines_end
}
count_lines () {
  lines_n=0
  lines_begin
  for _l in $out; do
    case $_l in "$1"*) lines_n=$((lines_n + 1)) ;; esac
  done
  lines_end
}

# doctor_flags DESCRIPTION MARK REGEX: doctor exits 1 for a failed check
# (✗), 2 when a check only warned (!), and the one bad line it printed
# has MARK and matches REGEX.
doctor_flags () {
  run "$PROG" doctor -c "$CONF" --state-dir "$state"
  if [ "$2" = ! ]; then
    check "$p: $1: a warning alone: exit 2" 2 "^No check failed, but some warned; see above\.\$"
  else
    check "$p: $1: exit 1" 1 "^Some checks failed; see the fixes above\.\$"
  fi
  bad_lines
  if [ "$bad_n" -ne 1 ]; then
    not_ok "$p: $1: expected exactly one bad line"
    diag
  elif ! matches -E "^  $2 $3" "$bad"; then
    not_ok "$p: $1: bad line does not match /^  $2 $3/"
    diag
  else
    ok "$p: $1: named by its own $2 line"
  fi
}

for p in $PRODUCTS; do
  use_product "$p"
  state="$test_tmpdir/state-$p"

  # ---- healthy ----
  start_sim "$p"
  run "$PROG" doctor -c "$CONF" --state-dir "$state"
  check "$p: a healthy setup passes" 0 "^All checks passed\.\$"
  count_lines '  '
  checks=$lines_n
  count_lines '  ✓ '
  passed=$lines_n
  [ "$checks" -ge 10 ] && [ "$checks" = $((passed + 1)) ] &&
    ok "$p: every one of the $checks checks but the untestable one is ✓" ||
    { not_ok "$p: $passed of $checks checks ✓"; diag; }
  assert "$p: ... which explains how to check the server's outbound access" \
    stdout_has "^  - server's own access to api\.atlassian\.com: not testable from here; on the $PRODUCT host, as its service user, run 'curl -sI https://api\.atlassian\.com/'.*-Dhttps\.proxyHost"
  assert "$p: ... including the cloud API" stdout_has "^  ✓ cloud API reachable and credentials accepted: https://127\.0\.0\.1:$PORT/ as admin@example\.com\$"
  assert "$p: ... and the assistant's version" stdout_has "^  ✓ $ABBREV version $MIN_VERSION_RE or later: "
  assert "$p: ... every host of the migration allowlist, from this machine" \
    stdout_has "^  ✓ Atlassian's migration hosts reachable from this machine \(TLS handshake\): all 9 hosts of the allowlist, the cloud site standing for \*\.atlassian\.net; $PRODUCT itself may go out through other proxy settings \(its JVM's\)\$"
  assert "$p: ... and the assistant as current as the Marketplace's latest" \
    stdout_has "^  ✓ $ABBREV current with the Marketplace: $(re_quote "$PLUGIN_VERSION") installed; the latest is $(re_quote "$PLUGIN_VERSION"), released 2026-11-20\$"
  [ "$(sim_stats saved)" = 0 ] && ok "$p: doctor saves no token" || not_ok "$p: saved=$(sim_stats saved)"
  [ ! -e "$state/$NAME.ledger" ] && ok "$p: doctor records nothing" || not_ok "$p: doctor wrote $state/$NAME.ledger"
  # A libcurl handle per request, one connection per side kept open
  # between them (the server and the cloud trust different CA settings),
  # and one to the Marketplace (the handshakes with the allowlist's hosts
  # send no request: the simulator does not count them).
  req=$(sim_stats requests)
  conns=$(sim_stats connections)
  [ "$conns" -le 3 ] && [ "$req" -gt "$conns" ] &&
    ok "$p: doctor reuses its connections ($req requests, $conns connections)" ||
    not_ok "$p: doctor: $req requests over $conns connections"

  # ---- each broken piece ----
  start_sim "$p" --fault server-401
  doctor_flags "server refuses the token" ✗ \
    "server credentials accepted as administrator: server .* did not accept the personal access token \(HTTP 401\)"
  start_sim "$p" --fault plugin-missing
  doctor_flags "assistant not installed" ✗ \
    "$ABBREV installed and enabled: .*is not installed on .*; install it from the Marketplace"
  start_sim "$p" --fault plugin-disabled
  doctor_flags "assistant disabled" ✗ \
    "$ABBREV installed and enabled: .*installed but disabled; enable it in Manage apps"
  start_sim "$p" --fault plugin-old
  doctor_flags "assistant too old" ✗ \
    "$ABBREV version $MIN_VERSION_RE or later: .*version 1\.0\.0; renewal through the API needs $MIN_VERSION_RE or later"
  start_sim "$p" --fault plugin-500
  doctor_flags "plugin manager failing" ✗ \
    "server answers the plugin manager: server .* answered HTTP 500"
  assert "$p: plugin manager failing: credentials not claimed as accepted" \
    stdout_lacks "credentials accepted as administrator"
  start_sim "$p" --fault cloud-401
  doctor_flags "cloud refuses the API token" ✗ \
    "cloud API reachable and credentials accepted: cloud .* refused cloud-user admin@example\.com and its API token \(HTTP 401\)"
  # The Date headers of both sides run 15 minutes ahead: warnings, no ✗.
  # The skew is this host's clock when the check is made less the answer's
  # Date: 900 s, less the seconds since that answer (a slow, sanitizer,
  # build takes some), so 800 to 900 s; the exact figure is a timing.
  start_sim "$p" --date-offset 900
  run "$PROG" doctor -c "$CONF" --state-dir "$state"
  check "$p: clock skew: warnings alone: exit 2" 2 "^No check failed, but some warned"
  assert "$p: clock skew: ! for the server" \
    stdout_has "^  ! clock agrees with the server: this host's clock is (8[5-9][0-9]|900) s behind the server's.*fix NTP"
  assert "$p: clock skew: ! for the cloud API" \
    stdout_has "^  ! clock agrees with the cloud API: this host's clock is (8[5-9][0-9]|900) s behind"
  assert "$p: clock skew: no check failed outright" stdout_lacks "^  ✗ "

  # The cloud API token's expiry: unknown, then close.
  start_sim "$p"
  sed -i '/^cloud-token-expires = /d' "$CONF"
  doctor_flags "cloud-token-expires not set" ! \
    "cloud API token expiry known: cloud-token-expires is not set; API tokens expire after at most a year.*set cloud-token-expires = YYYY-MM-DD"
  printf 'cloud-token-expires = %s\n' "$(date -u -d '+10 days' +%Y-%m-%d)" >>"$CONF"
  doctor_flags "cloud API token expiring within 30 days" ! \
    "cloud API token expiry known: cloud API token expires in [0-9.]+ days \(.*from cloud-token-expires\); create a new token"
  # A key given twice is refused: replace the date, as a person would.
  sed -i '/^cloud-token-expires = /d' "$CONF"
  printf 'cloud-token-expires = 2026-01-01T00:00:00Z\n' >>"$CONF"
  doctor_flags "cloud API token expired" ✗ \
    "cloud API token expiry known: cloud API token expired [0-9.]+ days ago"

  # The server's personal access token, from its own list.
  start_sim "$p"
  run "$PROG" doctor -c "$CONF" --state-dir "$state"
  assert "$p: PAT: the only token, its expiry, and that it is kept for status" \
    stdout_has "^  ✓ server personal access token expiry: \"cma-token renewals\", the only token of this user, expires in 200\.0 days \([0-9T:-]+Z\); renew and doctor keep this date for status\$"
  start_sim "$p" --fault pat-several
  run "$PROG" doctor -c "$CONF" --state-dir "$state"
  assert "$p: PAT: several tokens: the one just used is matched, and it says how" \
    stdout_has "^  ✓ server personal access token expiry: \"cma-token renewals\", the most recently used of 3 tokens, as this request used it, expires in 200\.0 days"
  start_sim "$p" --fault pat-no-expiry
  run "$PROG" doctor -c "$CONF" --state-dir "$state"
  assert "$p: PAT without an expiry" \
    stdout_has "^  ✓ server personal access token expiry: \"cma-token renewals\" never expires \(the only token of this user\)\$"
  start_sim "$p" --pat-expires-days 10
  doctor_flags "PAT expiring within 30 days" ! \
    "server personal access token expiry: \"cma-token renewals\", the only token of this user, expires in 10\.0 days"
  # Kept for the offline commands, in a state directory that exists
  # (doctor never creates one: it may run as another user than renew).
  [ ! -e "$state" ] && ok "$p: doctor created no state directory" || not_ok "$p: $state exists"
  mkdir -m 700 "$state"
  run "$PROG" doctor -c "$CONF" --state-dir "$state"
  grep -q '"version" : "'"$PLUGIN_VERSION"'"' "$state/$NAME.facts" &&
    grep -q '"expires_at" : ' "$state/$NAME.facts" &&
    ok "$p: doctor keeps the PAT's expiry and the assistant's version" ||
    not_ok "$p: facts: $(cat "$state/$NAME.facts" 2>&1)"
  run "$PROG" status -c "$CONF" --state-dir "$state" -o json
  check_jq "$p: ... which offline status shows, as of then" '
    .connections[0].credentials[] | select(.name == "server personal access token") |
    .state == "WARNING" and .source == "the server'"'"'s token list" and (.as_of | type) == "string"'
  # A directory others may write is refused to every writer (root too).
  chmod 770 "$state"
  run "$PROG" doctor -c "$CONF" --state-dir "$state"
  assert "$p: ... and says so, skipped, when it cannot keep it" \
    stdout_has "^  - what the server said, kept for status: state directory .* is writable by group or others"
  chmod 700 "$state"
  rm -rf "$state"
  start_sim "$p" --fault pat-missing
  run "$PROG" doctor -c "$CONF" --state-dir "$state"
  check "$p: a server without a token list: still passes" 0 "^All checks passed\.\$"
  assert "$p: ... the PAT check skipped, saying why" \
    stdout_has "^  - server personal access token expiry: server .* lists no personal access tokens \(HTTP 404\); $PRODUCT before 8\.14/7\.9 has none\$"

  # The assistant's connected sites (undocumented).
  start_sim "$p"
  run "$PROG" doctor -c "$CONF" --state-dir "$state"
  assert "$p: sites: the cloud site is listed" \
    stdout_has "^  ✓ cloud site among the assistant's connected sites \(undocumented API\): https://acme\.atlassian\.net/ is listed as connected\$"
  start_sim "$p" --fault sites-forget
  doctor_flags "sites: another site listed" ! \
    "cloud site among the assistant's connected sites \(undocumented API\): https://acme\.atlassian\.net/ is not among the 1 site\(s\) the $ABBREV lists as connected \(https://other\.atlassian\.net\); renew once"
  # 6,000 other sites (900 KB): 0.1.0 made every one of them part of one line.
  # Building and reading 900 KB takes seconds in a sanitizer build on a
  # busy machine: a timeout to match, since no timeout is under test here.
  SIM_TIMEOUT=60
  start_sim "$p" --fault sites-forget --fault sites-many
  unset SIM_TIMEOUT
  doctor_flags "sites: 6,001 others listed, five named" ! \
    "cloud site among the assistant's connected sites \(undocumented API\): https://acme\.atlassian\.net/ is not among the 6001 site\(s\) the $ABBREV lists as connected \(https://other\.atlassian\.net, https://site00000\.atlassian\.net, https://site00001\.atlassian\.net, https://site00002\.atlassian\.net, https://site00003\.atlassian\.net and 5996 more\); renew once"
  assert "$p: sites: ... on a line of reasonable length" eval \
    '[ "$(printf "%s\n" "$out" | wc -L)" -lt 1024 ]'
  start_sim "$p" --fault sites-missing
  run "$PROG" doctor -c "$CONF" --state-dir "$state"
  check "$p: sites: no list: still passes" 0 "^All checks passed\.\$"
  assert "$p: sites: no list: skipped, saying why" \
    stdout_has "^  - cloud site among the assistant's connected sites \(undocumented API\): the $ABBREV offers no list of connected sites at .*/rest/migration/latest/cloud/ \(HTTP 404\)\$"

  # An untrusted server certificate; the cloud API's is trusted.
  SIM_CA=other-ca SIM_CLOUD_CA=ca
  start_sim "$p"
  unset SIM_CA SIM_CLOUD_CA
  doctor_flags "server certificate from an unknown CA" ✗ \
    "server reachable over verified TLS: server .*TLS certificate not trusted.*set 'ca-file'"
  SIM_CLOUD_CA=other-ca
  start_sim "$p"
  unset SIM_CLOUD_CA
  doctor_flags "cloud certificate from an unknown CA" ✗ \
    "cloud API reachable and credentials accepted: cloud .*TLS certificate not trusted.*set 'cloud-ca-file'"

  # ---- the path out, and the Marketplace ----
  # Two of the allowlist's hosts behind a closed port (the first match of
  # CMA_CONNECT_TO wins), the cloud site among them; the Marketplace down.
  start_sim "$p" --marketplace-status 503
  run env CMA_CONNECT_TO="api.media.atlassian.com:443:127.0.0.1:9 acme.atlassian.net:443:127.0.0.1:9 $CMA_CONNECT_TO" \
    "$PROG" doctor -c "$CONF" --state-dir "$state"
  check "$p: allowlist hosts unreachable: a warning alone: exit 2" 2 "^No check failed, but some warned"
  assert "$p: ... each named with its purpose and why, in one check" \
    stdout_has "^  ! Atlassian's migration hosts reachable from this machine \(TLS handshake\): 2 of 9 hosts failed: api\.media\.atlassian\.com \(attachment upload\): cloud https://api\.media\.atlassian\.com/: cannot connect .*; \*\.atlassian\.net \(the cloud site itself\): cloud https://acme\.atlassian\.net/: cannot connect .*allow them in the firewall or proxy"
  assert "$p: ... the Marketplace unreachable: skipped with a note, no warning" \
    stdout_has "^  - $ABBREV current with the Marketplace: skipped: the Marketplace https://marketplace\.atlassian\.com/rest/2/addons/$(re_quote "$PLUGIN_KEY")/versions/latest answered HTTP 503 without a version"
  bad_lines
  [ "$bad_n" = 1 ] &&
    ok "$p: ... no other check warned or failed" || { not_ok "$p: other bad lines"; diag; }
  start_sim "$p" --marketplace-version 99.0.1
  doctor_flags "assistant behind the Marketplace's latest" ! \
    "$ABBREV current with the Marketplace: $(re_quote "$PLUGIN_VERSION") installed, behind the latest 99\.0\.1, released 2026-11-20; Atlassian recommends keeping the .* current and blocks old versions: update it in Manage apps\$"

  start_sim "$p"
  chmod 644 "$test_tmpdir/server.token"
  doctor_flags "server token file readable by others" ✗ \
    "server credentials: .*server\.token is accessible by group or others \(mode 0644\); fix: chmod 600 "
  chmod 600 "$test_tmpdir/server.token"

  chmod 666 "$CONF"
  doctor_flags "configuration writable by others" ✗ \
    "configuration: .*is writable by group or others \(mode 0666\).*fix: chmod go-w "
  chmod 644 "$CONF"

  # ---- --no-cloud ----
  start_sim "$p"
  run "$PROG" doctor -c "$CONF" --state-dir "$state" --no-cloud
  check "$p: --no-cloud passes" 0 "^All checks passed\.\$"
  assert "$p: --no-cloud marks the cloud check skipped" \
    stdout_has "^  - cloud API reachable and credentials accepted: skipped \(--no-cloud\)\$"
  assert "$p: --no-cloud checks no cloud credentials" stdout_lacks "^  . cloud credentials"
  [ "$(sim_stats posts)" = 0 ] && [ "$(sim_stats requests)" -ge 1 ] &&
    ok "$p: --no-cloud sends no POST (but still asks the server)" ||
    not_ok "$p: posts=$(sim_stats posts) requests=$(sim_stats requests)"
  stop_sim
done

tap_done
