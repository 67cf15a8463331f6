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
# leave the candidates, one a line, in $out. Words are split at
# blanks and around "=", as readline splits them with the default
# COMP_WORDBREAKS. One bash, started once, answers every line, as a user's
# interactive shell does: a shell per line would load bash-completion (and
# the program's --help) again each time. A line "!default-config PROG"
# asks it for the configuration the completion reads without -c instead.
driver_start bash --norc --noprofile -c '
  . "$1" || exit 90
  . "$2" || exit 91
  while IFS= read -r line; do
    COMPREPLY=() rc=0
    if [[ $line == "!default-config "* ]]; then
      _cma_token_default_config "${line#* }"
      printf "\036 %s\n" "$?"
      continue
    fi
    read -ra COMP_WORDS <<<"${line//=/ = }"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line COMP_POINT=${#line}
    if complete -p "${COMP_WORDS[0]##*/}" >/dev/null; then
      _cma_token "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
      ((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}"
    else
      rc=92
    fi
    printf "\036 %s\n" "$rc"
  done' complete "$BASH_COMPLETION" "$SCRIPT"
complete_line () { driver_ask "$1"; }

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
  default=
  while IFS= read -r _l; do
    case $_l in "$NAME: configuration: "*) default=${default:+$default$nl}${_l#"$NAME: configuration: "} ;; esac
  done <<EOF
$err
EOF
  # The completion's answer, from the shell that loaded it.
  driver_ask "!default-config $NAME"
  if [ -n "$default" ] && [ "$out" = "$default" ]; then
    ok "$NAME: the default configuration is the program's ($default)"
  else
    not_ok "$NAME: the default configuration: completion '$out', program '$default'"
  fi
  if [ "${EUID:-$(id -u)}" -ne 0 ]; then
    mkdir -p "$XDG_CONFIG_HOME/cma-token"
    cp "$conf" "$XDG_CONFIG_HOME/cma-token/$NAME.conf"
    completes "$NAME: -C from the default configuration" "$NAME guide -C " "prod test-2.eu_x"
  else
    skip "$NAME: -C from the default configuration" "root's is in sysconfdir, not ours to write"
  fi
done

driver_stop
tap_done
