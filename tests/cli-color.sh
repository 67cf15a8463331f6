#!/bin/sh
# SPDX-License-Identifier: MIT
# Colour: only on a terminal, never with NO_COLOR, never with TERM=dumb.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"

command -v script >/dev/null 2>&1 && script -qec true /dev/null </dev/null >/dev/null 2>&1 ||
  skip_all "script(1) cannot give us a terminal here"
esc=$(printf '\033')

# on_tty ENV... -- ARGS: run PROG ARGS on a pseudo-terminal with ENV.
on_tty () {
  env_args=
  while [ "$1" != "--" ]; do env_args="$env_args $1"; shift; done
  shift
  # status exits 1 (WARNING) here: keep set -e from ending the test.
  out=$(script -qec "env $env_args $PROG $*" /dev/null </dev/null 2>&1) || true
}

for p in $PRODUCTS; do
  use_product "$p"
  "$PROG" record -q --state-dir "$STATE" --cloud-url https://acme.atlassian.net --at 2026-11-01
  args="status --state-dir $STATE --cloud-url https://acme.atlassian.net --at 2026-11-18"

  on_tty -u NO_COLOR TERM=xterm -- "$args"
  case $out in
    *"${esc}[33mWARNING${esc}[0m"*) ok "$NAME: a terminal gets the state in colour" ;;
    *) not_ok "$NAME: no colour on a terminal: $out" ;;
  esac
  on_tty NO_COLOR=1 TERM=xterm -- "$args"
  case $out in
    *"$esc"*) not_ok "$NAME: NO_COLOR still coloured" ;;
    *WARNING*) ok "$NAME: NO_COLOR turns colour off" ;;
    *) not_ok "$NAME: NO_COLOR run printed no state: $out" ;;
  esac
  on_tty -u NO_COLOR TERM=dumb -- "$args"
  case $out in
    *"$esc"*) not_ok "$NAME: TERM=dumb still coloured" ;;
    *WARNING*) ok "$NAME: TERM=dumb turns colour off" ;;
    *) not_ok "$NAME: TERM=dumb run printed no state: $out" ;;
  esac
  run env -u NO_COLOR TERM=xterm $PROG $args
  case $out in
    *"$esc"*) not_ok "$NAME: colour written to a pipe" ;;
    *WARNING*) ok "$NAME: a pipe gets no colour" ;;
    *) not_ok "$NAME: pipe run printed no state" ;;
  esac
done
tap_done
