#!/bin/sh
# SPDX-License-Identifier: MIT
# The man pages are hand-written roff (the programs' pages made from
# man/cma-token.1.in): keep them clean for mandoc and groff.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
command -v mandoc >/dev/null 2>&1 || skip_all "mandoc not installed"

for page in jcma-token.1 ccma-token.1 cma-token.conf.5; do
  file="$top_builddir/man/$page"
  [ -f "$file" ] || file="$top_srcdir/man/$page"
  run mandoc -Tlint -W warning "$file"
  check "mandoc -Tlint -W warning $page is silent" 0 '^$'
  [ -z "$out$err" ] && ok "$page: no lint messages" || not_ok "$page: $out $err"
  if command -v groff >/dev/null 2>&1; then
    run groff -man -Tutf8 -ww -z "$file"
    [ -z "$out$err" ] && ok "$page: no groff warnings" || not_ok "$page: $err"
  fi
done
# The alternating-font macros (.BR and kin) join their arguments without
# a space: ".BR \-\-jobs ); the lines" printed ");thelines". Two
# unquoted words in a row (or punctuation then a word) are such a slip.
for page in jcma-token.1 ccma-token.1 cma-token.conf.5; do
  file="$top_builddir/man/$page"
  [ -f "$file" ] || file="$top_srcdir/man/$page"
  joined=$(awk '/^\.(BR|RB|BI|IB|RI|IR) / && !/"/ {
      n = split(substr($0, 5), a, " ")
      for (i = 1; i < n; i++)
        if ((a[i] ~ /[;:,.)]$/ || a[i] ~ /^[a-z]+$/) && a[i + 1] ~ /^[a-z]/) { print NR ": " $0; break }
    }' "$file")
  [ -z "$joined" ] && ok "$page: no words run together by .BR and kin" || not_ok "$page: $joined"
done
# "man check_jcma_token" finds the program's page: a .so page installed
# beside it, and the plugin named in NAME for apropos.
for p in jcma ccma; do
  page="$top_srcdir/man/check_${p}_token.1"
  [ "$(cat "$page" 2>/dev/null)" = ".so man1/$p-token.1" ] &&
    ok "check_${p}_token.1 sources $p-token.1" || not_ok "check_${p}_token.1 missing or wrong"
  grep -q "^dist_man1_MANS.*man/check_${p}_token\.1" "$top_srcdir/Makefile-man.am" &&
    ok "check_${p}_token.1 is installed" || not_ok "check_${p}_token.1 is not in dist_man1_MANS"
  sed -n '/^\.SH NAME/{n;p;}' "$top_builddir/man/$p-token.1" | grep -q "check_${p}_token" &&
    ok "$p-token.1 names check_${p}_token in NAME" || not_ok "$p-token.1: NAME lacks check_${p}_token"
done
# Each program's page describes that program's product, not the other's.
grep -q 'Create a Migration' "$top_builddir/man/jcma-token.1" && ok "jcma-token.1 has Jira's label" || not_ok "jcma-token.1 lacks 'Create a Migration'"
grep -q 'Create New Migration' "$top_builddir/man/ccma-token.1" && ok "ccma-token.1 has Confluence's label" || not_ok "ccma-token.1 lacks 'Create New Migration'"
# PROG/man.sed repeats four facts of PROG/*-product.c: the page shows
# the values the program uses.
for p in jcma ccma; do
  text=$(sed -e 's/\\-/-/g' -e 's/\\://g' "$top_builddir/man/$p-token.1")
  for field in min_api_version min_attach_version plugin_key default_server_url; do
    value=$(sed -n "s/^ *\\.$field = \"\\(.*\\)\",\$/\\1/p" "$top_srcdir/$p-token/$p-product.c")
    case $text in
      *"$value"*) [ -n "$value" ] && ok "$p-token.1 shows $p-product.c's $field ($value)" ||
                    not_ok "$p-product.c: no $field found" ;;
      *) not_ok "$p-token.1 does not show $p-product.c's $field ($value)" ;;
    esac
  done
done
tap_done
