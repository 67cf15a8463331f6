#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-monitoring.sh: monitoring without sudo, as cma-token(1) documents
# it: root records with --state-group, and the plugin (or status) run by
# a monitoring user with no files of its own reads root's configuration
# and ledger without flags, and names both files when it finds neither.
# Root's paths are the compiled-in ones, so the test runs in a mount
# namespace of its own with a tmpfs over them.

if [ -z "${CMA_MOUNT_NS:-}" ] && [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
  CMA_MOUNT_NS=1 exec unshare -m sh "$0" "$@"
fi
. "$(dirname "$0")/libtest.sh"

[ -n "${CMA_MOUNT_NS:-}" ] || skip_all "needs root and a mount namespace (unshare -m)"
[ -n "${sysconfdir:-}" ] && [ -n "${localstatedir:-}" ] || skip_all "run through make check"
# The nearest existing directory above localstatedir gets the tmpfs; the
# configuration directory must lie below it too (/usr/local, not / and /etc).
top=$localstatedir
while [ ! -d "$top" ]; do top=$(dirname "$top"); done
case $sysconfdir/ in
  "$top"/*) ;;
  *) skip_all "$sysconfdir is not below $top" ;;
esac
[ "$top" != / ] || skip_all "no directory to mount over"
mount -t tmpfs -o mode=755 cma-test "$top" || skip_all "cannot mount a tmpfs on $top"
as_user="setpriv --reuid=65534 --regid=65534 --clear-groups --"
$as_user test -x "$JCMA" 2>/dev/null || skip_all "cannot run the programs as nobody"
chmod 711 "$test_tmpdir"

T=2026-11-01T00:00:00Z
require_past "$T"
# nobody's own files: none.
user_env="env -u XDG_CONFIG_HOME -u XDG_STATE_HOME HOME=$test_tmpdir/nobody"

for p in $PRODUCTS; do
  use_product "$p"
  plugin="$test_tmpdir/check_$(echo "$NAME" | tr - _)"
  ln -sf "$PROG" "$plugin"
  sysconf="$sysconfdir/cma-token/$NAME.conf"
  ledger="$localstatedir/lib/cma-token/$NAME.ledger"
  mkdir -p "$sysconfdir/cma-token"
  printf '[connection prod]\ncloud-url = https://acme.atlassian.net\n' >"$sysconf"

  run "$PROG" record --state-group nogroup --at "$T"
  check "$NAME: root records with --state-group nogroup" 0 "Recorded renewal of prod "
  assert "$NAME: ... in root's ledger" [ -f "$ledger" ]

  # The recipe of the issue: no --config, no --state-dir.
  run $as_user $user_env "$plugin" -w 7 -c 2 --at 2026-11-02T00:00:00Z
  check "$NAME: the plugin as nobody reads root's configuration and ledger" 0 \
    "^$ABBREV TOKEN OK - prod expires in 20\\.0 days "
  run $as_user $user_env "$PROG" status -v --at 2026-11-02T00:00:00Z
  check "$NAME: status as nobody too, saying which files it read" 0 "^prod: OK, 20\\.0 days left\$"
  assert "$NAME: ... root's configuration" stderr_has "^$NAME: configuration: $(re_quote "$sysconf")\$"
  assert "$NAME: ... root's ledger" stderr_has "^$NAME: ledger: $(re_quote "$ledger")\$"
  # --config naming root's file finds root's ledger too (it said "prod
  # has no renewal recorded").
  run $as_user $user_env "$plugin" -w 7 -c 2 --config "$sysconf" --at 2026-11-02T00:00:00Z
  check "$NAME: the plugin with --config root's file finds root's ledger" 0 "^$ABBREV TOKEN OK - "
  # A user's own configuration goes with the user's own ledger.
  mkdir -p "$test_tmpdir/own" && cp "$sysconf" "$test_tmpdir/own/$NAME.conf" && chmod -R a+rX "$test_tmpdir/own"
  run $as_user $user_env "$PROG" status -v --config "$test_tmpdir/own/$NAME.conf" --at 2026-11-02T00:00:00Z
  check "$NAME: another configuration: not root's ledger" 3 "^prod: UNKNOWN, no renewal recorded\$"
  # Writers never fall back to root's files.
  run $as_user $user_env "$PROG" record --at "$T"
  check "$NAME: record as nobody does not use root's configuration" 78 "does not exist \\(root reads "
  # The user's own files, when there, come first.
  run $as_user $user_env "$PROG" status -v --state-dir "$test_tmpdir" --at 2026-11-02T00:00:00Z
  check "$NAME: --state-dir still decides" 3 "^prod: UNKNOWN, no renewal recorded\$"

  # Root's state, but not shared with this user: the read says so, not
  # "no renewal recorded" from a ledger of the user's own.
  chgrp root "$(dirname "$ledger")" && chmod 2750 "$(dirname "$ledger")"
  run $as_user $user_env "$PROG" status -v --at 2026-11-02T00:00:00Z
  check "$NAME: root's state not shared: UNKNOWN, permission denied" 3 "[Pp]ermission denied"
  assert "$NAME: ... root's ledger named" stderr_has "^$NAME: ledger: $(re_quote "$ledger")\$"
  assert "$NAME: ... not 'no renewal recorded'" stdout_lacks "no renewal recorded"
  chgrp nogroup "$(dirname "$ledger")"

  # Nothing anywhere: the plugin names both files it looked for.
  rm -f "$sysconf" "$ledger"
  run $as_user $user_env "$plugin" -w 7 -c 2
  check "$NAME: nothing anywhere: UNKNOWN" 3 \
    "^$ABBREV TOKEN UNKNOWN - no connection configured: $(re_quote "$test_tmpdir/nobody/.config/cma-token/$NAME.conf") does not exist and neither does $(re_quote "$sysconf");"
done

tap_done
