#!/bin/sh
# SPDX-License-Identifier: MIT
# systemd-units.sh: the renewal service and timer of both products pass
# systemd-analyze verify, the service's sandbox rates at most 2.5 in
# systemd-analyze security, and the service's command line, run as systemd
# would run it (credentials in $CREDENTIALS_DIRECTORY, %E and %S resolved),
# renews a token against the simulator and exits 0 when nothing is due.

. "${top_srcdir:-$(dirname "$0")/..}/tests/libtest.sh"
command -v systemd-analyze >/dev/null 2>&1 || skip_all "systemd-analyze not installed"

# The highest exposure allowed, in tenths as --threshold counts them.
MAX_EXPOSURE=25

# Offline security reviews came with systemd 250 (Debian 12 has 252):
# asked once.
offline=no
case $(systemd-analyze security --help 2>/dev/null) in *--offline*) offline=yes ;; esac
have_offline () { [ "$offline" = yes ]; }

# claim DESCRIPTION CMD...: ok when CMD succeeds (no run output to show).
claim () {
  _desc=$1
  shift
  if "$@"; then ok "$_desc"; else not_ok "$_desc"; fi
}

# unit_value UNIT KEY: $value, the values of KEY= in UNIT, one a line
# (the shell's own loop, not a sed per key).
unit_value () {
  value=
  while IFS= read -r _l; do
    case $_l in "$2="*) value=${value:+$value$nl}${_l#"$2="} ;; esac
  done <"$1"
}

# local_units DIR: this product's units in DIR, with ExecStart= pointing at
# the binary just built instead of $(bindir), which verify needs to exist.
local_units () {
  mkdir -p "$1"
  _unit=
  while IFS= read -r _l; do
    case $_l in "ExecStart="*/"$NAME "*) _l="ExecStart=$PROG ${_l#*/"$NAME "}" ;; esac
    _unit=$_unit$_l$nl
  done <"$service"
  printf '%s' "$_unit" >"$1/$NAME-renew.service"
  cp "$timer" "$1/$NAME-renew.timer"
}

# man_page DOC: $page, man:NAME(N)'s file name NAME.N, or nothing.
man_page () {
  page=
  case $1 in
    man:*"("[1-8]")") ;;
    *) return 0 ;;
  esac
  _name=${1#man:}
  _name=${_name%"("*}
  case $_name in "" | *[\(\)]*) return 0 ;; esac
  _sect=${1%")"}
  page=$_name.${_sect##*"("}
}

# tenths LEVEL: $tenths, an exposure level (one decimal) in tenths, or
# nothing when it is not one.
tenths () {
  tenths=
  case $1 in
    *[!0-9.]* | .* | *. | *.*.*) ;;
    *.[0-9]) tenths=$((${1%.*} * 10 + ${1#*.})) ;;
    *.*) ;;
    ?*) tenths=$(($1 * 10)) ;;
  esac
}

# replace_all TEXT FROM TO: $replaced, TEXT with every FROM made TO.
replace_all () {
  replaced= _rest=$1
  while :; do
    case $_rest in
      *"$2"*) replaced=$replaced${_rest%%"$2"*}$3 _rest=${_rest#*"$2"} ;;
      *) replaced=$replaced$_rest; break ;;
    esac
  done
}

# ---- static checks of each product's pair of units ----
for p in $PRODUCTS; do
  use_product "$p"
  service="$top_builddir/systemd/$NAME-renew.service"
  timer="$top_builddir/systemd/$NAME-renew.timer"
  if [ ! -s "$service" ] || [ ! -s "$timer" ]; then
    not_ok "$NAME: units generated in $top_builddir/systemd"
    continue
  fi
  ok "$NAME: units generated in $top_builddir/systemd"
  dir="$test_tmpdir/units-$p"
  local_units "$dir"

  run systemd-analyze verify --man=no "$dir/$NAME-renew.service" "$dir/$NAME-renew.timer"
  check "$NAME: systemd-analyze verify exits 0" 0
  assert "$NAME: systemd-analyze verify prints nothing" test -z "$out$err"

  # verify --man=no above: the pages are not installed yet; they must be
  # the ones in man/.
  unit_value "$service" Documentation
  docs=$value
  unit_value "$timer" Documentation
  for doc in $docs $value; do
    man_page "$doc"
    claim "$NAME: Documentation=$doc is a page in man/" test -n "$page" -a -f "$top_builddir/man/$page" -o -f "$top_srcdir/man/$page"
  done

  if have_offline; then
    run systemd-analyze security --offline=yes --threshold=$MAX_EXPOSURE "$dir/$NAME-renew.service"
    level=
    while IFS= read -r _l; do
      case $_l in *"Overall exposure level for "*:*) ;; *) continue ;; esac
      _l=${_l#*"Overall exposure level for "}
      _l=${_l#*": "}
      level=$level${_l%%[!0-9.]*}
    done <<EOF
$out
EOF
    echo "# $NAME-renew.service: exposure $level"
    tenths "$level"
    if [ "$rc" -eq 0 ] && [ -n "$tenths" ] && [ "$tenths" -le "$MAX_EXPOSURE" ]; then
      ok "$NAME: security exposure $level is at most 2.5"
    else
      not_ok "$NAME: security exposure '$level' is at most 2.5 (exit $rc)"
      printf '%s\n' "$out" "$err" | grep -v '^✓' | sed 's/^/# /'
    fi
  else
    skip "$NAME: security exposure" "systemd-analyze security has no --offline"
  fi

  # What the units promise, stated once more, so that an edit that drops
  # it fails here and not on a customer's host.
  unit_value "$service" DynamicUser
  claim "$NAME: runs unprivileged" test "$value" = yes
  unit_value "$service" User
  claim "$NAME: both programs share one user, as they share the ledger directory" \
    test "$value" = cma-token
  unit_value "$service" StateDirectory
  dirs=$value
  unit_value "$service" ConfigurationDirectory
  claim "$NAME: state and configuration directories" test "$dirs$value" = cma-tokencma-token
  # The credentials' names, sorted (two: in either order).
  unit_value "$service" LoadCredential
  creds=
  while IFS= read -r _l; do
    [ -n "$_l" ] && creds="$creds${_l%%:*} "
  done <<EOF
$value
EOF
  case $creds in "server-token cloud-token ") creds="cloud-token server-token " ;; esac
  claim "$NAME: credentials cloud-token and server-token ($creds)" test "$creds" = "cloud-token server-token "
  unit_value "$timer" OnCalendar
  claim "$NAME: the timer is daily" test "$value" = daily
  unit_value "$timer" Persistent
  claim "$NAME: the timer catches up missed days" test "$value" = true
  unit_value "$timer" RandomizedDelaySec
  claim "$NAME: the timer spreads the hosts" test -n "$value"
done

# ---- the service's command line, run as systemd runs it ----
# %E and %S resolve to a scratch /etc and /var/lib, and so do
# $CONFIGURATION_DIRECTORY and $STATE_DIRECTORY; the credentials are
# files in $CREDENTIALS_DIRECTORY, as LoadCredential= leaves them; the
# configuration names no token file, as the unit's comments ask.
if [ ! -x "$SIM" ] || ! command -v certtool >/dev/null 2>&1; then
  skip "ExecStart renews through the simulator" "simulator or certtool missing"
  tap_done
  exit
fi
need_sim
for p in $PRODUCTS; do
  use_product "$p"
  start_sim "$p"
  etc="$test_tmpdir/$p-etc" var="$test_tmpdir/$p-var"
  mkdir -p "$etc/cma-token" "$var" "$test_tmpdir/$p-creds"
  _conf=
  while IFS= read -r _l; do
    case $_l in cloud-token-file* | server-token-file*) ;; *) _conf=$_conf$_l$nl ;; esac
  done <"$CONF"
  printf '%s' "$_conf" >"$etc/cma-token/$NAME.conf"
  cp "$test_tmpdir/cloud.token" "$test_tmpdir/$p-creds/cloud-token"
  cp "$test_tmpdir/server.token" "$test_tmpdir/$p-creds/server-token"
  # ExecStart= as systemd would expand it: the program, then its arguments.
  service="$top_builddir/systemd/$NAME-renew.service"
  unit_value "$service" ExecStart
  replace_all "$value" %E "$etc"
  replace_all "$replaced" %S "$var"
  set -- $replaced
  shift
  # The environment systemd gives the service: the credentials and the
  # unit's ConfigurationDirectory= and StateDirectory=.
  unit_value "$service" ConfigurationDirectory
  confdir=$value
  unit_value "$service" StateDirectory
  set -- env CREDENTIALS_DIRECTORY="$test_tmpdir/$p-creds" \
    CONFIGURATION_DIRECTORY="$etc/$confdir" STATE_DIRECTORY="$var/$value" "$PROG" "$@"
  run "$@"
  check "$NAME: ExecStart renews with the credentials" 0 "^prod: renewed "
  assert "$NAME: the ledger is in StateDirectory" test -s "$var/cma-token/$NAME.ledger"
  run "$@"
  check "$NAME: ExecStart exits 0 when nothing is due" 0 "^prod: not due "
done

tap_done
