#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-prometheus.sh: 'status -o prometheus' of both binaries — every
# family with HELP and TYPE, timestamps to the second, the UNKNOWN cases,
# promtool's verdict, and both programs' output in one collector.

. "$(dirname "$0")/libtest.sh"

T=2026-11-01T00:00:00Z
CLOUD=https://acme.atlassian.net
require_past "$T"

have_promtool () { command -v promtool >/dev/null 2>&1; }

# check_promtool DESCRIPTION FILE: promtool check metrics accepts FILE.
check_promtool () {
  if ! have_promtool; then
    skip "$1" "promtool (Debian package prometheus) not installed"
  elif promtool check metrics <"$2" >"$test_tmpdir/promtool" 2>&1; then
    ok "$1"
  else
    not_ok "$1"
    sed 's/^/# /' "$test_tmpdir/promtool"
  fi
}

# merge_families FILE...: one exposition from several, as node_exporter's
# textfile collector merges the files of one directory: each family's
# HELP and TYPE once, then the samples of every file.
merge_families () {
  awk '/^# HELP / { fam = $3; if (!(fam in seen)) { seen[fam] = 1; order[++n] = fam;
                                                   head[fam] = $0 } ; next }
       /^# TYPE / { if (!(($3) in type)) type[$3] = $0; next }
       { fam = $0; sub(/[{ ].*/, "", fam); body[fam] = body[fam] $0 "\n" }
       END { for (i = 1; i <= n; i++) { f = order[i]; print head[f]; print type[f];
                                        printf "%s", body[f] } }' "$@"
}

# every_family_has_headers: each metric name in $out has its HELP and TYPE.
# The names are what sed -n 's/^\(cma_[a-z_]*\){.*/\1/p' finds.
every_family_has_headers () {
  _fams=$nl
  while IFS= read -r _l; do
    case $_l in cma_*) ;; *) continue ;; esac
    _t=${_l#cma_}
    _w=${_t%%[!a-z_]*}
    case ${_t#"$_w"} in "{"*) ;; *) continue ;; esac
    case $_fams in *"${nl}cma_$_w$nl"*) continue ;; esac
    _fams="${_fams}cma_$_w$nl"
  done <<EOF
$out
EOF
  for f in $_fams; do
    stdout_has "^# HELP $f [A-Z]" && stdout_has "^# TYPE $f gauge\$" || return 1
  done
}

# file_lines FILE: $comments, the lines of FILE that start with "#"
# ($(grep "^#" FILE)), and $series, its other lines up to their last
# blank (sed "s/ [^ ]*\$//"), a line each.
file_lines () {
  comments= series=
  while IFS= read -r _l || [ -n "$_l" ]; do
    case $_l in
      "#"*) comments=$comments$_l$nl ;;
      *) series=$series${_l% *}$nl ;;
    esac
  done <"$1"
  while :; do case $comments in *"$nl") comments=${comments%"$nl"} ;; *) break ;; esac; done
}

# The instants the metrics give, in seconds (date -u -d ... +%s).
epoch_of expiry 2026-11-22T00:00:00Z
epoch_of warning 2026-11-17T00:00:00Z
epoch_of renewal "$T"

for p in $PRODUCTS; do
  use_product "$p"
  st="$test_tmpdir/$p-state"
  one="--state-dir $st --cloud-url $CLOUD"
  case $p in jcma) id=jira ;; ccma) id=confluence ;; esac
  labels="product=\"$id\",connection=\"default\",server_url=\"$DEFAULT_SERVER\",cloud_url=\"https://acme.atlassian.net/\""
  re_quote_to labels_re "$labels"

  # ---- nothing recorded: state 3, no timestamps ----
  run "$PROG" status $one --at "$T" -o prometheus
  check "$NAME: nothing recorded: exit 3" 3
  assert "$NAME: nothing recorded: state 3 and no timestamp series" eval '
    stdout_has "^cma_token_state\\{$labels_re\\} 3\$" &&
    stdout_lacks "^cma_token_[a-z_]+_timestamp_seconds\\{"'
  printf '%s\n' "$out" >"$test_tmpdir/$p-unknown.prom"
  check_promtool "$NAME: nothing recorded: promtool check metrics" "$test_tmpdir/$p-unknown.prom"

  # ---- a renewal at T, evaluated on the first second of WARNING ----
  run "$PROG" record $one --at "$T"
  check "$NAME: record renewal at $T" 0
  run "$PROG" status $one --at 2026-11-17T00:00:00Z -o prometheus
  check "$NAME: WARNING: exit 1" 1
  assert "$NAME: timestamps to the second, state 1" eval '
    stdout_has "^cma_token_expiry_timestamp_seconds\\{$labels_re\\} $expiry\$" &&
    stdout_has "^cma_token_warning_timestamp_seconds\\{$labels_re\\} $warning\$" &&
    stdout_has "^cma_token_last_renewal_timestamp_seconds\\{$labels_re\\} $renewal\$" &&
    stdout_has "^cma_token_state\\{$labels_re\\} 1\$" &&
    stdout_has "^cma_token_status_success\\{product=\"$id\"\\} 1\$"'
  assert "$NAME: every family has HELP and TYPE gauge" every_family_has_headers
  assert "$NAME: the same output a second later (timestamps do not age)" eval '
    first=$out; run "$PROG" status $one --at 2026-11-17T00:00:01Z -o prometheus; [ "$out" = "$first" ]'
  printf '%s\n' "$out" >"$test_tmpdir/$p.prom"
  check_promtool "$NAME: promtool check metrics" "$test_tmpdir/$p.prom"
  run "$PROG" status $one --at 2026-11-22T00:00:00Z -o prometheus -q
  check "$NAME: CRITICAL, -q still prints the metrics: state 2" 2 \
    "^cma_token_state\\{$labels_re\\} 2\$"

  # ---- attach = yes, never attached: its family, at 0 ----
  put "$test_tmpdir/$p-attach.conf" <<EOC
[connection prod]
server-url = $DEFAULT_SERVER
cloud-url = $CLOUD
attach = yes
EOC
  run "$PROG" status -c "$test_tmpdir/$p-attach.conf" --state-dir "$st" --at "$T" -o prometheus
  check "$NAME: attach = yes, never attached: CRITICAL, attach expiry 0" 2 \
    "^cma_token_attach_expiry_timestamp_seconds\\{product=\"$id\",connection=\"prod\",.*\\} 0\$"
  assert "$NAME: attach: every family has HELP and TYPE gauge" every_family_has_headers
  printf '%s\n' "$out" >"$test_tmpdir/$p-attach.prom"
  check_promtool "$NAME: attach: promtool check metrics" "$test_tmpdir/$p-attach.prom"

  # ---- status itself fails: cma_token_status_success 0 ----
  run "$PROG" status $one -c "$test_tmpdir/missing.conf" -o prometheus
  check "$NAME: missing config: exit 3" 3
  assert "$NAME: missing config: success 0, no other family" eval '
    stdout_has "^cma_token_status_success\\{product=\"$id\"\\} 0\$" &&
    stdout_lacks "^cma_token_state"'
  printf '%s\n' "$out" >"$test_tmpdir/$p-failed.prom"
  check_promtool "$NAME: missing config: promtool check metrics" "$test_tmpdir/$p-failed.prom"
done

# ---- both programs in one collector ----
file_lines "$test_tmpdir/jcma.prom"
jcma_comments=$comments jcma_series=$series
file_lines "$test_tmpdir/ccma.prom"
assert "both programs: identical HELP and TYPE lines" [ "$jcma_comments" = "$comments" ]
# No line twice in both files' series (sort | uniq -d prints nothing).
all=$jcma_series$series seen=$nl twice=
while IFS= read -r s; do
  case $seen in *"$nl$s$nl"*) twice=$twice$s$nl ;; esac
  seen=$seen$s$nl
done <<EOF
${all%"$nl"}
EOF
assert "both programs: no series twice" [ -z "$twice" ]
merge_families "$test_tmpdir/jcma.prom" "$test_tmpdir/ccma.prom" >"$test_tmpdir/both.prom"
slurp both "$test_tmpdir/both.prom"
assert "both programs: merged file holds both products' series" eval '
  case $nl$both in *"${nl}cma_token_state{product=\"jira\""*) true ;; *) false ;; esac &&
  case $nl$both in *"${nl}cma_token_state{product=\"confluence\""*) true ;; *) false ;; esac'
check_promtool "both programs merged: promtool check metrics" "$test_tmpdir/both.prom"

# ---- the README's alert rules ----
# The indented block after "Alert rules", up to the next unindented line.
sed -n '/^Alert rules/,/^[^ ]/{/^    /s/^    //p}' "$top_srcdir/README" >"$test_tmpdir/rules.yml"
if ! have_promtool; then
  skip "README alert rules: promtool check rules" "promtool not installed"
elif promtool check rules "$test_tmpdir/rules.yml" >"$test_tmpdir/promtool" 2>&1 &&
     grep -q cma_token_expiry_timestamp_seconds "$test_tmpdir/rules.yml"; then
  ok "README alert rules: promtool check rules"
else
  not_ok "README alert rules: promtool check rules"
  sed 's/^/# /' "$test_tmpdir/promtool"
fi

tap_done
