#!/bin/sh
# SPDX-License-Identifier: MIT
# startup-bench.sh [RUNS] [ROUNDS]: how long jcma-token takes to start and
# finish the offline commands (--version, status, status -o nagios,
# history, record --dry-run when it exists, guide) on a configuration of
# three connections with a small ledger, against /bin/true measured by
# the same harness in the same run, so the ratios are honest. Each command
# runs RUNS times in each of ROUNDS rounds (interleaved, so a busy machine
# slows all alike) under perf stat; reported are the median wall time of
# all runs and the mean CPU time (perf's task-clock, steadier on a shared
# machine). With BEFORE_BUILDDIR set to another build directory (an older
# release, say; it is only read), its jcma-token runs beside this one.
# A last row shows the floor: a program that only links json-glib.
# A benchmark, not a test: run it from a build directory.
set -eu
RUNS=${1:-40}
ROUNDS=${2:-5}
# perf stat repeats a command 2 to 100 times.
if [ "$RUNS" -lt 2 ] || [ "$RUNS" -gt 100 ]; then echo "RUNS: 2 to 100"; exit 1; fi
top_builddir=${top_builddir:-$(pwd)}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top_srcdir/tests/libtest.sh"
command -v perf >/dev/null 2>&1 || { echo "needs perf (Debian: apt-get install linux-perf)"; exit 1; }
perf stat -r 2 --table -o /dev/null -- /bin/true >/dev/null 2>&1 ||
  { echo "perf stat --table does not run here (kernel.perf_event_paranoid?)"; exit 1; }

builds=after
AFTER=$JCMA
BEFORE=
if [ -n "${BEFORE_BUILDDIR:-}" ]; then
  BEFORE=$BEFORE_BUILDDIR/jcma-token/jcma-token
  [ -x "$BEFORE" ] || { echo "no $BEFORE: build BEFORE_BUILDDIR first"; exit 1; }
  builds="after before"
fi

# Three connections, three renewals each, recorded by the oldest build so
# that both can read the ledger.
CONF="$test_tmpdir/bench.conf"
{
  printf '[defaults]\ncloud-user = migration-admin@example.com\n'
  for c in prod stage test; do
    printf '\n[connection %s]\nserver-url = https://jira-%s.example.com/\n' "$c" "$c"
    printf 'cloud-url = https://acme-%s.atlassian.net\n' "$c"
  done
} >"$CONF"
OPTS="-c $CONF --state-dir $STATE"
for c in prod stage test; do
  for d in 2026-10-01 2026-10-20 2026-11-10; do
    "${BEFORE:-$AFTER}" record $OPTS -C "$c" --at "${d}T10:00:00Z" -m CHG-1 >/dev/null
  done
done

# The commands, one a line: label|arguments (after the program).
commands="--version|--version
status|status $OPTS
status -o nagios|status $OPTS -o nagios
history|history $OPTS"
if "$AFTER" record --help 2>/dev/null | grep -q -- '--dry-run'; then
  commands="$commands
record --dry-run|record $OPTS -C prod --dry-run"
else
  echo "record --dry-run: skipped (no such option)"
fi
commands="$commands
guide|guide $OPTS -C prod"

# The floor: a program that only links json-glib, and so GLib, GObject
# and GIO, as the programs must; built here when a compiler is at hand.
FLOOR=
printf '#include <json-glib/json-glib.h>\nint main (void) { g_object_unref (json_parser_new ()); return 0; }\n' \
  >"$test_tmpdir/floor.c"
# shellcheck disable=SC2046 # pkg-config's flags are words
if ${CC:-cc} -O2 -o "$test_tmpdir/floor" "$test_tmpdir/floor.c" \
  $(pkg-config --cflags --libs json-glib-1.0 2>/dev/null) 2>/dev/null; then
  FLOOR=$test_tmpdir/floor
else
  echo "json-glib floor: skipped (no compiler or json-glib headers)"
fi

median () { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# sample KEY CMD...: RUNS runs of CMD under perf stat; appends each run's
# wall time (ms) to KEY.wall and the mean CPU time (ms) to KEY.cpu.
sample () {
  key=$test_tmpdir/samples-$1
  shift
  perf stat -r "$RUNS" --table -o "$test_tmpdir/perf.out" -- "$@" >/dev/null 2>&1 </dev/null || true
  awk '/^ *[0-9.]+ \([-+][0-9.]+\)/ {printf "%.3f\n", $1 * 1000}' "$test_tmpdir/perf.out" >>"$key.wall"
  awk '/msec task-clock/ {print $1}' "$test_tmpdir/perf.out" >>"$key.cpu"
}

# Interleaved: each round runs /bin/true and each command of each build once.
round=0
while [ "$round" -lt "$ROUNDS" ]; do
  sample true /bin/true
  [ -z "$FLOOR" ] || sample floor "$FLOOR"
  i=0
  printf '%s\n' "$commands" | while IFS='|' read -r label args; do
    i=$((i + 1))
    for b in $builds; do
      if [ "$b" = after ]; then prog=$AFTER; else prog=$BEFORE; fi
      # shellcheck disable=SC2086 # the arguments are words
      sample "$b-$i" "$prog" $args
    done
  done
  round=$((round + 1))
done

wall () { median <"$test_tmpdir/samples-$1.wall"; }
cpu () { median <"$test_tmpdir/samples-$1.cpu"; }
ratio () { awk "BEGIN {printf \"%.1f\", $1 / $2}"; }
true_wall=$(wall true)
true_cpu=$(cpu true)

printf '\nstart-up of jcma-token, %s runs x %s rounds; wall: median ms, cpu: task-clock ms;\n' \
  "$RUNS" "$ROUNDS"
printf 'ratios to /bin/true measured alike in the same run\n\n'
if [ -n "$BEFORE" ]; then
  printf '| command | before wall | ratio | after wall | ratio | before cpu | ratio | after cpu | ratio |\n'
  printf '|---|---|---|---|---|---|---|---|---|\n'
else
  printf '| command | wall | ratio | cpu | cpu ratio |\n|---|---|---|---|---|\n'
fi
printf '%s\n' "$commands" | {
  i=0
  while IFS='|' read -r label args; do
    i=$((i + 1))
    aw=$(wall "after-$i") ac=$(cpu "after-$i")
    if [ -n "$BEFORE" ]; then
      bw=$(wall "before-$i") bc=$(cpu "before-$i")
      printf '| %s | %s | %s× | %s | %s× | %s | %s× | %s | %s× |\n' "$label" \
        "$bw" "$(ratio "$bw" "$true_wall")" "$aw" "$(ratio "$aw" "$true_wall")" \
        "$bc" "$(ratio "$bc" "$true_cpu")" "$ac" "$(ratio "$ac" "$true_cpu")"
    else
      printf '| %s | %s | %s× | %s | %s× |\n' "$label" "$aw" "$(ratio "$aw" "$true_wall")" \
        "$ac" "$(ratio "$ac" "$true_cpu")"
    fi
  done
}
if [ -n "$BEFORE" ]; then
  printf '| /bin/true | %s | 1.0× | %s | 1.0× | %s | 1.0× | %s | 1.0× |\n' "$true_wall" \
    "$true_wall" "$true_cpu" "$true_cpu"
else
  printf '| /bin/true | %s | 1.0× | %s | 1.0× |\n' "$true_wall" "$true_cpu"
fi
if [ -n "$FLOOR" ]; then
  fw=$(wall floor) fc=$(cpu floor)
  rw=$(ratio "$fw" "$true_wall") rc=$(ratio "$fc" "$true_cpu")
  if [ -n "$BEFORE" ]; then
    printf '| json-glib only (the floor) | %s | %s× | %s | %s× | %s | %s× | %s | %s× |\n' \
      "$fw" "$rw" "$fw" "$rw" "$fc" "$rc" "$fc" "$rc"
  else
    printf '| json-glib only (the floor) | %s | %s× | %s | %s× |\n' "$fw" "$rw" "$fc" "$rc"
  fi
fi
printf '\nlibraries loaded (ldd): after %s' "$(ldd "$AFTER" | wc -l)"
[ -z "$BEFORE" ] || printf ', before %s' "$(ldd "$BEFORE" | wc -l)"
printf '\n'
