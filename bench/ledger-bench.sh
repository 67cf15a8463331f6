#!/bin/sh
# SPDX-License-Identifier: MIT
# ledger-bench.sh [RUNS] [ROWS] [CONNS]: the cost of the ledger's length.
# For ledgers of ROWS rows (default 1000 10000 100000) over CONNS
# connections (default 1 1000), written directly in the ledger's format,
# reports medians of RUNS runs (default 3) of wall time and peak memory
# (GNU time) for: status of every connection, on the ledger as an older
# release left it (status-unindexed) and after one record (status); the
# first record on such a ledger (releases that kept PROG.index built it
# then); record in the steady state; history -o json, and then the same
# against a jq pipeline (jq -c . | tac | jq -s) on the same ledgers. Then,
# against the simulator, renew of 1,000 connections with none due (the
# daily timer's usual run) on each ROWS, and renew of 100 due connections
# over a 10,000-row ledger at 0 ms latency. With BEFORE_BUILDDIR set
# to another build (e.g. /work/old, release 0.1.0) both builds are
# measured side by side in the same run, with the ratio before / after.
# A benchmark, not a test: run it from a build directory after `make check`.
set -eu
RUNS=${1:-3}
ROWS=${2:-1000 10000 100000}
CONNS=${3:-1 1000}
top_builddir=${top_builddir:-$(pwd)}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top_srcdir/tests/libtest.sh"
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)"; exit 1; }
AFTER=$top_builddir/jcma-token/jcma-token
BEFORE=${BEFORE_BUILDDIR:+$BEFORE_BUILDDIR/jcma-token/jcma-token}
work="$test_tmpdir/bench"
mkdir -m 700 "$work"

# gen_ledger ROWS CONNS SERVER FILE [AGE]: ROWS manual records, connection
# i renewed in turn, a minute apart, the last AGE days ago (default 30, so
# all are due; 0: none is).
gen_ledger () {
  awk -v rows="$1" -v conns="$2" -v server="$3" -v now="$(date -u +%s)" -v age="${5:-30}" '
    function iso(t,  d, s, z, era, doe, yoe, y, doy, mp, m) {
      d = int(t / 86400); s = t % 86400; z = d + 719468; era = int(z / 146097)
      doe = z - era * 146097
      yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
      y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
      mp = int((5 * doy + 2) / 153); m = mp < 10 ? mp + 3 : mp - 9
      return sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", y + (m <= 2), m,
                     doy - int((153 * mp + 2) / 5) + 1, int(s / 3600), int(s % 3600 / 60), s % 60)
    }
    BEGIN {
      start = now - age * 86400 - rows * 60
      for (i = 0; i < rows; i++) {
        c = i % conns
        printf "{\"at\":\"%s\",\"connection\":\"c%04d\",\"server_url\":\"%s\"," \
               "\"cloud_url\":\"https://site%04d.atlassian.net/\",\"method\":\"manual\"," \
               "\"user\":\"bench\",\"note\":\"generated row %d\"}\n", iso(start + i * 60), c, server, c, i
      }
    }' >"$4"
}

# gen_conf CONNS SERVER FILE [HEAD]: the connections of gen_ledger, after HEAD.
gen_conf () {
  { [ -z "${4:-}" ] || cat "$4"
    i=0
    while [ "$i" -lt "$1" ]; do
      printf '[connection c%04d]\nserver-url = %s\ncloud-url = https://site%04d.atlassian.net\n\n' \
        "$i" "$2" "$i"
      i=$((i + 1))
    done; } >"$3"
}

median () { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# timed N CMD...: run CMD N times (after PREP, if set, each time); sets
# wall and rss, the medians.
timed () {
  n=$1; shift
  : >"$work/times"
  i=0
  while [ "$i" -lt "$n" ]; do
    [ -z "${PREP:-}" ] || eval "$PREP"
    /usr/bin/time -q -f '%e %M' -a -o "$work/times" "$@" >/dev/null 2>&1 || true
    i=$((i + 1))
  done
  wall=$(cut -d' ' -f1 "$work/times" | median)
  rss=$(cut -d' ' -f2 "$work/times" | median)
}

# row NAME ROWS CONNS CMD...: measure CMD with each build; prints a row.
row () {
  name=$1 rows=$2 conns=$3; shift 3
  bw=- br=- ratio=-
  if [ -n "$BEFORE" ] && [ -z "${SKIP_BEFORE:-}" ]; then
    PROG=$BEFORE fresh_state
    PROG=$BEFORE timed_cmd "$@"
    bw=$wall br=$rss
  fi
  PROG=$AFTER fresh_state
  PROG=$AFTER timed_cmd "$@"
  [ -z "$BEFORE" ] || [ -n "${SKIP_BEFORE:-}" ] || ratio=$(awk "BEGIN {printf \"%.1f\", $bw / ($wall > 0 ? $wall : 0.01)}")
  printf '| %s | %s | %s | %s | %s | %s× | %s | %s |\n' "$name" "$rows" "$conns" "$bw" "$wall" \
    "$ratio" "$br" "$rss"
}

# fresh_state: the generated ledger, alone in the state directory.
fresh_state () {
  rm -rf "$work/state"
  mkdir -m 700 "$work/state"
  cp "$work/ledger" "$work/state/jcma-token.ledger"
}

# timed_cmd WHAT: one measurement of $PROG.
timed_cmd () {
  s="--state-dir $work/state -c $work/conf"
  case $1 in
    status-unindexed) timed "$RUNS" "$PROG" status $s -q ;;
    status) "$PROG" record $s -C c0000 -q >/dev/null 2>&1
            timed "$RUNS" "$PROG" status $s -q ;;
    first-record) PREP="fresh_state" timed "$RUNS" "$PROG" record $s -C c0000 -q ;;
    record) "$PROG" record $s -C c0000 -q >/dev/null 2>&1
            timed "$RUNS" "$PROG" record $s -C c0000 -q ;;
    history) timed "$RUNS" "$PROG" history --state-dir "$work/state" -o json ;;
    renew-idle) timed "$RUNS" "$PROG" renew -q -c "$work/conf" --state-dir "$work/state" ;;
    renew) PREP="fresh_state" timed "$RUNS" "$PROG" renew -q -c "$work/conf" \
             --state-dir "$work/state" ;;
  esac
}

printf 'ledger length: median of %s runs; wall time (s), peak RSS (KiB)\n' "$RUNS"
printf 'before: %s\nafter:  %s\n\n' "${BEFORE:-(not measured)}" "$AFTER"
printf '| command | rows | connections | before (s) | after (s) | before/after | before RSS | after RSS |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for conns in $CONNS; do
  for rows in $ROWS; do
    gen_ledger "$rows" "$conns" https://jira.example.com/ "$work/ledger"
    gen_conf "$conns" https://jira.example.com/ "$work/conf"
    for what in status-unindexed status first-record record history; do
      row "$what" "$rows" "$conns" "$what"
    done
  done
done

# history against the pipeline that does the same with jq (newest last
# line first, one JSON array), on the same ledgers in the same run. The
# bound (issue 16): at most 0.5 times jq's wall time, at most 16 MiB.
if command -v jq >/dev/null 2>&1; then
  printf '\nhistory -o json against jq -c . LEDGER | tac | jq -s, 1,000 connections\n\n'
  printf '| rows | jq (s) | history (s) | history/jq | jq RSS | history RSS |\n'
  printf '|---|---|---|---|---|---|\n'
  for rows in $ROWS; do
    gen_ledger "$rows" 1000 https://jira.example.com/ "$work/ledger"
    timed "$RUNS" sh -c 'jq -c . "$1" | tac | jq -s' sh "$work/ledger"
    jw=$wall jr=$rss
    PROG=$AFTER fresh_state
    timed "$RUNS" "$AFTER" history --state-dir "$work/state" -o json
    printf '| %s | %s | %s | %s | %s | %s |\n' "$rows" "$jw" "$wall" \
      "$(awk "BEGIN {printf \"%.2f\", $wall / ($jw > 0 ? $jw : 0.01)}")" "$jr" "$rss"
  done
  printf '\n'
fi

need_sim
start_sim jcma --latency-ms 0
sed '/^\[connection prod\]/,$d' "$CONF" >"$work/head.conf"
# The daily timer's usual run: every connection checked, none due (an
# older build that keeps PROG.index builds it on the first run).
for rows in $ROWS; do
  gen_ledger "$rows" 1000 "$SERVER_URL" "$work/ledger" 0
  gen_conf 1000 "$SERVER_URL" "$work/conf" "$work/head.conf"
  # 0.1.0 read the whole ledger for each connection: 1,000 times 1.1 s
  # at 100,000 rows, per run. Measured at the smallest size only.
  [ "$rows" = "${ROWS%% *}" ] || SKIP_BEFORE=1
  row "renew, none due" "$rows" 1000 renew-idle
  SKIP_BEFORE=
done
gen_ledger 10000 100 "$SERVER_URL" "$work/ledger"
gen_conf 100 "$SERVER_URL" "$work/conf" "$work/head.conf"
row "renew (100 due, simulator 0 ms)" 10000 100 renew
stop_sim
