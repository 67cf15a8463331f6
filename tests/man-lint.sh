#!/bin/sh
# SPDX-License-Identifier: MIT
# The man pages are hand-written roff: keep them clean for mandoc and groff.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
command -v mandoc >/dev/null 2>&1 || skip_all "mandoc not installed"

for page in jcma-token.1 ccma-token.1 cma-token.conf.5; do
  run mandoc -Tlint -W warning "$top_srcdir/man/$page"
  check "mandoc -Tlint -W warning $page is silent" 0 '^$'
  [ -z "$out$err" ] && ok "$page: no lint messages" || not_ok "$page: $out $err"
  if command -v groff >/dev/null 2>&1; then
    run groff -man -Tutf8 -ww -z "$top_srcdir/man/$page"
    [ -z "$out$err" ] && ok "$page: no groff warnings" || not_ok "$page: $err"
  fi
done
# Each program's page describes that program's product, not the other's.
grep -q 'Create a Migration' "$top_srcdir/man/jcma-token.1" && ok "jcma-token.1 has Jira's label" || not_ok "jcma-token.1 lacks 'Create a Migration'"
grep -q 'Create New Migration' "$top_srcdir/man/ccma-token.1" && ok "ccma-token.1 has Confluence's label" || not_ok "ccma-token.1 lacks 'Create New Migration'"
tap_done
