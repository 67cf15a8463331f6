#!/bin/sh
# SPDX-License-Identifier: MIT
# fleet-bench.sh [LATENCY_MS] [RUNS] [SIZES]: jcma-token renewing a fleet of
# due connections against the simulator, one after another (--jobs 1) and
# side by side (the default, 8 at once), measured in the same run. Reports
# medians: wall time, peak memory (GNU time), and the TLS connections the
# simulator saw per run. A benchmark, not a test: run it from a build
# directory after `make check`.
set -eu
LATENCY=${1:-100}
RUNS=${2:-3}
SIZES=${3:-10 100}
top_builddir=${top_builddir:-$(pwd)}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top_srcdir/tests/libtest.sh"
need_sim
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)"; exit 1; }
start_sim jcma --latency-ms "$LATENCY"

# fleet_conf N FILE: N connections, each its own cloud site; the server on
# 127.0.0.1 and the cloud API on localhost, two hosts as in production.
fleet_conf () {
  sed '/^\[connection prod\]/,$d' "$CONF" |
    sed "s|^cloud-api-url = .*|cloud-api-url = https://localhost:$PORT/|" >"$2"
  i=1
  while [ "$i" -le "$1" ]; do
    printf '[connection c%03d]\nserver-url = %s\ncloud-url = https://site%03d.atlassian.net\n\n' \
      "$i" "$SERVER_URL" "$i" >>"$2"
    i=$((i + 1))
  done
}

median () { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure N JOBS: RUNS forced renewals of N connections; sets wall, rss, conns.
# Each run starts from the same state, a ledger with one renewal of each
# connection: each renewal reads the whole ledger and the append rewrites
# it, so a ledger growing from run to run made whichever mode came second
# look slower (at 0 ms latency, --jobs 8 after --jobs 1).
measure () {
  : >"$test_tmpdir/times"
  rm -rf "$test_tmpdir/seed"
  "$JCMA" renew --force -q --jobs 1 -c "$test_tmpdir/fleet$1.conf" \
    --state-dir "$test_tmpdir/seed" >/dev/null
  c0=$(sim_stats connections)
  i=0
  while [ $i -lt "$RUNS" ]; do
    rm -rf "$test_tmpdir/fleet-state"
    cp -a "$test_tmpdir/seed" "$test_tmpdir/fleet-state"
    /usr/bin/time -f '%e %M' -a -o "$test_tmpdir/times" \
      "$JCMA" renew --force -q --jobs "$2" -c "$test_tmpdir/fleet$1.conf" \
      --state-dir "$test_tmpdir/fleet-state" >/dev/null
    i=$((i + 1))
  done
  wall=$(cut -d' ' -f1 "$test_tmpdir/times" | median)
  rss=$(cut -d' ' -f2 "$test_tmpdir/times" | median)
  conns=$(( ($(sim_stats connections) - c0) / RUNS ))
}

printf 'renew --force, N due connections, simulator latency %s ms, median of %s runs\n\n' \
  "$LATENCY" "$RUNS"
printf '| N | --jobs 1 (s) | --jobs 8 (s) | speed-up | peak RSS 1 / 8 (KiB) | TLS connections 1 / 8 |\n'
printf '|---|---|---|---|---|---|\n'
for n in $SIZES; do
  fleet_conf "$n" "$test_tmpdir/fleet$n.conf"
  measure "$n" 1
  w1=$wall r1=$rss c1=$conns
  measure "$n" 8
  printf '| %s | %s | %s | %s× | %s / %s | %s / %s |\n' "$n" "$w1" "$wall" \
    "$(awk "BEGIN {printf \"%.1f\", $w1 / $wall}")" "$r1" "$rss" "$c1" "$conns"
done
stop_sim
