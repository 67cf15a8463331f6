#!/bin/sh
# SPDX-License-Identifier: MIT
# completion-bash.sh: the bash completion of both programs, driven as bash
# drives it (COMP_WORDS, COMP_CWORD, then the function, then COMPREPLY):
# commands, each command's options (the same as its --help), output
# formats, files and directories, and connection names from the
# configuration the command line would read.

. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
command -v bash >/dev/null 2>&1 || skip_all "bash not installed"
BASH_COMPLETION=
for f in /usr/share/bash-completion/bash_completion /etc/bash_completion; do
  [ -r "$f" ] && BASH_COMPLETION=$f && break
done
[ -n "$BASH_COMPLETION" ] || skip_all "bash-completion not installed"
SCRIPT="$top_builddir/completion/jcma-token"
# The completion asks the program for its options (PROG COMMAND --help),
# as it finds it on an installed system: on $PATH.
PATH="$top_builddir/jcma-token:$top_builddir/ccma-token:$PATH"
export PATH
[ -r "$SCRIPT" ] || { echo "Bail out! $SCRIPT not built"; exit 1; }

# complete_line LINE: run the completion on LINE, the cursor at its end, and
# leave the candidates, sorted, one a line, in $out. Words are split at
# blanks and around "=", as readline splits them with the default
# COMP_WORDBREAKS. One bash, started once, answers every line, as a user's
# interactive shell does: a shell per line would load bash-completion (and
# the program's --help) again each time.
driver_in="$test_tmpdir/driver.in" driver_out="$test_tmpdir/driver.out"
mkfifo "$driver_in" "$driver_out"
bash --norc --noprofile -c '
  . "$1" || exit 90
  . "$2" || exit 91
  while IFS= read -r line; do
    COMPREPLY=() rc=0
    read -ra COMP_WORDS <<<"${line//=/ = }"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line COMP_POINT=${#line}
    if complete -p "${COMP_WORDS[0]##*/}" >/dev/null; then
      _cma_token "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
      ((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort
    else
      rc=92
    fi
    printf "\036 %s\n" "$rc"
  done' complete "$BASH_COMPLETION" "$SCRIPT" <"$driver_in" >"$driver_out" 2>"$test_tmpdir/driver.err" &
exec 3>"$driver_in" 4<"$driver_out"
rs=$(printf '\036')

complete_line () {
  printf '%s\n' "$1" >&3
  out= rc=
  while IFS= read -r _line <&4; do
    case $_line in
      "$rs "*) rc=${_line#* }; break ;;
    esac
    out=${out:+$out$nl}$_line
  done
  # The driver gone (it could not load a script): no answer.
  [ -n "$rc" ] || rc=99
  err=
  if [ -s "$test_tmpdir/driver.err" ]; then slurp err "$test_tmpdir/driver.err"; fi
}

# same_words LINES WORDS: LINES (a word a line) and WORDS (separated by
# blanks) hold the same words, as often, in any order; the shell's own
# patterns, not a sort per comparison.
same_words () {
  _rest=$nl$1$nl
  for _w in $2; do
    case $_rest in *"$nl$_w$nl"*) ;; *) return 1 ;; esac
    _rest=${_rest%%"$nl$_w$nl"*}$nl${_rest#*"$nl$_w$nl"}
  done
  [ "$_rest" = "$nl" ] || [ "$_rest" = "$nl$nl" ]
}

# completes DESCRIPTION LINE EXPECTED: completing LINE offers exactly
# EXPECTED (words separated by blanks, any order).
completes () {
  complete_line "$2"
  if [ "$rc" -eq 0 ] && same_words "$out" "$3"; then
    ok "$1"
  else
    not_ok "$1"
    printf 'line: %s\nexpected: %s\n' "$2" "$3" | sed 's/^/# /'
    diag
  fi
}

# help_options CMD: $help_opts, the options PROG CMD --help lists, short and long: the
# words before the description of its lines that start with blanks and a
# dash ("-o, --output=FORMAT  ..." gives -o --output).
help_options () {
  run "$PROG" "$1" --help
  _opts=
  while IFS= read -r _l; do
    case $_l in " "*) ;; *) continue ;; esac
    read -r _a _b _c <<EOF
$_l
EOF
    case $_a,$_b in
      -[a-zA-Z],,--[a-z]*) _opts="$_opts ${_a%,} ${_b%%=*}" ;;
      --[a-z]*) _opts="$_opts ${_a%%=*}" ;;
      -*) _opts="$_opts $_l" ;;
    esac
  done <<EOF
$out
EOF
  help_opts=$_opts
}

# ---- configuration files with connections ----
conf="$test_tmpdir/two.conf"
cat >"$conf" <<'EOF'
[defaults]
cloud-url = https://acme.atlassian.net

[connection prod]
server-url = https://jira.example.com/
  [connection test-2.eu_x]
server-url = https://jira-test.example.com/
# [connection commented-out]
EOF
mkdir -p "$test_tmpdir/files/sub.d"
: >"$test_tmpdir/files/a.conf"

for p in $PRODUCTS; do
  use_product "$p"

  completes "$NAME: commands" "$NAME " "status record guide history renew doctor help"
  completes "$NAME: a command's prefix" "$NAME re" "record renew"
  completes "$NAME: commands after a global option and its value" \
    "$NAME -c $conf --state-dir /tmp h" "help history"
  completes "$NAME: global options before the command" "$NAME --c" "--config --connection --critical-days --cloud-url"
  complete_line "$NAME -"
  assert "$NAME: --version only before a command" stdout_has '^--version$'
  complete_line "$NAME status -"
  assert "$NAME: no --version after a command" stdout_lacks '^--version$'

  # Every command offers exactly the options of its --help.
  for cmd in status record guide history renew doctor; do
    help_options "$cmd"
    completes "$NAME $cmd: the options of --help" "$NAME $cmd -" "$help_opts"
  done
  completes "$NAME: options after the command's own option" "$NAME renew --force --d" "--dry-run"

  # Values.
  completes "$NAME status: output formats" "$NAME status -o " "text json nagios prometheus ics"
  completes "$NAME history: its output formats" "$NAME history --output " "text json"
  completes "$NAME status: --output=PREFIX" "$NAME status --output=j" "json"
  completes "$NAME status: --at suggests now" "$NAME status --at " "now"
  completes "$NAME record: -m takes a note" "$NAME record -m " ""
  completes "$NAME renew: -n is --dry-run, a flag" "$NAME renew -n --for" "--force"
  completes "$NAME: no value for --cloud-url" "$NAME status --cloud-url " ""
  completes "$NAME: no word after the command" "$NAME status " ""
  completes "$NAME: -c completes files" "$NAME -c $test_tmpdir/files/" \
    "$test_tmpdir/files/a.conf $test_tmpdir/files/sub.d"
  completes "$NAME: --state-dir completes directories only" "$NAME status --state-dir $test_tmpdir/files/" \
    "$test_tmpdir/files/sub.d"

  # Connection names come from the configuration on the command line.
  completes "$NAME: -C from -c" "$NAME status -c $conf -C " "prod test-2.eu_x"
  completes "$NAME: --connection from --config=FILE, prefix" "$NAME renew --config=$conf --connection t" "test-2.eu_x"
  completes "$NAME: -C from -c before the command" "$NAME -c $conf record -C p" "prod"
  completes "$NAME: no names from a missing file" "$NAME status -c $test_tmpdir/nope.conf -C " ""

  # ... or from the file the program reads without -c: the path the
  # program itself reports with -v, for root as for anyone else.
  run "$PROG" history -v --state-dir "$test_tmpdir/state"
  default=$(printf '%s\n' "$err" | sed -n "s/^$NAME: configuration: //p")
  run bash --norc --noprofile -c '. "$1"; . "$2"; _cma_token_default_config "$3"' \
    complete "$BASH_COMPLETION" "$SCRIPT" "$NAME"
  if [ -n "$default" ] && [ "$out" = "$default" ]; then
    ok "$NAME: the default configuration is the program's ($default)"
  else
    not_ok "$NAME: the default configuration: completion '$out', program '$default'"
  fi
  if [ "$(id -u)" -ne 0 ]; then
    mkdir -p "$XDG_CONFIG_HOME/cma-token"
    cp "$conf" "$XDG_CONFIG_HOME/cma-token/$NAME.conf"
    completes "$NAME: -C from the default configuration" "$NAME guide -C " "prod test-2.eu_x"
  else
    skip "$NAME: -C from the default configuration" "root's is in sysconfdir, not ours to write"
  fi
done

exec 3>&- 4<&-
wait
tap_done
