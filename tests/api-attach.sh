#!/bin/sh
# SPDX-License-Identifier: MIT
# The attach clock (issue 17), for both products against one simulator
# each: renew attaches a cloud site with attach = yes (after the renewal
# when both are due), records it in PROG.facts and never in the ledger,
# re-attaches once attach-margin has passed, says so in --dry-run, JSON
# and hooks; status in every format shows "attached until" with WARNING
# in the last 4 h and CRITICAL once lapsed or never attached; the
# assistant's "not authorized" and a 404 from one too old are explained.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

# secrets CMD...: CMD with the secrets in the environment (exported to
# CMD alone, without an env process).
secrets () {
  CMA_CLOUD_TOKEN="$CLOUD_SECRET" CMA_SERVER_TOKEN="$SERVER_SECRET" "$@"
}

# attached_at FILE: $attached, the instant of the last attach recorded in
# FILE (ISO), or nothing.
attached_at () {
  attached=
  [ -f "$1" ] || return 0
  slurp _facts "$1"
  case $_facts in *'"attached_at"'*) ;; *) return 0 ;; esac
  attached=${_facts##*'"attached_at"'}
  # A string value only: blanks and the colon, then a quote (a null or
  # anything else is no instant).
  attached=${attached#"${attached%%[!	 :]*}"}
  case $attached in '"'*) ;; *) attached= ; return 0 ;; esac
  attached=${attached#'"'}
  attached=${attached%%'"'*}
}

# set_first TEXT KEY VALUE: $set, TEXT with KEY's first string value
# (in "KEY" : "...") replaced by VALUE.
set_first () {
  set=$1
  case $1 in *"\"$2\""*) ;; *) return 0 ;; esac
  _rest=${1#*"\"$2\""}
  _rest=${_rest#*'"'}
  set="${1%%"\"$2\""*}\"$2\":\"$3\"${_rest#*'"'}"
}

# age_attach FILE HOURS: pretend the last attach was made HOURS ago.
age_attach () {
  now_to now
  iso_at_to _at $((now - $2 * 3600))
  iso_at_to _until $((now - $2 * 3600 + 86400))
  slurp _facts "$1"
  set_first "$_facts" attached_at "$_at"
  set_first "$set" until "$_until"
  printf '%s\n' "$set" >"$1.new"
  mv "$1.new" "$1"
}

# posts: $posts, the paths of the requests -vv shows POSTed (in $err), in
# order, each followed by a blank.
posts () {
  posts=
  while IFS= read -r _l; do
    case $_l in *'> POST /'*) ;; *) continue ;; esac
    _l=${_l##*'> POST '}
    posts="$posts${_l%%[ ?]*} "
  done <<EOT
$err
EOT
}

# file_out FILE: $out, FILE's text (for stdout_has and the like).
file_out () {
  out=
  if [ -f "$1" ]; then slurp out "$1"; fi
}

# The hook writes its environment (CMA_ATTACH* among it) to HOOK.ACTION.
hook="$test_tmpdir/hook"
printf '#!/bin/sh\nenv >"$0.$1"\n' >"$hook"
chmod +x "$hook"

for p in $PRODUCTS; do
  use_product "$p"
  start_sim "$p"
  state="$test_tmpdir/state-$p"
  facts="$state/$NAME.facts"
  ledger="$state/$NAME.ledger"
  printf '%s\n' "attach = yes" "" "[connection other]" "server-url = $SERVER_URL" \
    "cloud-url = https://other.atlassian.net" "attach = yes" "attach-margin = 12" >>"$CONF"

  # ---- never attached ----
  run "$PROG" status -c "$CONF" --state-dir "$state" -C prod -o json
  check "$p: status before any attach is CRITICAL" 2 '"state" : "CRITICAL"'
  assert "$p: ... its attach member says so" stdout_fixed '"attach" : {'

  # ---- renew: the token first, then the attach ----
  rm -f "$hook".*
  run secrets "$PROG" renew -c "$CONF" --state-dir "$state" -C prod -vv --hook "$hook"
  check "$p: renew renews, then attaches" 0 "^prod: attached https://acme.atlassian.net/ for Migration API jobs until "
  posts
  assert "$p: ... the save comes before the attach" test "$posts" = \
    "/migrations/public/v1/token ${CONTEXT_PATH%/}/rest/migration/latest/cloud/save/token ${CONTEXT_PATH%/}/rest/migration/latest/public/v1/attach "
  assert "$p: ... the simulator counted one attach" test "$(sim_stats attaches)" = 1
  attached_at "$facts"
  assert "$p: ... recorded in the facts" test -n "$attached"
  count_nonempty count "$ledger"
  assert "$p: ... and never in the ledger" test "$count" = 1
  file_out "$hook.renewed"
  assert "$p: ... the hook is told" stdout_has '^CMA_ATTACH=attached$'
  assert "$p: ... and until when" stdout_has '^CMA_ATTACHED_UNTIL=20'
  at=$attached
  t=$(date -u -d "$at" +%s)

  run "$PROG" status -c "$CONF" --state-dir "$state" -C prod
  check "$p: status shows until when it is attached" 0 "^  attached until .* \\(2[34]\\.[0-9] h left\\)\$"

  # ---- the rule, to the second ----
  iso_at_to at_ok $((t + 72000 - 1))
  iso_at_to at_warn $((t + 72000))
  iso_at_to at_lapsed $((t + 86400))
  run "$PROG" status -c "$CONF" --state-dir "$state" -C prod --at "$at_ok"
  check "$p: OK while more than 4 h remain" 0 "^prod: OK"
  run "$PROG" status -c "$CONF" --state-dir "$state" -C prod --at "$at_warn" -o nagios
  check "$p: WARNING at 4 h left, in the plugin line too" 1 \
    "^$ABBREV TOKEN WARNING - .*prod attached until .* \\(4\\.0 h left\\).*'prod_attach_seconds_left'=14400s;@~:14400;@~:0;;86400"
  run "$PROG" status -c "$CONF" --state-dir "$state" -C prod --at "$at_lapsed" -o json
  check "$p: CRITICAL once lapsed" 2 '"state" : "CRITICAL"'
  assert "$p: ... with the attach's own state" stdout_has '"seconds_left" : 0,'
  run "$PROG" status -c "$CONF" --state-dir "$state" -C prod -o prometheus
  check "$p: Prometheus exports the attach's expiry" 0 \
    "^cma_token_attach_expiry_timestamp_seconds\\{product=\"$(echo "$PRODUCT" | tr A-Z a-z)\",connection=\"prod\",.*\\} $((t + 86400))\$"
  assert "$p: ... with HELP and TYPE" stdout_has '^# TYPE cma_token_attach_expiry_timestamp_seconds gauge$'
  run "$PROG" status -c "$CONF" --state-dir "$state" -C prod -o ics
  check "$p: the calendar has the attach's lapse" 0 "SUMMARY:.*cloud site attach lapses: prod"
  assert "$p: ... with its alarm 4 h before" stdout_has '^TRIGGER:-PT4H'
  run "$PROG" guide -c "$CONF" --state-dir "$state" -C prod
  check "$p: guide shows the attach" 0 "^    attach: +attached until "

  run secrets "$PROG" doctor -c "$CONF" --state-dir "$state" -C prod --no-cloud
  assert "$p: doctor checks the version attach needs" stdout_has \
    "^  .* $ABBREV version $ATTACH_VERSION_RE or later, for attach: $(re_quote "$PLUGIN_VERSION")\$"

  # ---- not due, then past the margin ----
  run secrets "$PROG" renew -c "$CONF" --state-dir "$state" -C prod -o json
  check "$p: a second renew attaches nothing" 0 '"outcome" : "not-due",'
  assert "$p: ... attach not due either" test "$(sim_stats attaches)" = 1
  age_attach "$facts" 20
  run secrets "$PROG" renew -c "$CONF" --state-dir "$state" -C prod --dry-run
  check "$p: --dry-run says it would attach" 0 "^prod: would attach https://acme.atlassian.net/ \\(attached until "
  assert "$p: ... and attaches nothing" test "$(sim_stats attaches)" = 1
  run secrets "$PROG" renew -c "$CONF" --state-dir "$state" -C prod -o json
  check "$p: renew re-attaches at attach-margin (token not due)" 0 '"outcome" : "attached",'
  assert "$p: ... the simulator counted it" test "$(sim_stats attaches)" = 2
  assert "$p: ... the token was not renewed" test "$(sim_stats saved)" = 1

  # ---- a site the assistant holds no token for ----
  run "$PROG" record -c "$CONF" --state-dir "$state" -C other
  run secrets "$PROG" renew -c "$CONF" --state-dir "$state" -C other
  check "$p: an unauthorized site is explained, not a bare 400" 76 \
    "server $SERVER_URL would not attach cloud site https://other.atlassian.net/ \\(HTTP 400; it said \"The destination cloud site is not authorized.*renew it \\('$NAME renew --force'\\)"
  assert "$p: ... the simulator refused it" test "$(sim_stats attach_refusals)" = 1
  run secrets "$PROG" renew -c "$CONF" --state-dir "$state" -C other --force
  check "$p: renew --force saves a token, then attaches" 0 "^other: attached "
done

# ---- an assistant older than the Migration API ----
for p in $PRODUCTS; do
  use_product "$p"
  start_sim "$p" --fault attach-404
  state="$test_tmpdir/old-$p"
  printf 'attach = yes\n' >>"$CONF"
  run secrets "$PROG" renew -c "$CONF" --state-dir "$state"
  check "$p: a 404 from attach names the version it needs" 76 \
    "has no attach endpoint \\(HTTP 404\\): the $PRODUCT Cloud Migration Assistant is missing, disabled or older than $ATTACH_VERSION_RE"
  assert "$p: ... after the renewal, which stands" stderr_has \
    "^$NAME: prod: the token was renewed and recorded, but server "
  count_nonempty count "$state/$NAME.ledger"
  assert "$p: ... in the ledger" test "$count" = 1
  # The attempt's own renewal is no news to it: its failure is kept.
  run_out=$out
  file_out "$state/$NAME.attempts"
  assert "$p: ... and the failed attach kept among the attempts" stdout_fixed 'has no attach endpoint'
  out=$run_out
  run secrets "$PROG" renew -c "$CONF" --state-dir "$state" -o json
  check "$p: renew -o json: the attach was due and not made" 76 '"outcome" : "not-attached",'
  assert "$p: ... the connection's attempt failed" stdout_has '"outcome" : "failed",'
  assert "$p: ... and the token was not renewed again" test "$(sim_stats saved)" = 1
done

stop_sim
tap_done
