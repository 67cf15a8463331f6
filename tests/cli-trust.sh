#!/bin/sh
# SPDX-License-Identifier: MIT
# Run as root, what decides what runs as root must be root's alone
# (issue 20): a configuration file, a directory above it, or a hook that
# another user owns or that group or others may write is refused (exit
# 78, naming the file, the owner or the bit, and the fix), as sshd and
# sudo refuse theirs; doctor reports it as a failed check.
. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
stderr_lacks_hook () { ! printf '%s\n' "$err" | grep -q "hook"; }
[ "$(id -u)" = 0 ] || skip_all "needs root (the checks apply only to root)"
id nobody >/dev/null 2>&1 || skip_all "needs the user nobody"
use_product jcma

base="$test_tmpdir/etc"
mkdir -p "$base"
conf="$base/$NAME.conf"
printf '[connection prod]\ncloud-url = https://acme.atlassian.net\n' >"$conf"
chmod 644 "$conf"
st="$test_tmpdir/state"

run "$PROG" status -c "$conf" --state-dir "$st"
check "a configuration only root may write is read" 3 "no renewal recorded"

chmod 664 "$conf"
run "$PROG" history -c "$conf" --state-dir "$st"
check "a group-writable configuration is refused, naming the bit" 78 \
  "^$NAME: configuration $(re_quote "$conf"): $(re_quote "$conf") is writable by its group \(mode 0664, the g\+w bit\), who could change what runs as root; fix: chmod g-w "
chmod 646 "$conf"
run "$PROG" record -c "$conf" --state-dir "$st" -C prod
check "record refuses a configuration others may write" 78 "is writable by others \(mode 0646, the o\+w bit\)"
chmod 644 "$conf"
chown nobody "$conf"
run "$PROG" renew -c "$conf" --state-dir "$st"
check "renew refuses a configuration another user owns" 78 \
  "configuration .*: $(re_quote "$conf") belongs to uid $(id -u nobody), who could change what runs as root; fix: chown root "
chown 0 "$conf"

chmod 777 "$base"
run "$PROG" history -c "$conf" --state-dir "$st"
check "a configuration in a directory others may write is refused" 78 \
  "configuration .*: directory $(re_quote "$base") is writable by its group and others \(mode 0777, the g\+w and o\+w bits\), who could change what runs as root; fix: chmod go-w "
run "$PROG" status -c "$conf" --state-dir "$st"
check "status, a monitoring command, says so as UNKNOWN" 3 "directory $(re_quote "$base") is writable"
chmod 1777 "$base"
run "$PROG" status -c "$conf" --state-dir "$st"
check "... but not in a sticky directory such as /tmp" 3 "no renewal recorded"
chmod 755 "$base"

run "$PROG" doctor -c "$conf" --state-dir "$st" --no-cloud
assert "doctor passes the configuration check" stdout_has "^  . configuration: $(re_quote "$conf")\$"
chown nobody "$conf"
run "$PROG" doctor -c "$conf" --state-dir "$st" --no-cloud
assert "doctor reports another user's configuration as a failed check" \
  stdout_has "configuration: .*belongs to uid $(id -u nobody)"
chown 0 "$conf"

# ---- hooks: refused before any renewal ----
hooks="$test_tmpdir/hooks"
mkdir -p "$hooks"
printf '#!/bin/sh\ntouch "%s/ran"\n' "$hooks" >"$hooks/hook"
chmod 757 "$hooks/hook"
run "$PROG" renew -c "$conf" --state-dir "$st" --hook "$hooks/hook"
check "renew refuses a hook others may write" 78 \
  "^$NAME: hook $(re_quote "$hooks/hook"): $(re_quote "$hooks/hook") is writable by others \(mode 0757, the o\+w bit\)"
assert "... and runs it not" [ ! -e "$hooks/ran" ]
chmod 755 "$hooks/hook"
chown nobody "$hooks"
printf '[defaults]\nhook = %s\n' "$hooks/hook" >>"$conf"
run "$PROG" renew -c "$conf" --state-dir "$st"
check "renew refuses a configured hook in a directory another user owns" 78 \
  "^$NAME: hook .*: directory $(re_quote "$hooks") belongs to uid $(id -u nobody)"
run "$PROG" renew -c "$conf" --state-dir "$st" --dry-run
assert "a dry run, which runs no hook, does not refuse it" stderr_lacks_hook
tap_done
