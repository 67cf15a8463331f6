#!/bin/sh
# SPDX-License-Identifier: MIT
# build-rpm.sh [BUILDDIR]: build the source and binary RPMs of cma-token
# from the release tarball, as Fedora would, check them with rpmlint, and
# install and run them in a scratch root.
#
# In BUILDDIR (a configured build tree; default: the source tree this
# script belongs to) it runs "make dist" and "rpmbuild -ta" on the tarball
# (the spec is the tarball's packaging/rpm/cma-token.spec), with
# BUILDDIR/packaging/rpmbuild/ as rpmbuild's top directory: SRPMS/, RPMS/
# and build.log stay there. rpmlint must report no error and no warning
# on the spec, the SRPM and the RPMs (packaging/rpm/cma-token.rpmlintrc
# says why each filtered tag does not apply). The RPMs' files,
# dependencies and scriptlets are listed and checked, then the RPMs are
# installed into packaging/rpmbuild/root (rpm --root, without scripts or
# dependencies) and the programs and plugins run from there, offline,
# against the example configurations.
#
# Needs rpm (rpmbuild) and rpmlint; as root, rpm installs the scratch
# root, else rpm2cpio unpacks it.
# Where rpm does not manage the system (Debian: apt-get install rpm
# rpmlint), rpmbuild cannot check BuildRequires and runs with --nodeps:
# the Debian packages of .ci/packages-* stand in for them, and libcurl4 for
# libcurl.so.4, the OpenSSL libcurl the spec opens. RPMBUILD_OPTS is
# passed to rpmbuild ("--without check" skips the test suite); it runs
# under nice, with make -j2 unless RPMBUILD_OPTS defines _smp_mflags.
set -eu

fail() { echo "build-rpm.sh: $*" >&2; exit 1; }

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "${1:-$srcdir}" && pwd)
top="$builddir/packaging/rpmbuild"
[ -f "$builddir/Makefile" ] || { echo "build-rpm.sh: $builddir is not configured (run ./configure)" >&2; exit 2; }
for tool in rpm rpmbuild rpmspec rpm2cpio rpmlint readelf; do
  command -v $tool >/dev/null 2>&1 || { echo "build-rpm.sh: $tool not found" >&2; exit 2; }
done

spec_in=$srcdir/packaging/rpm/cma-token.spec
version=$(sed -n 's/^PACKAGE_VERSION = //p' "$builddir/Makefile")
spec_version=$(rpmspec -q --srpm --qf '%{VERSION}' "$spec_in")
[ "$spec_version" = "$version" ] ||
  fail "packaging/rpm/cma-token.spec is at $spec_version, the tarball at $version: set Version: $version, Release: 1%{?dist} and add a %changelog entry"

echo "=== make dist ($version)"
make -C "$builddir" -s dist >/dev/null
tarball="$builddir/cma-token-$version.tar.xz"
rm -rf "$top" && mkdir -p "$top"
# rpmlint reads the spec and its filters as the tarball carries them.
tar -xJf "$tarball" -C "$top" --strip-components=3 \
  "cma-token-$version/packaging/rpm/cma-token.spec" "cma-token-$version/packaging/rpm/cma-token.rpmlintrc"

# Where rpm does not manage the system, the BuildRequires cannot be
# checked, and rpm's own configuration lacks what Fedora's
# redhat-rpm-config sets: these settings make the packages Fedora's.
set --
fedora_macros=
if ! rpm -q --quiet rpm 2>/dev/null; then
  fedora_macros=$top/macros.fedora
  cat >"$fedora_macros" <<'EOF'
# Debian's brp-compress, a /bin/sh script, uses bash's read -d.
%__brp_compress /bin/bash %{_rpmconfigdir}/brp-compress %{?_prefix}
# /usr/share/doc/NAME and /usr/share/licenses/NAME, without the version.
%_docdir_fmt %%{NAME}
# The -debuginfo and -debugsource packages, into which find-debuginfo
# strips the programs, as redhat-rpm-config adds them to every spec.
%_enable_debug_packages 1
%_debugsource_packages 1
%install %{?_enable_debug_packages:%{?buildsubdir:%{debug_package}}}\
%%install\
%{nil}
EOF
  set -- --nodeps --load="$fedora_macros"
fi
echo "=== rpmbuild -ta $* ${RPMBUILD_OPTS:+$RPMBUILD_OPTS }(log: $top/build.log)"
# shellcheck disable=SC2086
if ! nice rpmbuild -ta "$@" --define "_topdir $top" --define "_smp_mflags -j2" \
     ${RPMBUILD_OPTS:-} "$tarball" >"$top/build.log" 2>&1; then
  tail -n 60 "$top/build.log"
  fail "rpmbuild failed; see $top/build.log"
fi
grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' "$top/build.log" | sed 's/^/  tests: /' || true
srpm=$(ls "$top"/SRPMS/cma-token-"$version"-*.src.rpm)
main=$(ls "$top"/RPMS/*/cma-token-"$version"-*.rpm)
nagios=$(ls "$top"/RPMS/*/cma-token-nagios-"$version"-*.rpm)
# Not the -debuginfo and -debugsource packages: rpm makes them, not the
# spec, and Fedora's rpmlint configuration filters what it says of them.
rpms="$main $nagios"

echo "=== rpmlint"
# Debian's rpmlint has upstream's defaults; these are the settings of
# Fedora's configuration (rpmlint's configs/Fedora) that apply here.
set -- -r "$top/cma-token.rpmlintrc"
if [ -n "$fedora_macros" ]; then
  cat >"$top/rpmlint-fedora.toml" <<'EOF'
# rpm compresses man pages with gzip on Fedora.
CompressExtension = "gz"
# Fedora's list of licences (SPDX, configs/Fedora/licenses.toml) has MIT;
# Debian's rpmlint has no list, and finds every License invalid.
ValidLicenses = ["MIT"]
Filters = [
    # Signing is the distributor's step, after the build.
    ' no-signature',
    # Set by the build system (Koji, Copr), not the spec.
    ' no-packager-tag',
    # Fedora's guidelines dropped the Group and BuildRoot tags.
    ' no-group-tag',
    ' no-buildroot-tag',
    # The guidelines want a subpackage to require its base package's
    # exact version-release, %{version}-%{release}.
    ' requires-on-release',
    # Not Fedora's: rpmlint 2.4.0 (Debian 12) files a man page under its
    # section, not its name, so it finds no page for any program (fixed
    # in later rpmlint); jcma-token.1 and ccma-token.1 are checked below.
    ' no-manual-page-for-binary [jc]cma-token$',
]
EOF
  set -- "$@" -c "$top/rpmlint-fedora.toml"
fi
# shellcheck disable=SC2086
lint=$(rpmlint "$@" "$top/cma-token.spec" "$srpm" $rpms 2>&1) || true
printf '%s\n' "$lint"
case $lint in
  *" 0 errors, 0 warnings"*) echo "rpmlint: no errors, no warnings" ;;
  *) fail "rpmlint reports errors or warnings" ;;
esac

# ---- the packages as a packager reads them ----
libdir=$(rpm --eval '%{_libdir}')
isa=$(rpm --eval '%{?_isa}')
for p in $rpms; do
  echo "=== $(basename "$p")"
  rpm -qlp "$p" | sed 's/^/  /'
  echo "  --- requires"
  rpm -qp --requires "$p" | sed 's/^/    /'
  echo "  --- provides"
  rpm -qp --provides "$p" | sed 's/^/    /'
  echo "  --- scripts"
  rpm -qp --scripts "$p" | sed 's/^/    /'
done

# Every file where Fedora and RHEL expect it.
files=$(rpm -qlp "$main")
for f in /usr/bin/jcma-token /usr/bin/ccma-token \
  /usr/lib/systemd/system/jcma-token-renew.service /usr/lib/systemd/system/jcma-token-renew.timer \
  /usr/lib/systemd/system/ccma-token-renew.service /usr/lib/systemd/system/ccma-token-renew.timer \
  /usr/share/bash-completion/completions/jcma-token /usr/share/bash-completion/completions/ccma-token \
  /usr/share/zsh/site-functions/_cma-token \
  /usr/share/man/man1/jcma-token.1.gz /usr/share/man/man1/ccma-token.1.gz /usr/share/man/man5/cma-token.conf.5.gz \
  /usr/share/man/man1/check_jcma_token.1.gz /usr/share/man/man1/check_ccma_token.1.gz \
  /usr/share/doc/cma-token/README /usr/share/doc/cma-token/NEWS \
  /usr/share/doc/cma-token/examples/jcma-token.conf /usr/share/doc/cma-token/examples/ccma-token.conf \
  /usr/share/doc/cma-token/examples/cma-token.cron /usr/share/licenses/cma-token/COPYING; do
  printf '%s\n' "$files" | grep -qxF "$f" || fail "$(basename "$main") lacks $f"
done
plugins=$(rpm -qlp "$nagios" | grep '/plugins/check_' | sort | tr '\n' ' ')
[ "$plugins" = "$libdir/nagios/plugins/check_ccma_token $libdir/nagios/plugins/check_jcma_token " ] ||
  fail "$(basename "$nagios") has the plugins $plugins, not check_ccma_token and check_jcma_token in $libdir/nagios/plugins"
# libcurl, which the ELF dependencies cannot show.
rpm -qp --requires "$main" | grep -qxF "libcurl$isa >= 7.88" || fail "$(basename "$main") does not require libcurl$isa"
rpm -qp --requires "$nagios" | grep -q "^cma-token$isa = $version-" || fail "$(basename "$nagios") does not require cma-token$isa"
# The timers are left to the presets, never enabled or started.
scripts=$(rpm -qp --scripts "$main")
for u in jcma-token-renew.timer ccma-token-renew.timer; do
  printf '%s\n' "$scripts" | grep -A3 '^postinstall' | grep -q "$u" || fail "%post does not name $u"
done
if printf '%s\n' "$scripts" | grep -E 'systemctl .*(enable|start|restart)|try-restart|mark-restart'; then
  fail "a scriptlet enables, starts or restarts a unit"
fi

# ---- installed into a scratch root, run from there ----
root="$top/root"
mkdir -p "$root"
if [ "$(id -u)" -eq 0 ]; then
  echo "=== rpm --root $root -i --nodeps --noscripts"
  # shellcheck disable=SC2086
  rpm --root "$root" -i --nodeps --noscripts $rpms
else
  # rpm installs files as root's; an ordinary user unpacks them.
  echo "=== rpm2cpio | cpio into $root (not root: rpm cannot install)"
  for p in $rpms; do rpm2cpio "$p" | (cd "$root" && cpio -idm --quiet); done
fi
# The packaged programs still carry the .note.dlopen note naming RHEL's
# libcurl, from which package-notes' generator makes its dependency.
for prog in jcma-token ccma-token; do
  readelf -p .note.dlopen "$root/usr/bin/$prog" | grep -qF '"soname":["libcurl.so.4"]' ||
    fail "$prog lost its .note.dlopen note for libcurl.so.4"
done
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
for prog in jcma-token ccma-token; do
  conf="$root/usr/share/doc/cma-token/examples/$prog.conf"
  out=$("$root/usr/bin/$prog" --version) || fail "$prog --version failed"
  printf '%s\n' "$out" | sed 's/^/  /'
  printf '%s\n' "$out" | grep -q "^$prog (cma-token) $version\$" || fail "$prog --version: not $version"
  # The libcurl the spec names, opened from the system.
  printf '%s\n' "$out" | grep -q '^libcurl [0-9.]* (OpenSSL/' || fail "$prog --version: libcurl.so.4 (OpenSSL) not opened"
  rc=0
  out=$("$root/usr/bin/$prog" status -c "$conf" --state-dir "$state") || rc=$?
  printf '%s\n' "$out" | sed 's/^/  /'
  { [ $rc -eq 3 ] && printf '%s\n' "$out" | grep -q '^prod: UNKNOWN'; } ||
    fail "$prog status with examples/$prog.conf: exit $rc, not 3 (UNKNOWN: nothing recorded)"
  plugin="$root$libdir/nagios/plugins/check_$(echo $prog | tr - _)"
  [ "$(readlink -f "$plugin")" = "$root/usr/bin/$prog" ] || fail "$plugin does not lead to $root/usr/bin/$prog"
  rc=0
  out=$("$plugin" --config "$conf" --state-dir "$state") || rc=$?
  echo "  $out"
  { [ $rc -eq 3 ] && printf '%s\n' "$out" | grep -q ' UNKNOWN - prod has no renewal recorded'; } ||
    fail "$(basename "$plugin") with examples/$prog.conf: exit $rc, not 3 (UNKNOWN)"
done
completions=$root/usr/share/bash-completion/completions
[ "$(readlink -f "$completions/ccma-token")" = "$completions/jcma-token" ] || fail "$completions/ccma-token is not jcma-token's"
[ -z "$(ls -A "$state")" ] || fail "status or the plugin wrote to the state directory"
echo "build-rpm.sh: $(basename "$srpm") and $(echo "$rpms" | wc -w) RPMs built, linted, installed and run"
