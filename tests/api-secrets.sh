#!/bin/sh
# SPDX-License-Identifier: MIT
# Secrets never leak, for both products: not in output (even -vvv traces),
# the ledger, the simulator's log, a hook's environment or /proc; where they
# may come from and in which order; badly protected token files refused.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

# What would show up if a secret leaked: the values themselves and the
# Basic authorization values built from them (the simulator's server user
# is "admin").
CLOUD_B64=$(printf 'admin@example.com:%s' "$CLOUD_SECRET" | base64 | tr -d '\n')
SERVER_B64=$(printf 'admin:%s' "$SERVER_SECRET" | base64 | tr -d '\n')

# leaks FILE...: true, listing them, when any canary is in any FILE. One
# grep looks for all of them in every file; only when it finds one, a
# grep per canary and file says which.
leaks () {
  grep -Fq -e "$CLOUD_SECRET" -e "$SERVER_SECRET" -e "$CLOUD_B64" -e "$SERVER_B64" -- "$@" ||
    return 1
  _found=1
  for _needle in "$CLOUD_SECRET" "$SERVER_SECRET" "$CLOUD_B64" "$SERVER_B64"; do
    for _f in "$@"; do
      if grep -Fq -- "$_needle" "$_f"; then
        echo "# $_f contains $_needle"
        _found=0
      fi
    done
  done
  return $_found
}
no_leak () { ! leaks "$@"; }
# two_basic: the last run traced two Basic authorization headers: the
# cloud's token call and the save.
two_basic () { [ "$(grep -c '> Authorization: Basic \[REDACTED\]$' "$test_tmpdir/err")" = 2 ]; }

# keep: add the last run's stdout and stderr to what $seen has collected.
keep () { cat "$test_tmpdir/out" "$test_tmpdir/err" >>"$seen"; }

# The scan must be able to fail: a planted secret is found.
printf 'Authorization: Basic %s\n' "$CLOUD_B64" >"$test_tmpdir/planted"
assert "the canary scan finds a planted authorization value" leaks "$test_tmpdir/planted" "$test_tmpdir/cloud.token"

hook="$test_tmpdir/hook.sh"
cat >"$hook" <<EOF
#!/bin/sh
env >>"$test_tmpdir/hook.env"
EOF
chmod +x "$hook"

# proc_cases STATE: what /proc shows of a running renewal: nothing secret.
# The renewal is held running by its hook, which waits for the test to
# let go once /proc is read: no answer slowed down to keep it running.
hold_hook="$test_tmpdir/hold-hook.sh"
cat >"$hold_hook" <<EOF
#!/bin/sh
exec 3<>"$test_tmpdir/hook.hold"
: >"$test_tmpdir/hook.holding"
read -r _ <&3
EOF
chmod +x "$hold_hook"
proc_cases () {
  state=$1
  rm -f "$test_tmpdir/hook.holding" "$test_tmpdir/hook.hold"
  mkfifo "$test_tmpdir/hook.hold"
  "$PROG" renew -c "$CONF" --state-dir "$state" --force --hook "$hold_hook" \
    >"$test_tmpdir/bg.out" 2>&1 &
  pid=$!
  # 60 s at most, for a slow (sanitizer) build on a loaded machine.
  i=0
  while [ ! -e "$test_tmpdir/hook.holding" ] && [ $i -lt 6000 ] && kill -0 "$pid" 2>/dev/null; do
    i=$((i + 1))
    nap
  done
  tr '\0' '\n' <"/proc/$pid/cmdline" >"$test_tmpdir/cmdline" 2>/dev/null || true
  tr '\0' '\n' <"/proc/$pid/environ" >"$test_tmpdir/environ" 2>/dev/null || true
  running=no
  [ ! -d "/proc/$pid" ] || running=yes
  # Let the hook go: it has the fifo open before it says it holds, so
  # the line waits there for it (opened read-write: never blocks).
  echo go 1<>"$test_tmpdir/hook.hold"
  bg_rc=0
  wait "$pid" || bg_rc=$?
  slurp cmdline "$test_tmpdir/cmdline"
  case " $cmdline " in
    *"${nl}renew${nl}"*) [ "$running" = yes ] && ok "$p: read /proc/PID of the running renew" ||
                   not_ok "$p: renew had ended before /proc was read" ;;
    *) not_ok "$p: /proc/$pid/cmdline never showed renew: '$cmdline'" ;;
  esac
  assert "$p: no secret in the command line" no_leak "$test_tmpdir/cmdline"
  assert "$p: no secret put into its own environment" no_leak "$test_tmpdir/environ"
  [ "$bg_rc" = 0 ] && grep -q "^prod: renewed" "$test_tmpdir/bg.out" &&
    ok "$p: the held renewal succeeded" || not_ok "$p: held renewal: exit $bg_rc, $(cat "$test_tmpdir/bg.out")"
}

for p in $PRODUCTS; do
  use_product "$p"
  state="$test_tmpdir/state-$p"
  seen="$test_tmpdir/seen-$p"
  : >"$seen"
  : >"$test_tmpdir/hook.env"
  : >"$test_tmpdir/sim.log"

  # ---- the most talkative runs: success, failure, doctor ----
  start_sim "$p"
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force -vvv --hook "$hook"
  check "$p: renew -vvv renews" 0 "^prod: renewed"
  keep
  assert "$p: -vvv traces the Authorization headers, redacted" \
    stderr_has "> Authorization: Basic \[REDACTED\]\$"
  assert "$p: -vvv traces the saved token, redacted" stderr_has '"token":"\[REDACTED\]"'

  start_sim "$p" --fault server-401
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force -vvv --hook "$hook"
  check "$p: renew -vvv against a refusing server fails" 77 "did not accept the personal access token"
  keep

  start_sim "$p"
  run "$PROG" doctor -c "$CONF" --state-dir "$state" -vvv
  check "$p: doctor -vvv passes" 0 "All checks passed\."
  keep

  # A server user and password: Basic on both sides.
  start_sim "$p"
  sed -i 's/^\[defaults\]$/&\nserver-user = admin/' "$CONF"
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force -vvv --hook "$hook"
  check "$p: renew -vvv with server-user renews" 0 "^prod: renewed"
  keep
  assert "$p: -vvv traces Basic headers for both sides, redacted" two_basic

  assert "$p: no secret in stdout or stderr" no_leak "$seen"
  assert "$p: no secret in the ledger" no_leak "$state/$NAME.ledger"
  assert "$p: no secret in the simulator's log" no_leak "$test_tmpdir/sim.log"
  [ -s "$test_tmpdir/sim.log" ] && ok "$p: the simulator logged the requests" || not_ok "$p: empty sim.log"
  assert "$p: no secret in the hook's environment" no_leak "$test_tmpdir/hook.env"
  [ "$(grep -c '^CMA_CONNECTION=prod$' "$test_tmpdir/hook.env")" = 3 ] &&
    ok "$p: the hook ran for each renew" || not_ok "$p: hook runs: $(grep -c '^CMA_CONNECTION=' "$test_tmpdir/hook.env")"

  # ---- /proc of a running renewal ----
  proc_cases "$test_tmpdir/proc-state-$p"

  # ---- where secrets come from ----
  creds="$test_tmpdir/creds-$p"
  wrong="$test_tmpdir/creds-wrong-$p"
  mkdir -p "$creds" "$wrong"
  (umask 077
   printf '%s\n' "$CLOUD_SECRET" >"$creds/cloud-token"
   printf '%s\n' "$SERVER_SECRET" >"$creds/server-token"
   echo wrong-cloud >"$wrong/cloud-token"
   echo wrong-server >"$wrong/server-token")

  start_sim "$p"
  del_key cloud-token-file
  del_key server-token-file
  : >"$test_tmpdir/hook.env"
  : >"$seen"
  run env CMA_CLOUD_TOKEN="$CLOUD_SECRET" CMA_SERVER_TOKEN="$SERVER_SECRET" \
    "$PROG" renew -c "$CONF" --state-dir "$state" --force -v --hook "$hook"
  check "$p: secrets from the environment" 0 \
    "prod: cloud token from environment CMA_CLOUD_TOKEN, server credential from environment CMA_SERVER_TOKEN\$"
  keep
  assert "$p: ... and the hook does not get them" no_leak "$test_tmpdir/hook.env"
  [ -s "$test_tmpdir/hook.env" ] && ok "$p: the hook ran" || not_ok "$p: the hook did not run"

  run env CREDENTIALS_DIRECTORY="$creds" CMA_CLOUD_TOKEN=wrong CMA_SERVER_TOKEN=wrong \
    "$PROG" renew -c "$CONF" --state-dir "$state" --force -v
  check "$p: systemd credentials, preferred to the environment" 0 \
    "prod: cloud token from systemd credential cloud-token, server credential from systemd credential server-token\$"
  keep

  run env CREDENTIALS_DIRECTORY="$test_tmpdir/no-such-dir" CMA_CLOUD_TOKEN=wrong CMA_SERVER_TOKEN=wrong \
    "$PROG" renew -c "$CONF" --state-dir "$state" --force
  check "$p: wrong secrets in the environment are refused (so the cases above prove something)" 77 "refused"
  keep

  start_sim "$p"
  run env CREDENTIALS_DIRECTORY="$wrong" CMA_CLOUD_TOKEN=wrong CMA_SERVER_TOKEN=wrong \
    "$PROG" renew -c "$CONF" --state-dir "$state" --force -v
  check "$p: token files preferred to systemd credentials and the environment" 0 \
    "prod: cloud token from file [^ ]*/cloud\.token, server credential from file [^ ]*/server\.token\$"
  keep
  assert "$p: -v names the sources, never the values" no_leak "$seen"

  # ---- badly protected token files ----
  cp "$test_tmpdir/cloud.token" "$test_tmpdir/cloud-644.token"
  chmod 644 "$test_tmpdir/cloud-644.token"
  set_key cloud-token-file "$test_tmpdir/cloud-644.token"
  reqs=$(sim_stats requests)
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force
  check "$p: a token file readable by others is refused" 78 \
    "^$NAME: prod: cloud API token file .*/cloud-644\.token is accessible by group or others \(mode 0644\); fix: chmod 600 "
  [ "$(sim_stats requests)" = "$reqs" ] && ok "$p: ... before any request" ||
    not_ok "$p: requests $reqs -> $(sim_stats requests)"
  assert "$p: ... without printing it" no_leak "$test_tmpdir/out" "$test_tmpdir/err"

  # ---- token files that are not the token as text ----
  # A NUL cut the token short (the rest silently dropped); a UTF-8 byte
  # order mark was sent as part of it and then blamed as a bad token.
  (umask 077
   printf '%s\000%s\n' "$CLOUD_SECRET" "$SERVER_SECRET" >"$test_tmpdir/cloud-nul.token"
   printf '\357\273\277%s\n' "$CLOUD_SECRET" >"$test_tmpdir/cloud-bom.token")
  set_key cloud-token-file "$test_tmpdir/cloud-nul.token"
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force
  check "$p: a token file holding a NUL byte is refused" 78 \
    "^$NAME: prod: cloud API token file .*/cloud-nul\.token holds a NUL byte, so it is not a text file"
  assert "$p: ... without printing either part of it" no_leak "$test_tmpdir/out" "$test_tmpdir/err"
  set_key cloud-token-file "$test_tmpdir/cloud-bom.token"
  run "$PROG" renew -c "$CONF" --state-dir "$state" --force
  check "$p: a token file starting with a byte order mark is refused" 78 \
    "^$NAME: prod: cloud API token from file .*/cloud-bom\.token starts with a UTF-8 byte order mark"
  assert "$p: ... without printing it" no_leak "$test_tmpdir/out" "$test_tmpdir/err"
  [ "$(sim_stats requests)" = "$reqs" ] && ok "$p: ... neither sent a request" ||
    not_ok "$p: requests $reqs -> $(sim_stats requests)"
  # ---- a FIFO where a token file should be: refused, not waited on ----
  # (timeout: the old reader opened it without O_NONBLOCK and hung.)
  fifo="$test_tmpdir/token.fifo"
  rm -f "$fifo"
  mkfifo -m 600 "$fifo"
  set_key cloud-token-file "$fifo"
  run timeout 10 "$PROG" renew -c "$CONF" --state-dir "$state" --force
  check "$p: a FIFO as cloud-token-file is refused at once" 78 \
    "^$NAME: prod: cloud API token file $(re_quote "$fifo") is a FIFO, not a regular file; "
  run timeout 10 "$PROG" doctor -c "$CONF" --state-dir "$state"
  check "$p: doctor refuses the FIFO too, without hanging" 1 "is a FIFO, not a regular file"
  set_key cloud-token-file "$test_tmpdir/cloud.token"
  set_key server-token-file "$fifo"
  run timeout 10 "$PROG" renew -c "$CONF" --state-dir "$state" --force
  check "$p: a FIFO as server-token-file is refused at once" 78 \
    "^$NAME: prod: server personal access token file $(re_quote "$fifo") is a FIFO, not a regular file; "
  set_key server-token-file "$test_tmpdir/server.token"
  fifo_creds="$test_tmpdir/creds-fifo"
  mkdir -p "$fifo_creds"
  rm -f "$fifo_creds/cloud-token"
  mkfifo -m 600 "$fifo_creds/cloud-token"
  del_key cloud-token-file
  run timeout 10 env CREDENTIALS_DIRECTORY="$fifo_creds" "$PROG" renew -c "$CONF" \
    --state-dir "$state" --force
  check "$p: a FIFO in \$CREDENTIALS_DIRECTORY is refused at once" 78 \
    "^$NAME: prod: cloud API token file .*/cloud-token is a FIFO, not a regular file; "

  start_sim "$p"
  if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
    cp "$test_tmpdir/server.token" "$test_tmpdir/server-nobody.token"
    chmod 600 "$test_tmpdir/server-nobody.token"
    chown nobody "$test_tmpdir/server-nobody.token"
    set_key server-token-file "$test_tmpdir/server-nobody.token"
    run "$PROG" renew -c "$CONF" --state-dir "$state" --force
    check "$p: a token file owned by another user is refused" 78 \
      "^$NAME: prod: server personal access token file .*/server-nobody\.token belongs to uid [0-9]+, not to the user running this \(uid 0\); fix: chown 0 "
  else
    skip "$p: a token file owned by another user is refused" "needs root"
  fi
  stop_sim
done

# ---- plain http to a loopback server never goes through a proxy ----
# An http_proxy from the environment would carry the server credential off
# this host in clear text. Nothing listens on either port: the error must
# name the server's port (1), not the proxy's (9).
cat >"$test_tmpdir/loopback.conf" <<EOF
[connection local]
server-url = http://127.0.0.1:1/
cloud-url = https://acme.atlassian.net
cloud-user = admin@example.com
cloud-token-file = $test_tmpdir/cloud.token
server-token-file = $test_tmpdir/server.token
EOF
for p in $PRODUCTS; do
  use_product "$p"
  run env http_proxy=http://127.0.0.1:9 "$PROG" renew -c "$test_tmpdir/loopback.conf" \
    --state-dir "$test_tmpdir/state-proxy" --dry-run
  check "$p: http_proxy is not used for plain http to a loopback server" 69 \
    "to 127\\.0\\.0\\.1 port 1 "
done

tap_done
