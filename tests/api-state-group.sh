#!/bin/sh
# SPDX-License-Identifier: MIT
# api-state-group.sh: renew --state-group on a fresh state directory, for
# both products: the ledger and the attempts file the renewals write are
# the group's to read (0640, group G, in a 2750 directory), as record's
# are, so monitoring reads them without sudo after a timer run.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

[ "$(id -u)" = 0 ] || skip_all "needs root to give the state to another group"
group=nogroup
getent group "$group" >/dev/null || skip_all "no group $group"

# shared WHAT FILE: FILE is 0640 and the group's, its directory 2750 and the group's.
shared () {
  f=$2
  assert "$p: $1: directory setgid and group-readable (2750, $group)" eval \
    '[ "$(stat -c %a "${f%/*}")" = 2750 ] && [ "$(stat -c %G "${f%/*}")" = "$group" ]'
  assert "$p: $1: $(basename "$2") group-readable (0640, $group)" eval \
    '[ -f "$f" ] && [ "$(stat -c %a "$f")" = 640 ] && [ "$(stat -c %G "$f")" = "$group" ]'
}

for p in $PRODUCTS; do
  use_product "$p"
  start_sim "$p"
  state="$test_tmpdir/state-$p"
  printf '\n[connection other]\nserver-url = %s\ncloud-url = https://other.atlassian.net\n' \
    "$SERVER_URL" >>"$CONF"

  run "$PROG" renew -c "$CONF" --state-dir "$state" --state-group "$group"
  check "$p: renew --state-group on a fresh state directory renews" 0 "^prod: renewed"
  shared "after renew" "$state/$NAME.ledger"
  assert "$p: no file of the state is private to root" eval \
    '[ -z "$(find "$state" -type f ! -name "*.lock" ! -perm -g=r)" ]'

  # A failing renewal keeps its attempt in PROG.attempts, made by rename.
  state="$test_tmpdir/failing-$p"
  sed -i "s|^cloud-api-url = .*|cloud-api-url = https://127.0.0.1:1/|" "$CONF"
  run "$PROG" renew -c "$CONF" --state-dir "$state" --state-group "$group" -C prod
  check "$p: a failing renewal with --state-group" 69
  shared "after a failure" "$state/$NAME.attempts"
  stop_sim
done

tap_done
