#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-config.sh: the configuration file and the connection options, through
# both binaries — selection, normalised URLs, every error naming FILE:LINE,
# the default path, and the options that cannot be combined.

. "$(dirname "$0")/libtest.sh"

T=2026-11-01T00:00:00Z
require_past "$T"
uid=$(id -u)

# bad_config DESCRIPTION LINE PATTERN: with $conf, record and the other
# offline commands exit 78 and status 3, all saying "$conf:LINE: ...".
bad_config () {
  for cmd in record guide history; do
    run "$PROG" $cmd --state-dir "$st" -c "$conf" </dev/null
    check "$NAME: $1: $cmd exits 78 with FILE:LINE" 78 "^$NAME: $conf_re:$2: $3"
  done
  run "$PROG" status --state-dir "$st" -c "$conf" -o nagios
  check "$NAME: $1: status exits 3 with FILE:LINE" 3 "^$NAME: $conf_re:$2: $3"
  assert "$NAME: $1: status prints a nagios UNKNOWN line" \
    stdout_has "^$ABBREV TOKEN UNKNOWN - $conf_re:$2: "
}

for p in $PRODUCTS; do
  use_product "$p"
  st="$test_tmpdir/$p-state"
  conf="$test_tmpdir/$p.conf"
  re_quote_to conf_re "$conf"

  # ---- connections from a file ----
  put "$conf" <<'EOF'
# comments and blank lines are fine

[defaults]
cloud-url = https://acme.atlassian.net

[connection prod]
server-url = HTTPS://Prod.Example.COM:443/context

[connection test-2.eu_x]
server-url = http://test.example.com:80
cloud-url = https://acme-sandbox.atlassian.net/
EOF
  run "$PROG" status --state-dir "$st" -c "$conf" --at "$T" -o json
  check "$NAME: two connections from --config" 3
  check_jq_later "$NAME: names in file order, URLs normalised, cloud-url inherited" '
    [.connections[] | [.name, .server_url, .cloud_url]] == [
      ["prod", "https://prod.example.com/context/", "https://acme.atlassian.net/"],
      ["test-2.eu_x", "http://test.example.com/", "https://acme-sandbox.atlassian.net/"]]'
  run "$PROG" status --state-dir "$st" --config="$conf" -C test-2.eu_x --at "$T" -o json
  check "$NAME: -C selects one connection" 3
  check_jq_later "$NAME: -C test-2.eu_x: only that one" '[.connections[].name] == ["test-2.eu_x"]'
  run "$PROG" status --state-dir "$st" -c "$conf" -C test-2.eu_x --connection prod --at "$T" -o json
  check "$NAME: -C twice selects both" 3
  check_jq_later "$NAME: -C twice: both, in file order" '[.connections[].name] == ["prod", "test-2.eu_x"]'
  run "$PROG" status --state-dir "$st" -c "$conf" -C nope --at "$T" -o nagios
  check "$NAME: status -C unknown name: UNKNOWN, listing the configured ones" 3 \
    "^$NAME: no connection named 'nope' \\(configured: prod, test-2\\.eu_x\\)\$"
  assert "$NAME: status -C unknown name: nagios line" stdout_has "^$ABBREV TOKEN UNKNOWN - no connection named 'nope'"
  run "$PROG" status --state-dir "$st" -c "$conf" -C prdo --at "$T"
  check "$NAME: -C prdo: did you mean 'prod'?" 3 \
    "^$NAME: no connection named 'prdo'; did you mean 'prod'\\? \\(configured: prod, test-2\\.eu_x\\)\$"
  for cmd in record guide history; do
    run "$PROG" $cmd --state-dir "$st" -c "$conf" -C nope </dev/null
    check "$NAME: $cmd -C unknown name: usage error" 64 "^$NAME: no connection named 'nope' \\(configured: "
  done

  # --cloud-url replaces the file's connections.
  run "$PROG" status --state-dir "$st" -c "$conf" --cloud-url https://other.atlassian.net --at "$T" -o json
  check "$NAME: --cloud-url with a config file" 3
  check_jq_later "$NAME: --cloud-url replaces the file's connections with 'default'" --arg srv "$DEFAULT_SERVER" '
    [.connections[] | [.name, .server_url, .cloud_url]] ==
      [["default", $srv, "https://other.atlassian.net/"]]'
  # --server-url alone takes cloud-url from [defaults].
  run "$PROG" status --state-dir "$st" -c "$conf" --server-url https://srv.example.com --at "$T" -o json
  check "$NAME: --server-url with cloud-url in [defaults]" 3
  check_jq_later "$NAME: --server-url: cloud-url inherited from [defaults]" '
    [.connections[] | [.name, .server_url, .cloud_url]] ==
      [["default", "https://srv.example.com/", "https://acme.atlassian.net/"]]'

  # ---- options that cannot be combined ----
  run "$PROG" record --state-dir "$st" -c "$conf" -C prod --server-url https://srv.example.com
  check "$NAME: record --server-url with -C: usage error" 64 'cannot be combined'
  run "$PROG" record --state-dir "$st" -C prod --cloud-url https://other.atlassian.net
  check "$NAME: record --cloud-url with -C: usage error" 64 'cannot be combined'
  run "$PROG" status --state-dir "$st" -c "$conf" -C prod --server-url https://srv.example.com -o nagios
  check "$NAME: status --server-url with -C: UNKNOWN" 3 'cannot be combined'
  run "$PROG" record --state-dir "$st" --server-url https://srv.example.com
  check "$NAME: record --server-url without --cloud-url: usage error" 64 '--server-url needs --cloud-url'
  run "$PROG" status --state-dir "$st" --server-url https://srv.example.com
  check "$NAME: status --server-url without --cloud-url: UNKNOWN" 3 '--server-url needs --cloud-url'
  assert "$NAME: nothing recorded by the refused commands" [ ! -e "$st/$NAME.ledger" ]

  # ---- invalid URLs on the command line ----
  for url in ftp://acme.atlassian.net https://user@acme.atlassian.net \
             'https://acme.atlassian.net/?x=1' 'https://acme.atlassian.net/#top' acme.atlassian.net; do
    run "$PROG" status --state-dir "$st" --cloud-url "$url" -o nagios
    check "$NAME: status --cloud-url $url: UNKNOWN" 3 "^$NAME: invalid cloud URL: "
    run "$PROG" record --state-dir "$st" --cloud-url "$url"
    check "$NAME: record --cloud-url $url refused" 78 "invalid cloud URL"
  done

  run "$PROG" status --state-dir "$st" --cloud-url http://acme.atlassian.net -o nagios
  check "$NAME: --cloud-url over plain http: refused, cloud sites are https" 3 \
    "^$NAME: invalid cloud URL: Atlassian cloud sites are served over https only: use https://\$"
  run "$PROG" record --state-dir "$st" --server-url jira.example.com:8080/jira --cloud-url https://acme.atlassian.net
  check "$NAME: --server-url without a scheme: add https://" 78 \
    "^$NAME: invalid server URL: no scheme: add https:// in front"

  # ---- errors in the file name FILE:LINE ----
  printf '[defaults]\ncloud-url = https://acme.atlassian.net\n\n[connection prod]\nserver-url = https://prod.example.com\ncolour = blue\n' >"$conf"
  bad_config "unknown key" 6 "unknown key\$"
  printf '[connection prod]\ncloud-url = https://acme.atlassian.net\nserver_url = https://prod.example.com\n' >"$conf"
  bad_config "server_url: did you mean server-url" 3 "unknown key; did you mean 'server-url'\\?\$"
  printf '[defaults]\ncloud-url = https://acme.atlassian.net\nserver-user = admin\n\n[connexion prod]\n' >"$conf"
  bad_config "unknown group" 5 'unknown group; expected \[defaults\] or \[connection NAME\]'
  printf '[connection prod]\nserver-url = https://prod.example.com\ncloud-url = https://acme.atlassian.net/wiki?x=1\n' >"$conf"
  bad_config "URL with a query" 3 "invalid cloud-url: a base URL has no query"
  printf '[connection prod]\ncloud-url = https://acme.atlassian.net\n  server-url = gopher://prod.example.com\n' >"$conf"
  bad_config "URL with another scheme" 3 "invalid server-url: only http:// and https://"
  printf '[connection prod]\ncloud-url = https://acme.atlassian.net\ntimeout = soon\n' >"$conf"
  bad_config "bad number" 3 "timeout must be a number of at least 1\$"
  printf '[connection prod]\ncloud-url = https://acme.atlassian.net\nwarning-days = 7\n' >"$conf"
  bad_config "policy key in a connection" 3 'unknown key .*policy keys belong in \[defaults\]'
  printf '[defaults]\nlifetime-days = 21\nwarning-days = 21\n\n[connection prod]\ncloud-url = https://acme.atlassian.net\n' >"$conf"
  bad_config "warning-days not below lifetime-days" 1 'thresholds must satisfy'
  printf '[defaults]\nwarning-days = -1\n[connection prod]\ncloud-url = https://acme.atlassian.net\n' >"$conf"
  bad_config "negative warning-days" 2 'warning-days must be a number of at least 0'
  printf '[connection prod]\ncloud-url = https://acme.atlassian.net\n\n[connection p r o d]\ncloud-url = https://acme.atlassian.net\n' >"$conf"
  bad_config "connection name with spaces" 4 "a connection name may only use"
  printf '# prod\n[connection prod]\nserver-url = https://prod.example.com\n' >"$conf"
  bad_config "connection without cloud-url" 2 "connection has no cloud-url"
  printf '[connection prod]\ncloud-url = https://acme.atlassian.net\ncloud-user =\n' >"$conf"
  bad_config "empty value" 3 'cloud-user is empty'

  printf 'cloud-url = https://acme.atlassian.net\n' >"$conf"
  run "$PROG" record --state-dir "$st" -c "$conf"
  check "$NAME: not a key file: configuration error naming the file" 78 \
    "^$NAME: $conf_re:1: a line before the first \\[group\\]\$"
  run "$PROG" status --state-dir "$st" -c "$conf"
  check "$NAME: not a key file: status UNKNOWN" 3 "^$NAME: $conf_re:1: "

  # ---- errors name file and line, never the content (-c under sudo) ----
  printf 'root:x:0:0:root:/root:/bin/bash\nnagios:$6$c0nf1dential$hash:19000:0:99999:7:::\n' >"$conf"
  for fmt in text nagios json; do
    run "$PROG" status --state-dir "$st" -c "$conf" -o $fmt
    check "$NAME: a passwd-like file ($fmt): UNKNOWN naming file and line" 3 \
      "^$NAME: $conf_re:1: a line before the first \\[group\\]\$"
    assert "$NAME: a passwd-like file ($fmt): no line of it in the output" eval \
      '! matches -E "root:x|c0nf1dential|/bin/bash" "$out$nl$err"'
  done
  printf '[connection prod]\ncloud-url = https://acme.atlassian.net\nc0nf1dential = 1\n[c0nf1dential]\n' >"$conf"
  run "$PROG" record --state-dir "$st" -c "$conf"
  check "$NAME: an unknown key: file and line only" 78 "^$NAME: $conf_re:3: unknown key\$"
  printf '[connection prod]\ncloud-url = https://c0nf1dential.example.com/?x\n' >"$conf"
  run "$PROG" record --state-dir "$st" -c "$conf"
  check "$NAME: a bad URL: file and line only" 78 "^$NAME: $conf_re:2: invalid cloud-url: "
  assert "$NAME: no value of the file in the errors" eval '! matches -E c0nf1dential "$out$nl$err"'

  # ---- --config FILE must exist; the default path need not ----
  run "$PROG" record --state-dir "$st" -c "$test_tmpdir/missing.conf" --cloud-url https://acme.atlassian.net
  check "$NAME: record --config missing file: configuration error" 78 'missing\.conf'
  run "$PROG" status --state-dir "$st" -c "$test_tmpdir/missing.conf" --cloud-url https://acme.atlassian.net -o nagios
  check "$NAME: status --config missing file: UNKNOWN" 3 'missing\.conf'
  assert "$NAME: status --config missing file: nagios line" stdout_has "^$ABBREV TOKEN UNKNOWN - .*missing\\.conf"
  run "$PROG" guide --state-dir "$st" -c "$test_tmpdir" --cloud-url https://acme.atlassian.net
  check "$NAME: --config a directory: configuration error" 78
  assert "$NAME: nothing recorded by the configuration errors" [ ! -e "$st/$NAME.ledger" ]
done

# ---- the compiled-in paths are the configured ones ----
# Re-running configure with another --sysconfdir must rebuild the
# programs, so make check after a reconfigure catches stale paths here.
if [ -z "${sysconfdir:-}" ] || [ -z "${localstatedir:-}" ]; then
  skip "compiled-in paths" "run through make check (sysconfdir, localstatedir unset)"
else
  for p in $PRODUCTS; do
    use_product "$p"
    if [ "$uid" -eq 0 ]; then
      re_quote_to conf_re "$sysconfdir/cma-token/$NAME.conf"
      re_quote_to ledger_re "$localstatedir/lib/cma-token/$NAME.ledger"
      run "$PROG" status -v --cloud-url https://acme.atlassian.net
      assert "$NAME: compiled-in sysconfdir is $sysconfdir" \
        stderr_has "^$NAME: configuration: $conf_re\$"
      assert "$NAME: compiled-in localstatedir is $localstatedir" \
        stderr_has "^$NAME: ledger: $ledger_re\$"
    else
      re_quote_to conf_re "$sysconfdir/cma-token/$NAME.conf"
      run "$PROG" status
      assert "$NAME: compiled-in sysconfdir is $sysconfdir" \
        stderr_has "root reads $conf_re"
    fi
  done
fi

# ---- configure says when root's paths are not the units' ----
log="$top_builddir/config.log"
if [ -z "${sysconfdir:-}" ] || [ ! -f "$log" ] || grep -q "^systemdsystemunitdir='no'" "$log"; then
  skip "configure warns when root's paths and the units' differ" "no config.log or no units"
elif [ "$sysconfdir:$localstatedir" = /etc:/var ]; then
  assert "configure: /etc and /var, as the units: no warning" \
    sh -c "! grep -q 'WARNING: the systemd units read' '$log'"
else
  assert "configure: $sysconfdir and $localstatedir: warns that the units use /etc and /var" \
    grep -q "WARNING: the systemd units read /etc/cma-token and keep the ledger in /var/lib/cma-token, but root running the programs reads $sysconfdir/cma-token" "$log"
fi

# ---- the default path: $XDG_CONFIG_HOME for users, sysconfdir for root ----
# As root the tools read $(sysconfdir)/cma-token and keep the ledger in
# $(localstatedir)/lib/cma-token, so the user case runs as nobody.
as_user=
if [ "$uid" -eq 0 ]; then
  for p in $PRODUCTS; do
    use_product "$p"
    run "$PROG" status -v --state-dir "$STATE" --cloud-url https://acme.atlassian.net
    check "$NAME: root reads the system configuration" 3 \
      "^$NAME: configuration: /.*/cma-token/$NAME\\.conf\$"
    assert "$NAME: root does not read \$XDG_CONFIG_HOME" eval '! stderr_has "configuration: $XDG_CONFIG_HOME"'
  done
  if command -v setpriv >/dev/null 2>&1 &&
     setpriv --reuid=65534 --regid=65534 --clear-groups -- test -x "$JCMA" 2>/dev/null; then
    as_user="setpriv --reuid=65534 --regid=65534 --clear-groups --"
    chmod 711 "$test_tmpdir"
    mkdir -p "$test_tmpdir/user"
    chown 65534:65534 "$test_tmpdir/user"
    export HOME="$test_tmpdir/user"
    export XDG_CONFIG_HOME="$HOME/.config"
    export XDG_STATE_HOME="$HOME/.local/state"
  else
    for p in $PRODUCTS; do
      use_product "$p"
      for what in "reads \$XDG_CONFIG_HOME/cma-token/$NAME.conf" "ledger under \$XDG_STATE_HOME"; do
        skip "$NAME: user $what" "running as root and cannot switch to nobody"
      done
    done
    tap_done
    exit $?
  fi
fi

for p in $PRODUCTS; do
  use_product "$p"
  # One shell as the user makes the directory and writes the file.
  $as_user sh -c 'mkdir -p "$1" && cat >"$1/$2"' sh "$XDG_CONFIG_HOME/cma-token" "$NAME.conf" <<EOF
[connection from-xdg-$p]
cloud-url = https://xdg.atlassian.net
EOF
  re_quote_to conf_re "$XDG_CONFIG_HOME/cma-token/$NAME.conf"
  run $as_user "$PROG" status -v -o json
  check "$NAME: user reads \$XDG_CONFIG_HOME/cma-token/$NAME.conf" 3 \
    "^$NAME: configuration: $conf_re\$"
  check_jq_later "$NAME: user's default configuration defines the connection" --arg n "from-xdg-$p" \
    '[.connections[].name] == [$n]'
  run $as_user "$PROG" record --at "$T"
  check "$NAME: user records without --state-dir" 0 "Recorded renewal of from-xdg-$p "
  ledger="$XDG_STATE_HOME/cma-token/$NAME.ledger"
  assert "$NAME: user's ledger under \$XDG_STATE_HOME/cma-token, mode 0600" \
    [ "$(stat -c %a "$ledger" 2>/dev/null)" = 600 ]
  run $as_user "$PROG" status --at 2026-11-02T00:00:00Z
  check "$NAME: user status reads the default ledger" 0 "^from-xdg-$p: OK, 20\\.0 days left\$"
done

tap_done
