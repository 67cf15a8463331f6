#!/bin/sh
# SPDX-License-Identifier: MIT
# man-options.sh: every long option that PROG COMMAND --help shows is
# documented in man/PROG.1, for every command of both binaries.

. "$(dirname "$0")/libtest.sh"

# man_text PAGE: the page with roff escapes for fonts and hyphens undone,
# so "\fB\-\-state\-dir\fR" reads "--state-dir".
man_text () {
  sed -e 's/\\f[BIRP1-4]//g' -e 's/\\f([A-Z][A-Z]//g' -e 's/\\f\[[^]]*\]//g' \
      -e 's/\\(en/-/g' -e 's/\\(hy/-/g' -e 's/\\//g' "$1"
}

# long_options: the long options in the last --help, one a line.
long_options () {
  printf '%s\n' "$out" | grep -E '^ +(-[a-zA-Z], )?--[a-z]' |
    sed -E 's/^ +(-[a-zA-Z], )?(--[a-z][a-z0-9-]*).*/\2/' | sort -u
}

# in_man DESCRIPTION WORD: WORD appears in the page as a word of its own.
in_man () {
  if grep -Eq -- "(^|[^a-z0-9-])$2([^a-z0-9-]|\$)" "$test_tmpdir/$NAME.man"; then
    ok "$1"
  else
    not_ok "$1"
    echo "# '$2' not found in $page"
  fi
}

for p in $PRODUCTS; do
  use_product "$p"
  page="$top_builddir/man/$NAME.1"
  if [ ! -s "$page" ]; then
    not_ok "$NAME: $page exists and is not empty"
    continue
  fi
  ok "$NAME: $page exists and is not empty"
  man_text "$page" >"$test_tmpdir/$NAME.man"

  run "$PROG" --help
  check "$NAME --help" 0
  commands=$(printf '%s\n' "$out" | sed -n '/^Commands:$/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
  # The top-level options first, then each command's.
  printf -- '--help\n--version\n' >"$test_tmpdir/options"
  for cmd in $commands; do
    in_man "$NAME: man page documents the command '$cmd'" "$cmd"
    run "$PROG" "$cmd" --help
    long_options >"$test_tmpdir/cmd-options"
    # Guard the extraction itself: every command has the global options.
    assert "$NAME $cmd --help: long options extracted" \
      grep -qx -- --state-dir "$test_tmpdir/cmd-options"
    cat "$test_tmpdir/cmd-options" >>"$test_tmpdir/options"
  done

  for opt in $(sort -u "$test_tmpdir/options"); do
    in_man "$NAME: man page documents $opt" "$opt"
  done
done

tap_done
