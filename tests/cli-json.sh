#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-json.sh: the JSON shapes of status and history, for both binaries,
# pinned member by member and in order (the man pages document them):
# schema_version, program and product first, so a reader that collects
# both programs' output tells them apart.

. "$(dirname "$0")/libtest.sh"

T=2026-11-01T00:00:00Z
CLOUD=https://acme.atlassian.net
require_past "$T"

STATUS_KEYS='["schema_version","program","product","state","at","connections"]'
CONN_KEYS='["name","server_url","cloud_url","state","last_renewed","last_method","warning_from","usable_until","days_left","last_failure","credentials","attach","assistant_check"]'
FAILURE_KEYS='["schema_version","program","product","state","error","connections"]'
HISTORY_KEYS='["schema_version","program","product","renewals"]'
RENEWAL_KEYS='["at","connection","server_url","cloud_url","method","user","note","fingerprint"]'

for p in $PRODUCTS; do
  use_product "$p"
  case $p in jcma) id=jira ;; ccma) id=confluence ;; esac
  st="$test_tmpdir/$p-state"
  one="--state-dir $st --cloud-url $CLOUD"
  head_ok='.schema_version == 1 and .program == $prog and .product == $id'

  run "$PROG" status $one --at "$T" -o json
  check "$NAME: status, nothing recorded: exit 3" 3
  check_jq "$NAME: status, nothing recorded: members in order" \
    --arg prog "$NAME" --arg id "$id" --argjson k "$STATUS_KEYS" --argjson c "$CONN_KEYS" "
      keys_unsorted == \$k and $head_ok and
      (.connections[0] | keys_unsorted == \$c and .last_failure == null and .attach == null)"

  run "$PROG" record $one --at "$T" -m "first"
  check "$NAME: record" 0
  run "$PROG" status $one --at 2026-11-17T00:00:00Z -o json
  check "$NAME: status: exit 1" 1
  check_jq "$NAME: status: members in order, with types" \
    --arg prog "$NAME" --arg id "$id" --argjson k "$STATUS_KEYS" --argjson c "$CONN_KEYS" "
      keys_unsorted == \$k and $head_ok and
      (.connections[0] | keys_unsorted == \$c and (.days_left | type) == \"number\" and
        ([.name, .server_url, .cloud_url, .state, .last_renewed, .last_method, .warning_from,
          .usable_until] | all(type == \"string\")))"

  # 20.0 days left, written as people write days: "%.1g" made it 2e+01.
  run "$PROG" status $one --at 2026-11-02T00:00:00Z -o json
  check "$NAME: status, 20 days left: exit 0" 0
  assert "$NAME: status: 20 days left written 20.0, not 2e+01" \
    stdout_fixed '"days_left" : 20.0,'

  run "$PROG" status $one -c "$test_tmpdir/missing.conf" -o json
  check "$NAME: status failure: exit 3" 3
  check_jq "$NAME: status failure: members in order" \
    --arg prog "$NAME" --arg id "$id" --argjson k "$FAILURE_KEYS" "
      keys_unsorted == \$k and $head_ok and .state == \"UNKNOWN\" and .connections == []"

  run "$PROG" history $one -o json
  check "$NAME: history: exit 0" 0
  check_jq "$NAME: history: members in order" \
    --arg prog "$NAME" --arg id "$id" --argjson k "$HISTORY_KEYS" --argjson r "$RENEWAL_KEYS" "
      keys_unsorted == \$k and $head_ok and (.renewals | length) == 1 and
      (.renewals[0] | keys_unsorted == \$r and .note == \"first\" and .fingerprint == null)"
done

tap_done
