#!/bin/sh
# SPDX-License-Identifier: MIT
# examples.sh: the example configurations that are installed as
# documentation are accepted by the programs as they stand, document every
# key of cma-token.conf(5), and, with only the URLs and files the comments
# ask to change filled in, pass doctor; the crontab runs renew.

. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"

# The keys cma-token.conf(5) describes: its ".BI key (type)" items.
keys=$(sed -n 's/^\.BI \([a-z\\-]*\) " \\fR(.*/\1/p' "$top_srcdir/man/cma-token.conf.5" | tr -d '\\')
if [ "$(printf '%s\n' "$keys" | grep -c .)" -ge 16 ]; then
  ok "cma-token.conf(5) lists the keys ($(echo $keys))"
else
  not_ok "cma-token.conf(5): keys not found ($keys)"
fi

for p in $PRODUCTS; do
  use_product "$p"
  example="$top_srcdir/examples/$NAME.conf"
  st="$test_tmpdir/$p-state"

  # ---- accepted as it stands ----
  run "$PROG" status -c "$example" --state-dir "$st" -o json
  check "$NAME: status accepts $NAME.conf: UNKNOWN, nothing recorded" 3
  assert "$NAME: status: no error message" stderr_empty
  check_jq "$NAME: status: the example's connection, unknown" \
    '.state == "UNKNOWN" and ([.connections[] | [.name, .state, .last_renewed]] == [["prod", "UNKNOWN", null]])'
  run "$PROG" guide -c "$example" --state-dir "$st"
  check "$NAME: guide accepts $NAME.conf" 0
  run "$PROG" history -c "$example" --state-dir "$st" -o json
  check "$NAME: history accepts $NAME.conf" 0
  assert "$NAME: reading created no ledger" test ! -e "$st/$NAME.ledger"

  # ---- every key documented, set or commented out ----
  # The shell's own look for each key, not a grep a key.
  slurp text "$example"
  text=$nl$text
  missing=
  for key in $keys; do
    case $text in *"$nl$key = "* | *"$nl#$key = "*) ;; *) missing="$missing $key" ;; esac
  done
  if [ -z "$missing" ]; then ok "$NAME: $NAME.conf shows every key"; else not_ok "$NAME: $NAME.conf lacks:$missing"; fi

  # Uncommented, every "#key = value" line must be valid too (the
  # commented-out connection and the token files included), so the
  # comments do not teach a value the program refuses.
  sed -e 's/^#\([a-z-]* = \)/\1/' -e 's/^#\(\[connection \)/\1/' "$example" >"$test_tmpdir/$p-all.conf"
  run "$PROG" status -c "$test_tmpdir/$p-all.conf" --state-dir "$st" -o json
  check "$NAME: every commented-out line is valid" 3
  check_jq "$NAME: ... and defines the second connection" '[.connections[].name] == ["prod", "staging"]'
  assert "$NAME: ... without an error message" stderr_empty

  # The README's "Configuration and files" example, copied as a newcomer
  # would (its token files need not exist for status).
  sed -n '/^Configuration and files$/,/^[A-Z]/{/^    /s/^    //p}' "$top_srcdir/README" |
    sed "s/jcma-token/$NAME/" >"$test_tmpdir/$p-readme.conf"
  run "$PROG" status -c "$test_tmpdir/$p-readme.conf" --state-dir "$st" -o json
  check "$NAME: the README's configuration example is accepted" 3
  check_jq "$NAME: ... and defines prod" '[.connections[].name] == ["prod"]'
  assert "$NAME: ... without an error message" stderr_empty
done

# ---- doctor, once the server's URL and files are filled in ----
# doctor_case: for the product use_product set, with its simulator.
doctor_case () {
  conf="$test_tmpdir/$p-filled.conf"
  sed -e "s|^server-url = .*|server-url = $SERVER_URL|" \
      -e "s|^#server-token-file = .*|server-token-file = $test_tmpdir/server.token|" \
      -e "s|^#ca-file = .*|ca-file = $test_tmpdir/certs/ca.pem|" \
      "$top_srcdir/examples/$NAME.conf" >"$conf"
  run "$PROG" doctor --no-cloud -c "$conf" --state-dir "$test_tmpdir/$p-state"
  check "$NAME: doctor --no-cloud passes with the example filled in" 0 '^All checks passed\.$'
}

have_sim=
if [ -x "$SIM" ] && command -v certtool >/dev/null 2>&1; then
  need_sim
  have_sim=1
else
  skip "doctor with the examples" "simulator or certtool missing"
fi

# ---- the crontab ----
cron="$top_builddir/examples/cma-token.cron"
crontab=
if [ -s "$cron" ]; then
  ok "cma-token.cron generated"
  slurp crontab "$cron"
else
  not_ok "cma-token.cron generated"
fi

# cron_cases: the product's job in the crontab, and (with the simulator
# started) the job run against it.
cron_cases () {
  # Job lines: five time fields, the user, then the command.
  line=
  while IFS= read -r _l; do
    case $_l in [0-9*]*) ;; *) continue ;; esac
    if matches -E " root  */[^ ]*/$NAME " "$_l"; then line=${line:+$line$nl}$_l; fi
  done <<EOT
$crontab
EOT
  if [ -z "$line" ]; then
    not_ok "$NAME: a job in cma-token.cron"
    return 0
  fi
  # The time fields hold "*": split the line without globbing.
  set -f
  set -- $line
  set +f
  if [ "$6" = root ]; then ok "$NAME: cron job has five time fields and a user"; else not_ok "$NAME: cron job: '$line'"; fi
  shift 7
  if [ "$*" = "renew -q" ]; then ok "$NAME: cron job runs renew -q"; else not_ok "$NAME: cron job runs '$*'"; fi
  # The same arguments against the simulator: a renewal, then nothing
  # due, both silent, so that cron mails nothing.
  if [ -n "$have_sim" ]; then
    for outcome in renewed not-due; do
      run "$PROG" "$@" -c "$CONF" --state-dir "$test_tmpdir/$p-cron"
      check "$NAME: the cron job, $outcome: exit 0" 0
      assert "$NAME: the cron job, $outcome: silent" test -z "$out$err"
    done
    assert "$NAME: the cron job recorded the renewal" test -s "$test_tmpdir/$p-cron/$NAME.ledger"
  else
    skip "$NAME: the cron job against the simulator" "simulator or certtool missing"
  fi
}

# One simulator per product, for doctor and then the cron job.
for p in $PRODUCTS; do
  use_product "$p"
  if [ -n "$have_sim" ]; then
    start_sim "$p"
    doctor_case
  fi
  if [ -n "$crontab" ]; then cron_cases; fi
done
if [ -n "$crontab" ]; then
  assert "no unsubstituted @variable@ in cma-token.cron" eval '! matches -E "@[a-z]*@" "$crontab"'
fi

# ---- make demo: every command it shows can be copied as it stands ----
if [ -n "$have_sim" ]; then
  # With this test's certificates: no second set made.
  run env top_srcdir="$top_srcdir" top_builddir="$top_builddir" SIM_CERTS_DIR="$test_tmpdir/certs" \
    sh "$top_srcdir/tests/demo.sh"
  check "make demo runs" 0
  line=$(printf '%s\n' "$out" | sed -n 's/^\$ \(jcma-token record .*\)$/\1/p')
  # The shell reads the shown line back into the words that were run.
  note=$(eval "printf '%s\\n' $line" | tail -n 1)
  assert "make demo: the record command shown keeps its --note in one word" \
    [ "$note" = "clicked Confirm in the UI" ]
else
  skip "make demo: commands shown as typed" "simulator or certtool missing"
fi

tap_done
