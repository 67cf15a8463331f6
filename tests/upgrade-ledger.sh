#!/bin/sh
# SPDX-License-Identifier: MIT
# upgrade-ledger.sh: a ledger written by release 0.1.0 (the fixture in
# tests/fixtures/ledger-0.1.0, with its own outputs) is read unchanged,
# every row, and a later record only appends to it.

. "$(dirname "$0")/libtest.sh"

require_past 2026-11-21T00:00:00Z
use_product jcma
fx="$top_srcdir/tests/fixtures/ledger-0.1.0"
st="$test_tmpdir/state"
ledger="$st/jcma-token.ledger"
c="--state-dir $st -c $fx/jcma-token.conf"
mkdir -m 700 "$st"
cp "$fx/jcma-token.ledger" "$ledger"
chmod 600 "$ledger"
old_size=$(wc -c <"$ledger")

# same_as FILE: stdout is FILE byte for byte (the shell compares when it
# can read FILE whole; cmp otherwise and whenever they differ).
same_as () {
  if read_all want "$1" && [ "$out$nl" = "$want" ]; then return 0; fi
  printf '%s\n' "$out" | cmp -s - "$1"
}
# check_same_json_as DESCRIPTION FILE: stdout is the document of FILE,
# member for member in the same order with the same values, once the
# members later releases added to each connection (additions to schema 1,
# null here) are taken out: what jq -c prints of each (tojson is jq -c's
# text), and of those members nothing but null. Made at the end with the
# other jq assertions (check_jq_later).
added_since_0_1_0='del(.connections[].attach, .connections[].assistant_check)'
check_same_json_as () {
  check_jq_later "$1" -s --slurpfile want "$2" "
    (map($added_since_0_1_0 | tojson) | join(\"\\n\")) == (\$want | map(tojson) | join(\"\\n\")) and
    (map([.connections[] | .attach, .assistant_check] | unique | tojson) | join(\"\\n\")) == \"[null]\""
}

# status_as_0_1_0 WHEN: status -o json at the fixture's two instants, one
# CRITICAL (qa), one in the past (WARNING), prints what 0.1.0 printed.
status_as_0_1_0 () {
  run "$PROG" status $c -o json --at 2026-11-20T12:00:00Z
  check "$1: status -o json --at: CRITICAL (qa)" 2
  check_same_json_as "$1: status -o json: as 0.1.0 printed it, and nothing for attach or the assistant" \
    "$fx/status.json"
  run "$PROG" status $c -o json --at 2026-10-21T00:00:00Z
  check "$1: status -o json --at in the past: WARNING" 1
  check_same_json_as "$1: status -o json in the past: as 0.1.0 printed it, and nothing more" \
    "$fx/status-past.json"
}

run "$PROG" history --state-dir "$st" -o json
check "history -o json of the 0.1.0 ledger" 0
assert "history -o json: as 0.1.0 printed it, every row" same_as "$fx/history.json"
assert "history: the malformed line reported" \
  stderr_has "^$NAME: warning: $ledger:8: not a valid record .*; line ignored\$"
assert "history: the torn last line reported" \
  stderr_has "^$NAME: warning: $ledger:12: truncated record \\(no end of line\\); line ignored\$"
run env TZ=UTC "$PROG" history $c
check "history text of the configured connections" 0
assert "history text: as 0.1.0 printed it" same_as "$fx/history.txt"

status_as_0_1_0 "before any record"
assert "readers leave nothing behind: no index" [ ! -e "$st/jcma-token.index" ]

# An index as the release before this one kept it, describing this very
# ledger (device, inode, size, mtime, the sum of its last 4 KiB), so that
# release would have believed it, but claiming qa was renewed the day
# before: the ledger is the only truth, and nothing reads the index.
end=$(($(wc -c <"$ledger") - $(tail -n 1 "$ledger" | wc -c) + 1))
tail_sum=$(head -c "$end" "$ledger" | tail -c 4096 | sha256sum)
tail_sum=${tail_sum%% *}
# One stat: device, inode, size and the mtime in nanoseconds (%.9Y less
# its point).
read -r dev ino size mtime <<EOF
$(stat -c '%d %i %s %.9Y' "$ledger")
EOF
{ printf '{"version":1,"dev":%s,"ino":%s,"size":%s,"mtime_ns":%s,"end":%s,"lines":11,' \
    "$dev" "$ino" "$size" "${mtime%.*}${mtime#*.}" "$end"
  printf '"recheck_after":9223372036854775807,"tail":"%s","records":1,"skipped":[]}\n' "$tail_sum"
  printf '{"at":"2026-11-20T00:00:00Z","connection":"qa","server_url":"https://qa.example.com/",'
  printf '"cloud_url":"https://acme-qa.atlassian.net/","method":"manual","user":"root"}\n'
} >"$st/jcma-token.index"
status_as_0_1_0 "an index an earlier release left, claiming what the ledger does not"

run "$PROG" record $c -C qa -m 'after the upgrade'
check "record after the upgrade" 0
assert "record: the 0.1.0 bytes are an unchanged prefix" \
  cmp -s -n "$old_size" "$fx/jcma-token.ledger" "$ledger"
assert "record: the torn line ended, the record on a line of its own" eval '
  [ "$(tail -c +$((old_size + 1)) "$ledger" | head -c 1)" = "$(printf "\\n")" ] &&
  tail -n 1 "$ledger" | grep -q "\"note\":\"after the upgrade\"}\$"'
assert "record: the old index removed (the ledger is the only state)" [ ! -e "$st/jcma-token.index" ]

run "$PROG" history --state-dir "$st" -o json
check "history -o json after the record" 0
# Line 5 or 6 opens a row (sed -n 5,6p | grep -q); 11 lines start a row's
# "at" (grep -c).
row_opens= ats=0 n=0
while IFS= read -r line; do
  n=$((n + 1))
  if [ $n -ge 5 ] && [ $n -le 6 ] && [ "$line" = "    {" ]; then row_opens=yes; fi
  case $line in '      "at" : '*) ats=$((ats + 1)) ;; esac
done <<EOF
$out
EOF
assert "history after the record: the new row first, then the old ones unchanged" eval '
  [ -n "$row_opens" ] && [ "$ats" -eq 11 ]'
# The ledger read again, and the past through a second read.
status_as_0_1_0 "after the record"
run "$PROG" status $c -C qa
check "status of qa: renewed just now" 0 'last renewed'

tap_done
