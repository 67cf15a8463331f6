#!/bin/sh
# SPDX-License-Identifier: MIT
# Unattended renewal against the HTTPS simulator, for both products:
# renew, due logic, --force, --dry-run, and what status says afterwards.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

# requests_traced: $traced, the request lines of the last run's -vv
# trace, in order, one a line, without the program's prefix and the
# protocol; each must be whole, on a line of its own, to be found. Under
# bash the shell's own match per line, not a subshell and a sed per run.
requests_traced () {
  if [ -z "${BASH_VERSION:-}" ]; then
    traced=$(printf '%s\n' "$err" | sed -n "s|^$NAME: > \([A-Z]* /[^ ]*\) HTTP/1\.1\$|\1|p")
    return
  fi
  traced=
  _re="^$NAME: > ([A-Z]* /[^ ]*) HTTP/1\\.1\$"
  lines_begin
  for _l in $err; do
    if [[ $_l =~ $_re ]]; then traced=${traced:+$traced$nl}${BASH_REMATCH[1]}; fi
  done
  lines_end
}

# trace_is WHAT REQUEST...: the last run made exactly these requests, in
# this order.
# last_line FILE: $line, FILE's last line (as tail -n 1), and $lines, how
# many it has (as wc -l); the shell's own read of a ledger of a few lines.
last_line () {
  line= lines=0
  while IFS= read -r _l; do line=$_l lines=$((lines + 1)); done <"$1"
  # A last line without its newline: read says no, but it is there.
  if [ -n "$_l" ]; then line=$_l; fi
}

trace_is () {
  what=$1; shift
  want=
  for _r in "$@"; do want=${want:+$want$nl}$_r; done
  requests_traced
  got=$traced
  [ "$got" = "$want" ] && ok "$p: $what: $# requests: $(echo $want)" ||
    not_ok "$p: $what: requests traced: $(echo $got)"
}

# stale_token_cases: a busy server can make the save wait past the auth
# token's lifetime: here tokens live 1 s and the server asks for a 1 s
# pause once. Real waits, so beside the other cases (in_background).
stale_token_cases () {
  start_sim "$p" --token-validity 1 --fault server-503 --retry-after 1 --fail-count 1
  run "$PROG" renew -c "$CONF" --state-dir "$test_tmpdir/stale-$p"
  check "$p: a token gone stale while waiting is refused (lifetime not configured)" 76 "Exception in saving token"
  [ ! -e "$test_tmpdir/stale-$p/$NAME.ledger" ] && ok "$p: the refused renewal records nothing" || not_ok "$p: ledger written"
  start_sim "$p" --token-validity 1 --fault server-503 --retry-after 1 --fail-count 1
  printf 'auth-token-lifetime = 1\n' >>"$CONF"
  run "$PROG" renew -c "$CONF" --state-dir "$test_tmpdir/fresh-$p"
  check "$p: with auth-token-lifetime, a fresh token is fetched before the retry" 0 "^prod: renewed"
  [ "$(sim_stats tokens_issued)" = 2 ] && ok "$p: two auth tokens issued" || not_ok "$p: tokens_issued=$(sim_stats tokens_issued)"
}

for p in $PRODUCTS; do
  in_background "$p" stale_token_cases
  use_product "$p"
  start_sim "$p"
  state="$test_tmpdir/state-$p"

  run "$PROG" renew -c "$CONF" --state-dir "$state"
  check "$p: renew with nothing recorded renews" 0 "^prod: renewed \(token sha256:[0-9a-f]{12}\); usable until .*21\.0 days left"
  [ "$(sim_stats saved)" = 1 ] && ok "$p: the simulator saved one token" || not_ok "$p: saved=$(sim_stats saved)"
  # The token, the save, and once the renewal is recorded the server's
  # token list (nothing was known of it yet): three requests.
  [ "$(sim_stats requests)" = 3 ] && ok "$p: the first renewal made three requests" ||
    not_ok "$p: the first renewal made $(sim_stats requests) requests"

  # Every file a renewal leaves in the state directory is in FILES of
  # the man page (a lock file's hash written HEX).
  files_section=$(sed -n '/^\.SH FILES/,/^\.SH /p' "$top_builddir/man/$NAME.1" |
    sed -e 's/\\f[BIPR]//g' -e 's/\\[-%]/-/g; s/\\%//g')
  for f in $(ls -A "$state"); do
    name=$(printf '%s\n' "$f" | sed 's/\.[0-9a-f]\{16\}\./.HEX./')
    case $files_section in
      *"$name"*) ok "$p: $name is in FILES" ;;
      *) not_ok "$p: $name, left by renew in the state directory, is not in FILES" ;;
    esac
  done

  run "$PROG" status -c "$CONF" --state-dir "$state" -o json
  check "$p: status after renewal is OK" 0 '"days_left" : 21\.0|"days_left" : 20\.99'
  stdout_fixed '"last_method" : "api"' && ok "$p: last method is api" || not_ok "$p: last method"

  last_line "$state/$NAME.ledger"
  case $line in
    *'"method":"api"'*'"fingerprint":"sha256:'*) ok "$p: ledger records method api and a fingerprint" ;;
    *) not_ok "$p: ledger line: $line" ;;
  esac

  run "$PROG" renew -c "$CONF" --state-dir "$state"
  check "$p: a second renew finds it not due and exits 0" 0 "^prod: not due \(21\.0 days left\); due from "
  [ "$(sim_stats posts)" = 2 ] && ok "$p: not due sends nothing" || not_ok "$p: posts=$(sim_stats posts)"

  # A run with nothing due writes nothing: the ledger is the only state
  # (no index beside it, as earlier releases kept), and a dry run leaves
  # even the directory alone.
  cp "$state/$NAME.ledger" "$test_tmpdir/before"
  run "$PROG" renew -c "$CONF" --state-dir "$state" --dry-run
  run "$PROG" renew -c "$CONF" --state-dir "$state"
  check "$p: not due, again" 0 "^prod: not due"
  same_bytes "$state/$NAME.ledger" "$test_tmpdir/before" && [ ! -e "$state/$NAME.index" ] &&
    ok "$p: a run with nothing due records nothing, writes no index" ||
    not_ok "$p: ledger changed or index written after a run with nothing due"

  run "$PROG" renew -c "$CONF" --state-dir "$state" --renew-within 22
  check "$p: --renew-within beyond the days left makes it due" 0 "^prod: renewed"

  run "$PROG" renew -c "$CONF" --state-dir "$state" --force
  check "$p: --force renews regardless" 0 "^prod: renewed"
  last_line "$state/$NAME.ledger"
  [ "$lines" -eq 3 ] && ok "$p: three renewals recorded" || not_ok "$p: ledger lines"

  cp "$state/$NAME.ledger" "$test_tmpdir/before"
  posts=$(sim_stats posts) saved=$(sim_stats saved) issued=$(sim_stats tokens_issued)
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force --dry-run
  check "$p: --dry-run says what it did and did not do" 0 \
    "^prod: would renew: the server accepted its credentials \($ABBREV [0-9.]+\), the cloud API issued an auth token \(discarded\); nothing was saved or recorded$"
  [ "$(sim_stats posts)" = $((posts + 1)) ] && [ "$(sim_stats tokens_issued)" = $((issued + 1)) ] &&
    [ "$(sim_stats saved)" = "$saved" ] &&
    ok "$p: --dry-run: one POST, for an auth token; nothing saved" ||
    not_ok "$p: --dry-run: posts $posts -> $(sim_stats posts), saved $saved -> $(sim_stats saved)"
  same_bytes "$state/$NAME.ledger" "$test_tmpdir/before" && ok "$p: --dry-run leaves the ledger alone" || not_ok "$p: --dry-run changed the ledger"

  # One path, one request after another: the dry run asks the server's
  # plugin manager, then the cloud for a token; a renewal asks the cloud
  # for the token and hands it to the server, and nothing else (no status
  # request before the save, no connected-site list after it, and no
  # token list: the first renewal above read it less than a day ago).
  token="POST /migrations/public/v1/token"
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force --dry-run -vv
  trace_is "--dry-run" "GET $CONTEXT_PATH/rest/plugins/1.0/$PLUGIN_KEY-key" "$token"
  r0=$(sim_stats requests)
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force -vv
  check "$p: renewal with -vv" 0 "^prod: renewed"
  trace_is "renewal" "$token" "POST $CONTEXT_PATH/rest/migration/latest/cloud/save/token"
  assert "$p: renewal: -v counts two requests" stderr_has "^$NAME: prod: 2 HTTP request\(s\), "
  [ "$(sim_stats requests)" = $((r0 + 2)) ] && ok "$p: renewal: the simulator saw two requests" ||
    not_ok "$p: renewal: the simulator saw $(($(sim_stats requests) - r0)) requests"

  # ---- what the server said, remembered for the offline commands ----
  # The personal access token expires in 10 days: after one renewal,
  # status knows it without asking anyone, and says as of when.
  start_sim "$p" --pat-expires-days 10
  st="$test_tmpdir/facts-$p"
  pat="GET $CONTEXT_PATH/rest/pat/latest/tokens"
  save="POST $CONTEXT_PATH/rest/migration/latest/cloud/save/token"
  run "$PROG" renew -c "$CONF" --state-dir "$st" --dry-run -vv
  trace_is "--dry-run, the token list never read: no list asked for" \
    "GET $CONTEXT_PATH/rest/plugins/1.0/$PLUGIN_KEY-key" "$token"
  [ ! -e "$st" ] && ok "$p: ... and nothing written" || not_ok "$p: --dry-run wrote $(ls "$st")"
  run "$PROG" renew -c "$CONF" --state-dir "$st" -vv
  check "$p: PAT in 10 days: renewed" 0 "^prod: renewed"
  trace_is "first renewal, then the token list" "$token" "$save" "$pat"
  assert "$p: ... -v counts three requests" stderr_has "^$NAME: prod: 3 HTTP request\(s\), "
  assert "$p: ... and says it kept what the list said" stderr_has \
    "^$NAME: prod: the server's token list was read and kept for status\$"
  read_at=$(sed -n 's/^ *"read_at" : "\(.*\)",$/\1/p' "$st/$NAME.facts")
  run "$PROG" status -c "$CONF" --state-dir "$st" -o json
  check "$p: offline status after one renew: WARNING (exit 1)" 1
  check_jq "$p: ... with the PAT among the credentials, as of the renewal" '
    .state == "WARNING" and (.connections[0].credentials[] |
      select(.name == "server personal access token") |
      .state == "WARNING" and .source == "the server'"'"'s token list" and
      .as_of == "'"$read_at"'" and .days_left > 9.9 and .days_left <= 10)'
  # The other formats, --at and server-token-expires winning: offline,
  # in cli-credentials.sh and test-status.c.
  # renew's own report (and its hooks' CMA_STATE) agrees with status.
  run "$PROG" renew -c "$CONF" --state-dir "$st" -o json
  check_jq "$p: ... renew -o json, not due, says WARNING as status does" \
    '.connections[0].outcome == "not-due" and .connections[0].state == "WARNING"'
  # Within a day, a renewal is the two calls again; a day later, three.
  run "$PROG" renew -c "$CONF" --state-dir "$st" --force -vv
  trace_is "renewal within the day" "$token" "$save"
  # When the list was asked for goes back a day too: the ask starts a
  # second before the answer is read, now and then across a second.
  sed -i -e "s/$read_at/2020-01-01T00:00:00Z/g" \
    -e 's/"server_token_asked" : "[^"]*"/"server_token_asked" : "2020-01-01T00:00:00Z"/' "$st/$NAME.facts"
  run "$PROG" renew -c "$CONF" --state-dir "$st" --force -vv
  trace_is "renewal a day after the list was read" "$token" "$save" "$pat"
  # Basic authentication uses no token: nothing asked, nothing shown.
  cp "$CONF" "$CONF.orig"
  printf 'server-user = admin\n' >>"$CONF"
  run "$PROG" renew -c "$CONF" --state-dir "$st" --force -vv
  trace_is "Basic authentication: no token list" "$token" "$save"
  run "$PROG" status -c "$CONF" --state-dir "$st" -o json
  check_jq "$p: ... and status shows no PAT for it" \
    '[.connections[0].credentials[] | select(.name == "server personal access token")] == []'
  # A server without a token list: the renewal stands, -v says why, and
  # the list is not asked for again within the day.
  cp "$CONF.orig" "$CONF"
  start_sim "$p" --fault pat-missing
  st="$test_tmpdir/nolist-$p"
  run "$PROG" renew -c "$CONF" --state-dir "$st" -v
  check "$p: no token list on the server: still renewed, exit 0" 0 "^prod: renewed"
  assert "$p: ... -v says the list was not read" stderr_has \
    "^$NAME: prod: the server's token list was not read: server .* lists no personal access tokens \(HTTP 404\)"
  run "$PROG" renew -c "$CONF" --state-dir "$st" --force -vv
  trace_is "... and not asked again within the day" "$token" "$save"
  # A damaged facts file is reported by status, never stops a renewal,
  # and the next renewal that asks writes it anew.
  printf 'garbage' >"$st/$NAME.facts"
  run "$PROG" status -c "$CONF" --state-dir "$st"
  check "$p: a damaged facts file: status still answers" 0 "^prod: OK"
  assert "$p: ... and warns, naming the file" stderr_has \
    "^$NAME: warning: $st/$NAME\.facts: not a valid facts file; what the server said is not known"
  run "$PROG" renew -c "$CONF" --state-dir "$st" --force
  check "$p: ... renew still renews" 0 "^prod: renewed"
  grep -q '"server_token_asked" : ' "$st/$NAME.facts" &&
    ok "$p: ... and writes the file anew" || not_ok "$p: facts: $(cat "$st/$NAME.facts")"

  run "$PROG" renew -c "$CONF" --state-dir "$test_tmpdir/empty-$p" --renew-within -1
  check "$p: negative --renew-within is a usage error" 64 "renew-within"

  stop_sim
done

tap_done
