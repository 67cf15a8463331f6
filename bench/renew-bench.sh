#!/bin/sh
# SPDX-License-Identifier: MIT
# renew-bench.sh [LATENCY_MS] [RUNS]: one renewal by jcma-token against the
# simulator, side by side with a shell script making the same two calls with
# curl and jq. Reports per run: HTTP requests and TLS connections the
# simulator saw, wall time and peak memory (GNU time). A benchmark, not a
# test: run it from a build directory after `make check`.
#
# With a build configured --with-ca-bundle=FILE at a path this script may
# write, it also measures the production-like case: no ca-file, so TLS
# trusts the "system" bundle (the real one with the simulator's CA
# appended, written to FILE), and two hosts (the server on 127.0.0.1, the
# cloud API on localhost). Its limit (issue 8) is 1.1 times two round trips
# plus one handshake per host: the two calls' time_total as curl reports it,
# same bundle, same run, without curl's process start-up. BEFORE=BUILDDIR
# adds a row for another build to each table (for the second, configured
# with the same FILE).
set -eu
LATENCY=${1:-50}
RUNS=${2:-5}
top_builddir=${top_builddir:-$(pwd)}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top_srcdir/tests/libtest.sh"
need_sim
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)"; exit 1; }
command -v jq >/dev/null || { echo "needs jq"; exit 1; }
start_sim jcma --latency-ms "$LATENCY"

# The same two calls, the way an administrator would script them; each
# curl appends its time_total to $CURL_TIMES when that is set.
cat >"$test_tmpdir/renew-curl.sh" <<'EOS'
#!/bin/sh
set -eu
site=https://acme.atlassian.net
times=${CURL_TIMES:-/dev/null}
body=$(mktemp)
trap 'rm -f "$body"' EXIT
curl -sSf --cacert "$CA" -u "admin@example.com:$(cat "$CLOUD_FILE")" \
  -H 'Content-Type: application/json' -H 'Accept: application/json' \
  -d "{\"cloudUrl\":\"$site\"}" -o "$body" -w '%{time_total}\n' \
  "${CLOUD_API}migrations/public/v1/token" >>"$times"
token=$(jq -r .token "$body")
curl -sSf --cacert "$CA" -H "Authorization: Bearer $(cat "$SERVER_FILE")" \
  -H 'Content-Type: application/json' -o /dev/null -w '%{time_total}\n' \
  -d "$(jq -n --arg u "$site" --arg t "$token" '{cloudUrl:$u,token:$t}')" \
  "${SERVER}rest/migration/latest/cloud/save/token" >>"$times"
EOS
export CA="$test_tmpdir/certs/ca.pem" CLOUD_FILE="$test_tmpdir/cloud.token" \
  SERVER_FILE="$test_tmpdir/server.token" CLOUD_API="$CLOUD_API_URL" SERVER="$SERVER_URL"

median () { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure NAME CMD...: RUNS runs; prints medians.
measure () {
  name=$1; shift
  : >"$test_tmpdir/times"
  r0=$(sim_stats requests); c0=$(sim_stats connections)
  i=0
  # Wall time in milliseconds from date: GNU time's %e counts in 10 ms.
  while [ $i -lt "$RUNS" ]; do
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$test_tmpdir/rss" "$@" >/dev/null
    t1=$(date +%s%N)
    echo "$(((t1 - t0) / 1000000)) $(cat "$test_tmpdir/rss")" >>"$test_tmpdir/times"
    i=$((i + 1))
  done
  r1=$(sim_stats requests); c1=$(sim_stats connections)
  wall=$(cut -d' ' -f1 "$test_tmpdir/times" | median | awk '{printf "%.3f", $1 / 1000}')
  rss=$(cut -d' ' -f2 "$test_tmpdir/times" | median)
  printf '%-32s %9s %12s %10s %12s\n' "$name" \
    "$(awk "BEGIN {printf \"%.1f\", ($r1 - $r0) / $RUNS}")" \
    "$(awk "BEGIN {printf \"%.1f\", ($c1 - $c0) / $RUNS}")" "$wall" "$rss"
}

printf 'one renewal, simulator latency %s ms, median of %s runs\n\n' "$LATENCY" "$RUNS"
printf '%-32s %9s %12s %10s %12s\n' "" "requests" "connections" "wall (s)" "peak RSS (KiB)"
# One renewal first: it also reads the server's token list, which renew
# does at most daily, so the runs measured are a timer's usual two calls.
"$JCMA" renew --force -q -c "$CONF" --state-dir "$test_tmpdir/state" >/dev/null
measure "jcma-token renew" "$JCMA" renew --force -q -c "$CONF" --state-dir "$test_tmpdir/state"
if [ -n "${BEFORE:-}" ]; then
  measure "jcma-token renew ($(basename "$BEFORE"))" "$BEFORE/jcma-token/jcma-token" renew \
    --force -q -c "$CONF" --state-dir "$test_tmpdir/state"
fi
measure "curl + jq script" sh "$test_tmpdir/renew-curl.sh"

# ---- the system store, two hosts ----
bundle=$(sed -n 's/^#define CMA_CA_BUNDLE "\(.*\)"$/\1/p' "$top_builddir/config.h")
system=/etc/ssl/certs/ca-certificates.crt
# A build whose bundle is the system's own (a distribution's configure)
# must not have it overwritten, least of all as root: the shell would
# truncate it before cat read it.
if [ -z "$bundle" ] || [ ! -f "$system" ] || [ "$bundle" -ef "$system" ] ||
  ! cat "$system" "$CA" 2>/dev/null >"$bundle"; then
  printf '\n(system store case skipped: configure --with-ca-bundle=FILE, FILE writable and not\n%s itself)\n' "$system"
  exit 0
fi
sed -e '/^ca-file = /d' -e '/^cloud-ca-file = /d' \
  -e "s|^cloud-api-url = .*|cloud-api-url = https://localhost:$PORT/|" "$CONF" >"$test_tmpdir/sys.conf"
printf '\nsystem store (%s + the simulator CA), two hosts\n' "$system"
measure "jcma-token renew" "$JCMA" renew --force -q -c "$test_tmpdir/sys.conf" \
  --state-dir "$test_tmpdir/state"
sys_wall=$wall
if [ -n "${BEFORE:-}" ]; then
  measure "jcma-token renew ($(basename "$BEFORE"))" "$BEFORE/jcma-token/jcma-token" renew \
    --force -q -c "$test_tmpdir/sys.conf" --state-dir "$test_tmpdir/state"
  before_wall=$wall
fi
# curl_limit NAME CA: the two calls by curl trusting CA; their time_total
# summed per run, median; prints the limit and each renewal's ratio to it.
curl_limit () {
  export CA="$2" CLOUD_API="https://localhost:$PORT/" CURL_TIMES="$test_tmpdir/curl-times"
  : >"$CURL_TIMES"
  measure "curl + jq script ($1)" sh "$test_tmpdir/renew-curl.sh"
  limit=$(paste -d" " - - <"$CURL_TIMES" | awk "{print \$1 + \$2}" | median)
  printf '  limit: 1.1 x %.3f s = %.3f s; jcma-token renew %.2f x the limit%s\n' "$limit" \
    "$(awk "BEGIN {print 1.1 * $limit}")" "$(awk "BEGIN {print $sys_wall / (1.1 * $limit)}")" \
    "${BEFORE:+, $(basename "$BEFORE") $(awk "BEGIN {printf \"%.2f\", $before_wall / (1.1 * $limit)}") x}"
}
# The limit's handshakes as curl makes them with the bundle, which
# libcurl-gnutls parses per connection; then with a one-certificate CA: the
# handshake alone, as if the system trust cost nothing per connection.
curl_limit "bundle" "$bundle"
curl_limit "one-cert CA" "$test_tmpdir/certs/ca.pem"
