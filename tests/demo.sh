#!/bin/sh
# SPDX-License-Identifier: MIT
# demo.sh: the README's quick start. Starts the HTTPS simulator on
# 127.0.0.1 with a throw-away CA, then shows jcma-token at work on a
# scratch state directory: a renewal recorded by hand 15 days ago, its
# status, a real renewal through the API, the new status, and the guide.
# Nothing outside a temporary directory is touched; nothing leaves loopback.
set -eu
top_builddir=${top_builddir:-$(pwd)}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top_srcdir/tests/libtest.sh"
need_sim
start_sim jcma
export PATH="$top_builddir/jcma-token:$PATH"
cd "$test_tmpdir"
cp "$CONF" jcma-token.conf

# quote WORD: WORD as it must be typed, so every command shown can be
# copied and run as it stands.
quote () {
  case $1 in
    '' | *[!A-Za-z0-9_./:=@%+,-]*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
    *) printf '%s' "$1" ;;
  esac
}

show () {
  printf '\n$'
  for word in "$@"; do printf ' %s' "$(quote "$word")"; done
  printf '\n'
  set +e
  "$@"
  printf '(exit status %d)\n' $?
  set -e
}

fifteen_days_ago=$(date -u -d '15 days ago' +%Y-%m-%dT%H:%M:%SZ)
printf 'Simulated Jira and api.atlassian.com at https://127.0.0.1:%s/ (scratch dir %s)\n' \
  "$PORT" "$test_tmpdir"
show jcma-token record -c jcma-token.conf --state-dir state --at "$fifteen_days_ago" --note "clicked Confirm in the UI"
show jcma-token status -c jcma-token.conf --state-dir state
show jcma-token renew -c jcma-token.conf --state-dir state
show jcma-token status -c jcma-token.conf --state-dir state -o nagios
show jcma-token history -c jcma-token.conf --state-dir state
show jcma-token guide -c jcma-token.conf --state-dir state
