#!/bin/sh
# SPDX-License-Identifier: MIT
# renew-bench.sh [LATENCY_MS] [RUNS]: one renewal by jcma-token against the
# simulator, side by side with a shell script making the same two calls with
# curl and jq. Reports per run: HTTP requests and TLS connections the
# simulator saw, wall time and peak memory (GNU time). A benchmark, not a
# test: run it from a build directory after `make check`.
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

# The same two calls, the way an administrator would script them.
cat >"$test_tmpdir/renew-curl.sh" <<'EOS'
#!/bin/sh
set -eu
site=https://acme.atlassian.net
token=$(curl -sSf --cacert "$CA" -u "admin@example.com:$(cat "$CLOUD_FILE")" \
  -H 'Content-Type: application/json' -H 'Accept: application/json' \
  -d "{\"cloudUrl\":\"$site\"}" "${CLOUD_API}migrations/public/v1/token" | jq -r .token)
curl -sSf --cacert "$CA" -H "Authorization: Bearer $(cat "$SERVER_FILE")" \
  -H 'Content-Type: application/json' \
  -d "$(jq -n --arg u "$site" --arg t "$token" '{cloudUrl:$u,token:$t}')" \
  "${SERVER}rest/migration/latest/cloud/save/token" >/dev/null
EOS
export CA="$test_tmpdir/certs/ca.pem" CLOUD_FILE="$test_tmpdir/cloud.token" \
  SERVER_FILE="$test_tmpdir/server.token" CLOUD_API="$CLOUD_API_URL" SERVER="$SERVER_URL"

# measure NAME CMD...: RUNS runs; prints medians.
measure () {
  name=$1; shift
  : >"$test_tmpdir/times"
  r0=$(sim_stats requests); c0=$(sim_stats connections)
  i=0
  while [ $i -lt "$RUNS" ]; do
    /usr/bin/time -f '%e %M' -a -o "$test_tmpdir/times" "$@" >/dev/null
    i=$((i + 1))
  done
  r1=$(sim_stats requests); c1=$(sim_stats connections)
  wall=$(sort -n -k1 "$test_tmpdir/times" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  rss=$(sort -n -k2 "$test_tmpdir/times" | awk '{a[NR]=$2} END {print a[int((NR+1)/2)]}')
  printf '%-22s %9s %12s %10s %12s\n' "$name" \
    "$(awk "BEGIN {printf \"%.1f\", ($r1 - $r0) / $RUNS}")" \
    "$(awk "BEGIN {printf \"%.1f\", ($c1 - $c0) / $RUNS}")" "$wall" "$rss"
}

printf 'one renewal, simulator latency %s ms, median of %s runs\n\n' "$LATENCY" "$RUNS"
printf '%-22s %9s %12s %10s %12s\n' "" "requests" "connections" "wall (s)" "peak RSS (KiB)"
measure "jcma-token renew" "$JCMA" renew --force -q -c "$CONF" --state-dir "$test_tmpdir/state"
measure "curl + jq script" sh "$test_tmpdir/renew-curl.sh"
