#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerate the build system from a git checkout; tarballs do not need this.
set -e
srcdir=$(dirname "$0")
test -n "$srcdir" || srcdir=.
cd "$srcdir"
autoreconf --force --install --verbose
if test -z "$NOCONFIGURE"; then
  exec ./configure "$@"
fi
