#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-check.sh: each program run as check_PROG (a link, as installed in
# the Nagios plugin directory) is a monitoring plugin: -w/-c thresholds
# in days, -C, -t, -V, -h; one line on stdout, with performance data,
# the same as "status -o nagios"; exit 0-2 for the states and 3 for
# UNKNOWN, usage errors and timeouts included.

. "$(dirname "$0")/libtest.sh"

T=2026-11-01T00:00:00Z
require_past "$T"

# one_line: stdout is exactly one line.
one_line () {
  case $out in "" | *"$nl"*) return 1 ;; esac
}

# -t: a ledger whose open never returns, as on a stalled NFS mount
# (tests/hang-open.c; a FIFO no longer hangs: it is refused at once).
# Under a guard that ends the plugin after 20 s, so that a plugin whose
# alarm does not fire (or fires far too late) fails the test instead of
# hanging it; 20 s is far beyond what even a sanitizer build needs.
hung_ledger_case () {
  mkdir -p "$test_tmpdir/$p/hung-nfs"
  : >"$test_tmpdir/$p/hung-nfs/$NAME.ledger"
  # ASan insists on being first in the library list; the shim only wraps open().
  run timeout -k 5 20 env LD_PRELOAD="$top_builddir/tests/.libs/hang-open.so" \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    "$CHECK" --config "$conf" --state-dir "$test_tmpdir/$p/hung-nfs" -t 1
  check "$plugin_name -t 1 on a hung ledger: UNKNOWN" 3 "^$ABBREV TOKEN UNKNOWN - timed out after 1 second\$"
  assert "$plugin_name -t 1: ended by its own alarm (one line), not by the guard" \
    eval '[ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] && one_line'
}

# -t cannot add a second answer (issue 20): the alarm fires after the
# answer is flushed and before the alarm is cancelled (the shim pauses
# exactly there, longer than -t). One line, and the exit status is that
# line's.
flushed_answer_case () {
  run env LD_PRELOAD="$top_builddir/tests/.libs/slow-flush.so" SLOW_FLUSH=3 \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    "$CHECK" --config "$conf" --state-dir "$st" --at "$at" -C prod -t 1
  assert "$plugin_name -t 1, alarm after the answer: one line" one_line
  assert "$plugin_name -t 1, alarm after the answer: the exit status is the line's" \
    eval '{ [ $rc = 3 ] && stdout_has "^$ABBREV TOKEN UNKNOWN - timed out"; } ||
      { [ $rc = 0 ] && stdout_has "^$ABBREV TOKEN OK - prod "; }'
}

for p in $PRODUCTS; do
  use_product "$p"
  plugin_name=check_${NAME%-token}_token
  mkdir -p "$test_tmpdir/plugins"
  ln -sf "$PROG" "$test_tmpdir/plugins/$plugin_name"
  CHECK="$test_tmpdir/plugins/$plugin_name"
  st="$test_tmpdir/$p-state"
  conf="$test_tmpdir/$p.conf"
  printf '[connection prod]\ncloud-url = https://acme.atlassian.net\n\n[connection test]\ncloud-url = https://acme-sandbox.atlassian.net\n' >"$conf"
  "$PROG" record -c "$conf" --state-dir "$st" -C prod --at "$T" >/dev/null
  "$PROG" record -c "$conf" --state-dir "$st" -C test --at 2026-10-20T00:00:00Z >/dev/null

  # ---- help, version, usage errors: exit 3 ----
  run "$CHECK" -h
  check "$plugin_name -h: exit 3" 3 "^Usage:"
  for opt in -w -c -C -t -V -h --config --state-dir; do
    assert "$plugin_name -h lists $opt" stdout_has "^ +(-[a-zA-Z], )?$opt[ ,=]|, $opt="
  done
  assert "$plugin_name -h: names the man page" stdout_fixed "$NAME(1)"
  # The threshold syntax the help shows is the one the plugin prints.
  assert "$plugin_name -h: a WARNING threshold of 5 reads as the plugin prints it" \
    stdout_fixed '"@~:432000"'
  assert "$plugin_name -h: no '5:' of a syntax the plugin never prints" stdout_lacks_fixed '"5:"'
  run "$CHECK" --help
  check "$plugin_name --help: exit 3" 3 "^Usage:"
  # Every option of the help is in the page's NAGIOS PLUGIN section.
  section=$(sed -n '/^\.SH NAGIOS PLUGIN/,/^\.SH /p' "$top_builddir/man/$NAME.1" | sed 's/\\//g')
  for opt in $(printf '%s\n' "$out" | sed -En 's/^ +(-[a-zA-Z], )?(--[a-z][a-z-]*).*/\2/p'); do
    assert "$NAME.1, NAGIOS PLUGIN documents $opt" matches -E "(^|[^a-z-])$opt([^a-z-]|\$)" "$section"
  done
  run "$CHECK" -V
  check "$plugin_name -V: exit 3" 3 "^$plugin_name \\(cma-token\\) [0-9]"
  for bad in "-x" "-w abc" "-c -1" "-t 0" "-t 10s" "-t 3601" "stray" "--at yesterday"; do
    run "$CHECK" -c 1 --config "$conf" --state-dir "$st" $bad
    check "$plugin_name $bad: UNKNOWN" 3 "^$ABBREV TOKEN UNKNOWN - "
    assert "$plugin_name $bad: one line on stdout, nothing on stderr" eval 'one_line && stderr_empty'
  done
  run "$CHECK" -c 5 -w 3 --config "$conf" --state-dir "$st"
  check "$plugin_name: critical above warning: UNKNOWN" 3 "^$ABBREV TOKEN UNKNOWN - thresholds must satisfy"

  # ---- the states, with thresholds from -w and -c ----
  # prod was renewed on 11-01, test on 10-20: at 11-10, 12.0 and 0.0 days left.
  at=2026-11-10T00:00:00Z
  run "$CHECK" --config "$conf" --state-dir "$st" --at "$at" -C prod
  check "$plugin_name -C prod: OK" 0 "^$ABBREV TOKEN OK - prod expires in 12\\.0 days \\(2026-11-22T00:00:00Z\\) \\| 'prod_seconds_left'=1036800s;@~:432000;@~:0;;1814400\$"
  run "$CHECK" --config "$conf" --state-dir "$st" --at "$at" -C prod -w 12.5 -c 2
  check "$plugin_name -w 12.5 -c 2: WARNING, thresholds in the perfdata" 1 \
    "^$ABBREV TOKEN WARNING - prod expires in 12\\.0 days .*'prod_seconds_left'=1036800s;@~:1080000;@~:172800;;1814400\$"
  run "$CHECK" --config "$conf" --state-dir "$st" --at "$at" --warning 13 --critical 12
  check "$plugin_name --warning 13 --critical 12, both connections: CRITICAL" 2 \
    "^$ABBREV TOKEN CRITICAL - prod expires in 12\\.0 days \\(2026-11-22T00:00:00Z\\), test expired 0\\.0 days ago \\(2026-11-10T00:00:00Z\\) \\| 'prod_seconds_left'=1036800s;@~:1123200;@~:1036800;;1814400 'test_seconds_left'=0s;@~:1123200;@~:1036800;;1814400\$"
  assert "$plugin_name: one line" one_line
  run "$PROG" status -o nagios -c "$conf" --state-dir "$st" --at "$at" --warning-days 13 --critical-days 12
  status_line=$out
  run "$CHECK" --config "$conf" --state-dir "$st" --at "$at" -w 13 -c 12
  assert "$plugin_name prints what status -o nagios prints" [ "$out" = "$status_line" ]
  # Every rule of the state, not the token's alone: an expired credential.
  sed 's/^\[connection prod\]$/&\ncloud-token-expires = 2026-11-05T00:00:00Z/' "$conf" >"$conf.cred"
  run "$CHECK" --config "$conf.cred" --state-dir "$st" --at "$at" -C prod
  check "$plugin_name: cloud API token expired: CRITICAL, saying why" 2 \
    "^$ABBREV TOKEN CRITICAL - prod expires in 12\\.0 days \\(2026-11-22T00:00:00Z\\), cloud API token expired 5\\.0 days ago \\(2026-11-05T00:00:00Z, from cloud-token-expires\\) \\| "
  run "$CHECK" --config "$conf" --state-dir "$test_tmpdir/$p-empty" --at "$at"
  check "$plugin_name: nothing recorded: UNKNOWN with perfdata U" 3 \
    "^$ABBREV TOKEN UNKNOWN - .*prod has no renewal recorded.* \\| .*'prod_seconds_left'=U;@~:432000;@~:0;;1814400"
  run "$CHECK" --config "$conf" --state-dir "$st" -C nope
  check "$plugin_name -C unknown: UNKNOWN" 3 "^$ABBREV TOKEN UNKNOWN - no connection named 'nope' \(configured: prod, test\)\$"
  run "$CHECK" --config "$test_tmpdir/missing.conf" --state-dir "$st"
  check "$plugin_name --config missing: UNKNOWN" 3 "^$ABBREV TOKEN UNKNOWN - .*missing\\.conf"
  assert "$plugin_name --config missing: one line" one_line

  # ---- as a systemd-run or packaged plugin finds its files ----
  mkdir -p "$test_tmpdir/$p-etc"
  cp "$conf" "$test_tmpdir/$p-etc/$NAME.conf"
  run env CONFIGURATION_DIRECTORY="$test_tmpdir/$p-etc" STATE_DIRECTORY="$st" "$CHECK" --at "$at" -C prod
  check "$plugin_name: \$CONFIGURATION_DIRECTORY and \$STATE_DIRECTORY" 0 "^$ABBREV TOKEN OK - prod "

  # ---- -t: each case waits a second, so beside the others ----
  in_background "hung-$p" hung_ledger_case
  in_background "flush-$p" flushed_answer_case

  # ---- the program under its own name is not the plugin ----
  run "$PROG" -w 5
  check "$NAME -w 5: not a plugin option under its own name" 64

  # ---- a FIFO as ledger is refused at once, not waited for ----
  mkdir -p "$test_tmpdir/$p-fifo"
  mkfifo "$test_tmpdir/$p-fifo/$NAME.ledger"
  run "$CHECK" --config "$conf" --state-dir "$test_tmpdir/$p-fifo" -t 5
  check "$plugin_name: a FIFO as ledger: UNKNOWN at once" 3 "^$ABBREV TOKEN UNKNOWN - .*not a regular file\$"
done

tap_done
