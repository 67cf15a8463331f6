#!/bin/sh
# SPDX-License-Identifier: MIT
# build-deb.sh [BUILDDIR]: build the Debian package of cma-token from the
# release tarball, as a distribution would, and check it with lintian.
#
# In BUILDDIR (a configured build tree; default: the source tree this
# script belongs to) it runs "make dist", unpacks the tarball into
# BUILDDIR/packaging/deb/, adds the tarball's packaging/debian as debian/,
# builds the binary package with dpkg-buildpackage -us -uc -b, and runs
# lintian, which must report no error and no warning. The .deb and the
# build log stay in BUILDDIR/packaging/deb/.
#
# Needs dpkg-dev, debhelper, lintian and the Build-Depends of
# packaging/debian/control. DEB_BUILD_OPTIONS is honoured (nocheck skips
# the test suite; parallel=N defaults to 2).
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "${1:-$srcdir}" && pwd)
[ -f "$builddir/Makefile" ] || { echo "build-deb.sh: $builddir is not configured (run ./configure)" >&2; exit 2; }
for tool in dpkg-buildpackage dh lintian; do
  command -v $tool >/dev/null 2>&1 || { echo "build-deb.sh: $tool not found" >&2; exit 2; }
done

version=$(sed -n 's/^PACKAGE_VERSION = //p' "$builddir/Makefile")
debian_version=$(dpkg-parsechangelog -l "$srcdir/packaging/debian/changelog" -S Version)
if [ "${debian_version%-*}" != "$version" ]; then
  echo "build-deb.sh: packaging/debian/changelog is at $debian_version, the tarball at $version;" >&2
  echo "build-deb.sh: add a changelog entry (dch -v $version-1)" >&2
  exit 1
fi

echo "=== make dist ($version)"
make -C "$builddir" -s dist >/dev/null
tarball="$builddir/cma-token-$version.tar.xz"

out="$builddir/packaging/deb"
rm -rf "$out"
mkdir -p "$out"
# Format 3.0 (quilt): the release tarball, byte for byte, is the
# .orig.tar.xz; Debian's changes live in debian/ only.
cp "$tarball" "$out/cma-token_$version.orig.tar.xz"
tar -xJf "$tarball" -C "$out"
src="$out/cma-token-$version"
[ -d "$src/packaging/debian" ] || { echo "build-deb.sh: the tarball lacks packaging/debian" >&2; exit 1; }
cp -R "$src/packaging/debian" "$src/debian"

echo "=== dpkg-buildpackage -us -uc -b (log: $out/build.log)"
case " ${DEB_BUILD_OPTIONS:-} " in
  *" parallel="*) ;;
  *) DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }parallel=2" ;;
esac
export DEB_BUILD_OPTIONS
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
  tail -n 40 "$out/build.log"
  echo "build-deb.sh: dpkg-buildpackage failed; see $out/build.log" >&2
  exit 1
fi
grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' "$out/build.log" | sed 's/^/  tests: /' || true

changes=$(ls "$out"/cma-token_"$version"-*_*.changes)
echo "=== $(basename "$out"/cma-token_*.deb)"
dpkg-deb --contents "$out"/cma-token_*.deb | awk '{ print "  " $NF }' | grep -v '/$'

echo "=== lintian"
# --fail-on: errors and warnings fail the build; info and pedantic tags
# are shown, to be read.
lintian --fail-on error,warning --display-info "$changes"
echo "lintian: no errors, no warnings"
