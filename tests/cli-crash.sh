#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-crash.sh: a record killed mid-write (tests/torn-write.c) loses no
# renewal committed before it: the torn line is reported, ended by the
# next record and kept; a kill while status --output-file replaces its
# file leaves the old file whole and no temporary file.

. "$(dirname "$0")/libtest.sh"

require_past 2026-11-21T00:00:00Z
shim="$top_builddir/tests/.libs/torn-write.so"
# In a sanitizer build the shim, which is not instrumented, comes before
# the ASan runtime; it calls on to the runtime's write(), as intended.
asan_options="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
[ -f "$shim" ] || skip_all "no $shim"

for p in $PRODUCTS; do
  use_product "$p"
  st="$test_tmpdir/$p-state"
  ledger="$st/$NAME.ledger"
  c="--state-dir $st --server-url https://jira.example.com --cloud-url https://acme.atlassian.net"
  # rows: the number of renewals history -o json shows.
  rows () { printf '%s\n' "$out" | grep -c '^      "at" : ' || true; }

  for d in 01 02 03; do
    run "$PROG" record $c --at "2026-11-${d}T00:00:00Z"
    check "$NAME: record 11-$d" 0
  done
  size=$(wc -c <"$ledger")

  run env LD_PRELOAD="$shim" ASAN_OPTIONS="$asan_options" TORN_WRITE=ledger "$PROG" record $c --at 2026-11-04T00:00:00Z
  assert "$NAME: the record killed mid-write" rc_is 137
  assert "$NAME: half a line after the committed records" eval '
    [ "$(wc -c <"$ledger")" -gt "$size" ] && [ "$(tail -c 1 "$ledger" | od -An -c | tr -d " ")" != "\\n" ]'
  run "$PROG" history $c -o json
  check "$NAME: history after the kill" 0
  assert "$NAME: the three committed renewals" [ "$(rows)" -eq 3 ]
  assert "$NAME: the torn line reported" stderr_has ":4: truncated record \\(no end of line\\); line ignored\$"
  run "$PROG" status $c -o json --at 2026-11-04T12:00:00Z
  check "$NAME: status after the kill: the last committed renewal" 0 '"last_renewed" : "2026-11-03T00:00:00Z"'

  run "$PROG" record $c --at 2026-11-05T00:00:00Z
  check "$NAME: the next record" 0
  run "$PROG" history $c -o json
  check "$NAME: history after the next record" 0
  assert "$NAME: four renewals, none merged with the torn line" [ "$(rows)" -eq 4 ]
  assert "$NAME: the torn line kept on a line of its own, reported" \
    stderr_has ":4: not a valid record .*; line ignored\$"
  run "$PROG" status $c -o json
  check "$NAME: status sees the new record (CRITICAL by now)" 2 '"last_renewed" : "2026-11-05T00:00:00Z"'

  out_dir="$test_tmpdir/$p-out"
  mkdir "$out_dir"
  run "$PROG" status $c -o json --output-file "$out_dir/status.json"
  check "$NAME: status --output-file" 2
  cp "$out_dir/status.json" "$test_tmpdir/status.before"
  run "$PROG" record $c --at 2026-11-06T00:00:00Z
  check "$NAME: a record after that" 0
  run env LD_PRELOAD="$shim" ASAN_OPTIONS="$asan_options" TORN_WRITE=replacement "$PROG" status $c -o json --output-file "$out_dir/status.json"
  assert "$NAME: status killed while replacing its output file" rc_is 137
  assert "$NAME: the old output file left whole" cmp -s "$test_tmpdir/status.before" "$out_dir/status.json"
  assert "$NAME: no temporary file left beside it" [ "$(ls -A "$out_dir")" = status.json ]
  run "$PROG" history $c -o json
  assert "$NAME: every committed renewal in the history" [ "$(rows)" -eq 5 ]
done

tap_done
