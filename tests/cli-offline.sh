#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-offline.sh: the programs link neither libcurl nor GnuTLS, and open
# libcurl only when a command talks to the network (lib/net/cma-curl.c), so
# status, record, guide and history work on a host where libcurl cannot
# be loaded, while renew and doctor say so in one line, exit 69 for renew.

. "$(dirname "$0")/libtest.sh"

T=2026-11-01T00:00:00Z
soname=$(sed -n 's/^#define CMA_LIBCURL_SONAME "\(.*\)"$/\1/p' "$top_builddir/config.h")
[ -n "$soname" ] || skip_all "CMA_LIBCURL_SONAME not in $top_builddir/config.h"

# needed PROG: the libraries PROG's dynamic section asks for, one a line.
needed () {
  if command -v readelf >/dev/null 2>&1; then
    readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
  else
    objdump -p "$1" | sed -n 's/^ *NEEDED *//p'
  fi
}

# A library of that name that is not one (as a broken or half-removed
# package leaves it), found first through LD_LIBRARY_PATH: dlopen() fails
# with the loader's own message, as on a host without libcurl.
mkdir "$test_tmpdir/broken-lib"
echo "not a shared object" >"$test_tmpdir/broken-lib/$soname"
no_curl () { LD_LIBRARY_PATH="$test_tmpdir/broken-lib" "$@"; }

(umask 077
 echo cloud-secret >"$test_tmpdir/cloud.token"
 echo server-secret >"$test_tmpdir/server.token")
# Nothing listens on port 9 of the loopback: if a request were made
# anyway, it would fail with 69 too, but with another message.
CONF="$test_tmpdir/offline.conf"
cat >"$CONF" <<EOC
[defaults]
cloud-api-url = https://127.0.0.1:9/
cloud-user = admin@example.com
cloud-token-file = $test_tmpdir/cloud.token
server-token-file = $test_tmpdir/server.token

[connection prod]
server-url = https://127.0.0.1:9/jira/
cloud-url = https://acme.atlassian.net

[connection stage]
server-url = https://127.0.0.1:9/stage/
cloud-url = https://acme-sandbox.atlassian.net
EOC
LOADER_RE="$(printf '%s' "$soname" | sed 's/[.]/\\./g')"

for p in $PRODUCTS; do
  use_product "$p"
  st="$test_tmpdir/$p-state"
  opts="-c $CONF --state-dir $st"

  if command -v readelf >/dev/null 2>&1 || command -v objdump >/dev/null 2>&1; then
    run needed "$PROG"
    assert "$NAME: links libc and GLib (the NEEDED list is read)" eval '
      stdout_has "^libc\\.so" && stdout_has "^libglib-2\\.0\\.so"'
    assert "$NAME: links neither libcurl nor GnuTLS" stdout_lacks "curl|gnutls"
  else
    skip "$NAME: links neither libcurl nor GnuTLS" "neither readelf nor objdump installed"
  fi

  # The dlopen metadata note (freedesktop.org, as systemd's) names what
  # the NEEDED list no longer does: libcurl, by the soname dlopen() uses.
  if command -v readelf >/dev/null 2>&1; then
    run readelf -n "$PROG"
    assert "$NAME: a dlopen metadata note (owner FDO, type 0x407c0c0a)" \
      stdout_has "^ +FDO +0x[0-9a-f]+[[:space:]]+(Unknown note type: \\(0x407c0c0a\\)|FDO_DLOPEN_METADATA)"
    run readelf -p .note.dlopen "$PROG"
    out=$(printf '%s\n' "$out" | sed -n 's/^ *\[ *[0-9a-f]*\]  \(\[{.*\)$/\1/p')
    check_jq "$NAME: the note says curl, required, and the soname dlopen() opens" \
      "length == 1 and .[0].feature == \"curl\" and .[0].priority == \"required\"
       and .[0].soname == [\"$soname\"] and (.[0].description | length > 0)"
  else
    skip "$NAME: a dlopen metadata note" "readelf not installed"
    skip "$NAME: the note says curl, required, and the soname" "readelf not installed"
  fi

  run no_curl "$PROG" --version
  check "$NAME --version without libcurl: exit 0, says why" 0 \
    "^libcurl cannot be loaded \\(.*\\); .* install the package that provides $LOADER_RE\$"
  assert "$NAME --version without libcurl: the other versions" \
    stdout_has "^libcurl not loaded, GLib [0-9]+\\.[0-9]+\\.[0-9]+, json-glib "

  run no_curl "$PROG" record $opts -C prod --at "$T" -m CHG-1
  check "$NAME record without libcurl" 0 "^Recorded renewal of prod"
  run no_curl "$PROG" status $opts --at 2026-11-02T00:00:00Z
  check "$NAME status without libcurl" 3 "^prod: OK, 20\\.0 days left"
  no_curl_status=$out
  run "$PROG" status $opts --at 2026-11-02T00:00:00Z
  assert "$NAME status without libcurl: the same as with it" stdout_is "$no_curl_status"
  run no_curl "$PROG" status $opts --at 2026-11-02T00:00:00Z -o nagios
  check "$NAME status -o nagios without libcurl" 3 "^$ABBREV TOKEN UNKNOWN - "
  run no_curl "$PROG" history $opts
  check "$NAME history without libcurl" 0 "prod +manual .*CHG-1"
  run no_curl "$PROG" guide $opts -C prod </dev/null
  check "$NAME guide without libcurl" 0 "^Renew the $PRODUCT Cloud Migration Assistant"

  # One connection (one handle) and two (the fleet's shared handles).
  for c in "-C prod" ""; do
    lines=2
    [ -z "$c" ] || lines=1
    run no_curl "$PROG" renew $opts $c --force
    check "$NAME renew ${c:-(two connections)} without libcurl: exit 69" 69 \
      "libcurl cannot be loaded \\(.*\\); the commands that talk to a server or the cloud need it: install the package that provides $LOADER_RE"
    assert "$NAME renew ${c:-(two connections)} without libcurl: one line per connection" \
      eval '[ "$(printf "%s\n" "$err" | grep -c "libcurl cannot be loaded")" -eq $lines ]'
  done
  # Now, not --at: failures after that instant do not count there.
  run no_curl "$PROG" status $opts -C prod -o json
  check_jq "$NAME: the failed renewal is recorded as class unavailable" \
    '.connections[0].last_failure.class == "unavailable"'

  run no_curl "$PROG" doctor $opts -C prod
  check "$NAME doctor without libcurl: a failed check that says why" 1 \
    "libcurl cannot be loaded"
done
tap_done
