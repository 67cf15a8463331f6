#!/bin/sh
# SPDX-License-Identifier: MIT
# api-state-group.sh: renew --state-group on a fresh state directory, for
# both products: the ledger and the attempts file the renewals write are
# the group's to read (0640, group G, in a 2750 directory), as record's
# are, so monitoring reads them without sudo after a timer run.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
need_sim

[ "${EUID:-$(id -u)}" = 0 ] || skip_all "needs root to give the state to another group"
group=nogroup
getent group "$group" >/dev/null || skip_all "no group $group"

# shared WHAT FILE: FILE is 0640 and the group's, its directory 2750 and the group's.
# One stat for both (the file's line empty when there is none).
shared () {
  f=$2
  modes=$(stat -c '%a %G' "${f%/*}" "$f" 2>/dev/null || true)
  assert "$p: $1: directory setgid and group-readable (2750, $group)" \
    eval 'case $modes in "2750 $group$nl"*|"2750 $group") true ;; *) false ;; esac'
  assert "$p: $1: ${2##*/} group-readable (0640, $group)" \
    eval '[ -f "$f" ] && case $modes in *"${nl}640 $group") true ;; *) false ;; esac'
}

for p in $PRODUCTS; do
  use_product "$p"
  start_sim "$p"
  state="$test_tmpdir/state-$p"
  printf '\n[connection other]\nserver-url = %s\ncloud-url = https://other.atlassian.net\n' \
    "$SERVER_URL" >>"$CONF"

  run "$PROG" renew -c "$CONF" --state-dir "$state" --state-group "$group"
  check "$p: renew --state-group on a fresh state directory renews" 0 "^prod: renewed"
  shared "after renew" "$state/$NAME.ledger"
  assert "$p: no file of the state is private to root" eval \
    '[ -z "$(find "$state" -type f ! -name "*.lock" ! -perm -g=r)" ]'

  # A failing renewal keeps its attempt in PROG.attempts, made by rename.
  state="$test_tmpdir/failing-$p"
  sed -i "s|^cloud-api-url = .*|cloud-api-url = https://127.0.0.1:1/|" "$CONF"
  run "$PROG" renew -c "$CONF" --state-dir "$state" --state-group "$group" -C prod
  check "$p: a failing renewal with --state-group" 69
  shared "after a failure" "$state/$NAME.attempts"
  stop_sim
done

# ---- root renewing in the service's own state directory ----
# Every file root creates there is the directory owner's: 0.1.0 left the
# lock files and the attempts file root:root 0600, and the service's own
# runs failed for good with "cannot open lock file ... Permission denied".
svc_uid=65534
p=jcma
use_product "$p"
start_sim "$p"
chmod 711 "$test_tmpdir"
chmod -R a+rX "$test_tmpdir/certs"
chmod 644 "$CONF"
svc="$test_tmpdir/service"
mkdir -p "$svc" && chown "$svc_uid:$svc_uid" "$svc" && chmod 700 "$svc"
sed -i "s|^cloud-api-url = .*|cloud-api-url = https://127.0.0.1:1/|" "$CONF"
run "$PROG" renew -c "$CONF" --state-dir "$svc"
check "root: a failing renewal in the service's directory" 69
assert "root: every file it created there is the service user's" eval \
  '[ -e "$svc/$NAME.attempts" ] && [ -z "$(find "$svc" -type f ! -uid $svc_uid)" ] &&
   [ -z "$(find "$svc" -type f ! -gid $svc_uid)" ] && [ "$(find "$svc" -name "*.lock" | wc -l)" -eq 2 ]'
for f in cloud server; do
  cp "$test_tmpdir/$f.token" "$test_tmpdir/$f-svc.token"
  chown "$svc_uid" "$test_tmpdir/$f-svc.token"
  sed -i "s|^$f-token-file = .*|$f-token-file = $test_tmpdir/$f-svc.token|" "$CONF"
done
run setpriv --reuid=$svc_uid --regid=$svc_uid --clear-groups -- env HOME="$svc" \
  "$PROG" renew -c "$CONF" --state-dir "$svc"
check "root: ... after which the service's own run can take its locks (exit 69, not 74)" 69
assert "root: ... no Permission denied" eval '! stderr_has "Permission denied"'
assert "root: ... and its failure is counted with root's" grep -q '"attempts" : 2' "$svc/$NAME.attempts"
# A file of root's hard-linked in by the directory's owner is never given away.
run "$PROG" record --state-dir "$svc" --cloud-url https://other.atlassian.net -q
check "root: records into the service's ledger" 0
rm -f "$svc/$NAME.lock"
: >"$test_tmpdir/roots-file"
ln "$test_tmpdir/roots-file" "$svc/$NAME.lock"
run "$PROG" record --state-dir "$svc" --cloud-url https://other.atlassian.net -q
check "root: a writer lock hard-linked to a file of root's" 0
assert "root: ... which stays root's" eval '[ "$(stat -c %u "$test_tmpdir/roots-file")" = 0 ]'
stop_sim

tap_done
