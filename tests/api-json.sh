#!/bin/sh
# SPDX-License-Identifier: MIT
# api-json.sh: 'renew -o json' and 'doctor -o json' of both binaries
# against the simulator — each connection's outcome, each check's result,
# every member pinned in order (the man pages document them).
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

RENEW_KEYS='["schema_version","program","product","exit_status","connections"]'
OUTCOME_KEYS='["name","server_url","cloud_url","outcome","exit_status","state","usable_until","due_from","fingerprint","assistant_version","error","warning","attach"]'
DOCTOR_KEYS='["schema_version","program","product","passed","config","connections"]'
CHECK_KEYS='["result","title","detail"]'

for p in $PRODUCTS; do
  use_product "$p"
  case $p in jcma) id=jira ;; ccma) id=confluence ;; esac
  state="$test_tmpdir/state-$p"
  start_sim "$p"
  s="-c $CONF --state-dir $state"
  head_ok='.schema_version == 1 and .program == $prog and .product == $id'

  # ---- renew: renewed, not due, would renew, failed ----
  run "$PROG" renew $s -o json
  check "$p: renew -o json: renewed, exit 0" 0
  assert "$p: renew -o json: no text line" stdout_lacks '^prod: '
  check_jq "$p: renew -o json: renewed, members in order" \
    --arg prog "$NAME" --arg id "$id" --argjson k "$RENEW_KEYS" --argjson o "$OUTCOME_KEYS" "
      keys_unsorted == \$k and $head_ok and .exit_status == 0 and
      (.connections[0] | keys_unsorted == \$o and .name == \"prod\" and
        .outcome == \"renewed\" and .exit_status == 0 and .state == \"OK\" and
        (.fingerprint | test(\"^sha256:[0-9a-f]{12}\$\")) and (.usable_until | type) == \"string\" and
        .due_from == null and .error == null and .attach == null)"
  # The document that cannot be written is a failure, though the renewal
  # itself (not due here) went well.
  if [ -w /dev/full ]; then
    run sh -c '"$@" >/dev/full' sh "$PROG" renew $s -o json
    check "$p: renew -o json >/dev/full: exit 74, says so" 74 \
      "^$NAME: cannot write standard output: No space left on device; the output is incomplete\$"
  fi
  run "$PROG" renew $s -o json
  check "$p: renew -o json: not due, exit 0" 0
  check_jq "$p: renew -o json: not due, with due_from" '
      .connections[0] | .outcome == "not-due" and (.due_from | type) == "string" and
        .fingerprint == null and .error == null'
  # The connection's state, as status gives it: an expired credential
  # makes it CRITICAL, though the token is not due.
  sed -i "s|^\[connection prod\]|&\ncloud-token-expires = 2020-01-01|" "$CONF"
  run "$PROG" renew $s -o json
  check "$p: renew -o json: not due, with an expired credential" 0
  check_jq "$p: renew -o json: the state is status's, CRITICAL" \
    '.connections[0] | .outcome == "not-due" and .state == "CRITICAL"'
  run "$PROG" status $s -C prod -o json
  check_jq "$p: status agrees: CRITICAL" '.connections[0].state == "CRITICAL"'
  sed -i "/^cloud-token-expires = 2020-01-01\$/d" "$CONF"
  run "$PROG" renew $s -o json --force --dry-run
  check "$p: renew -o json --dry-run: exit 0" 0
  check_jq "$p: renew -o json --dry-run: would renew, with the assistant's version" \
    --arg v "$PLUGIN_VERSION" '.connections[0] | .outcome == "would-renew" and .assistant_version == $v'
  set_key cloud-api-url https://127.0.0.1:1/
  run "$PROG" renew $s -o json --force
  check "$p: renew -o json: failed, exit 69, the error on stderr too" 69 "^$NAME: prod: "
  check_jq "$p: renew -o json: failed, with class and message" '
      .exit_status == 69 and (.connections[0] | .outcome == "failed" and .exit_status == 69 and
        .error.class == "network" and (.error | keys_unsorted) == ["class", "message"] and
        .fingerprint == null)'
  run "$PROG" renew $s -o xml
  check "$p: renew -o xml: usage error" 64 "unknown output format 'xml' \\(choose text, json\\)"

  # ---- doctor ----
  start_sim "$p"
  run "$PROG" doctor $s -o json
  check "$p: doctor -o json: healthy, exit 0" 0
  assert "$p: doctor -o json: no text line" stdout_lacks '^All checks'
  check_jq "$p: doctor -o json: members in order, every check passed" \
    --arg prog "$NAME" --arg id "$id" --arg conf "$CONF" --argjson k "$DOCTOR_KEYS" --argjson c "$CHECK_KEYS" "
      keys_unsorted == \$k and $head_ok and .passed == true and .config.path == \$conf and
      (.config | keys_unsorted == [\"path\", \"passed\", \"checks\"]) and
      (.connections[0] | keys_unsorted == [\"name\", \"server_url\", \"cloud_url\", \"passed\", \"checks\"] and
        .passed == true and (.checks | length) >= 8) and
      ([.config.checks[], .connections[].checks[]] |
        all(keys_unsorted == \$c and
          (.result == \"pass\" or (.result == \"skip\" and (.title | test(\"api.atlassian.com\")))))) and
      ([.connections[0].checks[] | select(.result == \"skip\")] | length) == 1"
  set_key cloud-api-url https://127.0.0.1:1/
  run "$PROG" doctor $s -o json
  check "$p: doctor -o json: cloud unreachable, exit 1" 1
  check_jq "$p: doctor -o json: the cloud check fails, the others pass" '
      .passed == false and .connections[0].passed == false and
      ([.connections[0].checks[] | select(.result == "fail")] | length) == 1 and
      ([.connections[0].checks[] | select(.result == "fail")][0].detail | test("127\\.0\\.0\\.1"))'
  run "$PROG" doctor $s -o json --no-cloud
  check_jq "$p: doctor -o json --no-cloud: the cloud checks are skipped (and the untestable one)" \
    --arg a "$ABBREV" '
      [.connections[0].checks[] | select(.result == "skip") | .title] ==
        ["server\u0027s own access to api.atlassian.com", "cloud API reachable and credentials accepted",
         "Atlassian\u0027s migration hosts reachable from this machine (TLS handshake)",
         "\($a) current with the Marketplace"]'
done

tap_done
