#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-guide.sh: 'guide' of both binaries — each product's own click path
# with the KB's labels, the deadlines and the state status gives,
# Confluence's direct URL, and the interactive walk through a
# pseudo-terminal.

. "$(dirname "$0")/libtest.sh"

T=2026-11-01T00:00:00Z
CLOUD=https://acme.atlassian.net
require_past "$T"

COMMON_LABELS='"Migrate your data"
"How It Works"
"Connect to cloud"
"Choose cloud site"
"Change account"
"Allow Atlassian to access migrations data"
"Confirm"'

# labels_present PREFIX LIST: one assertion per label (a line of LIST).
labels_present () {
  while IFS= read -r label <&3; do
    assert "$1 shows $label" stdout_fixed "$label"
  done 3<<EOF
$2
EOF
}
labels_absent () {
  while IFS= read -r label <&3; do
    assert "$1 does not show $label" stdout_lacks_fixed "$label"
  done 3<<EOF
$2
EOF
}

# A pseudo-terminal for --interactive: util-linux script(1).
have_script () {
  command -v script >/dev/null 2>&1 && script -qec true /dev/null </dev/null >/dev/null 2>&1
}

# interactive ANSWERS ARGS...: run PROG guide -i ARGS in a terminal, typing
# ANSWERS (printf format). Sets rc and out like run.
# The answers go through a FIFO kept open until script(1) ends: at the end
# of its input, script waits for the terminal's input to be read (0.2 s
# at least, 2 s when the program leaves some unread) before it ends; a
# program that waits for more than its answers is stopped by timeout(1).
interactive () {
  _answers=$1
  shift
  # The FIFO of the last call serves again: what it held went with it.
  [ -p "$test_tmpdir/answers" ] || mkfifo "$test_tmpdir/answers"
  set +e
  timeout 60 script -qec "stty cols ${COLS:-200}; $PROG guide --interactive $*" /dev/null \
    <"$test_tmpdir/answers" >"$test_tmpdir/out" 2>"$test_tmpdir/err" &
  _script=$!
  exec 9>"$test_tmpdir/answers"
  # In a subshell: should script(1) be gone already, SIGPIPE ends only it.
  # shellcheck disable=SC2059
  (printf "$_answers" >&9) 2>/dev/null
  wait "$_script"
  rc=$?
  exec 9>&-
  set -e
  # $(tr -d '\r' <out) and $(cat err), by the shell.
  out= err=
  if [ -s "$test_tmpdir/out" ]; then slurp out "$test_tmpdir/out"; fi
  if [ -s "$test_tmpdir/err" ]; then slurp err "$test_tmpdir/err"; fi
  no_cr out "$out"
}

# numbered_steps: from $out, the lines of numbered steps (^ ?[0-9]+\. ):
# $n_steps of them, the last in $last_step, their numbers in $step_numbers
# ("1 2 3 "), and $counted, "1 2 ... n_steps ".
numbered_steps () {
  n_steps=0 last_step= step_numbers= counted=
  while IFS= read -r _l; do
    _s=${_l# }
    _d=${_s%%[!0-9]*}
    [ -n "$_d" ] || continue
    case ${_s#"$_d"} in ". "*) ;; *) continue ;; esac
    n_steps=$((n_steps + 1))
    last_step=$_l step_numbers="$step_numbers$_d " counted="$counted$n_steps "
  done <<EOF
$out
EOF
}

# connections_listed: $listed, the names of the "  NAME (https" lines of
# $out, a name a line; $blocked, how many lines say "blocked from:".
connections_listed () {
  listed= blocked=0
  while IFS= read -r _l; do
    case $_l in *"blocked from:"*) blocked=$((blocked + 1)) ;; esac
    case $_l in "  "[a-z]*) ;; *) continue ;; esac
    _r=${_l#  }
    _n=${_r%%[!a-z]*}
    case ${_r#"$_n"} in " (https"*) listed=${listed:+$listed$nl}$_n ;; esac
  done <<EOF
$out
EOF
}

# snapshot LEDGER: LEDGER as it is now, in $test_tmpdir/before.
snapshot () {
  if read_all snap "$1"; then
    printf '%s' "$snap" >"$test_tmpdir/before"
  else
    cp "$1" "$test_tmpdir/before"
  fi
}

for p in $PRODUCTS; do
  use_product "$p"
  st="$test_tmpdir/$p-state"
  ledger="$st/$NAME.ledger"

  # ---- the steps, not yet recorded ----
  run "$PROG" guide --state-dir "$st" --cloud-url "$CLOUD" </dev/null
  check "$NAME: guide prints the steps" 0 \
    "^Renew the $PRODUCT Cloud Migration Assistant \\($ABBREV\\) container token\$"
  assert "$NAME: guide says where: $PRODUCT Server or Data Center" \
    stdout_fixed "In $PRODUCT Server or Data Center, as an administrator:"
  assert "$NAME: guide names the connection and its cloud site" \
    stdout_has '^  default \(https://acme\.atlassian\.net/\)$'
  assert "$NAME: unrecorded connection: no renewal recorded, no deadlines" eval '
    stdout_has "^    state: +UNKNOWN, no renewal recorded\$" &&
    stdout_lacks "warning from:" && stdout_lacks "blocked from:"'
  assert "$NAME: one connection: the site-choosing step names its site" \
    stdout_has "^      Your site: https://acme\\.atlassian\\.net\$"
  assert "$NAME: guide prints the private-window tip" \
    stdout_has '^Tip: .*private \(incognito\) browser window'
  assert "$NAME: guide says how long and how to record" eval '
    stdout_fixed "The token is then usable for 21 days; record the renewal so the countdown starts again:" &&
    stdout_has "^  $NAME record --state-dir '"'"'$st'"'"' --cloud-url '"'"'$CLOUD'"'"'\$"'
  labels_present "$NAME:" "$COMMON_LABELS"
  numbered_steps
  assert "$NAME: steps numbered 1..$n_steps in order" [ "$step_numbers" = "$counted" ]
  assert "$NAME: last step is Confirm" [ "$last_step" = "$(printf '%2d' "$n_steps"). Click \"Confirm\"." ]
  assert "$NAME: guide did not create a ledger" [ ! -e "$ledger" ]

  assert "$NAME: $GUIDE_STEPS_WORD steps, as in the KB" [ "$n_steps" -eq "$GUIDE_STEPS" ]
  labels_present "$NAME:" "$GUIDE_LABELS"
  labels_absent "$NAME:" "$OTHER_GUIDE_LABELS"
  case $p in
    jcma)
      assert "$NAME: Jira has no direct URL; log in to the server instead" eval '
        stdout_lacks "migration\\.action" &&
        stdout_has "^    log in to: +http://localhost:8080/  as an administrator\$"'
      run "$PROG" guide --state-dir "$st" --server-url https://jira.example.com/jira --cloud-url "$CLOUD"
      check "$NAME: --server-url names where to log in (context path kept)" 0 \
        '^    log in to: +https://jira\.example\.com/jira/  as an administrator$'
      ;;
    ccma)
      assert "$NAME: direct URL on the default server" \
        stdout_has '^    open: +http://localhost:8090/admin/migration\.action  \(Migration Assistant home screen\)$'
      run "$PROG" guide --state-dir "$st" --server-url https://wiki.example.com/confluence --cloud-url "$CLOUD"
      check "$NAME: direct URL keeps the context path" 0 \
        '^    open: +https://wiki\.example\.com/confluence/admin/migration\.action  '
      run "$PROG" guide --state-dir "$st" --server-url HTTPS://Wiki.Example.COM:443/confluence/ --cloud-url "$CLOUD"
      check "$NAME: direct URL from a normalised server URL" 0 \
        '^    open: +https://wiki\.example\.com/confluence/admin/migration\.action  '
      run "$PROG" guide --state-dir "$st" --server-url http://wiki.example.com:8090 --cloud-url "$CLOUD"
      check "$NAME: direct URL keeps a non-default port" 0 \
        '^    open: +http://wiki\.example\.com:8090/admin/migration\.action  '
      ;;
  esac

  # ---- a recorded connection: its deadlines ----
  run "$PROG" record --state-dir "$st" --cloud-url "$CLOUD" --at "$T"
  check "$NAME: record at T" 0
  run "$PROG" guide --state-dir "$st" --cloud-url "$CLOUD"
  check "$NAME: guide for a recorded connection" 0
  assert "$NAME: guide shows warning from T+16d" stdout_has '^    warning from: 2026-11-17 00:00 UTC$'
  assert "$NAME: guide shows blocked from T+21d" stdout_has '^    blocked from: 2026-11-22 00:00 UTC$'
  assert "$NAME: guide shows a state for a recorded connection" \
    stdout_has '^    state: +(OK|WARNING|CRITICAL), '
  run "$PROG" guide --state-dir "$st" --cloud-url "$CLOUD" --lifetime-days 30
  check "$NAME: guide follows --lifetime-days" 0 'The token is then usable for 30 days'
  assert "$NAME: guide with lifetime 30: blocked from T+30d" stdout_has '^    blocked from: 2026-12-01 00:00 UTC$'

  # ---- two connections: each with its own lines ----
  conf="$test_tmpdir/$p.conf"
  put "$conf" <<EOF
[connection prod]
server-url = https://prod.example.com/base
cloud-url = $CLOUD

[connection test]
server-url = https://test.example.com/
cloud-url = https://acme-sandbox.atlassian.net
EOF
  run "$PROG" record --state-dir "$st" -c "$conf" -C prod --at "$T"
  check "$NAME: record prod at T" 0
  run "$PROG" guide --state-dir "$st" -c "$conf"
  check "$NAME: guide for two connections" 0
  connections_listed
  assert "$NAME: both connections listed in file order" [ "$listed" = "prod${nl}test" ]
  assert "$NAME: only prod (recorded) has deadlines" [ "$blocked" -eq 1 ]
  # record without -C refuses two connections: each gets its whole command.
  assert "$NAME: guide for two connections: the record command of each" eval '
    stdout_has "^  $NAME record -c '"'"'$conf'"'"' --state-dir '"'"'$st'"'"' -C prod\$" &&
    stdout_has "^  $NAME record -c '"'"'$conf'"'"' --state-dir '"'"'$st'"'"' -C test\$"'
  # $(sed -n "s/^  \($NAME record .* -C test\)\$/\1/p"), by the shell.
  cmd=
  while IFS= read -r line; do
    case $line in "  $NAME record "*" -C test") cmd=${cmd:+$cmd$nl}${line#  } ;; esac
  done <<EOF
$out
EOF
  run eval "PATH=\"${PROG%/*}:\$PATH\" $cmd --at $T"
  check "$NAME: ... which runs as printed" 0 "^Recorded renewal of test "
  run "$PROG" guide --state-dir "$st" -c "$conf" -C test
  check "$NAME: guide -C test" 0 '^  test \(https://acme-sandbox\.atlassian\.net/\)$'
  assert "$NAME: guide -C test leaves prod out" stdout_lacks '^  prod '

  # ---- the state status gives: an expired cloud API token ----
  xconf="$test_tmpdir/$p-expired.conf"
  xs="--state-dir $test_tmpdir/$p-expired -c $xconf"
  put "$xconf" <<EOF
[connection prod]
server-url = https://prod.example.com/
cloud-url = $CLOUD
cloud-token-expires = 2020-01-01
EOF
  run "$PROG" record $xs
  check "$NAME: record now, cloud-token-expires past" 0
  run "$PROG" status $xs
  check "$NAME: status: CRITICAL" 2 '^prod: CRITICAL, 21\.0 days left$'
  run "$PROG" guide $xs
  check "$NAME: guide with cloud-token-expires past" 0
  assert "$NAME: guide says CRITICAL as status does, not OK" \
    stdout_has '^    state: +CRITICAL, 21\.0 days left$'
  assert "$NAME: guide says why" \
    stdout_has '^    cloud API token expired [0-9.]+ days ago \(2020-01-01 00:00 UTC, from cloud-token-expires\)$'

  # ---- ... and renewals that keep failing, once due ----
  fst="$test_tmpdir/$p-failing"
  fs="--state-dir $fst -c $xconf.failing"
  printf '[connection prod]\nserver-url = https://prod.example.com/\ncloud-url = %s\nrenew-within = 21\n' \
    "$CLOUD" >"$xconf.failing"
  run "$PROG" record $fs --at -1h
  check "$NAME: record an hour ago, due at once (renew-within 21)" 0
  now_to now
  iso_at_to failed "$now"
  put "$fst/$NAME.attempts" <<EOF
{"failures": [{"connection": "prod", "server_url": "https://prod.example.com/",
  "cloud_url": "$CLOUD/", "since": "$failed", "at": "$failed", "attempts": 2,
  "class": "network", "message": "connection refused"}]}
EOF
  run "$PROG" status $fs
  check "$NAME: status: failing renewals make it WARNING" 1 '^prod: WARNING, '
  run "$PROG" guide $fs
  check "$NAME: guide with failing renewals" 0
  assert "$NAME: guide says WARNING as status does, and why" eval '
    stdout_has "^    state: +WARNING, " &&
    stdout_has "^    renewal failing since .*, 2 attempts: last error connection refused\$"'

  # ---- --interactive ----
  snapshot "$ledger"
  run "$PROG" guide --state-dir "$st" --cloud-url "$CLOUD" --interactive </dev/null
  check "$NAME: --interactive without a terminal refused" 64 'needs a terminal'
  # It printed nothing while saying "the steps are printed".
  assert "$NAME: ... saying how to print the steps, not that they are printed" \
    stderr_has "^$NAME: --interactive needs a terminal; run '$NAME guide' without it to print the steps\$"
  assert "$NAME: refused --interactive recorded nothing" same_bytes "$ledger" "$test_tmpdir/before"

  if ! have_script; then
    for what in "Enter through every step, then y" "y recorded in history" \
                "q at step 2" "q recorded nothing" "n at the question" \
                "n recorded nothing" "two connections need -C"; do
      skip "$NAME: interactive: $what" "script(1) from util-linux not available"
    done
    continue
  fi

  ist="$test_tmpdir/$p-interactive"
  iledger="$ist/$NAME.ledger"
  ione="--state-dir $ist --cloud-url $CLOUD"

  # Enter after every step but the last, which asks y/N instead.
  enters= i=2
  while [ $i -le "$n_steps" ]; do enters="$enters\\n" i=$((i + 1)); done
  re_quote_to server_re "$DEFAULT_SERVER"
  now_to before
  interactive "${enters}y\\n" $ione -m walked-through
  check "$NAME: interactive: Enter through every step, then y" 0 \
    'Recorded renewal of default \(https://acme\.atlassian\.net/\)'
  assert "$NAME: interactive: every step was shown" eval '
    stdout_fixed "$last_step" && stdout_has "Did the assistant accept the connection after \"Confirm\"\\? \\[y/N\\]"'
  assert "$NAME: interactive: the header first: state and the server to log in to" eval '
    stdout_has "^Renew the $PRODUCT Cloud Migration Assistant \\($ABBREV\\) container token\$" &&
    stdout_has "^    state: +UNKNOWN, no renewal recorded\$" &&
    stdout_has "^    (log in to|open): +$server_re"'
  assert "$NAME: interactive: the site-choosing step names the site" \
    stdout_has "^      Your site: https://acme\\.atlassian\\.net\$"
  run "$PROG" history $ione -o json
  check "$NAME: interactive: history after y" 0
  check_jq_later "$NAME: interactive: y recorded in history, now, with the note" --argjson lo "$before" '
    (.renewals | length) == 1 and .renewals[0].note == "walked-through" and
    .renewals[0].method == "manual" and (.renewals[0].at | fromdateiso8601) >= $lo'

  snapshot "$iledger"
  interactive '\nq\n' $ione
  check "$NAME: interactive: q at step 2 stops" 64 '^Stopped; nothing recorded\.$'
  assert "$NAME: interactive: q stopped before step 3" eval '
    stdout_has "^ 2\\. " && stdout_lacks "^ 3\\. "'
  assert "$NAME: interactive: q recorded nothing" same_bytes "$iledger" "$test_tmpdir/before"

  interactive "${enters}n\\n" $ione
  check "$NAME: interactive: n at the question" 64 "Nothing recorded\\. Run '$NAME guide' again"
  assert "$NAME: interactive: n recorded nothing" same_bytes "$iledger" "$test_tmpdir/before"

  interactive "${enters}y\\n" --state-dir "$ist" -c "$conf"
  check "$NAME: interactive: two connections need -C" 64 'choose the one to renew with -C NAME'
  assert "$NAME: interactive: refused with two connections recorded nothing" \
    same_bytes "$iledger" "$test_tmpdir/before"

  # A narrow terminal: long steps folded to its width, with a hanging indent.
  COLS=50 interactive '\nq\n' $ione
  check "$NAME: interactive in 50 columns: stopped at step 2" 64
  assert "$NAME: interactive in 50 columns: no step line wider than the terminal" eval \
    '[ "$(awk "/^ 1\\. / { f = 1 } f && length > m { m = length } END { print m + 0 }" <<EOF
$out
EOF
)" -le 50 ]'
  assert "$NAME: interactive in 50 columns: a folded step continues indented" \
    stdout_has "^    [^ ]"
done

tap_done
