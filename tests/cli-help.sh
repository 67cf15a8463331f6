#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-help.sh: help, version and the usage errors of both binaries, for
# every command that PROG --help lists.

. "$(dirname "$0")/libtest.sh"

# help_summary CMD: $summary, the text after "  CMD  " in $help_out, as
# $(sed -n "s/^  CMD  *//p") has it.
help_summary () {
  summary= _n=0
  while IFS= read -r _l; do
    case $_l in "  $1 "*) ;; *) continue ;; esac
    _l=${_l#"  $1"}
    while :; do case $_l in " "*) _l=${_l# } ;; *) break ;; esac; done
    _n=$((_n + 1))
    if [ $_n -eq 1 ]; then summary=$_l; else summary=$summary$nl$_l; fi
  done <<EOF
$help_out
EOF
  # $(...) drops trailing newlines.
  summary=${summary%"${summary##*[!$nl]}"}
}

# add_shorts: the "-x --long" pairs of the help in $out, as
# sed -nE 's/^ +(-[a-zA-Z]), (--[a-z][a-z0-9-]*).*/\1 \2/p' prints them,
# added to $shorts (a pair a line).
add_shorts () {
  while IFS= read -r _l; do
    case $_l in " "*) ;; *) continue ;; esac
    while :; do case $_l in " "*) _l=${_l# } ;; *) break ;; esac; done
    case $_l in -[a-zA-Z]", --"[a-z]*) ;; *) continue ;; esac
    _long=${_l#??, --}
    shorts="$shorts${_l%"${_l#??}"} --${_long%%[!a-z0-9-]*}$nl"
  done <<EOF
$out
EOF
}

# short_clashes: $clashes, the short options of $shorts with more than one
# long one (a name a line), as sort -u | awk '{ n[$1]++ } END { for (s in
# n) if (n[s] > 1) print s }' print them.
short_clashes () {
  clashes= _seen=$nl
  while read -r _s _long; do
    [ -n "$_s" ] || continue
    case $_seen in *"$nl$_s $_long$nl"*) continue ;; esac
    case $_seen in
      *"$nl$_s "*)
        case $nl$clashes$nl in
          *"$nl$_s$nl"*) ;;
          *) clashes=${clashes:+$clashes$nl}$_s ;;
        esac ;;
    esac
    _seen="$_seen$_s $_long$nl"
  done <<EOF
$shorts
EOF
}

# help_of CMD: the last run is "$PROG CMD --help": the text the loop over
# the listed commands kept, or a new run for a command not listed.
help_of () {
  if eval "[ -n \"\${help_${p}_$1+set}\" ]"; then
    eval "out=\$help_${p}_$1 rc=\$help_rc_${p}_$1 err=\$help_err_${p}_$1"
  else
    run "$PROG" "$1" --help
  fi
}

for p in $PRODUCTS; do
  use_product "$p"

  # ---- PROG --help ----
  run "$PROG" --help
  check "$NAME --help" 0 "^Usage: $NAME COMMAND \\[OPTION(…|\\.\\.\\.)\\]\$"
  assert "$NAME --help: names the assistant" \
    stdout_fixed "Keep the $PRODUCT Cloud Migration Assistant ($ABBREV) container token from expiring."
  assert "$NAME --help: explains the exit statuses" eval '
    stdout_has "status: +0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN" && stdout_has "64 usage"'
  assert "$NAME --help: doctor's three exit statuses, warnings alone 2" \
    stdout_has "doctor: +0 every check passed, 1 some check failed, 2 none failed but some\$"
  assert "$NAME --help: points to the manual page" stdout_fixed "See $NAME(1)"
  assert "$NAME --help: nothing on stderr" stderr_empty
  commands_of_help
  for cmd in status record guide history; do
    assert "$NAME --help lists '$cmd'" eval 'case $nl$commands$nl in *"$nl$cmd$nl"*) true ;; *) false ;; esac'
  done
  help_out=$out
  for alias in -h help; do
    run "$PROG" $alias
    check "$NAME $alias: exit 0" 0
    assert "$NAME $alias: same text as --help" stdout_is "$help_out"
  done

  # ---- PROG COMMAND --help, for every command listed ----
  shorts=
  for cmd in $commands; do
    run "$PROG" "$cmd" --help
    check "$NAME $cmd --help: exit 0" 0 "^  $NAME $cmd \\[OPTION(…|\\.\\.\\.)\\]\$"
    # Kept for the short options and the -n and -m cases below.
    add_shorts
    eval "help_${p}_$cmd=\$out help_rc_${p}_$cmd=\$rc help_err_${p}_$cmd=\$err"
    assert "$NAME $cmd --help: its summary from the command list" eval '
      help_summary "$cmd" && [ -n "$summary" ] && stdout_fixed "$summary"'
    assert "$NAME $cmd --help: global options" eval '
      stdout_has "^  -c, --config=FILE " && stdout_has "^  --state-dir=DIR " &&
      stdout_has "^  -C, --connection=NAME " && stdout_has "^  -q, --quiet "'
    run "$PROG" "$cmd" -h
    check "$NAME $cmd -h: exit 0" 0 "^  $NAME $cmd "
    cmd_help=$out
    run "$PROG" help "$cmd"
    check "$NAME help $cmd: exit 0" 0
    assert "$NAME help $cmd: the same text as $cmd --help" stdout_is "$cmd_help"

    # Usage errors come before anything is read, written or sent.
    want=64
    [ "$cmd" = status ] && want=3
    run "$PROG" "$cmd" --no-such-option --state-dir "$STATE"
    check "$NAME $cmd --no-such-option: exit $want" $want \
      "^$NAME: unknown option --no-such-option \\(see '$NAME $cmd --help'\\)\$"
    run "$PROG" "$cmd" --state-dir "$STATE" extra-argument
    check "$NAME $cmd extra-argument: exit $want" $want \
      "^$NAME: unexpected argument 'extra-argument' \\(see '$NAME $cmd --help'\\)\$"
    run "$PROG" "$cmd" --state-dir
    check "$NAME $cmd --state-dir without its value: exit $want" $want 'Missing argument for --state-dir'
    run "$PROG" "$cmd" --state-dir "$STATE" --lifetime-days soon
    check "$NAME $cmd --lifetime-days soon: exit $want" $want "--lifetime-days needs a number of days"
  done

  # ---- one meaning per short option, across every command ----
  # The pairs of each command's --help above (add_shorts).
  assert "$NAME: short options found in the commands' help" test -n "$shorts"
  short_clashes
  assert "$NAME: each short option has one meaning in every command (clashes: $clashes)" \
    test -z "$clashes"
  help_of renew
  assert "$NAME: -n is --dry-run, as in make and rsync" stdout_has '^  -n, --dry-run '
  help_of record
  assert "$NAME: -m is --note, as in git commit" stdout_has '^  -m, --note=TEXT '

  # ---- status: the monitoring exit status for every usage error ----
  run "$PROG" status --at
  check "$NAME status --at without TIME: UNKNOWN" 3 'Missing argument for --at'
  run "$PROG" status -o
  check "$NAME status -o without FORMAT: UNKNOWN" 3 'Missing argument for -o'
  run "$PROG" record --at
  check "$NAME record --at without TIME: usage error" 64 'Missing argument for --at'

  # ---- version ----
  for v in --version -V version; do
    run "$PROG" $v
    check "$NAME $v: exit 0" 0 "^$NAME \\(cma-token\\) [0-9]+\\.[0-9]+"
    assert "$NAME $v: libcurl with its TLS library, GLib and json-glib versions" eval '
      stdout_has "libcurl [0-9][^ ]* \\([A-Za-z]+" &&
      stdout_has "GLib [0-9]+\\.[0-9]+\\.[0-9]+" && stdout_has "json-glib [0-9]+\\.[0-9]+\\.[0-9]+"'
  done

  run "$PROG" -v --help
  check "$NAME -v --help: the usage, not 'unknown option'" 0 "^Usage: $NAME COMMAND"
  run "$PROG" -q -V
  check "$NAME -q -V: the version" 0 "^$NAME \\(cma-token\\) "
  run "$PROG" -v help status
  check "$NAME -v help status: the help of status" 0 "^  $NAME status \\[OPTION"
  run "$PROG" -C prod help
  check "$NAME -C prod help: the usage" 0 "^Usage: $NAME COMMAND"
  run "$PROG" help frobnicate
  check "$NAME help frobnicate: unknown command" 64 "unknown command 'frobnicate'"
  run "$PROG" help status extra
  check "$NAME help status extra: usage error" 64 "help takes one command name"

  # ---- what is not a command ----
  run "$PROG"
  check "$NAME without a command: usage error" 64 "^Usage: $NAME COMMAND"
  assert "$NAME without a command: usage on stderr only" stdout_empty
  run "$PROG" frobnicate
  check "$NAME frobnicate: usage error" 64 "^$NAME: unknown command 'frobnicate' \\(see '$NAME --help'\\)\$"
  run "$PROG" Status
  check "$NAME Status (commands are lower case): usage error" 64 "unknown command 'Status'; did you mean 'status'\\?"
  run "$PROG" stauts
  check "$NAME stauts: did you mean status?" 64 \
    "^$NAME: unknown command 'stauts'; did you mean 'status'\\? \\(see '$NAME --help'\\)\$"
  run "$PROG" histroy
  check "$NAME histroy: did you mean history?" 64 "did you mean 'history'\\?"
  # After an option the mistyped command kept no suggestion ("no command given").
  run "$PROG" -q stauts
  check "$NAME -q stauts: did you mean status?" 64 \
    "^$NAME: unknown command 'stauts'; did you mean 'status'\\? \\(see '$NAME --help'\\)\$"
  run "$PROG" --state-dir "$STATE" -v histroy -q
  check "$NAME --state-dir DIR -v histroy -q: did you mean history?" 64 "did you mean 'history'\\?"
  run "$PROG" --bogus stauts
  check "$NAME --bogus stauts: the unknown option is named first" 64 "^$NAME: unknown option --bogus "
  run "$PROG" -v --state-dir "$STATE" status --cloud-url https://acme.atlassian.net -o nagios
  check "$NAME: options may come before the command" 3 "^$ABBREV TOKEN UNKNOWN - default has no renewal recorded"
  assert "$NAME: options before the command take effect (-v)" stderr_has "^$NAME: ledger: $STATE/$NAME\.ledger\$"
  run "$PROG" -C status status --state-dir "$STATE" --cloud-url https://acme.atlassian.net
  check "$NAME: an option's value that names a command is still the value" 3 "combined"
  run "$PROG" --no-such-option
  check "$NAME --no-such-option: unknown option, not 'no command given'" 64 \
    "^$NAME: unknown option --no-such-option \\(see '$NAME --help'\\)\$"
  run "$PROG" -X
  check "$NAME -X: unknown option -X" 64 "^$NAME: unknown option -X "
  run "$PROG" -X status --state-dir "$STATE"
  check "$NAME -X status: unknown option -X" 3 "^$NAME: unknown option -X \\(see '$NAME status --help'\\)\$"
  run "$PROG" --bogus=1 -v
  check "$NAME --bogus=1: the option without its value" 64 "^$NAME: unknown option --bogus "
  run "$PROG" -v -q
  check "$NAME -v -q: known options but no command" 64 "^$NAME: no command given"
  run "$PROG" status --dry-run --state-dir "$STATE"
  check "$NAME status --dry-run: another command's option is unknown here" 3 \
    "^$NAME: unknown option --dry-run \\(see '$NAME status --help'\\)\$"

  # ---- every option on either side of the command ----
  one="--state-dir $STATE --cloud-url https://acme.atlassian.net"
  run "$PROG" -o json status $one
  check "$NAME -o json status: a command option before the command" 3
  assert "$NAME -o json status: JSON on stdout" stdout_has '^  "state" : "UNKNOWN",$'
  run "$PROG" --at 2026-12-20 status $one -o nagios
  check "$NAME --at TIME status" 3 "^$ABBREV TOKEN UNKNOWN - "
  run "$PROG" --at 2026-12-20 --output=json status $one
  check "$NAME --at TIME --output=json status" 3 '"at" : "2026-12-20T00:00:00Z"'
  run "$PROG" -m before --at 2026-11-02T00:00:00Z record $one
  check "$NAME -m TEXT --at TIME record" 0 "^Recorded renewal of default"
  run "$PROG" -o json history $one
  check "$NAME -o json history: the note given before the command was kept" 0 '"note" : "before"'
  run "$PROG" --state-dir "$STATE" -o status --cloud-url https://acme.atlassian.net history
  check "$NAME: a command option's value that names a command is still the value" 64 \
    "unknown output format 'status'"
  run "$PROG" ''
  check "$NAME '': usage error" 64 "unknown command ''"
done

tap_done
