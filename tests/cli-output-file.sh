#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-output-file.sh: 'status --output-file' of both binaries in every
# format — the same bytes as stdout, mode 0644 whatever the umask, a new
# file by rename (never rewritten in place), no temporary left behind,
# the UNKNOWN cases a collector must still see, and exit 74 when stdout
# cannot take the whole document.

. "$(dirname "$0")/libtest.sh"

T=2026-11-01T00:00:00Z
CLOUD=https://acme.atlassian.net
require_past "$T"

mode_of () { stat -c %a "$1"; }
inode_of () { stat -c %i "$1"; }
uid=$(id -u) umask=$(umask)

# file_has ERE FILE: a line of FILE matches ERE (grep -Eq), by the shell.
file_has () {
  [ -e "$2" ] || return 2
  [ -s "$2" ] || return 1
  slurp _fh "$2"
  matches -E "$1" "$_fh"
}

# to_full CMD... and closed_stdout CMD...: CMD with its standard output on
# /dev/full, or closed (for run, without a shell in between).
to_full () { "$@" >/dev/full; }
closed_stdout () { "$@" >&-; }

for p in $PRODUCTS; do
  use_product "$p"
  st="$test_tmpdir/$p-state"
  one="--state-dir $st --cloud-url $CLOUD"
  dir="$test_tmpdir/$p-out"
  mkdir -p "$dir"
  run "$PROG" record $one --at "$T"
  check "$NAME: record renewal at $T" 0

  for fmt in text json nagios prometheus; do
    f="$dir/status.$fmt"
    run "$PROG" status $one --at 2026-11-17T00:00:00Z -o "$fmt"
    expected=$out
    umask 077
    run "$PROG" status $one --at 2026-11-17T00:00:00Z -o "$fmt" --output-file "$f"
    umask "$umask"
    check "$NAME: $fmt to a file: exit still WARNING" 1
    assert "$NAME: $fmt to a file: nothing on stdout or stderr" eval 'stdout_empty && stderr_empty'
    # $(cat "$f"), by the shell.
    assert "$NAME: $fmt to a file: the bytes stdout would get" eval '
      got=; if [ -s "$f" ]; then slurp got "$f"; fi; [ -e "$f" ] && [ "$got" = "$expected" ]'
    assert "$NAME: $fmt to a file: mode 0644 under umask 077" eval '[ "$(mode_of "$f")" = 644 ]'
  done

  f="$dir/status.prometheus"
  before=$(inode_of "$f")
  run "$PROG" status $one --at 2026-11-22T00:00:00Z -o prometheus --output-file "$f"
  check "$NAME: rewrite: exit CRITICAL" 2
  assert "$NAME: rewrite: new content" file_has '^cma_token_state\{.*\} 2$' "$f"
  assert "$NAME: rewrite replaces the file by rename (new inode)" \
    eval '[ "$(inode_of "$f")" != "$before" ]'
  # What ls lists (not the names starting with a dot), counted by the shell.
  assert "$NAME: no temporary file left" eval '
    n=0; for e in "$dir"/*; do if [ -e "$e" ] || [ -L "$e" ]; then n=$((n + 1)); fi; done; [ "$n" -eq 4 ]'

  # ---- replacements a killed run left are swept by the next write ----
  # Ours (.NAME. and six letters or digits), older than ten minutes: not
  # a copy someone made, not another run's write in progress.
  sweep="$test_tmpdir/$p-sweep"
  mkdir -p "$sweep"
  old=
  for n in .status.json.Ab12Cd .status.json.Zz99Yy .status.json.bak status.json.Qq11Ww \
      .status.json.Ab12C .other.json.Ab12Cd; do
    : >"$sweep/$n"
    old="$old $n"
  done
  : >"$sweep/.status.json.Nw00Nw"
  if [ "$uid" -eq 0 ]; then
    : >"$sweep/.status.json.Ot44Ot"
    old="$old .status.json.Ot44Ot"
    chown 65534 "$sweep/.status.json.Ot44Ot"
  fi
  # One touch for all of them (the names have no blanks).
  (cd "$sweep" && touch -d '-1 hour' $old)
  run "$PROG" status $one --at 2026-11-17T00:00:00Z -o json --output-file "$sweep/status.json"
  check "$NAME: sweep: written" 1
  assert "$NAME: sweep: the abandoned replacements are gone" \
    eval '[ ! -e "$sweep/.status.json.Ab12Cd" ] && [ ! -e "$sweep/.status.json.Zz99Yy" ]'
  assert "$NAME: sweep: a fresh one (a run writing now), other names and others' files stay" \
    eval 'kept=yes
          for n in .status.json.Nw00Nw .status.json.bak status.json.Qq11Ww .status.json.Ab12C \
             .other.json.Ab12Cd; do [ -e "$sweep/$n" ] || kept=no; done
          [ "$kept" = yes ] && { [ "$uid" -ne 0 ] || [ -e "$sweep/.status.json.Ot44Ot" ]; }'

  run "$PROG" status $one --at 2026-11-17T00:00:00Z -q --output-file "$dir/status.text"
  check "$NAME: -q text: the file is still written" 1
  assert "$NAME: -q text: file holds the text" file_has '^default: WARNING, ' "$dir/status.text"

  # ---- status itself fails ----
  run "$PROG" status $one -c "$test_tmpdir/missing.conf" -o nagios --output-file "$dir/status.nagios"
  check "$NAME: missing config: exit 3, error on stderr" 3 "missing\\.conf"
  assert "$NAME: missing config: the file says UNKNOWN" \
    file_has "^$ABBREV TOKEN UNKNOWN - " "$dir/status.nagios"
  run "$PROG" status $one -c "$test_tmpdir/missing.conf" -o prometheus --output-file "$f"
  check "$NAME: missing config: prometheus exit 3" 3
  assert "$NAME: missing config: the metrics file says success 0" \
    file_has '^cma_token_status_success\{.*\} 0$' "$f"
  if read_all snap "$dir/status.text"; then
    printf '%s' "$snap" >"$test_tmpdir/text.before"
  else
    cp "$dir/status.text" "$test_tmpdir/text.before"
  fi
  run "$PROG" status $one -c "$test_tmpdir/missing.conf" --output-file "$dir/status.text"
  check "$NAME: missing config: text exit 3" 3
  assert "$NAME: missing config: text file left as it was" same_bytes "$test_tmpdir/text.before" "$dir/status.text"

  # ---- standard output that cannot be written: never a success ----
  if [ -w /dev/full ]; then
    for fmt in text nagios json; do
      run to_full "$PROG" status $one --at 2026-11-02T00:00:00Z -o "$fmt"
      check "$NAME: status -o $fmt >/dev/full: exit 74 and says so" 74 \
        "^$NAME: cannot write standard output: No space left on device; the output is incomplete\$"
    done
    run to_full "$PROG" history $one -o json
    check "$NAME: history -o json >/dev/full: exit 74, not 0" 74 "cannot write standard output"
    run to_full "$PROG" --help
    check "$NAME: --help >/dev/full: exit 74" 74 "cannot write standard output"
  fi
  run closed_stdout "$PROG" record $one --at "$T" -q
  check "$NAME: a closed stdout nothing is written to is no error" 0

  re_quote_to tmp_re "$test_tmpdir"
  run "$PROG" status $one --at "$T" -o json --output-file "$test_tmpdir/no-such-dir/status.json"
  check "$NAME: unwritable destination: exit 3, names the file" 3 \
    "cannot write $tmp_re/no-such-dir/status\\.json: "
  assert "$NAME: unwritable destination: nothing on stdout" stdout_empty
done

tap_done
