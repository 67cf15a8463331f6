# SPDX-License-Identifier: MIT
# libtest.sh: shared by the shell tests; sourced, never run.
#
# Every test gets a scratch directory with its own HOME, XDG dirs and state
# directory, so nothing a developer has configured leaks in, and TAP
# helpers in the style of ostree's libtest.sh.

set -eu

: "${top_builddir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_srcdir:=$top_builddir}"

JCMA="$top_builddir/jcma-token/jcma-token"
CCMA="$top_builddir/ccma-token/ccma-token"

test_tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/cma-test.XXXXXX")
trap 'bg_kill; stop_sim; rm -rf "$test_tmpdir"' EXIT
export HOME="$test_tmpdir/home"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_STATE_HOME="$HOME/.local/state"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"
unset CMA_CLOUD_TOKEN CMA_SERVER_TOKEN CREDENTIALS_DIRECTORY NO_COLOR SUDO_USER \
  STATE_DIRECTORY CONFIGURATION_DIRECTORY || true
export NO_COLOR=1
# doctor's requests to Atlassian's hosts (its allowlist, the Marketplace)
# go where this says (curl's --connect-to), never to the internet: to a
# closed port until start_sim points them at the simulator.
export CMA_CONNECT_TO="::127.0.0.1:9"
STATE="$test_tmpdir/state"

tap_n=0
tap_failed=0

ok () { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok () { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
skip_all () { echo "1..0 # SKIP $*"; exit 0; }
tap_done () { jq_later_done; bg_done; echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }

# run CMD...: run a command, keeping stdout, stderr and exit status in
# $out, $err and $rc, without tripping set -e.
run () {
  set +e
  "$@" >"$test_tmpdir/out" 2>"$test_tmpdir/err"
  rc=$?
  set -e
  # No cat for an empty file (most runs leave stderr or stdout empty), nor
  # for a short one (slurp): the suite runs the programs thousands of times.
  out= err=
  if [ -s "$test_tmpdir/out" ]; then slurp out "$test_tmpdir/out"; fi
  if [ -s "$test_tmpdir/err" ]; then slurp err "$test_tmpdir/err"; fi
}

nl='
'
# slurp VAR FILE: VAR=$(cat FILE), with the shell's own read for up to a
# hundred lines (a fork and exec cost more than that); the same value:
# trailing newlines dropped.
slurp () {
  _v= _n=0
  while IFS= read -r _l || [ -n "$_l" ]; do
    _n=$((_n + 1))
    if [ $_n -gt 100 ]; then
      eval "$1=\$(cat \"\$2\")"
      return 0
    fi
    if [ $_n -eq 1 ]; then _v=$_l; else _v="$_v$nl$_l"; fi
  done <"$2"
  while :; do
    case $_v in *"$nl") _v=${_v%"$nl"} ;; *) break ;; esac
  done
  eval "$1=\$_v"
}

# matches GREP-OPTION PATTERN TEXT: a line of TEXT matches PATTERN. A
# here-document, not printf | grep: one process fewer per assertion.
# Under bash, an extended expression of one line is tried by the shell
# itself on each line ([[ =~ ]]: the C library's POSIX regex, as grep's):
# the suite asserts thousands of times, and a grep each was the largest
# share of its processes. Other options, a pattern of several lines
# (several patterns to grep) and one bash refuses go to grep.
matches () {
  if [ -n "${BASH_VERSION:-}" ] && [ "$1" = -E ]; then
    case $2 in
      *"$nl"*) ;;
      *)
        _matches_whole "$2" "$3" && return 0
        case $? in 1) return 1 ;; esac
        _matches_lines "$2" "$3" && return 0
        [ $? -eq 2 ] || return 1
        ;;
    esac
  fi
  grep "$1"q -- "$2" <<EOT
$3
EOT
}

# _matches_whole ERE TEXT (bash only): 0 when a line of TEXT matches, 1
# when none does, 3 when it cannot tell (then _matches_lines decides). One
# match over the whole text, not a read and a regex compiled per line
# (milliseconds for a --help): an ERE of the form [^]S[$], S without
# anchors, a | outside parentheses or back-references, is searched as
# (^|\n)(S)(\n|$) (each part only if ERE has it). No match there: no line
# matches either. A match whose S part has no newline lies within a line,
# from its start (^) to its end ($): that line matches. A match across
# lines (. or [^x] may take a newline there): the lines decide.
_matches_whole () {
  _mw_s=$1 _mw_start= _mw_end=
  case $_mw_s in '^'*) _mw_s=${_mw_s#?} _mw_start=yes ;; esac
  case $_mw_s in
    *'\$') ;;
    *'$') _mw_s=${_mw_s%?} _mw_end=yes ;;
  esac
  _mw_scan "$_mw_s" || return 3
  _mw_re="($_mw_s)" _mw_g=1
  if [ -n "$_mw_start" ]; then _mw_re="(^|$nl)$_mw_re" _mw_g=2; fi
  if [ -n "$_mw_end" ]; then _mw_re="$_mw_re($nl|\$)"; fi
  _mw_rc=0
  [[ $2 =~ $_mw_re ]] || _mw_rc=$?
  case $_mw_rc in
    0) case ${BASH_REMATCH[$_mw_g]} in *"$nl"*) return 3 ;; esac ;;
    1) return 1 ;;
    *) return 3 ;;
  esac
}

# _mw_scan S: S has no ^ or $ outside a bracket expression, no | outside
# parentheses, no back-reference, no bracket expression holding a [, and
# does not start with a repetition.
_mw_scan () {
  _mw_r=$1 _mw_depth=0
  case $_mw_r in [*+?{]*) return 1 ;; esac
  while [ -n "$_mw_r" ]; do
    _mw_rest=${_mw_r#?}
    _mw_c=${_mw_r%"$_mw_rest"}
    _mw_r=$_mw_rest
    case $_mw_c in
      '\')
        case $_mw_r in [0-9]*) return 1 ;; esac
        _mw_r=${_mw_r#?} ;;
      '[')
        case $_mw_r in '^'*) _mw_r=${_mw_r#?} ;; esac
        case $_mw_r in ']'*) _mw_r=${_mw_r#?} ;; esac
        case $_mw_r in *']'*) ;; *) return 1 ;; esac
        case ${_mw_r%%]*} in *'['*) return 1 ;; esac
        _mw_r=${_mw_r#*]} ;;
      '(') _mw_depth=$((_mw_depth + 1)) ;;
      ')') _mw_depth=$((_mw_depth - 1)) ;;
      '|') [ "$_mw_depth" -gt 0 ] || return 1 ;;
      '^' | '$') return 1 ;;
    esac
  done
}

# _matches_lines ERE TEXT (bash only): 0 when a line of TEXT matches, 1
# when none does, 2 when bash cannot compile ERE. The lines split by the
# shell (IFS a newline, no globbing), not read from a here-document: bash
# reads one of those, a pipe, a byte per system call.
_matches_lines () {
  # Field splitting drops empty lines: one is tried on its own.
  case $nl$2$nl in
    *"$nl$nl"*)
      _ml=
      if [[ $_ml =~ $1 ]]; then return 0; else _mrc=$?; fi
      [ "$_mrc" -eq 1 ] || return 2
      ;;
  esac
  _ml_ifs=$IFS _ml_rc=1 _ml_glob=
  case $- in *f*) ;; *) _ml_glob=1 ;; esac
  IFS=$nl
  set -f
  for _ml in $2; do
    if [[ $_ml =~ $1 ]]; then _ml_rc=0; break; else _mrc=$?; fi
    [ "$_mrc" -eq 1 ] || { _ml_rc=2; break; }
  done
  IFS=$_ml_ifs
  [ -z "$_ml_glob" ] || set +f
  return $_ml_rc
}

# check DESCRIPTION EXPECTED_RC PATTERN: after run, assert the exit status
# and that stdout+stderr match the extended regular expression.
check () {
  if [ "$rc" -ne "$2" ]; then
    not_ok "$1 (exit $rc, expected $2)"
    printf '# stdout: %s\n# stderr: %s\n' "$out" "$err" | sed 's/^/# /'
    return 0
  fi
  if [ -n "${3:-}" ] && ! matches -E "$3" "$out$nl$err"; then
    not_ok "$1 (output does not match /$3/)"
    printf '# stdout: %s\n# stderr: %s\n' "$out" "$err" | sed 's/^/# /'
    return 0
  fi
  ok "$1"
}

# ---- cases that wait in real time ----

# in_background NAME FUNCTION [ARGS...]: run FUNCTION, cases that wait in
# real time (a timeout, Retry-After, a token's lifetime), in a subshell
# beside the rest of the script: waiting costs no CPU, so the script's
# other cases run meanwhile. It has its own scratch directory (run's
# files, start_sim's simulator, $CONF) with the same certificates and
# tokens; paths it gets as ARGS are shared, so give it copies. tap_done
# (or bg_done) waits for it and reports its results among the script's.
bg_pids= bg_names=
in_background () {
  _bg="$test_tmpdir/background.$1"
  bg_names="$bg_names $1"
  shift
  mkdir "$_bg"
  # need_sim's files, when it ran (copies of the tokens: a symbolic link
  # is not what a token file is in the tests).
  if [ -d "$test_tmpdir/certs" ]; then
    ln -s "$test_tmpdir/certs" "$_bg/certs"
    cp -p "$test_tmpdir/cloud.token" "$test_tmpdir/server.token" "$_bg/"
  fi
  (
    test_tmpdir=$_bg sim_pid= sim_key= tap_n=0 tap_failed=0 bg_pids= bg_names=
    jq_later_n=0 jq_later_opts= jq_later_prog=
    trap 'stop_sim' EXIT
    trap 'exit 1' TERM
    "$@"
    jq_later_done
    echo "# background cases done"
  ) >"$_bg/tap" 2>&1 &
  bg_pids="$bg_pids $!"
}

# bg_done: wait for in_background's subshells and report their results,
# numbered on; one that stopped half-way is a failure, not fewer results.
bg_done () {
  [ -n "$bg_names" ] || return 0
  for _pid in $bg_pids; do wait "$_pid" || true; done
  for _name in $bg_names; do
    _bg="$test_tmpdir/background.$_name"
    _finished=no
    while IFS= read -r _line; do
      case $_line in
        "ok "*) ok "${_line#ok * - }" ;;
        "not ok "*) not_ok "${_line#not ok * - }" ;;
        "# background cases done") _finished=yes ;;
        *) printf '%s\n' "$_line" ;;
      esac
    done <"$_bg/tap"
    [ "$_finished" = yes ] || not_ok "the cases run in the background as $_name stopped half-way"
  done
  bg_pids= bg_names=
}

# On an early exit: no background case outlives the script.
bg_kill () {
  for _pid in $bg_pids; do kill "$_pid" 2>/dev/null || true; done
}

# ---- a driver: one process answering many requests ----
# driver_start CMD...: start CMD in the background, reading a request a
# line and answering each with its lines, then a line of RS (\036), a blank
# and a status. driver_ask LINE leaves the answer in $out and $rc, the
# driver's stderr so far in $err. One shell answering every request, as a
# user's interactive shell does, instead of a shell started per request.
driver_start () {
  mkfifo "$test_tmpdir/driver.in" "$test_tmpdir/driver.out"
  "$@" <"$test_tmpdir/driver.in" >"$test_tmpdir/driver.out" 2>"$test_tmpdir/driver.err" &
  driver_pid=$!
  exec 3>"$test_tmpdir/driver.in" 4<"$test_tmpdir/driver.out"
  driver_rs=$(printf '\036')
}

driver_ask () {
  printf '%s\n' "$1" >&3
  out= rc=
  while IFS= read -r _line <&4; do
    case $_line in
      "$driver_rs "*) rc=${_line#* }; break ;;
    esac
    out=${out:+$out$nl}$_line
  done
  # The driver gone (it could not start, or died): no answer.
  [ -n "$rc" ] || rc=99
  err=
  if [ -s "$test_tmpdir/driver.err" ]; then slurp err "$test_tmpdir/driver.err"; fi
}

# driver_stop: end of input for the driver; wait for it to finish.
driver_stop () {
  exec 3>&- 4<&-
  wait "$driver_pid" || true
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

# help_options CMD: $help_opts, the options PROG CMD --help lists, short
# and long: the words before the description of its lines that start with
# blanks and a dash ("-o, --output=FORMAT  ..." gives -o --output).
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

# ---- helpers for the command-line tests ----

PRODUCTS="jcma ccma"

# The labels of each product's click path in 'guide', word for word as in
# the KB article (one a line).
JIRA_GUIDE_LABELS='"Import and Export"
"Migrate to cloud"
"Create a Migration"
"Choose your Cloud Destination"'
CONFLUENCE_GUIDE_LABELS='"Confluence Administration"
"General Configuration"
"Atlassian Cloud"
"Create New Migration"
"Continue without assessing"
"Choose your cloud destination"'

# use_product jcma|ccma: set what the tests know about one of the two
# products, so that no test keeps its own per-product table:
#   PROG, NAME        the binary and its program name (NAME.ledger, NAME.conf)
#   ABBREV, PRODUCT   JCMA and Jira: the Nagios prefix and the product's name
#   DEFAULT_SERVER    the server URL when none is given
#   CONTEXT_PATH, PLUGIN_KEY, PLUGIN_VERSION
#                     the server start_sim simulates, with the assistant
#                     installed under its Marketplace key
#   MIN_VERSION_RE    the oldest assistant renew works with, as a regex
#   ATTACH_VERSION_RE the oldest with the Migration API's attach, as a regex
#   GUIDE_STEPS, GUIDE_STEPS_WORD
#                     how many steps 'guide' shows (as in the KB), in words
#   GUIDE_LABELS, OTHER_GUIDE_LABELS
#                     the labels of its click path, and those of the other
#                     product's, which must not appear
use_product () {
  case $1 in
    jcma) PROG=$JCMA NAME=jcma-token ABBREV=JCMA PRODUCT=Jira
          DEFAULT_SERVER=http://localhost:8080/
          CONTEXT_PATH=/jira PLUGIN_KEY=com.atlassian.jira.migration.jira-migration-plugin
          PLUGIN_VERSION=1.12.40 MIN_VERSION_RE='1\.12\.5' ATTACH_VERSION_RE='1\.11\.4'
          GUIDE_STEPS=10 GUIDE_STEPS_WORD=ten
          GUIDE_LABELS=$JIRA_GUIDE_LABELS OTHER_GUIDE_LABELS=$CONFLUENCE_GUIDE_LABELS ;;
    ccma) PROG=$CCMA NAME=ccma-token ABBREV=CCMA PRODUCT=Confluence
          DEFAULT_SERVER=http://localhost:8090/
          CONTEXT_PATH=/confluence PLUGIN_KEY=com.atlassian.migration.agent
          PLUGIN_VERSION=3.12.1 MIN_VERSION_RE='3\.10\.8' ATTACH_VERSION_RE='3\.9\.6'
          GUIDE_STEPS=11 GUIDE_STEPS_WORD=eleven
          GUIDE_LABELS=$CONFLUENCE_GUIDE_LABELS OTHER_GUIDE_LABELS=$JIRA_GUIDE_LABELS ;;
    *) echo "Bail out! use_product: unknown product '$1'"; exit 99 ;;
  esac
}

# diag: the last run's exit status and output, as TAP comments.
diag () {
  printf 'exit %s\n--- stdout\n%s\n--- stderr\n%s\n' "${rc:-}" "${out:-}" "${err:-}" |
    sed 's/^/# /'
}

skip () { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP ${2:-}"; }

# assert DESCRIPTION CMD...: ok when CMD succeeds, else not ok and diag.
assert () {
  _desc=$1
  shift
  if "$@"; then ok "$_desc"; else not_ok "$_desc"; diag; fi
}

# Predicates for assert, over the last run (extended regular expressions).
stdout_has () { matches -E "$1" "$out"; }
stdout_lacks () { ! matches -E "$1" "$out"; }
stderr_has () { matches -E "$1" "$err"; }
stdout_is () { [ "$out" = "$1" ]; }
stdout_empty () { [ -z "$out" ]; }
stderr_empty () { [ -z "$err" ]; }
# stdout_fixed TEXT: stdout contains TEXT literally.
# A text of one line is a substring or not (case, no grep); grep -F reads
# several lines as several patterns.
stdout_fixed () {
  case $1 in
    *"$nl"*) matches -F "$1" "$out" ;;
    *) case $out in *"$1"*) return 0 ;; *) return 1 ;; esac ;;
  esac
}
stdout_lacks_fixed () { ! stdout_fixed "$1"; }
rc_is () { [ "$rc" -eq "$1" ]; }

have_jq () { command -v jq >/dev/null 2>&1; }

# check_jq DESCRIPTION FILTER [JQ ARGS...]: stdout is JSON and FILTER is true.
check_jq () {
  _desc=$1
  shift
  if ! have_jq; then
    skip "$_desc" "jq not installed"
  elif jq -e "$@" >/dev/null <<EOT
$out
EOT
  then
    ok "$_desc"
  else
    not_ok "$_desc"
    diag
  fi
}

# ---- JSON assertions made together, when the script ends ----
# jq costs some 30 ms of CPU to start (it compiles its builtins), more than
# a run of the programs: check_jq_later keeps the assertion, and tap_done
# makes all of a script's at once with one jq. Each is still its own TAP
# result under its own description (reported after the others). One that
# fails, or every one when that jq cannot run, is made again alone by
# check_jq on its run's output, exit status and stderr, which the
# diagnostics show.
jq_later_n=0 jq_later_opts= jq_later_prog=

# check_jq_later DESCRIPTION FILTER [-s] [--arg|--argjson|--slurpfile|--rawfile NAME VALUE]...:
# check_jq's assertion on the last run, made by tap_done (the options may
# come before FILTER too; -s: FILTER reads the array of every document, as
# jq -s does). Other jq options: check_jq, now.
check_jq_later () {
  _jl_i=$((jq_later_n + 1))
  _jl_f="$test_tmpdir/jq-later.$_jl_i"
  _jl_cmd=check_jq _jl_bind= _jl_filter= _jl_now= _jl_each='[]'
  for _jl_a in "$@"; do
    sh_quote_to _jl_a "$_jl_a"
    _jl_cmd="$_jl_cmd $_jl_a"
  done
  sh_quote_to _jl_a "$_jl_f.out"
  _jl_opts=" --slurpfile _jl_d$_jl_i $_jl_a"
  _jl_desc=$1
  shift
  while [ $# -gt 0 ] && [ -z "$_jl_now" ]; do
    case $1 in
      --arg|--argjson|--slurpfile|--rawfile)
        case $#,${2:-} in
          1,*|2,*|*,|*,[0-9]*|*,*[!a-zA-Z0-9_]*) _jl_now=1; continue ;;
        esac
        # Bound under a name of its own, as $NAME for this filter only.
        sh_quote_to _jl_a "$3"
        _jl_opts="$_jl_opts $1 _jl_a${_jl_i}_$2 $_jl_a"
        _jl_bind="$_jl_bind\$_jl_a${_jl_i}_$2 as \$$2 | "
        shift 3 ;;
      -s|--slurp) _jl_each=
        shift ;;
      -*) _jl_now=1 ;;
      *) [ -z "$_jl_filter" ] || _jl_now=1
        _jl_filter=$1
        shift ;;
    esac
  done
  if [ -n "$_jl_now" ] || [ -z "$_jl_filter" ]; then
    eval "$_jl_cmd"
    return 0
  fi
  jq_later_n=$_jl_i
  printf '%s\n' "$out" >"$_jl_f.out"
  printf '%s' "${err:-}" >"$_jl_f.err"
  eval "jq_later_rc_$_jl_i=\${rc:-} jq_later_desc_$_jl_i=\$_jl_desc jq_later_cmd_$_jl_i=\$_jl_cmd"
  jq_later_opts=$jq_later_opts$_jl_opts
  # jq -e's verdict: the last value of the filter over every document is
  # neither false nor null. The filter on lines of its own: it may end in
  # a comment.
  jq_later_prog="$jq_later_prog${jq_later_prog:+,$nl}([\$_jl_d$_jl_i$_jl_each | $_jl_bind(
$_jl_filter
)] | length > 0 and (last | . != null and . != false))"
}

# jq_later_done: make check_jq_later's assertions (tap_done calls it).
jq_later_done () {
  [ "$jq_later_n" -gt 0 ] || return 0
  _jl_res="$test_tmpdir/jq-later.res"
  if ! have_jq || ! eval "jq -n $jq_later_opts \"\$jq_later_prog\"" >"$_jl_res" 2>/dev/null; then
    : >"$_jl_res"
  fi
  _jl_i=0
  while [ $_jl_i -lt "$jq_later_n" ]; do
    _jl_i=$((_jl_i + 1))
    IFS= read -r _jl_line || _jl_line=
    if [ "$_jl_line" = true ]; then
      eval "ok \"\$jq_later_desc_$_jl_i\""
      continue
    fi
    _jl_f="$test_tmpdir/jq-later.$_jl_i"
    out= err=
    if [ -s "$_jl_f.out" ]; then slurp out "$_jl_f.out"; fi
    if [ -s "$_jl_f.err" ]; then slurp err "$_jl_f.err"; fi
    eval "rc=\$jq_later_rc_$_jl_i; eval \"\$jq_later_cmd_$_jl_i\""
  done <"$_jl_res"
  jq_later_n=0 jq_later_opts= jq_later_prog=
}

# sh_quote_to VAR TEXT: VAR is TEXT quoted for the shell ('...'), for eval.
sh_quote_to () {
  _sq_in=$2 _sq_out=
  while :; do
    case $_sq_in in
      *"'"*) _sq_out="$_sq_out${_sq_in%%"'"*}'\\''" _sq_in=${_sq_in#*"'"} ;;
      *) break ;;
    esac
  done
  eval "$1=\"'\$_sq_out\$_sq_in'\""
}

# put FILE: write standard input (a here-document) to FILE, with the
# shell's read and printf rather than a cat.
put () {
  while IFS= read -r _put_l || [ -n "$_put_l" ]; do
    printf '%s\n' "$_put_l"
  done >"$1"
}

# ---- files and clocks read by the shell ----
# (Each fork and exec costs more CPU than reading a small file in the
# shell; these keep the external command's exact answer.)

# read_all VAR FILE: VAR holds every byte of FILE, trailing newlines
# too; fails (VAR unset) when the shell cannot: not bash, FILE not a
# readable file, or a NUL byte in it.
read_all () {
  unset "$1"
  [ -n "${BASH_VERSION:-}" ] && [ -f "$2" ] && [ -r "$2" ] || return 1
  # read stops at a NUL (status 0) or at the end of the file (status 1).
  if IFS= read -r -d '' "$1" <"$2"; then
    unset "$1"
    return 1
  fi
  eval "[ -n \"\${$1+set}\" ]" || eval "$1="
}

# same_bytes FILE1 FILE2: cmp -s FILE1 FILE2, by the shell when it can
# read both (a ledger is compared after nearly every failure case: a cmp
# each was a process per case), by cmp for the rest.
same_bytes () {
  if read_all _sb_1 "$1" && read_all _sb_2 "$2"; then
    [ "$_sb_1" = "$_sb_2" ]
    return
  fi
  cmp -s -- "$1" "$2"
}

# count_nonempty VAR FILE: VAR is the number of FILE's lines that are not
# empty (0 when there is no FILE).
count_nonempty () {
  _cn=0
  if [ -f "$2" ]; then
    while IFS= read -r _cn_l || [ -n "$_cn_l" ]; do
      [ -z "$_cn_l" ] || _cn=$((_cn + 1))
    done <"$2"
  fi
  eval "$1=\$_cn"
}

# line_count VAR FILE: VAR=$(wc -l <FILE), the newlines in FILE.
line_count () {
  _lc=0
  while IFS= read -r _lc_l; do _lc=$((_lc + 1)); done <"$2"
  eval "$1=\$_lc"
}

# after_prefix VAR PREFIX TEXT: the lines of TEXT that start with PREFIX
# (literal), each without it, as $(printf '%s\n' TEXT | sed -n
# 's/^PREFIX//p') has them.
after_prefix () {
  _ap= _ap_n=0
  while IFS= read -r _ap_l; do
    case $_ap_l in
      "$2"*)
        _ap_n=$((_ap_n + 1))
        if [ $_ap_n -eq 1 ]; then _ap=${_ap_l#"$2"}; else _ap=$_ap$nl${_ap_l#"$2"}; fi ;;
    esac
  done <<EOF
$3
EOF
  while :; do case $_ap in *"$nl") _ap=${_ap%"$nl"} ;; *) break ;; esac; done
  eval "$1=\$_ap"
}

# no_cr VAR TEXT: VAR=$(printf '%s\n' TEXT | tr -d '\r'); a line at a
# time (the shell's patterns are slow on a long text).
no_cr () {
  _nc= _nc_n=0
  while IFS= read -r _nc_l; do
    while :; do
      case $_nc_l in *"$cr"*) _nc_l=${_nc_l%%"$cr"*}${_nc_l#*"$cr"} ;; *) break ;; esac
    done
    _nc_n=$((_nc_n + 1))
    if [ $_nc_n -eq 1 ]; then _nc=$_nc_l; else _nc=$_nc$nl$_nc_l; fi
  done <<EOF
$2
EOF
  while :; do case $_nc in *"$nl") _nc=${_nc%"$nl"} ;; *) break ;; esac; done
  eval "$1=\$_nc"
}
if [ -n "${BASH_VERSION:-}" ]; then printf -v cr '\r'; else cr=$(printf '\r'); fi

# commands_of_help: $commands, the names in the "Commands:" block of the
# last --help, a name a line: the first word of each line of the block
# but its first, as sed -n '/^Commands:$/,/^$/p' | awk 'NR > 1 && NF
# { print $1 }' print them, with the shell's read.
commands_of_help () {
  commands= _in= _first=yes
  while IFS= read -r _l; do
    if [ -z "$_in" ]; then
      [ "$_l" = "Commands:" ] || continue
      _in=yes
    elif [ -z "$_l" ]; then
      _in=
    fi
    if [ -n "$_first" ]; then _first=; continue; fi
    read -r _w _ <<EOF
$_l
EOF
    [ -z "$_w" ] || commands=${commands:+$commands$nl}$_w
  done <<EOF
$out
EOF
}

# now_to VAR: VAR=$(date -u +%s).
now_to () {
  if [ -n "${EPOCHSECONDS:-}" ]; then
    eval "$1=\$EPOCHSECONDS"
  else
    eval "$1=\$(date -u +%s)"
  fi
}

# epoch_of VAR ISO: VAR=$(date -u -d ISO +%s); the shell's arithmetic
# (the proleptic Gregorian calendar's day count) for a valid
# YYYY-MM-DDTHH:MM:SSZ, date for any other form.
epoch_of () {
  case $2 in
    [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z) ;;
    *) eval "$1=\$(date -u -d \"\$2\" +%s)" || true; return ;;
  esac
  _ey=${2%%-*} _em=${2#*-} _ed=${2#*-*-} _eh=${2#*T} _en=${2#*T*:} _es=${2#*T*:*:}
  _em=${_em%%-*} _ed=${_ed%%T*} _eh=${_eh%%:*} _en=${_en%%:*} _es=${_es%Z}
  # No leading zeros: $((08)) is not eight.
  _ey=$((1${_ey} - 10000)) _em=${_em#0} _ed=${_ed#0} _eh=${_eh#0} _en=${_en#0} _es=${_es#0}
  _eleap=$(( (_ey % 4 == 0 && _ey % 100 != 0) || _ey % 400 == 0 ))
  _emax=$(( _em == 2 ? 28 + _eleap : (_em == 4 || _em == 6 || _em == 9 || _em == 11) ? 30 : 31 ))
  if [ "$_em" -lt 1 ] || [ "$_em" -gt 12 ] || [ "$_ed" -lt 1 ] || [ "$_ed" -gt "$_emax" ] ||
     [ "$_eh" -gt 23 ] || [ "$_en" -gt 59 ] || [ "$_es" -gt 59 ]; then
    eval "$1=\$(date -u -d \"\$2\" +%s)" || true
    return
  fi
  # days_from_civil (H. Hinnant), for years 0 to 9999.
  _ey=$((_ey - (_em <= 2)))
  _eyoe=$((_ey % 400))
  _edoy=$(( (153 * (_em > 2 ? _em - 3 : _em + 9) + 2) / 5 + _ed - 1 ))
  _edays=$(( (_ey / 400) * 146097 + _eyoe * 365 + _eyoe / 4 - _eyoe / 100 + _edoy - 719468 ))
  eval "$1=\$((_edays * 86400 + _eh * 3600 + _en * 60 + _es))"
}

# iso_at_to VAR SECONDS: VAR=$(iso_at SECONDS); bash's printf formats
# the time itself.
iso_at_to () {
  if [ -n "${BASH_VERSION:-}" ]; then
    TZ=UTC0 printf -v "$1" '%(%Y-%m-%dT%H:%M:%SZ)T' "$2"
  else
    eval "$1=\$(iso_at \"\$2\")"
  fi
}

# iso_at SECONDS: that instant as 2026-11-01T00:00:00Z.
iso_at () { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# require_past ISO: skip the whole test when the clock is before ISO, as
# record refuses renewals in the future and the tests record fixed dates.
require_past () {
  now_to _rp_now
  epoch_of _rp_then "$1"
  if [ "$_rp_now" -lt "$_rp_then" ]; then
    skip_all "the clock is before $1"
  fi
}

# re_quote TEXT: TEXT as an extended regular expression matching itself;
# the shell's own loop, not a sed per quoted path.
re_quote () {
  re_quote_to _rq_res "$1"
  printf '%s' "$_rq_res"
}

# re_quote_to VAR TEXT: VAR=$(re_quote TEXT), without the subshell.
re_quote_to () {
  _rq_in=$2 _rq_out=
  while [ -n "$_rq_in" ]; do
    _rq_rest=${_rq_in#?}
    _rq_c=${_rq_in%"$_rq_rest"}
    _rq_in=$_rq_rest
    case $_rq_c in
      '['|']'|'\'|'.'|'*'|'^'|'$'|'|'|'('|')'|'+'|'?'|'{'|'}') _rq_out="$_rq_out\\$_rq_c" ;;
      *) _rq_out=$_rq_out$_rq_c ;;
    esac
  done
  eval "$1=\$_rq_out"
}

# ---- the HTTPS simulator (tests/cma-sim) ----

SIM="$top_builddir/tests/cma-sim"
# Canaries: if either string shows up anywhere it must not, a test fails.
CLOUD_SECRET="cloud-canary-7Hq2XzP9"
SERVER_SECRET="server-canary-Mv4Lw8Rk"

# sim_certs DIR: the simulator's certificates (tests/sim-certs.sh) in
# DIR, copied from the ones made once per build tree, as cli-status.sh's
# locale is (make clean removes them): a dozen certtool runs per script
# were a share of every simulator test's time. Made again when
# sim-certs.sh is newer; made in DIR when the tree cannot keep them.
sim_certs () {
  _sc="$top_builddir/tests/sim-certs.cache"
  if [ ! -f "$_sc/future.pem" ] || [ "$top_srcdir/tests/sim-certs.sh" -nt "$_sc/future.pem" ]; then
    if _sc_new=$(mktemp -d "$top_builddir/tests/sim-certs.cache.XXXXXX" 2>/dev/null); then
      # Never a temporary directory left behind: when this fails, the
      # fallback below makes them again and says why.
      if sh "$top_srcdir/tests/sim-certs.sh" "$_sc_new/certs" 2>/dev/null; then
        # Another check running beside this one may have been quicker;
        # an outdated set goes first.
        if [ -f "$_sc/future.pem" ] && [ "$top_srcdir/tests/sim-certs.sh" -nt "$_sc/future.pem" ]; then
          rm -rf "$_sc"
        fi
        mv -T "$_sc_new/certs" "$_sc" 2>/dev/null || true
      fi
      rm -rf "$_sc_new"
    fi
  fi
  if [ -f "$_sc/future.pem" ] && cp -R "$_sc" "$1" 2>/dev/null && [ -f "$1/future.pem" ]; then
    return 0
  fi
  rm -rf "$1"
  sh "$top_srcdir/tests/sim-certs.sh" "$1"
}

# need_sim: skip the whole test when the simulator or certtool is missing.
# The certificates: those in $SIM_CERTS_DIR when set, else sim_certs'.
need_sim () {
  [ -x "$SIM" ] || skip_all "simulator not built (configure --enable-simulator needs libsoup-3.0)"
  command -v certtool >/dev/null 2>&1 || skip_all "certtool (gnutls-bin) not installed"
  if [ -f "$test_tmpdir/certs/ca.pem" ]; then
    :
  elif [ -n "${SIM_CERTS_DIR:-}" ] && [ -f "$SIM_CERTS_DIR/ca.pem" ]; then
    # Those a calling test made (examples.sh running demo.sh), read only:
    # a dozen certtool runs fewer.
    ln -s "$SIM_CERTS_DIR" "$test_tmpdir/certs"
  else
    sim_certs "$test_tmpdir/certs"
  fi
  (umask 077
   printf '%s\n' "$CLOUD_SECRET" >"$test_tmpdir/cloud.token"
   printf '%s\n' "$SERVER_SECRET" >"$test_tmpdir/server.token")
}

# nap [SECONDS]: wait 10 ms (or SECONDS), between two looks at a file the
# simulator writes. Under bash a read with a time-out on a pipe nobody
# writes to (opened on first use), not a sleep process per look.
nap () {
  if [ -z "${BASH_VERSION:-}" ]; then
    sleep "${1:-0.01}"
    return
  fi
  if [ -z "${nap_open:-}" ]; then
    mkfifo "$test_tmpdir/nap" 2>/dev/null || [ -p "$test_tmpdir/nap" ]
    exec 8<>"$test_tmpdir/nap"
    nap_open=1
  fi
  read -r -t "${1:-0.01}" -u 8 _ || true
}

# launch_sim KEY [SIM OPTIONS...]: a new simulator for start_sim; the
# options go in its control file, which a reset reads again.
launch_sim () {
  stop_sim
  sim_key=$1; shift
  sim_seq=$((sim_seq + 1))
  sim_ctl="$test_tmpdir/sim.$sim_seq.ctl"
  sim_stats_file="$test_tmpdir/sim.$sim_seq.stats"
  printf '%s\n' "$@" >"$sim_ctl"
  rm -f "$test_tmpdir/port"
  "$SIM" --cert "$test_tmpdir/certs/$cert.pem" --key "$test_tmpdir/certs/$cert-key.pem" \
    --port-file "$test_tmpdir/port" --context-path "$CONTEXT_PATH" \
    --plugin-key "$PLUGIN_KEY" --plugin-version "$PLUGIN_VERSION" \
    --cloud-user admin@example.com --cloud-token-file "$test_tmpdir/cloud.token" \
    --server-token-file "$test_tmpdir/server.token" --log "$test_tmpdir/sim.log" \
    --connected-site https://acme.atlassian.net \
    --control-file "$sim_ctl" --stats-file "$sim_stats_file" 2>"$test_tmpdir/sim.err" &
  sim_pid=$!
  # Polled every 10 ms, for 5 s at most: the simulator is up in well
  # under 0.1 s.
  i=0
  while [ ! -s "$test_tmpdir/port" ]; do
    i=$((i + 1))
    if [ $i -gt 500 ] || ! kill -0 "$sim_pid" 2>/dev/null; then
      echo "Bail out! simulator did not start: $(cat "$test_tmpdir/sim.err")"
      exit 1
    fi
    nap
  done
  read -r PORT <"$test_tmpdir/port"
  sim_port=$PORT
}

# reset_sim KEY [SIM OPTIONS...]: make the running simulator, if it was
# launched for KEY, start over with these options (SIGHUP; it answers in
# CONTROL-FILE.done). Fails when there is none, or it refuses (options
# that need a new process, or answers still delayed by --latency-ms).
reset_sim () {
  [ -n "$sim_pid" ] && [ "$sim_key" = "$1" ] || return 1
  shift
  printf '%s\n' "$@" >"$sim_ctl"
  # Emptied, not removed: the answer replaces it whole (a rename), and
  # an rm was a process per reset.
  : >"$sim_ctl.done"
  kill -HUP "$sim_pid" 2>/dev/null || return 1
  # Looked at every 2 ms, for 5 s at most: the answer takes about a
  # millisecond, and a script resets some fifty times, each a wait.
  i=0
  while [ ! -s "$sim_ctl.done" ]; do
    i=$((i + 1))
    [ $i -le 2500 ] || return 1
    nap 0.002
  done
  read -r _answer <"$sim_ctl.done"
  PORT=$sim_port
  [ "$_answer" = ok ]
}

sim_pid= sim_key= sim_port= sim_seq=0
# start_sim PRODUCT [SIM OPTIONS...]: start the simulator as PRODUCT's
# server (jcma or ccma) and cloud API, and write $CONF for it. Sets
# PRODUCT's variables (use_product).
#
# A simulator of the same product and certificate already running is
# reset instead (reset_sim): a script starts it some fifty times, and a
# reset costs a signal where a start costs a process and a TLS key load.
# Either way the simulator is as new: the given options only, no tokens,
# sites or counters; $PORT and the log file stay.
start_sim () {
  product=$1; shift
  use_product "$product"
  cert=${SIM_CERT:-server}
  if ! reset_sim "$product $cert" "$@"; then
    launch_sim "$product $cert" "$@"
  fi
  # doctor's hosts of Atlassian's allowlist are this simulator too.
  export CMA_CONNECT_TO="::127.0.0.1:$PORT"
  SERVER_URL="https://127.0.0.1:$PORT$CONTEXT_PATH/"
  CLOUD_API_URL="https://127.0.0.1:$PORT/"
  CONF="$test_tmpdir/$product.conf"
  : "${sim_token_expires:=$(date -u -d '+300 days' +%Y-%m-%d)}"
  # printf, not a here-document: no cat to start on every start_sim.
  printf '%s\n' "[defaults]" "cloud-api-url = $CLOUD_API_URL" \
    "ca-file = $test_tmpdir/certs/${SIM_CA:-ca}.pem" \
    "cloud-ca-file = $test_tmpdir/certs/${SIM_CLOUD_CA:-${SIM_CA:-ca}}.pem" \
    "cloud-user = admin@example.com" "cloud-token-file = $test_tmpdir/cloud.token" \
    "server-token-file = $test_tmpdir/server.token" \
    "cloud-token-expires = $sim_token_expires" "timeout = ${SIM_TIMEOUT:-10}" "" \
    "[connection prod]" "server-url = $SERVER_URL" "cloud-url = https://acme.atlassian.net" \
    >"$CONF"
}

stop_sim () {
  if [ -n "$sim_pid" ]; then
    kill "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
    sim_pid= sim_key=
  fi
}

# sim_stats FIELD: a counter from the simulator's /_sim/stats; for the one
# start_sim runs, from its --stats-file (no TLS client per look).
sim_stats () {
  if [ -n "$sim_pid" ] && [ "${PORT:-}" = "$sim_port" ] && [ -s "$sim_stats_file" ]; then
    while read -r _name _value; do
      if [ "$_name" = "$1" ]; then echo "$_value"; fi
    done <"$sim_stats_file"
    return 0
  fi
  curl -s --cacert "$test_tmpdir/certs/ca.pem" "https://127.0.0.1:$PORT/_sim/stats" |
    sed -n "s/.*\"$1\" *: *\([0-9]*\).*/\1/p"
}

# ---- files compared and edited by the shell itself ----

# lines_begin, then for LINE in $TEXT; ...; lines_end: TEXT's non-empty
# lines walked by the shell (IFS a newline, no globbing, both put back
# by lines_end), not read from a here-document, which bash reads a byte
# per system call. Not nested; nothing between them may call them.
lines_begin () {
  _lb_ifs=$IFS _lb_glob=
  case $- in *f*) ;; *) _lb_glob=1 ;; esac
  IFS=$nl
  set -f
}
lines_end () {
  IFS=$_lb_ifs
  [ -z "$_lb_glob" ] || set +f
}

# set_key KEY VALUE: replace KEY's line in $CONF; del_key KEY: drop it.
# The shell's own loop, not a sed per edit (KEY is taken literally).
set_key () { edit_conf "$1" "$1 = $2"; }
del_key () { edit_conf "$1"; }
# edit_conf KEY [LINE]: $CONF with KEY's line replaced by LINE, or dropped.
edit_conf () {
  _ec=
  while IFS= read -r _l; do
    case $_l in
      "$1 = "*) [ $# -eq 1 ] || _ec=$_ec$2$nl ;;
      *) _ec=$_ec$_l$nl ;;
    esac
  done <"$CONF"
  printf '%s' "$_ec" >"$CONF"
}
