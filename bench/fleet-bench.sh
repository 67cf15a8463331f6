#!/bin/sh
# SPDX-License-Identifier: MIT
# fleet-bench.sh [LATENCY_MS] [RUNS] [SIZES]: jcma-token renewing a fleet of
# N due connections against the simulator, one after another (--jobs 1)
# and side by side (default jobs, no --jobs option), measured in the same
# run. Reports medians: wall time, peak memory (GNU time), the requests
# and TLS connections the simulator saw per run, and how many times
# faster than the fleet's 2N documented calls made one after another
# (2N x LATENCY_MS) the default run is; issue 16's bound is 6x for 40
# connections at 100 ms. BEFORE=BUILDDIR adds another build (such as the
# previous release's) to the same run, the two taking turns run by run.
# A benchmark, not a test: run it from a build directory after
# `make check`.
set -eu
LATENCY=${1:-100}
RUNS=${2:-3}
SIZES=${3:-10 40 100}
top_builddir=${top_builddir:-$(pwd)}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top_srcdir/tests/libtest.sh"
need_sim
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)"; exit 1; }
start_sim jcma --latency-ms "$LATENCY"

# The builds compared: this one, and BEFORE's.
set -- "$JCMA"
names=this
if [ -n "${BEFORE:-}" ]; then
  set -- "$@" "$BEFORE/jcma-token/jcma-token"
  names="this $(basename "$BEFORE")"
fi
[ -x "$1" ] && [ -x "${2:-$1}" ] || { echo "no jcma-token in a build: $*"; exit 1; }

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

# once N JOBS PROGRAM K: one forced renewal of N connections by PROGRAM,
# appending "wall rss requests connections" to times-K. JOBS "default"
# passes no --jobs. Each run starts from the same state, a ledger with
# one renewal of each connection (seed-K, made by that build): each
# renewal reads the ledger and the append rewrites it, so a ledger
# growing from run to run made whichever mode came second look slower.
once () {
  jobs_option=
  [ "$2" = default ] || jobs_option="--jobs $2"
  rm -rf "$test_tmpdir/fleet-state"
  cp -a "$test_tmpdir/seed-$4" "$test_tmpdir/fleet-state"
  r0=$(sim_stats requests) c0=$(sim_stats connections)
  # shellcheck disable=SC2086 # jobs_option: nothing, or two words
  /usr/bin/time -f '%e %M' -o "$test_tmpdir/time" \
    "$3" renew --force -q $jobs_option -c "$test_tmpdir/fleet$1.conf" \
    --state-dir "$test_tmpdir/fleet-state" >/dev/null
  echo "$(cat "$test_tmpdir/time") $(($(sim_stats requests) - r0)) $(($(sim_stats connections) - c0))" \
    >>"$test_tmpdir/times-$4"
}

# measure PROGRAM...: RUNS runs of each build with $n connections and
# $jobs, the builds taking turns, so that whatever else the machine does
# weighs on both alike; sets wall_K, rss_K, reqs_K and conns_K (medians)
# for the K-th build.
measure () {
  k=1
  for prog in "$@"; do
    rm -rf "$test_tmpdir/seed-$k"
    "$prog" renew --force -q --jobs 1 -c "$test_tmpdir/fleet$n.conf" \
      --state-dir "$test_tmpdir/seed-$k" >/dev/null
    : >"$test_tmpdir/times-$k"
    k=$((k + 1))
  done
  i=0
  while [ $i -lt "$RUNS" ]; do
    k=1
    for prog in "$@"; do
      once "$n" "$jobs" "$prog" "$k"
      k=$((k + 1))
    done
    i=$((i + 1))
  done
  k=1
  for prog in "$@"; do
    for field in 1:wall 2:rss 3:reqs 4:conns; do
      eval "${field#*:}_$k=\$(cut -d' ' -f${field%:*} \"\$test_tmpdir/times-$k\" | median)"
    done
    k=$((k + 1))
  done
}

printf 'renew --force, N due connections, simulator latency %s ms, median of %s runs\n' \
  "$LATENCY" "$RUNS"
printf 'sequential: the 2N documented calls one after another, 2N x %s ms\n\n' "$LATENCY"
printf '| N | build | --jobs 1 (s) | default jobs (s) | speed-up | sequential (s) | default vs sequential | requests | peak RSS 1 / default (KiB) | TLS connections 1 / default |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'
for n in $SIZES; do
  fleet_conf "$n" "$test_tmpdir/fleet$n.conf"
  sequential=$(awk "BEGIN {printf \"%.2f\", 2 * $n * $LATENCY / 1000}")
  jobs=1
  measure "$@"
  k=1
  for name in $names; do
    eval "w1_$k=\$wall_$k r1_$k=\$rss_$k c1_$k=\$conns_$k"
    k=$((k + 1))
  done
  jobs=default
  measure "$@"
  k=1
  for name in $names; do
    eval "w1=\$w1_$k r1=\$r1_$k c1=\$c1_$k w=\$wall_$k r=\$rss_$k q=\$reqs_$k c=\$conns_$k"
    printf '| %s | %s | %s | %s | %s× | %s | %s× | %s | %s / %s | %s / %s |\n' "$n" "$name" \
      "$w1" "$w" "$(awk "BEGIN {printf \"%.1f\", $w1 / $w}")" "$sequential" \
      "$(awk "BEGIN {printf \"%.1f\", $sequential / $w}")" "$q" "$r1" "$r" "$c1" "$c"
    k=$((k + 1))
  done
done
stop_sim
