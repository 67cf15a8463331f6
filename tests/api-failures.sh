#!/bin/sh
# SPDX-License-Identifier: MIT
# Every way an unattended renewal can fail, for both products: the exit
# status, one line on stderr naming the side (server or cloud) and the fix,
# and a ledger left byte for byte as it was.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

# Nothing listens on port 1 of the loopback address (binding it needs root,
# and no test does): a connection there is refused at once.
CLOSED_URL=https://127.0.0.1:1

# renew_fails DESCRIPTION RC REGEX: renew --force fails with RC, its one
# stderr line matches REGEX (anchored after "PROG: prod: "), stdout is empty,
# and the ledger is still a copy of $before.
renew_fails () {
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force
  check "$p: $1: exit $2 and says what to do" "$2" "^$NAME: prod: $3"
  if [ -n "$out" ] || case $err in *"$nl"*) true ;; *) false ;; esac; then
    not_ok "$p: $1: one line on stderr, nothing on stdout"
    diag
  elif ! same_bytes "$ledger" "$before"; then
    not_ok "$p: $1: ledger changed"
    diff "$before" "$ledger" | sed 's/^/# /'
  else
    ok "$p: $1: one line on stderr, ledger untouched"
  fi
}

# dry_fails DESCRIPTION RC REGEX: renew --dry-run fails exactly as the real
# renewal would (renew_fails), and neither saves nor records anything.
dry_fails () {
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force --dry-run
  check "$p: $1: --dry-run exits $2 as the renewal would" "$2" "^$NAME: prod: $3"
  [ "$(sim_stats saved)" = 0 ] && same_bytes "$ledger" "$before" &&
    ok "$p: $1: --dry-run saved and recorded nothing" ||
    not_ok "$p: $1: --dry-run: saved=$(sim_stats saved), ledger changed?"
}

# renew_ok DESCRIPTION: renew --force succeeds; the new ledger is $before.
renew_ok () {
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force
  check "$p: $1" 0 "^prod: renewed \(token sha256:[0-9a-f]{12}\)"
  cp "$ledger" "$before"
}

# log_count REGEX: lines of the simulator's request log matching REGEX.
log_count () { grep -Ec -- "$1" "$test_tmpdir/sim.log" || true; }

# The cases that wait in real time (a timeout, a token's lifetime,
# Retry-After: 1) run beside the others (in_background), in two groups
# that wait at the same time, each with its own copy of the state
# directory and $before: timeout_cases and token_cases.

# busy_forever_case FAULT: Retry-After: 1 (a real wait) on every answer:
# the -vv trace says each wait; the requests are counted with
# Retry-After: 0 in the main part.
busy_forever_case () {
  start_sim "$p" --fault "$1" --retry-after 1 --fail-count 0
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force -vv
  waits=$(printf '%s\n' "$err" | grep -c "answered ${1#*-}; retrying in 1 s" || true)
  [ "$waits" = 2 ] &&
    ok "$p: $1 forever: waited between tries, not after the last (2 waits)" ||
    not_ok "$p: $1 forever: $waits waits in the trace, expected 2"
}

# timeout_cases STATE BEFORE: a server, then a cloud, that answer after
# the timeout; then the cloud busy on every try.
timeout_cases () {
  state=$1 before=$2
  ledger="$state/$NAME.ledger"

  # A server that takes the connection but never answers in time: the
  # save, the only request it gets, meets the timeout, and is not retried
  # to wait as long again. A second simulator plays that server, so that
  # its counters are the server's alone; it answers long after the
  # timeout, even for a client starved for seconds on a busy machine (the
  # test waits for the timeout only).
  start_sim "$p" --latency-ms 10000
  slow_pid=$sim_pid slow_port=$PORT slow_stats=$sim_stats_file
  sim_pid=
  SIM_TIMEOUT=2
  start_sim "$p"
  unset SIM_TIMEOUT
  set_key server-url "https://127.0.0.1:$slow_port$CONTEXT_PATH/"
  renew_fails "server answers after the timeout" 69 \
    "server https://127\.0\.0\.1:$slow_port$CONTEXT_PATH/.*no answer in time.*raise 'timeout'"
  # Its counters from its stats file, as sim_stats reads the current one's.
  slow_requests=$(sim_pid=$slow_pid PORT=$slow_port sim_port=$slow_port \
    sim_stats_file=$slow_stats sim_stats requests)
  slow_connections=$(sim_pid=$slow_pid PORT=$slow_port sim_port=$slow_port \
    sim_stats_file=$slow_stats sim_stats connections)
  [ "$slow_requests" = 1 ] && [ "$slow_connections" = 1 ] && [ "$(sim_stats tokens_issued)" = 1 ] &&
    ok "$p: a server not answering in time is tried once, on one connection" ||
    not_ok "$p: slow server: requests=$slow_requests connections=$slow_connections, tokens_issued=$(sim_stats tokens_issued)"

  # The same slow simulator plays both sides with a timeout of 1 s: the
  # cloud's answer, asked for first, comes after it.
  set_key cloud-api-url "https://127.0.0.1:$slow_port/"
  set_key timeout 1
  renew_fails "cloud answers after the timeout" 69 \
    "cloud https://127\.0\.0\.1:$slow_port/.*no answer in time.*raise 'timeout'"
  kill "$slow_pid"
  wait "$slow_pid" 2>/dev/null || true

  busy_forever_case cloud-429
}

# token_cases STATE BEFORE: the server busy on every try; then an auth
# token that expires before it is saved.
token_cases () {
  state=$1 before=$2
  ledger="$state/$NAME.ledger"

  busy_forever_case server-503

  # The auth token lives 1 s; the cloud's answer alone takes 1.2 s.
  start_sim "$p" --token-validity 1 --latency-ms 1200
  renew_fails "auth token expired before it was saved" 76 \
    "server .*\"Exception in saving token\.\"\): it expired before it was saved"
  [ "$(sim_stats tokens_issued)" = 1 ] && [ "$(sim_stats saved)" = 0 ] &&
    ok "$p: the expired token was issued but not saved" ||
    not_ok "$p: tokens_issued=$(sim_stats tokens_issued) saved=$(sim_stats saved)"
}

now=$(date -u +%s)
for p in $PRODUCTS; do
  use_product "$p"
  state="$test_tmpdir/state-$p"
  ledger="$state/$NAME.ledger"
  before="$test_tmpdir/before-$p"

  start_sim "$p"
  run "$PROG" record -c "$CONF" --state-dir "$state" --at "$(iso_at $((now - 10 * 86400)))" -m setup
  check "$p: a manual renewal ten days ago is recorded" 0 ""
  [ -s "$ledger" ] || { echo "Bail out! $p: no ledger at $ledger"; exit 1; }
  cp "$ledger" "$before"
  for group in timeout token; do
    rt="$test_tmpdir/real-time-$group-$p"
    mkdir "$rt"
    cp -R "$state" "$rt/state"
    cp "$before" "$rt/before"
    in_background "$group-$p" "${group}_cases" "$rt/state" "$rt/before"
  done

  # ---- unreachable ----
  start_sim "$p"
  set_key cloud-api-url https://cma-test.invalid/
  renew_fails "cloud host name not in DNS" 69 \
    "cloud https://cma-test\.invalid/.*host name not found.*check the URL and DNS"

  start_sim "$p"
  set_key cloud-api-url "$CLOSED_URL/"
  renew_fails "cloud connection refused" 69 "cloud $CLOSED_URL/.*cannot connect.*is it running"

  start_sim "$p"
  set_key server-url "$CLOSED_URL/jira/"
  renew_fails "server connection refused" 69 "server $CLOSED_URL/jira/.*cannot connect.*is it running"
  [ "$(sim_stats saved)" = 0 ] && ok "$p: nothing saved when the server is unreachable" ||
    not_ok "$p: saved=$(sim_stats saved)"

  # ---- TLS; the variables are set and unset around start_sim, as a
  # shell may keep assignments that prefix a function call ----
  SIM_CLOUD_CA=other-ca
  start_sim "$p"
  unset SIM_CLOUD_CA
  renew_fails "cloud certificate from an unknown CA" 69 \
    "cloud https://127\.0\.0\.1:$PORT/.*TLS certificate not trusted.*set 'cloud-ca-file' to the CA"

  SIM_CA=other-ca SIM_CLOUD_CA=ca
  start_sim "$p"
  unset SIM_CA SIM_CLOUD_CA
  renew_fails "server certificate from an unknown CA" 69 \
    "server https://127\.0\.0\.1:$PORT/.*TLS certificate not trusted.*set 'ca-file' to the CA"
  [ "$(sim_stats tokens_issued)" = 1 ] && [ "$(sim_stats saved)" = 0 ] &&
    ok "$p: the cloud was trusted and the untrusted server got nothing" ||
    not_ok "$p: tokens_issued=$(sim_stats tokens_issued) saved=$(sim_stats saved)"

  # ---- credentials refused ----
  start_sim "$p" --fault cloud-401
  renew_fails "cloud refuses the API token (401)" 77 \
    "cloud .* refused cloud-user admin@example\.com and its API token \(HTTP 401\): check the token \(from file .*cloud\.token"
  start_sim "$p" --fault cloud-403
  renew_fails "cloud account is no site admin (403)" 77 \
    "cloud .* refused cloud-user admin@example\.com and its API token \(HTTP 403\).*site or org admin"
  start_sim "$p" --fault server-401
  renew_fails "server refuses the token (401)" 77 \
    "server .* did not accept the personal access token \(HTTP 401\): check the token \(from file .*server\.token\)"
  start_sim "$p" --fault server-403
  renew_fails "server account is no administrator (403)" 77 \
    "server .* refused the personal access token \(HTTP 403\): the account must be a $PRODUCT administrator"
  start_sim "$p" --fault server-login-page
  renew_fails "server answers with its login page" 77 \
    "server .* did not accept the personal access token \(it answered with its login page\): check the token"
  start_sim "$p" --fault server-login-redirect
  renew_fails "server redirects to its login page" 77 \
    "server .* did not accept the personal access token \(it answered with its login page\): check the token"

  # ---- the server refuses the auth token ----
  start_sim "$p" --fault save-404
  renew_fails "assistant without the token endpoint (404)" 76 \
    "server .*\(HTTP 404\).*older than $MIN_VERSION_RE; upgrade it, or renew by hand"
  start_sim "$p" --fault save-500
  renew_fails "server cannot save the token (500)" 76 \
    "server .*\"Exception in saving token\.\".*run again"
  start_sim "$p" --fault save-no-egress
  renew_fails "server without outbound access to Atlassian (500)" 76 \
    "server .*\"Exception in saving token\.\"\).*or the server cannot reach api\.atlassian\.com itself \(firewall, proxy settings of its JVM\).*see 'doctor'"
  [ "$(sim_stats tokens_issued)" = 1 ] && [ "$(sim_stats saved)" = 0 ] &&
    ok "$p: no egress: the token was issued, the server saved nothing" ||
    not_ok "$p: tokens_issued=$(sim_stats tokens_issued) saved=$(sim_stats saved)"

  # ---- 404: the assistant, or the server URL? ----
  start_sim "$p" --fault save-404
  set_key server-url "https://127.0.0.1:$PORT/"
  renew_fails "server URL without its context path (404, no /status)" 78 \
    "server https://127\.0\.0\.1:$PORT/ has no token endpoint \(HTTP 404\) and no $PRODUCT answers at https://127\.0\.0\.1:$PORT/status either: server-url is wrong; check the host and the context path"
  [ "$(log_count "^GET /status 404")" -ge 1 ] && ok "$p: the /status probe was made, unauthenticated" ||
    not_ok "$p: no /status probe in the log"
  # A server that answers /status but does not run is there: a passing
  # condition (exit 75, try later), never a wrong server-url (78).
  for s in MAINTENANCE:503 STARTING:503 STOPPING:503 ERROR:500 FIRST_RUN:200; do
    start_sim "$p" --fault save-404 --server-state "${s%:*}"
    renew_fails "save 404 while /status says ${s%:*}" 75 \
      "server https://127\.0\.0\.1:$PORT$CONTEXT_PATH/ has no token endpoint \(HTTP 404\), and https://127\.0\.0\.1:$PORT$CONTEXT_PATH/status says the server is there but .* \(state ${s%:*}\): a passing condition; .*try again"
    [ "$(log_count "^GET $CONTEXT_PATH/status ${s#*:}")" -ge 1 ] &&
      ok "$p: ${s%:*}: /status answered ${s#*:}" || not_ok "$p: ${s%:*}: no /status ${s#*:} in the log"
  done
  start_sim "$p" --fault plugin-missing --server-state MAINTENANCE
  dry_fails "plugin manager 404 while /status says MAINTENANCE" 75 \
    "server .* has no plugin manager entry for the assistant \(HTTP 404\), and .*/status says the server is there but in maintenance \(re-indexing or upgrading\) \(state MAINTENANCE\): a passing condition; try again when it is done"

  # ---- the server's own words ----
  start_sim "$p" --fault basic-disabled
  printf 'server-user = admin\n' >>"$CONF"
  renew_fails "Basic authentication disabled (403)" 77 \
    "server .* has Basic authentication disabled for REST \(HTTP 403; it said \"Basic Authentication has been disabled on this instance\.\"\): use a personal access token instead: put it in server-token-file and remove server-user"
  start_sim "$p" --fault basic-disabled
  renew_ok "Basic authentication disabled: a personal access token still renews"
  start_sim "$p" --fault plugin-500
  dry_fails "plugin manager failing (500) shows its message" 76 \
    "server .*/rest/plugins/1\.0/.* answered HTTP 500; it said \"Internal server error\"$"

  # ---- what the server says it saved ----
  start_sim "$p" --fault echo-normalized
  renew_ok "a server that echoes the cloudUrl normalised: renewed"
  [ -z "$err" ] && ok "$p: a normalised echo is no warning" || { not_ok "$p: warned"; diag; }
  start_sim "$p" --fault echo-other-site
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force
  check "$p: a server naming another cloud site: still renewed" 0 "^prod: renewed"
  assert "$p: ... with a warning naming both sites" stderr_has \
    "^$NAME: warning: prod: server .* saved the token but names the cloud site \"https://other\.atlassian\.net\", not https://acme\.atlassian\.net as sent"
  tail -n 1 "$ledger" | grep -q 'other\.atlassian\.net' && ok "$p: the difference is kept in the ledger" ||
    not_ok "$p: ledger: $(tail -n 1 "$ledger")"
  cp "$ledger" "$before"
  start_sim "$p" --fault echo-other-site
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force -o json
  check "$p: ... -o json: exit 0" 0
  check_jq "$p: ... -o json: renewed, with the warning" \
    '.connections[0] | .outcome == "renewed" and (.warning | test("names the cloud site \"https://other"))'
  cp "$ledger" "$before"

  # ---- the assistant's own list of connected sites (undocumented) ----
  # It is doctor's to read (api-doctor.sh), never a renewal's: an
  # assistant that leaves the site out changes nothing here.
  : >"$test_tmpdir/sim.log"
  start_sim "$p" --fault sites-forget
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force
  check "$p: the assistant does not list the site: renewed" 0 "^prod: renewed"
  assert "$p: ... without a word about the list" stderr_empty
  [ "$(log_count "^GET .*/rest/migration/latest/cloud/ ")" = 0 ] &&
    ok "$p: ... which the renewal did not ask for" ||
    not_ok "$p: the renewal read the connected-site list: $(tr "\n" " " <"$test_tmpdir/sim.log")"
  cp "$ledger" "$before"

  # ---- --dry-run fails as the renewal would ----
  for f in cloud-401 server-401 plugin-missing; do
    case $f in
      cloud-401) rc=77 re="cloud .* refused cloud-user" ;;
      server-401) rc=77 re="server .* did not accept the personal access token \(HTTP 401\)" ;;
      # The renewal meets the missing token endpoint, the dry run the
      # plugin manager's answer: other words, the same exit status.
      plugin-missing) rc=76 re="(server .* has no token endpoint \(HTTP 404\)|the .* is not installed on )" ;;
    esac
    start_sim "$p" --fault "$f"
    renew_fails "$f" "$rc" "$re"
    start_sim "$p" --fault "$f"
    dry_fails "$f" "$rc" "$re"
  done
  start_sim "$p"
  set_key server-url "https://127.0.0.1:$PORT/"
  dry_fails "server URL without its context path" 78 \
    "server https://127\.0\.0\.1:$PORT/ has no plugin manager entry for the assistant \(HTTP 404\) and no $PRODUCT answers at .*/status either"

  # ---- busy: 429 and 503 are retried after Retry-After ----
  for f in cloud-429 server-503; do
    case $f in
      cloud-429) side=cloud; busy="POST /migrations/.* 429" ;;
      server-503) side=server; busy="POST .*/save/token 503" ;;
    esac
    # Retry-After: 0 where only the requests are counted; the wait itself
    # (1 s, as the header says) is checked in the -vv trace (busy_forever_case).
    : >"$test_tmpdir/sim.log"
    start_sim "$p" --fault "$f" --retry-after 0 --fail-count 1
    # A server never asked: what earlier cases learnt of it is forgotten.
    rm -f "$state/$NAME.facts"
    renew_ok "$f once: renewed after one retry"
    # Token and save, one of them twice, then the server's token list
    # once the renewal is recorded, and nothing else: no status request
    # before the save, no connected-site list after it.
    [ "$(sim_stats requests)" = 4 ] && [ "$(log_count "$busy")" = 1 ] &&
      [ "$(log_count "GET .*/status ")" = 0 ] &&
      [ "$(log_count "GET .*/rest/pat/latest/tokens 200")" = 1 ] &&
      ok "$p: $f once: four requests, one of them refused, one the token list" ||
      not_ok "$p: $f once: requests=$(sim_stats requests), refused $(log_count "$busy")"

    # Three tries, so two waits between them and none after the last.
    # Counted in the -vv trace, which says each wait, not with a clock: a
    # loaded machine must not decide this test.
    : >"$test_tmpdir/sim.log"
    start_sim "$p" --fault "$f" --retry-after 0 --fail-count 0
    renew_fails "$f forever: gives up" 69 \
      "$side .* answered HTTP ${f#*-} \(busy or unavailable, retries exhausted\); try again later"
    [ "$(log_count "$busy")" = 3 ] && ok "$p: $f forever: exactly three attempts" ||
      not_ok "$p: $f forever: $(log_count "$busy") attempts"
  done

  # ---- garbled answers ----
  for f in cloud-malformed cloud-truncated cloud-oversized cloud-missing-token \
           cloud-wrong-type server-malformed server-wrong-type; do
    case $f in
      cloud-malformed|cloud-truncated) re="cloud .* answered malformed JSON" ;;
      cloud-oversized) re="cloud .* answer larger than [0-9]+ bytes" ;;
      cloud-missing-token) re="cloud .* answered without a \"token\"" ;;
      cloud-wrong-type) re="cloud .* answered text/html instead of JSON; is a proxy or login page in the way" ;;
      server-malformed) re="server .* answered malformed JSON" ;;
      server-wrong-type) re="server .* answered text/html instead of JSON; is a proxy or login page in the way" ;;
    esac
    start_sim "$p" --fault "$f"
    renew_fails "$f" 76 "$re"
  done

  # ---- configuration and credentials: nothing is sent ----
  start_sim "$p"
  set_key server-url http://jira.example.com/
  renew_fails "plain http to a remote server" 78 \
    "refusing to send server credentials over plain http to http://jira\.example\.com/: use https"
  [ "$(sim_stats requests)" = 0 ] && ok "$p: plain http refused before any request" ||
    not_ok "$p: plain http: $(sim_stats requests) request(s) sent"

  start_sim "$p"
  del_key cloud-user
  renew_fails "no cloud-user" 78 "connection 'prod' has no cloud-user \(the e-mail of a site or org admin"

  start_sim "$p"
  set_key cloud-token-file "$test_tmpdir/no-such.token"
  renew_fails "missing token file" 78 "cloud API token file .*/no-such\.token: No such file"
  [ "$(sim_stats requests)" = 0 ] && ok "$p: credential errors send nothing" ||
    not_ok "$p: $(sim_stats requests) request(s) sent"

  # ---- TLS: certificates the cloud call refuses; last, as each needs a
  # simulator of its own (a new process), not a reset ----
  # One simulator plays both sides with one certificate: the cloud call,
  # which comes first, meets it.
  SIM_CERT=wrong-name
  start_sim "$p"
  unset SIM_CERT
  renew_fails "certificate for another name" 69 \
    "cloud https://127\.0\.0\.1:$PORT/.*TLS certificate is for another host name.*use a URL with a name the certificate lists"

  SIM_CERT=expired
  start_sim "$p"
  unset SIM_CERT
  renew_fails "expired certificate" 69 \
    "cloud https://127\.0\.0\.1:$PORT/.*TLS certificate has expired.*renew the certificate"

  SIM_CERT=future
  start_sim "$p"
  unset SIM_CERT
  renew_fails "certificate not valid yet" 69 \
    "cloud https://127\.0\.0\.1:$PORT/.*TLS certificate is not valid yet.*fix this host's clock"
  stop_sim
done

tap_done
