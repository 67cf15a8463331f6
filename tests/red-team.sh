#!/bin/sh
# SPDX-License-Identifier: MIT
# red-team.sh: the chaos scenarios of the red-team campaigns (issue 20),
# kept: kill -9 at random points of record, renew and status
# --output-file, on state files that are corrupted, truncated, symlinked
# and hard-linked, then count the renewals acknowledged ("Recorded ...",
# "renewed (token ...)", exit 0) that are missing from the ledger (lost)
# and the records that are there twice (duplicated): both must be 0.
#
# When a kill lands is left to chance; only outcomes are asserted, so a
# run that happens to kill nothing proves less but never fails wrongly.
# Kept to a few seconds: the scenarios, not volume (the campaign ran 300).
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"

T=2026-11-01T00:00:00Z
require_past "$T"
use_product jcma
CLOUD=https://acme.atlassian.net

# span MAX CMD...: $span, how many ms the kills below wait at most: half
# as long again as CMD took here, so that they land before, during and
# after the writes on any machine (a sanitizer build is several times
# slower, a loaded one too); MAX where the shell has no clock.
span () {
  span=$1
  shift
  if [ -z "${EPOCHREALTIME:-}" ]; then
    "$@" >/dev/null 2>&1 || true
    return 0
  fi
  _t0=${EPOCHREALTIME//[.,]/}
  "$@" >/dev/null 2>&1 || true
  _t1=${EPOCHREALTIME//[.,]/}
  span=$(((_t1 - _t0) * 3 / 2000 + 1))
}

# delay MAX: wait 1 to MAX ms. Under bash $RANDOM and nap's read with a
# time-out, not an od, a tr and a sleep per kill.
delay () {
  if [ -n "${BASH_VERSION:-}" ]; then
    _ms=$((RANDOM % $1 + 1))
  else
    _ms=$(($(od -An -N1 -tu1 /dev/urandom | tr -d ' ') % $1 + 1))
  fi
  _frac=$((_ms % 1000))
  case $_frac in ?) _frac=00$_frac ;; ??) _frac=0$_frac ;; esac
  nap "$((_ms / 1000)).$_frac"
}

# kill_soon MAX CMD...: run CMD in the background, kill -9 it after
# delay MAX; its exit status in $rc, its stdout in $test_tmpdir/k.out.
kill_soon () {
  _max=$1
  shift
  "$@" >"$test_tmpdir/k.out" 2>"$test_tmpdir/k.err" &
  pid=$!
  delay "$_max"
  kill -9 "$pid" 2>/dev/null || true
  # The shell's "Killed" notice is no news here.
  { wait "$pid"; } 2>/dev/null && rc=0 || rc=$?
}

killed=0
# acknowledged ERE: a line of the killed run's stdout matches ERE.
acknowledged () {
  k_out=
  if [ -s "$test_tmpdir/k.out" ]; then slurp k_out "$test_tmpdir/k.out"; fi
  matches -E "$1" "$k_out"
}
# chaos_record LEDGER LABEL N ARGS...: N records, each with its own note,
# each killed at random; acknowledged notes go to $test_tmpdir/acked.
chaos_record () {
  _label=$2 _runs=$3
  shift 3
  : >"$test_tmpdir/acked"
  i=0
  while [ $i -lt "$_runs" ]; do
    i=$((i + 1))
    # A record takes a few ms of work and two fsyncs.
    kill_soon "$record_span" "$PROG" record "$@" -m "$_label-$i"
    if [ "$rc" -eq 0 ] && acknowledged '^Recorded renewal'; then
      echo "$_label-$i" >>"$test_tmpdir/acked"
    elif [ "$rc" -eq 137 ]; then
      killed=$((killed + 1))
    fi
  done
}

# count_notes LEDGER LABEL: $lost and $dups among LABEL's records.
count_notes () {
  grep -ao "\"note\":\"$2-[0-9]*\"" "$1" | sed 's/.*:"\(.*\)"/\1/' | sort >"$test_tmpdir/present" || true
  dups=$(uniq -d "$test_tmpdir/present" | wc -l)
  lost=$(sort "$test_tmpdir/acked" | comm -23 - "$test_tmpdir/present" | wc -l)
}

# lost_dup DESCRIPTION LEDGER LABEL: assert 0 lost, 0 duplicated.
lost_dup () {
  count_notes "$2" "$3"
  acked=$(wc -l <"$test_tmpdir/acked")
  if [ "$lost" -eq 0 ] && [ "$dups" -eq 0 ]; then
    ok "$1: $acked acknowledged, 0 lost, 0 duplicated"
  else
    not_ok "$1: $acked acknowledged, $lost lost, $dups duplicated"
  fi
}

# readable DESCRIPTION ARGS...: status still reads the ledger (whatever a
# kill left: at worst a torn last line, reported and skipped).
readable () {
  run "$PROG" status "$@"
  if [ "$rc" -le 3 ] && ! stderr_has "cannot|not a regular file"; then ok "$1"; else not_ok "$1"; diag; fi
}

# How long a record takes here, in a state directory of its own.
span 12 "$PROG" record --state-dir "$test_tmpdir/span" --cloud-url "$CLOUD" -m span
record_span=$span

# ---- kill -9 during record, on a fresh ledger ----
st="$test_tmpdir/fresh"
one="--state-dir $st --cloud-url $CLOUD"
chaos_record "$st/$NAME.ledger" fresh 24 $one
lost_dup "record killed at random" "$st/$NAME.ledger" fresh
readable "record killed at random: the ledger reads" $one
run "$PROG" record $one -m after
check "record killed at random: the next record goes in" 0 "^Recorded renewal"
assert "record killed at random: ... on a line of its own, every line whole" \
  eval '[ "$(tail -c 1 "$st/$NAME.ledger" | od -An -c | tr -d " ")" = "\\n" ] &&
        tail -n 1 "$st/$NAME.ledger" | grep -q "\"note\":\"after\"}\$"'
assert "record killed at random: no temporary or stray file left" \
  eval '[ -z "$(find "$st" -type f ! -name "$NAME.ledger" ! -name "*.lock")" ]'

# ---- on a corrupted and truncated ledger ----
st="$test_tmpdir/corrupt"
one="--state-dir $st --cloud-url $CLOUD"
run "$PROG" record $one --at "$T" -m corrupt-0
check "corrupt: a first record" 0
echo 'corrupt-0' >"$test_tmpdir/acked.first"
printf '{"at":"2026-11-02T00:00:00Z","connection":"default","server_url":' >>"$st/$NAME.ledger"
printf '\n\001\377garbage{{{\n{"at":"2026-11-0' >>"$st/$NAME.ledger"
chaos_record "$st/$NAME.ledger" corrupt 16 $one
cat "$test_tmpdir/acked.first" >>"$test_tmpdir/acked"
lost_dup "corrupt: record killed at random on a torn, garbled ledger" "$st/$NAME.ledger" corrupt
readable "corrupt: the ledger reads" $one
run "$PROG" history $one -o json
check "corrupt: history reads every whole record" 0
if have_jq; then
  count_notes "$st/$NAME.ledger" corrupt
  assert "corrupt: history shows each record once" eval \
    '[ "$(printf "%s\n" "$out" | jq "[.renewals[] | select(.note != null and (.note | startswith(\"corrupt-\")))] | length")" -eq "$(wc -l <"$test_tmpdir/present")" ]'
fi

# ---- a hard-linked ledger: appends go to the one file ----
st="$test_tmpdir/hardlink"
one="--state-dir $st --cloud-url $CLOUD"
run "$PROG" record $one --at "$T" -m hard-0
check "hard link: a first record" 0
ln "$st/$NAME.ledger" "$test_tmpdir/ledger.link"
chaos_record "$st/$NAME.ledger" hard 10 $one
echo hard-0 >>"$test_tmpdir/acked"
lost_dup "hard link: record killed at random" "$st/$NAME.ledger" hard
assert "hard link: both names are still the one file" \
  eval '[ "$(stat -c %i "$st/$NAME.ledger")" = "$(stat -c %i "$test_tmpdir/ledger.link")" ]'

# ---- a symlinked ledger and lock: refused, their targets untouched ----
st="$test_tmpdir/symlink"
one="--state-dir $st --cloud-url $CLOUD"
mkdir -m 700 "$st"
printf 'precious\n' >"$test_tmpdir/target"
ln -s "$test_tmpdir/target" "$st/$NAME.ledger"
chaos_record "$st/$NAME.ledger" sym 4 $one
run "$PROG" record $one -m sym-last
check "symlink: a ledger that is a symlink is refused" 74 "not a regular file"
assert "symlink: nothing acknowledged" eval '[ ! -s "$test_tmpdir/acked" ]'
assert "symlink: its target untouched" eval '[ "$(cat "$test_tmpdir/target")" = precious ]'
rm -f "$st/$NAME.ledger" "$st/$NAME.lock"
ln -s "$test_tmpdir/lock-target" "$st/$NAME.lock"
run "$PROG" record $one -m sym-lock
check "symlink: a writer lock that is a symlink is refused" 74 "lock file"
assert "symlink: ... and not created through it" eval '[ ! -e "$test_tmpdir/lock-target" ]'

# ---- kill -9 during status --output-file ----
# json_whole FILE: FILE starts with "{" and its last line is "}". Read
# by the shell (read_all); a tail, a grep and a head for one with a NUL,
# or under another shell.
json_whole () {
  if read_all _jw "$1"; then
    _jw_last=${_jw%"$nl"}
    _jw_last=${_jw_last##*"$nl"}
    [ "${_jw%"${_jw#?}"}" = "{" ] && [ "$_jw_last" = "}" ]
    return
  fi
  tail -n 1 "$1" | grep -q '^}$' && [ "$(head -c 1 "$1")" = "{" ]
}
st="$test_tmpdir/fresh"
one="--state-dir $st --cloud-url $CLOUD"
outdir="$test_tmpdir/out-dir"
mkdir -p "$outdir"
span 12 "$PROG" status $one -o json --output-file "$outdir/status.json"
whole=0
i=0
while [ $i -lt 12 ]; do
  i=$((i + 1))
  kill_soon "$span" "$PROG" status $one -o json --output-file "$outdir/status.json"
  if json_whole "$outdir/status.json"; then whole=$((whole + 1)); fi
done
assert "status --output-file killed at random: the file was whole every time ($whole of 12)" \
  [ "$whole" -eq 12 ]
# Age whatever a kill left, as if ten minutes had passed: the next write sweeps it.
find "$outdir" -name '.status.json.*' -exec touch -d '-1 hour' {} +
run "$PROG" status $one -o json --output-file "$outdir/status.json"
assert "status --output-file: the next write leaves only the file" \
  eval '[ "$(ls -A "$outdir")" = status.json ]'

# ---- kill -9 during renew, with failures in between ----
if [ -x "$SIM" ] && command -v certtool >/dev/null 2>&1; then
  need_sim
  start_sim jcma
  st="$test_tmpdir/renew"
  s="-c $CONF --state-dir $st"
  attempts="$st/$NAME.attempts"
  : >"$test_tmpdir/fps"
  # Made here, not by the first renewal: in a slow (sanitizer) build
  # every kill may land before a renewal has created it, and the
  # damage below needs somewhere to go.
  (umask 077 && mkdir -p "$st")
  good_api=$CLOUD_API_URL
  # How long a renewal takes here, into a state directory of its own.
  span 99 "$PROG" renew -c "$CONF" --state-dir "$test_tmpdir/span-renew" --force
  i=0
  while [ $i -lt 12 ]; do
    i=$((i + 1))
    # Every fourth run fails (a closed port), so the attempts file is
    # written, killed and rewritten too; now and then it is damaged.
    if [ $((i % 4)) -eq 0 ]; then
      set_key cloud-api-url https://127.0.0.1:1/
    else
      set_key cloud-api-url "$good_api"
    fi
    [ $((i % 6)) -ne 0 ] || printf '{"failures":[' >"$attempts"
    # A renewal takes tens of ms: TLS, four requests, the record.
    kill_soon "$span" "$PROG" renew $s --force
    if [ "$rc" -eq 0 ]; then
      sed -n 's/^prod: renewed (token \([^)]*\)).*/\1/p' "$test_tmpdir/k.out" >>"$test_tmpdir/fps"
    elif [ "$rc" -eq 137 ]; then
      killed=$((killed + 1))
    fi
  done
  grep -ao '"fingerprint":"[^"]*"' "$st/$NAME.ledger" | sed 's/.*:"\(.*\)"/\1/' | sort >"$test_tmpdir/present" || true
  dups=$(uniq -d "$test_tmpdir/present" | wc -l)
  lost=$(sort "$test_tmpdir/fps" | comm -23 - "$test_tmpdir/present" | wc -l)
  assert "renew killed at random: $(wc -l <"$test_tmpdir/fps") acknowledged, $lost lost, $dups duplicated" \
    [ "$lost" -eq 0 ] && [ "$dups" -eq 0 ]
  set_key cloud-api-url "$good_api"
  run "$PROG" renew $s --force
  check "renew killed at random: the next renewal goes through (no lock left held)" 0 "^prod: renewed"
  run "$PROG" status $s
  check "renew killed at random: then OK, no failure, nothing damaged" 0 "^prod: OK"
  assert "renew killed at random: ... stderr empty" stderr_empty
  assert "renew killed at random: ... the attempts file is whole JSON" eval \
    '[ ! -e "$attempts" ] || ! have_jq || jq -e .failures "$attempts" >/dev/null'

  # A hard-linked attempts file is replaced, never written through.
  printf 'precious\n' >"$test_tmpdir/precious"
  rm -f "$attempts"
  ln "$test_tmpdir/precious" "$attempts"
  set_key cloud-api-url https://127.0.0.1:1/
  run "$PROG" renew $s --force
  check "hard-linked attempts file: the failure is kept" 69
  assert "hard-linked attempts file: the other name untouched" \
    eval '[ "$(cat "$test_tmpdir/precious")" = precious ]'
  stop_sim
else
  skip "renew killed at random" "simulator or certtool missing"
fi

echo "# $killed runs killed mid-way"
tap_done
