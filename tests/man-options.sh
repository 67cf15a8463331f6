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

# long_options: $cmd_options, the long options in the last --help, one a
# line: what sed -E 's/^ +(-[a-zA-Z], )?(--[a-z][a-z0-9-]*).*/\2/' makes of
# the lines grep -E '^ +(-[a-zA-Z], )?--[a-z]' finds.
long_options () {
  cmd_options=
  while IFS= read -r _l; do
    case $_l in " "*) ;; *) continue ;; esac
    while :; do case $_l in " "*) _l=${_l# } ;; *) break ;; esac; done
    case $_l in -[a-zA-Z]", --"*) _l=${_l#??, } ;; esac
    case $_l in --[a-z]*) ;; *) continue ;; esac
    _o=${_l#--}
    cmd_options=$cmd_options--${_o%%[!a-z0-9-]*}$nl
  done <<EOF
$out
EOF
}

# man_words PAGE: $man_words, the words of PAGE, maximal runs of
# [a-z0-9-] (grep -o), a line each, for in_man.
man_words () {
  man_words=$nl$(grep -oE -- '[a-z0-9-]+' "$1" || true)$nl
}

# in_man DESCRIPTION WORD: WORD appears in the page as a word of its own:
# grep -E "(^|[^a-z0-9-])WORD([^a-z0-9-]|$)" finds it, which for a WORD of
# [a-z0-9-] only is WORD being one of $man_words.
in_man () {
  _found=no
  case $2 in
    '' | *[!a-z0-9-]*)
      if grep -Eq -- "(^|[^a-z0-9-])$2([^a-z0-9-]|\$)" "$test_tmpdir/$NAME.man"; then _found=yes; fi ;;
    *) case $man_words in *"$nl$2$nl"*) _found=yes ;; esac ;;
  esac
  if [ "$_found" = yes ]; then
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
  man_words "$test_tmpdir/$NAME.man"

  run "$PROG" --help
  check "$NAME --help" 0
  commands_of_help
  # The top-level options first, then each command's.
  options="--help$nl--version$nl"
  for cmd in $commands; do
    in_man "$NAME: man page documents the command '$cmd'" "$cmd"
    run "$PROG" "$cmd" --help
    long_options
    # Guard the extraction itself: every command has the global options.
    assert "$NAME $cmd --help: long options extracted" \
      eval 'case $nl$cmd_options in *"$nl--state-dir$nl"*) true ;; *) false ;; esac'
    options=$options$cmd_options
  done

  printf '%s' "$options" >"$test_tmpdir/options"
  for opt in $(sort -u "$test_tmpdir/options"); do
    in_man "$NAME: man page documents $opt" "$opt"
  done
done

tap_done
