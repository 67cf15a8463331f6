#!/bin/sh
# SPDX-License-Identifier: MIT
# Credentials quoted back never leave the process (issue 20): libcurl's
# HTTP/2 trace lines ("* h2h3 [authorization: ...]") behind an h2 front
# end (nghttpx), and a server's 401 text echoing the Authorization header
# and the auth token, in every output that shows or keeps server text:
# stderr, renew -o json, PROG.attempts, status text, JSON and Nagios.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

CLOUD_B64=$(printf 'admin@example.com:%s' "$CLOUD_SECRET" | base64 | tr -d '\n')
SERVER_B64=$(printf 'admin:%s' "$SERVER_SECRET" | base64 | tr -d '\n')

# no_leak FILE...: no canary (the secrets, their Basic values) in any FILE
# (looked for by the shell; grep shows where on a leak).
no_leak () {
  for _file in "$@"; do
    slurp _text "$_file"
    for _needle in "$CLOUD_SECRET" "$SERVER_SECRET" "$CLOUD_B64" "$SERVER_B64"; do
      case $_text in
        *"$_needle"*)
          grep -Fn -- "$_needle" "$@" | sed 's/^/# leaked: /'
          return 1
          ;;
      esac
    done
  done
}
printf 'Authorization: Bearer %s\n' "$SERVER_SECRET" >"$test_tmpdir/planted"
assert "the canary scan finds a planted secret" eval '! no_leak "$test_tmpdir/planted"'

use_basic () { sed -i 's/^\[defaults\]$/&\nserver-user = admin/' "$CONF"; }
state="$test_tmpdir/state"

# ---- HTTP/2: every trace line, whatever its kind ----
h2_pid=
stop_h2 () {
  if [ -n "$h2_pid" ]; then
    kill "$h2_pid" 2>/dev/null || true
    wait "$h2_pid" 2>/dev/null || true
    h2_pid=
  fi
}
trap 'stop_h2; stop_sim; rm -rf "$test_tmpdir"' EXIT

# start_h2: nghttpx offering h2 over TLS on $H2PORT, in front of the
# simulator (TLS behind too); false when it cannot be started.
start_h2 () {
  for _try in 1 2 3 4 5; do
    H2PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
    nghttpx --conf=/dev/null --frontend="127.0.0.1,$H2PORT" --backend="127.0.0.1,$PORT;;tls" \
      --insecure --workers=1 --no-ocsp --log-level=ERROR \
      --errorlog-file="$test_tmpdir/nghttpx.err" --accesslog-file=/dev/null \
      "$test_tmpdir/certs/server-key.pem" "$test_tmpdir/certs/server.pem" 2>>"$test_tmpdir/nghttpx.err" &
    h2_pid=$!
    _i=0
    while [ $_i -lt 200 ] && kill -0 "$h2_pid" 2>/dev/null; do
      if curl -s -o /dev/null --cacert "$test_tmpdir/certs/ca.pem" \
        "https://127.0.0.1:$H2PORT/_sim/stats"; then
        return 0
      fi
      _i=$((_i + 1))
      nap
      nap
    done
    stop_h2
  done
  return 1
}

h2_runs () {
  start_sim "$1"
  if ! start_h2; then
    skip "$1: HTTP/2 traces" "nghttpx did not start: $(head -c 200 "$test_tmpdir/nghttpx.err" 2>/dev/null)"
    return
  fi
  sed -i "s|127\.0\.0\.1:$PORT/|127.0.0.1:$H2PORT/|" "$CONF"
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force -vv
  if ! stderr_has '\* using HTTP/2'; then
    skip "$1: HTTP/2 traces" "libcurl without HTTP/2 (no h2 negotiated)"
    stop_h2
    return
  fi
  check "$1: renew -vv over HTTP/2 (Bearer) renews" 0 "^prod: renewed"
  printf '%s\n' "$err" >"$test_tmpdir/h2-bearer"
  assert "$1: libcurl's h2 lines quote the Authorization header, redacted" \
    stderr_has 'h2h3 \[authorization: \[REDACTED\]\]'
  use_basic
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force -vv
  check "$1: renew -vv over HTTP/2 (Basic both sides) renews" 0 "^prod: renewed"
  printf '%s\n' "$err" >"$test_tmpdir/h2-basic"
  assert "$1: no credential in the HTTP/2 traces" no_leak "$test_tmpdir/h2-bearer" "$test_tmpdir/h2-basic"
  stop_h2
}

if ! command -v nghttpx >/dev/null 2>&1; then
  skip "HTTP/2 traces" "nghttpx (nghttp2-proxy) not installed"
elif ! command -v curl >/dev/null 2>&1; then
  skip "HTTP/2 traces" "curl not installed"
else
  h2_runs jcma
fi

# ---- a 401 that quotes the credentials ----
for p in $PRODUCTS; do
  state="$test_tmpdir/state-$p"
  seen="$test_tmpdir/seen-$p"
  : >"$seen"

  # The PAT and the auth token, on the save.
  start_sim "$p" --fault server-401 --fault echo-credentials
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force
  check "$p: a 401 echoing the PAT and auth token fails" 77 "did not accept"
  assert "$p: stderr shows the server's text with both redacted" \
    stderr_has 'it said "bad \[REDACTED\] for \[REDACTED\]"$'
  printf '%s\n%s\n' "$out" "$err" >>"$seen"
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force -o json
  assert "$p: renew -o json carries the redacted text" \
    stdout_fixed 'it said \"bad [REDACTED] for [REDACTED]\"'
  printf '%s\n%s\n' "$out" "$err" >>"$seen"
  assert "$p: PROG.attempts keeps the redacted text" \
    grep -Fq 'bad [REDACTED] for [REDACTED]' "$state/$NAME.attempts"
  cp "$state/$NAME.attempts" "$test_tmpdir/attempts-$p"
  for fmt in text json nagios; do
    run "$PROG" status -c "$CONF" --state-dir "$state" -o $fmt
    assert "$p: status -o $fmt shows the redacted text" stdout_fixed 'bad [REDACTED] for [REDACTED]'
    printf '%s\n%s\n' "$out" "$err" >>"$seen"
  done

  # Basic on both sides: the cloud's 401, then the server's.
  start_sim "$p" --fault cloud-401 --fault echo-credentials
  use_basic
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force
  check "$p: a cloud 401 echoing Basic fails" 77 'it said "bad \[REDACTED\]"$'
  printf '%s\n%s\n' "$out" "$err" >>"$seen"
  start_sim "$p" --fault server-401 --fault echo-credentials
  use_basic
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force
  check "$p: a server 401 echoing Basic fails" 77 'it said "bad \[REDACTED\] for \[REDACTED\]"$'
  printf '%s\n%s\n' "$out" "$err" >>"$seen"
  cat "$state/$NAME.attempts" >>"$test_tmpdir/attempts-$p"

  assert "$p: no credential in any output" no_leak "$seen"
  assert "$p: no credential in PROG.attempts" no_leak "$test_tmpdir/attempts-$p"
done
tap_done
