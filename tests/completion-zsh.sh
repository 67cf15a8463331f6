#!/bin/sh
# SPDX-License-Identifier: MIT
# completion-zsh.sh: the zsh completion of both programs, driven through a
# real interactive zsh on a pseudo-terminal (zsh/zpty): type a line, press
# Tab, collect what the completion system offers. Commands, each command's
# options (the same as its --help), output formats and connection names.

. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
command -v zsh >/dev/null 2>&1 || skip_all "zsh not installed"
zsh -fc 'zmodload zsh/zpty' 2>/dev/null || skip_all "zsh has no zsh/zpty module"
FDIR="$top_builddir/completion"
[ -r "$FDIR/_cma-token" ] || { echo "Bail out! $FDIR/_cma-token not built"; exit 1; }

# The driver: zsh -f capture.zsh FPATH_DIR reads a line at a time, types it
# into one interactive zsh on a pseudo-terminal, presses Tab and answers
# the candidates, one a line, as driver_start expects. It wraps compadd to
# print every match it is given, and from comppostfuncs, once the
# completion has run, says so and keeps the line from being changed or the
# matches listed, then kills the line for the next one. compinit reads the
# dump the first test below writes (-C): scanning every function directory
# again costs each shell nearly 2 s.
cat >"$test_tmpdir/capture.zsh" <<'EOF'
zmodload zsh/zpty || exit 90
fdir=$1
setup=$TMPDIR/capture-setup.zsh
cat >$setup <<EOS
PS1= PROMPT= RPROMPT=
fpath=(${(q)fdir} \$fpath)
autoload -Uz compinit && compinit -u -C -d \$TMPDIR/zcompdump
zstyle ':completion:*' list-grouped false
zstyle ':completion:*' insert-tab false
bindkey -e
bindkey '^I' complete-word
compadd () {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "\$@"; return; fi
  local -a hits
  builtin compadd -A hits "\$@"
  (( \$#hits )) && print -rl -- "<<""C>>"\${^hits}
  builtin compadd "\$@"
}
_capture_end () {
  compstate[insert]= compstate[list]=
  print -r -- "<<""END>>"
  comppostfuncs+=( _capture_end )
}
comppostfuncs=( _capture_end )
print -r -- "<<""READY>>"
EOS
# Wait for the markers, never for ever: the test's timeout is the caller's.
zpty z zsh -f -i
zpty -w z ". ${(q)setup}"
out=
while zpty -r z chunk; do out+=$chunk; [[ $out == *'<<READY>>'* ]] && break; done
while IFS= read -r line; do
  zpty -w -n z "$line"$'\t'
  out=
  while zpty -r z chunk; do out+=$chunk; [[ $out == *'<<END>>'* ]] && break; done
  zpty -w -n z $'\C-u'
  hits=()
  for l in ${(f)out//$'\r'/}; do
    [[ $l == *'<<C>>'* ]] && hits+=( ${l##*'<<C>>'} )
  done
  (( $#hits )) && print -rl -- ${(ou)hits}
  print -r -- $'\036 0'
done
zpty -d z
EOF
# completes DESCRIPTION LINE EXPECTED: Tab after LINE offers exactly
# EXPECTED (words separated by blanks, any order).
completes () {
  driver_ask "$2"
  if [ "$rc" -eq 0 ] && same_words "$out" "$3"; then
    ok "$1"
  else
    not_ok "$1"
    printf 'line: %s\nexpected: %s\n' "$2" "$3" | sed 's/^/# /'
    diag
  fi
}

conf="$test_tmpdir/two.conf"
cat >"$conf" <<'EOF'
[defaults]
cloud-url = https://acme.atlassian.net

[connection prod]
[connection test-2.eu_x]
EOF

# compinit reads the first line of every file of every directory in
# $fpath, most of the test's time: the dump is made from ours and the
# completion system's own (Completion with compinit, Base, Unix and Zsh:
# _arguments, _files and the rest the completion calls), not every
# command's; from the whole $fpath where it is laid out otherwise.
run zsh -fc '
  sys=(${(M)fpath:#*/Completion(|/Base|/Unix|/Zsh)})
  has () { local d; for d in $sys; do [[ -r $d/$1 ]] && return 0; done; return 1 }
  has compinit && has _arguments && has _files && has _main_complete || sys=($fpath)
  fpath=("$1" $sys); autoload -Uz compinit; compinit -u -d "$2"
  print -r -- $_comps[jcma-token] $_comps[ccma-token]' \
  zsh "$FDIR" "$test_tmpdir/zcompdump"
check "compinit registers _cma-token for both programs" 0 '^_cma-token _cma-token$'
driver_start env TMPDIR="$test_tmpdir" LC_ALL=C timeout 300 zsh -f "$test_tmpdir/capture.zsh" "$FDIR"

for p in $PRODUCTS; do
  use_product "$p"
  completes "$NAME: commands" "$NAME " "status record guide history renew doctor help"
  # zsh lists an option's short and long form once each.
  for cmd in status record guide history renew doctor; do
    help_options "$cmd"
    completes "$NAME $cmd: the options of --help" "$NAME $cmd -" "$help_opts"
  done
  completes "$NAME: --version before a command" "$NAME --v" "--verbose --version"
  completes "$NAME status: output formats" "$NAME status -o " "text json nagios prometheus ics"
  completes "$NAME history: its output formats" "$NAME history --output=" "text json"
  completes "$NAME: -C from -c before the command" "$NAME -c $conf renew -C " "prod test-2.eu_x"
  completes "$NAME: --connection= from --config=" "$NAME status --config=$conf --connection=t" "test-2.eu_x"
done

driver_stop
tap_done
