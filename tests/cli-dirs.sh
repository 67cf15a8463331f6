#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-dirs.sh: where the configuration and the ledger are, as systemd's
# $CONFIGURATION_DIRECTORY and $STATE_DIRECTORY say (first entry of their
# colon-separated lists), with --config and --state-dir taking precedence
# over them and the compiled-in defaults used when they are unset or empty.

. "$(dirname "$0")/libtest.sh"

T=2026-11-01T00:00:00Z
require_past "$T"

for p in $PRODUCTS; do
  use_product "$p"
  cdir="$test_tmpdir/$p-etc"
  sdir="$test_tmpdir/$p-var"
  mkdir -p "$cdir/first" "$cdir/second" "$sdir/first" "$sdir/second"
  for d in first second; do
    printf '[connection env-%s]\ncloud-url = https://%s.atlassian.net\n' "$d" "$d" >"$cdir/$d/$NAME.conf"
  done
  conf_list="$cdir/first:$cdir/second"
  state_list="$sdir/first:$sdir/second"

  # ---- the environment, first entry of the list ----
  run env CONFIGURATION_DIRECTORY="$conf_list" STATE_DIRECTORY="$state_list" \
    "$PROG" record -v --at "$T"
  check "$NAME: \$CONFIGURATION_DIRECTORY: reads the first directory's $NAME.conf" 0 \
    "^$NAME: configuration: $(re_quote "$cdir/first/$NAME.conf")\$"
  assert "$NAME: \$STATE_DIRECTORY: ledger in the first directory" \
    stderr_has "^$NAME: ledger: $(re_quote "$sdir/first/$NAME.ledger")\$"
  assert "$NAME: \$STATE_DIRECTORY: recorded there, nowhere else" \
    eval '[ -s "$sdir/first/$NAME.ledger" ] && [ ! -e "$sdir/second/$NAME.ledger" ] &&
      [ ! -e "$XDG_STATE_HOME/cma-token/$NAME.ledger" ]'
  run env CONFIGURATION_DIRECTORY="$cdir/first" STATE_DIRECTORY="$sdir/first" \
    "$PROG" status --at 2026-11-02T00:00:00Z
  check "$NAME: a single directory, no colon: status reads what record wrote" 0 \
    "^env-first: OK, 20\\.0 days left\$"

  # ---- options come first ----
  run env CONFIGURATION_DIRECTORY="$conf_list" STATE_DIRECTORY="$state_list" \
    "$PROG" status -v -c "$cdir/second/$NAME.conf" --state-dir "$sdir/second" --at "$T"
  check "$NAME: --config overrides \$CONFIGURATION_DIRECTORY" 3 \
    "^$NAME: configuration: $(re_quote "$cdir/second/$NAME.conf")\$"
  assert "$NAME: --state-dir overrides \$STATE_DIRECTORY" \
    stderr_has "^$NAME: ledger: $(re_quote "$sdir/second/$NAME.ledger")\$"
  assert "$NAME: --config: that file's connection" stdout_has '^env-second: '

  # ---- a missing file in $CONFIGURATION_DIRECTORY is no configuration, not an error ----
  run env CONFIGURATION_DIRECTORY="$test_tmpdir/$p-empty" STATE_DIRECTORY="$sdir/first" \
    "$PROG" status -v --cloud-url https://acme.atlassian.net --at "$T"
  check "$NAME: no $NAME.conf in \$CONFIGURATION_DIRECTORY: status runs" 3 \
    "^$NAME: configuration: $(re_quote "$test_tmpdir/$p-empty/$NAME.conf")\$"

  # ---- unset, empty or an empty first entry: the compiled-in defaults ----
  for value in unset "" ":$cdir/first"; do
    if [ "$value" = unset ]; then
      run "$PROG" status -v --cloud-url https://acme.atlassian.net --at "$T"
    else
      run env CONFIGURATION_DIRECTORY="$value" STATE_DIRECTORY="${value:+:$sdir/first}" \
        "$PROG" status -v --cloud-url https://acme.atlassian.net --at "$T"
    fi
    check "$NAME: environment '$value': status runs" 3
    if [ "$(id -u)" -eq 0 ]; then
      want_conf="/.*/cma-token/$NAME\\.conf" want_ledger="/.*/lib/cma-token/$NAME\\.ledger"
    else
      want_conf=$(re_quote "$XDG_CONFIG_HOME/cma-token/$NAME.conf")
      want_ledger=$(re_quote "$XDG_STATE_HOME/cma-token/$NAME.ledger")
    fi
    assert "$NAME: environment '$value': the default configuration" \
      eval 'stderr_has "^$NAME: configuration: $want_conf\$" && ! stderr_has "configuration: $cdir"'
    assert "$NAME: environment '$value': the default ledger" \
      eval 'stderr_has "^$NAME: ledger: $want_ledger\$" && ! stderr_has "ledger: $sdir"'
  done
done

tap_done
